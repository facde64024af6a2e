/**
 * OpenWrt's Device.DeviceInfo.VendorLogFile.{i}. sources: logd's ring buffer, read with `logread`
 * (package ubox), and the file logread writes when `system.@system[0].log_file` is set. Sizes come
 * from the `config system` section as /etc/init.d/log reads it, once, when the agent starts:
 * logd's buffer is log_buffer_size KiB, else log_size KiB, else 64 KiB; the file is rotated at
 * log_size KiB when that is set (otherwise its size is not bounded here, and MaximumSize says how
 * much of it Upload() sends).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { FileLogSource, MAX_LOG_UPLOAD_BYTES, type VendorLogSource } from '../vendor-log-file.js';
import { parseUciShow, stringOption, type UciConfig } from './uci-show.js';

/** logd's buffer when UCI sets no size (/etc/init.d/log). */
const LOGD_DEFAULT_KIB = 64;

/** logd's RAM ring buffer, read whole with `logread`. */
class LogreadSource implements VendorLogSource {
  readonly name = 'logread';

  constructor(
    private readonly runner: CommandRunner,
    private readonly bytes: number,
  ) {}

  maximumSize(): Promise<number> {
    return Promise.resolve(this.bytes);
  }

  /** The ring buffer is RAM: gone after a reboot (log_file, its own row, is what may persist). */
  persistent(): Promise<boolean> {
    return Promise.resolve(false);
  }

  async read(): Promise<Buffer> {
    let text: string;
    try {
      text = await this.runner.run('logread', []);
    } catch (e) {
      throw new UspError(ErrorCode.CommandFailure, `logread failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const buf = Buffer.from(text);
    return buf.length > MAX_LOG_UPLOAD_BYTES ? buf.subarray(buf.length - MAX_LOG_UPLOAD_BYTES) : buf;
  }
}

/** A whole number of KiB from a UCI option, or undefined when unset or not one. */
function kib(v: string | string[] | undefined): number | undefined {
  const s = stringOption(v);
  return s !== undefined && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined;
}

/** The sources `config` (`uci -q -X show system`) describes: logread, then log_file when set. */
export function openWrtVendorLogs(runner: CommandRunner, config: UciConfig): VendorLogSource[] {
  const system = config.find((s) => s.type === 'system');
  const logSize = kib(system?.options.log_size);
  const bufferKib = kib(system?.options.log_buffer_size) ?? logSize ?? LOGD_DEFAULT_KIB;
  const sources: VendorLogSource[] = [new LogreadSource(runner, bufferKib * 1024)];
  const file = stringOption(system?.options.log_file);
  if (file && file.startsWith('/')) sources.push(new FileLogSource(file, logSize !== undefined ? logSize * 1024 : MAX_LOG_UPLOAD_BYTES));
  return sources;
}

/** Reads `config system` and returns the sources; logread alone when UCI cannot be read. */
export async function readOpenWrtVendorLogs(runner: CommandRunner): Promise<VendorLogSource[]> {
  let config: UciConfig = [];
  try {
    config = parseUciShow(await runner.run('uci', ['-q', '-X', 'show', 'system']));
  } catch {
    // No system config: logd's defaults.
  }
  return openWrtVendorLogs(runner, config);
}

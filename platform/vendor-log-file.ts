/**
 * The log files behind Device.DeviceInfo.VendorLogFile.{i}. (TR-181 DeviceInfo, VendorLogFiles:1):
 * what a row says (Name, MaximumSize, Persistent) and the content its Upload() sends. A platform
 * gives its own (OpenWrt's logread ring buffer, the simulated gateway's syslog); an integrator
 * names files (`--vendor-log-file PATH`), served by FileLogSource.
 */
import { open, realpath } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode, UspError } from '../datamodel/UspError.js';

/** The most of one log Upload() sends (the newest bytes): a log is read into memory whole before it is sent. */
export const MAX_LOG_UPLOAD_BYTES = 4 * 1024 * 1024;
/** TR-181 VendorLogFile.{i}.Name is string(64). */
const NAME_MAX = 64;

/** One VendorLogFile row's source. */
export interface VendorLogSource {
  /** TR-181 Name (unique in the table, at most 64 characters). */
  readonly name: string;
  /** TR-181 MaximumSize: the most bytes the log holds before the oldest go. */
  maximumSize(): Promise<number>;
  /** TR-181 Persistent: the log survives a reboot. */
  persistent(): Promise<boolean>;
  /** The log's content, its newest MAX_LOG_UPLOAD_BYTES at most; UspError 7022 when it cannot be read. */
  read(): Promise<Buffer>;
}

/** Filesystems whose files are gone after a reboot (RAM), or that hold no real files. */
const VOLATILE_FS = new Set(['tmpfs', 'ramfs', 'devtmpfs', 'proc', 'sysfs', 'cgroup', 'cgroup2', 'debugfs', 'tracefs']);

/** Undoes mountinfo's octal escapes ("\040" for a space). */
const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * The filesystem type of the mount holding `path` (its longest mount point prefix in
 * /proc/self/mountinfo; the last of equal ones, as the kernel stacks them); undefined when unknown.
 */
export function fsTypeOf(path: string, mountinfo = '/proc/self/mountinfo'): string | undefined {
  let text: string;
  try {
    text = readFileSync(mountinfo, 'utf8');
  } catch {
    return undefined;
  }
  let best: { point: string; type: string } | undefined;
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const point = unescapeMount(left.split(' ')[4] ?? '');
    const type = right.split(' ')[0] ?? '';
    const under = point === '/' || path === point || path.startsWith(`${point}/`);
    if (under && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}

/** Whether files under `path` survive a reboot: not on a RAM (or pseudo) filesystem; false when unknown. */
export async function onPersistentFs(path: string, mountinfo?: string): Promise<boolean> {
  // The file may not exist yet (a log made later): its directory decides.
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    try {
      real = await realpath(dirname(path));
    } catch {
      return false;
    }
  }
  const type = fsTypeOf(real, mountinfo);
  return type !== undefined && !VOLATILE_FS.has(type);
}

/** The newest `max` bytes of `file`; UspError 7022 when it is missing or unreadable. */
export async function readTail(file: string, max = MAX_LOG_UPLOAD_BYTES): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new UspError(ErrorCode.CommandFailure, `log file ${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const { size, isFile } = await fh.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) throw new UspError(ErrorCode.CommandFailure, `log file ${file} is not a regular file`);
    const length = Math.min(size, max);
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, size - length);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A row's Name for a file path: the path, or its last 64 characters when longer (the end tells files apart). */
export function logNameOf(path: string): string {
  return path.length <= NAME_MAX ? path : path.slice(path.length - NAME_MAX);
}

/**
 * A log file on disk (an integrator's `--vendor-log-file`, OpenWrt's `log_file`). MaximumSize is
 * `maximumSize` when the owner of the file says how big it grows (OpenWrt's log_size), else the
 * most Upload() sends of it: how big a file another program writes may grow is not known here.
 */
export class FileLogSource implements VendorLogSource {
  readonly name: string;

  constructor(
    readonly path: string,
    private readonly size: number = MAX_LOG_UPLOAD_BYTES,
    private readonly mountinfo?: string,
  ) {
    this.name = logNameOf(path);
  }

  maximumSize(): Promise<number> {
    return Promise.resolve(this.size);
  }

  persistent(): Promise<boolean> {
    return onPersistentFs(this.path, this.mountinfo);
  }

  read(): Promise<Buffer> {
    return readTail(this.path);
  }
}

/**
 * Device.PacketCaptureDiagnostics() on a live system (Linux, OpenWrt): the real `tcpdump` (Debian
 * package tcpdump; OpenWrt tcpdump or tcpdump-mini, same options) on one network device,
 * writing libpcap to its stdout (`-w -`, `-U`: each packet as it is captured), which the agent
 * writes to the temporary file through PcapLimiter. So ByteCount and the agent's size bound are
 * exact and enforced by the agent, not by tcpdump's rotation options, and tcpdump never writes a
 * file itself (Debian's drops root before opening it). PacketCount is tcpdump's `-c` too, and
 * Duration the agent's timer: tcpdump is stopped with SIGTERM, which makes it flush and exit.
 * The FilterExpression is one argv element after `--`, never seen by a shell; tcpdump compiles
 * it (`tcpdump -d` before the command is accepted).
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { Logger } from '../../datamodel/Logger.js';
import { CommandRunner, findOnPath, killGroup } from '../exec/CommandRunner.js';
import type { CaptureOutcome, CaptureRequest, CaptureStatus, PacketCapturer } from './packet-capture.js';
import { DEVICE_NAME } from './packet-capture.js';
import { PcapLimiter } from './pcap-limiter.js';

/** What to install where tcpdump is missing. */
export const TCPDUMP_PACKAGE = 'tcpdump (OpenWrt: tcpdump or tcpdump-mini)';
/** After SIGTERM, this long for tcpdump to flush and exit before SIGKILL. */
const STOP_GRACE_MS = 3000;
/** tcpdump must say it is listening within this (opening a device is quick; a hang is a fault). */
const START_TIMEOUT_MS = 10_000;
/** stderr is only read for tcpdump's messages: its first 4 KiB. */
const MAX_STDERR = 4096;

export interface TcpdumpCaptureOptions {
  /** Where the tools are (OpenWrt `--platform-command-path`); default PATH. */
  commandPath?: string;
  /** PacketCapturer.tempDir (OpenWrt: /tmp); default the data directory. */
  tempDir?: string;
  log?: Logger;
}

/** The tcpdump capturer of one agent (stateless between captures). */
export class TcpdumpCapture implements PacketCapturer {
  private readonly runner: CommandRunner;
  readonly tempDir?: string;

  constructor(private readonly opts: TcpdumpCaptureOptions = {}) {
    this.tempDir = opts.tempDir;
    this.runner = new CommandRunner({ commandPath: opts.commandPath, timeoutMs: 5000, maxOutputBytes: 256 * 1024, log: opts.log });
  }

  unavailable(): string | undefined {
    const found = this.opts.commandPath === undefined ? findOnPath('tcpdump') : findOnPath('tcpdump', this.opts.commandPath);
    return found ? undefined : `tcpdump is not installed; install the package ${TCPDUMP_PACKAGE}`;
  }

  async checkFilter(filter: string): Promise<string | undefined> {
    if (filter === '') return undefined;
    // Compiled for Ethernet: the device's own link type is checked when the capture opens it.
    const r = await this.runner.capture('tcpdump', ['-d', '--', filter]);
    if (r.exitCode === 0) return undefined;
    return tcpdumpMessage(r.stderr) || `tcpdump refused it (exit ${r.exitCode ?? 'signal'})`;
  }

  async capture(req: CaptureRequest): Promise<CaptureOutcome> {
    if (!DEVICE_NAME.test(req.device)) return failed('Error_Other', `${JSON.stringify(req.device)} is not a network device name`);
    const args = ['-i', req.device, '-n', '-U', '--immediate-mode', '-w', '-'];
    if (req.limits.maxPackets > 0) args.push('-c', String(req.limits.maxPackets));
    if (req.filter !== '') args.push('--', req.filter);
    return runTcpdump(this.runner.executable('tcpdump'), args, req);
  }
}

/**
 * Runs tcpdump with `args` (stdout: libpcap) into `req.file`, stopping it at the deadline, at a
 * limit, or on cancel. Exported for the simulated capture, which filters its synthetic file
 * through `tcpdump -r`.
 */
export async function runTcpdump(executable: string, args: readonly string[], req: CaptureRequest, live = true): Promise<CaptureOutcome> {
  const file = await open(req.file, 'w', 0o600);
  const startMs = Date.now();
  try {
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    let stoppedByUs = false;
    let listening = !live;
    let startedAt = startMs;
    let durationTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (stoppedByUs) return;
      stoppedByUs = true;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
    };
    const limiter = new PcapLimiter(file, req.limits, stop);
    const startDuration = (): void => {
      startedAt = Date.now();
      durationTimer = setTimeout(stop, req.durationMs);
    };
    if (!live) startDuration();
    const startTimer = setTimeout(() => {
      if (!listening) stop();
    }, START_TIMEOUT_MS);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.slice(0, MAX_STDERR - stderr.length);
      // "tcpdump: listening on eth0, link-type EN10MB ...": the capture runs from here.
      if (!listening && /listening on /.test(stderr)) {
        listening = true;
        startDuration();
      }
    });
    const onAbort = (): void => stop();
    req.signal.addEventListener('abort', onAbort, { once: true });
    if (req.signal.aborted) stop();
    const piped = new Promise<Error | undefined>((resolve) => {
      child.stdout.pipe(limiter);
      limiter.on('finish', () => resolve(undefined));
      limiter.on('error', (e) => {
        stop();
        resolve(e);
      });
    });
    const exit = await new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
      child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: null, error: e }));
      child.on('close', (code) => resolve({ code }));
    });
    // The pipe ends with the process; the bound only guards against a grandchild holding stdout.
    let graceTimer: NodeJS.Timeout | undefined;
    const streamError = await Promise.race([piped, new Promise<undefined>((r) => (graceTimer = setTimeout(() => r(undefined), STOP_GRACE_MS)))]);
    clearTimeout(graceTimer);
    clearTimeout(durationTimer);
    clearTimeout(killTimer);
    clearTimeout(startTimer);
    req.signal.removeEventListener('abort', onAbort);
    const endMs = Date.now();
    const base = { packets: limiter.packets, bytes: limiter.bytes, startMs: startedAt, endMs };
    if (exit.error) {
      const missing = exit.error.code === 'ENOENT' || exit.error.code === 'EACCES';
      return { ...base, status: 'Error_Internal', detail: missing ? `tcpdump is not installed; install the package ${TCPDUMP_PACKAGE}` : exit.error.message };
    }
    if (streamError) return { ...base, status: 'Error_Internal', detail: streamError.message };
    if (!listening) return { ...base, status: statusOf(stderr), detail: tcpdumpMessage(stderr) || 'tcpdump did not start capturing' };
    // Stopped by us (deadline, limit, cancel) or ended by itself (-c reached, or the file read to its end).
    if (stoppedByUs || exit.code === 0) return { ...base, status: 'Complete', detail: '' };
    return { ...base, status: statusOf(stderr), detail: tcpdumpMessage(stderr) || `tcpdump exited with ${exit.code ?? 'a signal'}` };
  } finally {
    await file.close();
  }
}

function failed(status: CaptureStatus, detail: string): CaptureOutcome {
  const now = Date.now();
  return { status, detail, packets: 0, bytes: 0, startMs: now, endMs: now };
}

/** tcpdump's own complaint: its last "tcpdump: ..." line (warnings aside). */
export function tcpdumpMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('tcpdump: ') && !/listening on /.test(l));
  return lines.at(-1) ?? '';
}

/** A device missing or a filter refused is the request's (Error_Other); no permission to capture is the device's own fault (Error_Internal). */
function statusOf(stderr: string): CaptureStatus {
  return /permission|not permitted/i.test(stderr) ? 'Error_Internal' : 'Error_Other';
}

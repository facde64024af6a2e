/**
 * Runs one IPPing (TR-143 IPPing, TR-181 Device.IP.Diagnostics.IPPing()) with the system
 * `ping` and reads its result. What each flavour can honour:
 * - NumberOfRepetitions, DataBlockSize, Interface (-I), ProtocolVersion (-4/-6): both.
 * - Timeout: iputils waits that long for each reply (-W, fractions of a second); BusyBox's -W
 *   is whole seconds and only counts after the last request went out, so there the timeout is
 *   rounded up to seconds and bounds the wait for the last reply only.
 * - DSCP: iputils sets it (-Q, the TOS byte is DSCP << 2); BusyBox ping has no option for it,
 *   so its requests go with DSCP 0.
 * - "A ping response to the transmitted ping, or timeout, before the next ping is sent out"
 *   (TR-181): requests go out once a second (the tools' default, what operators expect of
 *   ping), or once per Timeout when that is longer, so a request's wait ends before the next.
 *   (Adaptive mode, -A, would send the next at once after a reply: a flood on loopback.)
 */
import type { CommandRunner } from '../exec/CommandRunner.js';
import type { DiagnosticTool } from './diagnostic-tools.js';
import { parsePingOutput, type PingOutcome } from './ping-output.js';

export type IpFamily = 'Any' | 'IPv4' | 'IPv6';

export interface PingRequest {
  host: string;
  count: number;
  timeoutMs: number;
  dataBlockSize: number;
  /** 0-63; 0 leaves the default. */
  dscp: number;
  /** OS network device to send from (Interface), or undefined for the routing table's choice. */
  device?: string;
  family: IpFamily;
}

/** A CPE diagnostic must not hold a slot for hours: per-reply waits are capped at this. */
export const MAX_WAIT_MS = 60_000;
/** ping's output is a line per request: bound what the runner keeps. */
export const MAX_OUTPUT_BYTES = 256 * 1024;

/** The command line (after the tool's prefix) for `req`. */
export function pingArgs(tool: DiagnosticTool, req: PingRequest): string[] {
  const waitMs = waitOf(req);
  const args = [...tool.prefix, '-c', String(req.count), '-s', String(req.dataBlockSize)];
  if (tool.flavour === 'full') {
    args.push('-n', '-W', String(waitMs / 1000), '-i', String(intervalSeconds(req)));
    if (req.dscp > 0) args.push('-Q', String(req.dscp << 2));
  } else {
    args.push('-W', String(Math.ceil(waitMs / 1000)), '-i', String(Math.ceil(intervalSeconds(req))));
  }
  // Both stop by this deadline even if replies trickle in: every request plus its wait.
  args.push('-w', String(deadlineSeconds(req)));
  if (req.device) args.push('-I', req.device);
  if (req.family === 'IPv4') args.push('-4');
  if (req.family === 'IPv6') args.push('-6');
  args.push(req.host);
  return args;
}

function waitOf(req: PingRequest): number {
  return Math.min(Math.max(req.timeoutMs, 1), MAX_WAIT_MS);
}

function intervalSeconds(req: PingRequest): number {
  return Math.max(1000, waitOf(req)) / 1000;
}

function deadlineSeconds(req: PingRequest): number {
  return Math.ceil((req.count - 1) * Math.ceil(intervalSeconds(req)) + waitOf(req) / 1000) + 1;
}

/**
 * Runs the ping; resolves with its outcome whatever the tool's exit code. Rejects (CommandError)
 * when the tool is missing, or was killed: `signal` aborted (Request.{i}.Cancel()) or over time.
 */
export async function runPing(runner: CommandRunner, tool: DiagnosticTool, req: PingRequest, signal?: AbortSignal): Promise<PingOutcome> {
  const r = await runner.capture(tool.cmd, pingArgs(tool, req), { signal, timeoutMs: deadlineSeconds(req) * 1000 + 5000 });
  return parsePingOutput(r.stdout, r.stderr);
}

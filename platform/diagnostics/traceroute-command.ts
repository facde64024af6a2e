/**
 * Runs one TraceRoute (TR-143, TR-181 Device.IP.Diagnostics.TraceRoute()) with the system
 * `traceroute -n` and reads its hops. Both flavours honour NumberOfTries (-q), MaxHopCount
 * (-m), DSCP (-t, the TOS byte), Interface (-i), ProtocolVersion (-4/-6) and DataBlockSize
 * (the packet length argument, headers added; BusyBox's minimum is 46 bytes). Timeout: the full tool waits fractions of a second (-w);
 * BusyBox only whole seconds, so there it is rounded up. Hops are shown as addresses (-n):
 * reverse lookups of every hop would cost up to seconds each.
 */
import type { CommandRunner } from '../exec/CommandRunner.js';
import type { DiagnosticTool } from './diagnostic-tools.js';
import { MAX_WAIT_MS, type IpFamily } from './ping-command.js';
import { parseTraceRouteOutput, type TraceRouteOutcome } from './traceroute-output.js';

export interface TraceRouteRequest {
  host: string;
  tries: number;
  timeoutMs: number;
  /** Bytes of data in each probe (the tools take the whole packet's length: headers are added). */
  dataBlockSize: number;
  dscp: number;
  maxHops: number;
  device?: string;
  family: IpFamily;
}

/** The command line (after the tool's prefix) for `req`. */
export function traceRouteArgs(tool: DiagnosticTool, req: TraceRouteRequest): string[] {
  const waitMs = Math.min(Math.max(req.timeoutMs, 1), MAX_WAIT_MS);
  const wait = tool.flavour === 'full' ? String(waitMs / 1000) : String(Math.ceil(waitMs / 1000));
  const args = [...tool.prefix, '-n', '-m', String(req.maxHops), '-q', String(req.tries), '-w', wait];
  if (req.dscp > 0) args.push('-t', String(req.dscp << 2));
  if (req.device) args.push('-i', req.device);
  if (req.family === 'IPv4') args.push('-4');
  if (req.family === 'IPv6') args.push('-6');
  args.push(req.host, String(packetLength(tool, req)));
  return args;
}

/**
 * The probe's whole length: the data plus IP and UDP headers (20 + 8 bytes, or 40 + 8 over
 * IPv6; with ProtocolVersion Any the IPv4 figure). BusyBox refuses less than 46 bytes.
 */
function packetLength(tool: DiagnosticTool, req: TraceRouteRequest): number {
  const len = req.dataBlockSize + (req.family === 'IPv6' ? 48 : 28);
  return tool.flavour === 'busybox' ? Math.max(46, len) : len;
}

/** Runs the trace; rejects (CommandError) only when the tool is missing, canceled or over time. */
export async function runTraceRoute(runner: CommandRunner, tool: DiagnosticTool, req: TraceRouteRequest, signal?: AbortSignal): Promise<TraceRouteOutcome> {
  const waitMs = Math.min(Math.max(req.timeoutMs, 1), MAX_WAIT_MS);
  // Every probe of every hop waited out, plus name resolution.
  const timeoutMs = req.maxHops * req.tries * Math.ceil(waitMs / 1000) * 1000 + 10_000;
  const r = await runner.capture(tool.cmd, traceRouteArgs(tool, req), { signal, timeoutMs });
  return parseTraceRouteOutput(r.stdout, r.stderr, req.maxHops);
}

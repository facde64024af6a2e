/**
 * Device.IP.Diagnostics.ServerSelectionDiagnostics() (TR-181 2.19, TR-143; async): pings each
 * host of HostList in turn (NumberOfRepetitions each, one request at a time as TR-181 asks) and
 * reports the one with the smallest average response time, its times in microseconds.
 * Protocol ICMP runs the system ping; "UDP Echo" sends the same pings as UDP echo requests
 * (the UDPEchoDiagnostics() client, udp-echo-test.ts) to each host's echo service, port 7 (RFC
 * 862; the 2.19 command has no Port argument). Status: Complete when at least one host answered,
 * Error_CannotResolveHostName when no host name resolved, Error_Other when none answered.
 */
import type { CommandBinding, CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { DiagnosticTool } from '../../platform/diagnostics/diagnostic-tools.js';
import { runPing, type IpFamily } from '../../platform/diagnostics/ping-command.js';
import { sourceAddressFor } from '../../platform/diagnostics/source-address.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';
import { toolFailureStatus, withSlot, type IpDiagnosticsDeps } from './ip-diagnostics-deps.js';
import { checkHost, interfaceDevice } from './interface-input.js';
import { MAX_REPETITIONS } from './ip-ping.js';
import { interfaceAddress } from './diagnostic-interface.js';
import { runUdpEcho } from './udp-echo-test.js';
import type { ProtocolVersion } from './resolve-host.js';

/** The echo service's port (RFC 862), where "UDP Echo" pings go unless the deps name another. */
const ECHO_PORT = 7;
/** Bytes of each UDP echo request: room for the TR-143 TestGenSN the replies are matched by. */
const UDP_ECHO_BLOCK = 20;

interface HostTimes {
  address: string;
  minUs: number;
  avgUs: number;
  maxUs: number;
  used?: string;
}
type HostResult = { status: 'answered'; times: HostTimes } | { status: 'unresolved' | 'silent' };

/** The ServerSelectionDiagnostics() command binding over `ping` (TR-181 Device.IP.Diagnostics.ServerSelectionDiagnostics()). */
export function serverSelectionCommand(d: IpDiagnosticsDeps, tool: DiagnosticTool): CommandBinding {
  // One binding object per gateway over functions the fleet shares (issue 14: no closures per gateway).
  return new BoundCheckedCommand<ToolDeps>({ d, tool }, runServerSelection, precheckServerSelection);
}

/** The deps and the tool one gateway's command runs with. */
interface ToolDeps {
  d: IpDiagnosticsDeps;
  tool: DiagnosticTool;
}

const prepare = async (d: IpDiagnosticsDeps, call: Omit<CommandInvocation, 'signal'>) => {
  const protocol = String(call.input.Protocol);
  if (protocol !== 'ICMP' && protocol !== 'UDP Echo') throw new UspError(ErrorCode.InvalidCommandArgs, `Protocol ${protocol} is not ICMP or UDP Echo`);
  const hosts = String(call.input.HostList ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (hosts.length === 0) throw new UspError(ErrorCode.InvalidCommandArgs, 'HostList names no host');
  hosts.forEach((h) => checkHost('HostList item', h));
  const count = Number(call.input.NumberOfRepetitions);
  if (count > MAX_REPETITIONS) throw new UspError(ErrorCode.ResourcesExceeded, `NumberOfRepetitions ${count} is over this agent's bound of ${MAX_REPETITIONS}`);
  const device = await interfaceDevice(d.model, String(call.input.Interface ?? ''), d.interfaceDevice);
  const family = String(call.input.ProtocolVersion) as IpFamily;
  const localAddress = protocol === 'UDP Echo' ? await interfaceAddress(d.model, String(call.input.Interface ?? ''), family as ProtocolVersion) : undefined;
  return { protocol, hosts, count, device, family, localAddress, timeoutMs: Number(call.input.Timeout) };
};

async function precheckServerSelection({ d }: ToolDeps, call: Omit<CommandInvocation, 'signal'>): Promise<Record<string, Value> | void> {
  await prepare(d, call);
  d.slots.check();
}

function runServerSelection({ d, tool }: ToolDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  return withSlot(d, async () => {
    const req = await prepare(d, call);
    let best: (HostTimes & { host: string }) | undefined;
    let resolved = 0;
    for (const host of req.hosts) {
      let r: HostResult;
      try {
        r = req.protocol === 'UDP Echo' ? await udpEchoHost(d, host, req, call.signal) : await icmpHost(d, tool, host, req, call.signal);
      } catch (e) {
        if (call.signal.aborted) throw e;
        return selectionOutput(toolFailureStatus(d, 'ServerSelectionDiagnostics()', e));
      }
      if (r.status !== 'unresolved') resolved++;
      if (r.status === 'answered' && (!best || r.times.avgUs < best.avgUs)) best = { host, ...r.times };
    }
    if (!best) return selectionOutput(resolved === 0 ? 'Error_CannotResolveHostName' : 'Error_Other');
    return {
      ...selectionOutput('Complete'),
      FastestHost: best.host,
      MinimumResponseTime: best.minUs,
      AverageResponseTime: best.avgUs,
      MaximumResponseTime: best.maxUs,
      IPAddressUsed: best.used ?? (await sourceAddressFor(best.address)),
    };
  });
}

function selectionOutput(status: string): Record<string, Value> {
  return { Status: status, FastestHost: '', MinimumResponseTime: 0, AverageResponseTime: 0, MaximumResponseTime: 0, IPAddressUsed: '' };
}

interface Plan {
  count: number;
  timeoutMs: number;
  device?: string;
  family: IpFamily;
  localAddress?: string;
}

/** One host by the system ping. */
async function icmpHost(d: IpDiagnosticsDeps, tool: DiagnosticTool, host: string, p: Plan, signal: AbortSignal): Promise<HostResult> {
  const o = await runPing(d.runner, tool, { host, count: p.count, timeoutMs: p.timeoutMs, dataBlockSize: 56, dscp: 0, device: p.device, family: p.family }, signal);
  if (o.status === 'Error_CannotResolveHostName') return { status: 'unresolved' };
  if (o.status !== 'Complete' || o.avgUs === undefined) return { status: 'silent' };
  return { status: 'answered', times: { address: o.address, minUs: o.minUs ?? 0, avgUs: o.avgUs, maxUs: o.maxUs ?? 0 } };
}

/** One host by UDP echo requests, one at a time, each waiting for its echo or Timeout. */
async function udpEchoHost(d: IpDiagnosticsDeps, host: string, p: Plan, signal: AbortSignal): Promise<HostResult> {
  const o = await runUdpEcho({
    host,
    port: d.udpEchoPort ?? ECHO_PORT,
    repetitions: p.count,
    timeoutMs: p.timeoutMs,
    blockSize: UDP_ECHO_BLOCK,
    interTransmissionMs: 0,
    protocolVersion: p.family as ProtocolVersion,
    localAddress: p.localAddress,
    individualResults: false,
    signal,
  });
  if (o.status === 'Error_CannotResolveHostName') return { status: 'unresolved' };
  if (o.status !== 'Complete' || Number(o.output.SuccessCount) === 0) return { status: 'silent' };
  const used = String(o.output.IPAddressUsed);
  return { status: 'answered', times: { address: used, minUs: Number(o.output.MinimumResponseTime), avgUs: Number(o.output.AverageResponseTime), maxUs: Number(o.output.MaximumResponseTime), used } };
}

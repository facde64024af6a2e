/**
 * Device.IP.Diagnostics.ServerSelectionDiagnostics() (TR-181 2.19, TR-143; async): pings each
 * host of HostList in turn (NumberOfRepetitions each, one request at a time as TR-181 asks) and
 * reports the one with the smallest average response time, its times in microseconds.
 * Protocol ICMP only: "UDP Echo" needs a UDP echo server at each host and this agent's client
 * for it lives with UDPEchoDiagnostics(); ICMP serves the purpose (choosing the nearest server),
 * so UDP Echo is refused with 7027. Status: Complete when at least one host answered,
 * Error_CannotResolveHostName when no host name resolved, Error_Other when none answered.
 */
import type { CommandBinding, CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { DiagnosticTool } from '../../platform/diagnostics/diagnostic-tools.js';
import { runPing, type IpFamily } from '../../platform/diagnostics/ping-command.js';
import { sourceAddressFor } from '../../platform/diagnostics/source-address.js';
import { toolFailureStatus, withSlot, type IpDiagnosticsDeps } from './ip-diagnostics-deps.js';
import { checkHost, interfaceDevice } from './interface-input.js';
import { MAX_REPETITIONS } from './ip-ping.js';

/** The ServerSelectionDiagnostics() command binding over `ping` (TR-181 Device.IP.Diagnostics.ServerSelectionDiagnostics()). */
export function serverSelectionCommand(d: IpDiagnosticsDeps, tool: DiagnosticTool): CommandBinding {
  const prepare = async (call: Omit<CommandInvocation, 'signal'>) => {
    if (call.input.Protocol !== 'ICMP') throw new UspError(ErrorCode.InvalidCommandArgs, `Protocol ${String(call.input.Protocol)} is not supported: this agent selects servers by ICMP ping (Protocol ICMP)`);
    const hosts = String(call.input.HostList ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
    if (hosts.length === 0) throw new UspError(ErrorCode.InvalidCommandArgs, 'HostList names no host');
    hosts.forEach((h) => checkHost('HostList item', h));
    const count = Number(call.input.NumberOfRepetitions);
    if (count > MAX_REPETITIONS) throw new UspError(ErrorCode.ResourcesExceeded, `NumberOfRepetitions ${count} is over this agent's bound of ${MAX_REPETITIONS}`);
    const device = await interfaceDevice(d.model, String(call.input.Interface ?? ''), d.interfaceDevice);
    return { hosts, count, device, family: String(call.input.ProtocolVersion) as IpFamily, timeoutMs: Number(call.input.Timeout) };
  };
  return {
    precheck: async (call) => { await prepare(call); d.slots.check(); },
    run: (call) => withSlot(d, async () => {
      const req = await prepare(call);
      let best: { host: string; address: string; minUs: number; avgUs: number; maxUs: number } | undefined;
      let resolved = 0;
      for (const host of req.hosts) {
        let o;
        try {
          o = await runPing(d.runner, tool, { host, count: req.count, timeoutMs: req.timeoutMs, dataBlockSize: 56, dscp: 0, device: req.device, family: req.family }, call.signal);
        } catch (e) {
          if (call.signal.aborted) throw e;
          return selectionOutput(toolFailureStatus(d, 'ServerSelectionDiagnostics()', e));
        }
        if (o.status !== 'Error_CannotResolveHostName') resolved++;
        if (o.status === 'Complete' && o.avgUs !== undefined && (!best || o.avgUs < best.avgUs)) {
          best = { host, address: o.address, minUs: o.minUs ?? 0, avgUs: o.avgUs, maxUs: o.maxUs ?? 0 };
        }
      }
      if (!best) return selectionOutput(resolved === 0 ? 'Error_CannotResolveHostName' : 'Error_Other');
      return {
        ...selectionOutput('Complete'), FastestHost: best.host, MinimumResponseTime: best.minUs, AverageResponseTime: best.avgUs,
        MaximumResponseTime: best.maxUs, IPAddressUsed: await sourceAddressFor(best.address),
      };
    }),
  };
}

function selectionOutput(status: string): Record<string, Value> {
  return { Status: status, FastestHost: '', MinimumResponseTime: 0, AverageResponseTime: 0, MaximumResponseTime: 0, IPAddressUsed: '' };
}

/**
 * Device.IP.Diagnostics.IPPing() (TR-181 2.19, TR-143 IPPing; async): pings Host with the
 * system `ping`. A test that ran is a completed command whatever happened on the network: its
 * Status says Error_CannotResolveHostName, Error_NoRouteToHost, Error_Internal (the tool could
 * not run) or Error_Other; 100 % loss is Complete with FailureCount = NumberOfRepetitions.
 * Invalid input (an Interface naming no row, a Host that is no host name) fails the Operate
 * with 7027; all diagnostic slots busy, with 7005.
 */
import type { CommandBinding, CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { runPing, type IpFamily } from '../../platform/diagnostics/ping-command.js';
import type { PingOutcome } from '../../platform/diagnostics/ping-output.js';
import { sourceAddressFor } from '../../platform/diagnostics/source-address.js';
import type { DiagnosticTool } from '../../platform/diagnostics/diagnostic-tools.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';
import { toolFailureStatus, withSlot, type IpDiagnosticsDeps } from './ip-diagnostics-deps.js';
import { checkHost, interfaceDevice } from './interface-input.js';

/** The most requests one IPPing() may send (a resource bound: more is 7005). */
export const MAX_REPETITIONS = 1000;

/** The IPPing() command binding over `tool` (TR-181 Device.IP.Diagnostics.IPPing()). */
export function ipPingCommand(d: IpDiagnosticsDeps, tool: DiagnosticTool): CommandBinding {
  // One binding object per gateway over functions the fleet shares (issue 14: no closures per gateway).
  return new BoundCheckedCommand<ToolDeps>({ d, tool }, runIpPing, precheckIpPing);
}

/** The deps and the tool one gateway's command runs with. */
interface ToolDeps {
  d: IpDiagnosticsDeps;
  tool: DiagnosticTool;
}

const prepare = async (d: IpDiagnosticsDeps, call: Omit<CommandInvocation, 'signal'>) => {
  const host = checkHost('Host', String(call.input.Host ?? ''));
  const count = Number(call.input.NumberOfRepetitions);
  if (count > MAX_REPETITIONS) throw new UspError(ErrorCode.ResourcesExceeded, `NumberOfRepetitions ${count} is over this agent's bound of ${MAX_REPETITIONS}`);
  const device = await interfaceDevice(d.model, String(call.input.Interface ?? ''), d.interfaceDevice);
  return {
    host,
    count,
    device,
    family: String(call.input.ProtocolVersion) as IpFamily,
    timeoutMs: Number(call.input.Timeout),
    dataBlockSize: Number(call.input.DataBlockSize),
    dscp: Number(call.input.DSCP ?? 0),
  };
};

async function precheckIpPing({ d }: ToolDeps, call: Omit<CommandInvocation, 'signal'>): Promise<Record<string, Value> | void> {
  await prepare(d, call);
  d.slots.check();
}

function runIpPing({ d, tool }: ToolDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  return withSlot(d, async () => {
    const req = await prepare(d, call);
    let outcome: PingOutcome;
    try {
      outcome = await runPing(d.runner, tool, req, call.signal);
    } catch (e) {
      if (call.signal.aborted) throw e;
      return { ...pingOutput(undefined, 0, ''), Status: toolFailureStatus(d, 'IPPing()', e) };
    }
    if (outcome.status !== 'Complete') d.log.info('IPPing() did not complete', { host: req.host, status: outcome.status, detail: outcome.detail ?? '' });
    return pingOutput(outcome, req.count, await sourceAddressFor(outcome.address));
  });
}

/** All of IPPing()'s output arguments. */
export function pingOutput(o: PingOutcome | undefined, count: number, addressUsed: string): Record<string, Value> {
  const ok = o?.status === 'Complete';
  const ms = (us: number | undefined): number => Math.round((us ?? 0) / 1000);
  return {
    Status: o?.status ?? 'Error_Other',
    IPAddressUsed: ok ? addressUsed : '',
    SuccessCount: ok ? o.received : 0,
    FailureCount: ok ? Math.max(0, count - o.received) : 0,
    AverageResponseTime: ok ? ms(o.avgUs) : 0,
    MinimumResponseTime: ok ? ms(o.minUs) : 0,
    MaximumResponseTime: ok ? ms(o.maxUs) : 0,
    AverageResponseTimeDetailed: ok ? (o.avgUs ?? 0) : 0,
    MinimumResponseTimeDetailed: ok ? (o.minUs ?? 0) : 0,
    MaximumResponseTimeDetailed: ok ? (o.maxUs ?? 0) : 0,
  };
}

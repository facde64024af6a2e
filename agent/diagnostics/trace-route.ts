/**
 * Device.IP.Diagnostics.TraceRoute() (TR-181 2.19, TR-143 TraceRoute; async): traces the route
 * to Host with the system `traceroute -n`, one RouteHops.{i} output entry per hop. Status:
 * Complete when the trace ended (at Host, or where the tool itself stopped), Error_MaxHopCountExceeded
 * when MaxHopCount hops did not reach it, Error_NoRouteToHost when the kernel had no route or a
 * router answered unreachable, Error_CannotResolveHostName, Error_Internal/Error_Other when the
 * tool could not run. Optional inputs left out take TR-181's defaults (TRACE_ROUTE_DEFAULTS).
 */
import type { CommandBinding, CommandInvocation } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { DiagnosticTool } from '../../platform/diagnostics/diagnostic-tools.js';
import type { IpFamily } from '../../platform/diagnostics/ping-command.js';
import { runTraceRoute, type TraceRouteRequest } from '../../platform/diagnostics/traceroute-command.js';
import type { TraceRouteOutcome } from '../../platform/diagnostics/traceroute-output.js';
import { sourceAddressFor } from '../../platform/diagnostics/source-address.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';
import { toolFailureStatus, withSlot, type IpDiagnosticsDeps } from './ip-diagnostics-deps.js';
import { checkHost, interfaceDevice } from './interface-input.js';

/** What an optional input left out means: TR-181's defaults of the TraceRoute diagnostics object (CWMP). */
export const TRACE_ROUTE_DEFAULTS: Readonly<Record<string, Value>> = { NumberOfTries: 3, Timeout: 5000, DataBlockSize: 38, DSCP: 0, MaxHopCount: 30 };

/** The TraceRoute() command binding over `tool` (TR-181 Device.IP.Diagnostics.TraceRoute()). */
export function traceRouteCommand(d: IpDiagnosticsDeps, tool: DiagnosticTool): CommandBinding {
  // One binding object per gateway over functions the fleet shares (issue 14: no closures per gateway).
  return new BoundCheckedCommand<ToolDeps>({ d, tool }, runTraceRouteCommand, precheckTraceRoute);
}

/** The deps and the tool one gateway's command runs with. */
interface ToolDeps {
  d: IpDiagnosticsDeps;
  tool: DiagnosticTool;
}

const prepare = async (d: IpDiagnosticsDeps, call: Omit<CommandInvocation, 'signal'>): Promise<TraceRouteRequest> => ({
  host: checkHost('Host', String(call.input.Host ?? '')),
  device: await interfaceDevice(d.model, String(call.input.Interface ?? ''), d.interfaceDevice),
  family: String(call.input.ProtocolVersion) as IpFamily,
  tries: Number(call.input.NumberOfTries),
  timeoutMs: Number(call.input.Timeout),
  dataBlockSize: Number(call.input.DataBlockSize),
  dscp: Number(call.input.DSCP ?? 0),
  maxHops: Number(call.input.MaxHopCount),
});

async function precheckTraceRoute({ d }: ToolDeps, call: Omit<CommandInvocation, 'signal'>, given: ReadonlySet<string>): Promise<Record<string, Value> | void> {
  const input = { ...call.input };
  for (const [k, v] of Object.entries(TRACE_ROUTE_DEFAULTS)) if (!given.has(k)) input[k] = v;
  await prepare(d, { ...call, input });
  d.slots.check();
  return input;
}

function runTraceRouteCommand({ d, tool }: ToolDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  return withSlot(d, async () => {
    const req = await prepare(d, call);
    let outcome: TraceRouteOutcome;
    try {
      outcome = await runTraceRoute(d.runner, tool, req, call.signal);
    } catch (e) {
      if (call.signal.aborted) throw e;
      return { Status: toolFailureStatus(d, 'TraceRoute()', e), IPAddressUsed: '', ResponseTime: 0 };
    }
    if (outcome.status !== 'Complete') d.log.info('TraceRoute() did not complete', { host: req.host, status: outcome.status, detail: outcome.detail ?? '' });
    return traceRouteOutput(outcome, outcome.address ? await sourceAddressFor(outcome.address) : '');
  });
}

/** TraceRoute()'s output arguments, RouteHops.{i}.* numbered from 1. */
export function traceRouteOutput(o: TraceRouteOutcome, addressUsed: string): Record<string, Value> {
  const out: Record<string, Value> = { Status: o.status, IPAddressUsed: addressUsed, ResponseTime: 0 };
  const last = o.hops[o.hops.length - 1];
  // "If a route could not be determined, this value MUST be zero."
  if (o.status === 'Complete' && last && last.rtTimes.length > 0) {
    out.ResponseTime = Math.round(last.rtTimes.reduce((a, b) => a + b, 0) / last.rtTimes.length);
  }
  o.hops.forEach((h, i) => {
    const p = `RouteHops.${i + 1}.`;
    out[`${p}Host`] = h.address;
    out[`${p}HostAddress`] = h.address;
    out[`${p}ErrorCode`] = h.errorCode;
    out[`${p}RTTimes`] = h.rtTimes.join(',');
  });
  return out;
}

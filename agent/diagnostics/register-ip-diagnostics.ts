/**
 * Device.IP.Diagnostics. (TR-181 2.19 IPDiagnostics, TR-143): the object's read-only capability
 * parameters, and the commands that run on the system's `ping` and `traceroute`: IPPing(),
 * TraceRoute() and ServerSelectionDiagnostics(). A command whose tool is not installed is not
 * registered (the supported model then does not list it and its *Supported parameters say
 * false). They run on whatever network the host has, on every platform: on the simulated
 * gateway loopback targets give real results; with `--platform none` (no Device.IP.Interface)
 * they run without the Interface input. All diagnostics share one DiagnosticSlots.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { CommandBinding, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { detectDiagnosticTools, type DiagnosticTools } from '../../platform/diagnostics/diagnostic-tools.js';
import { MAX_OUTPUT_BYTES } from '../../platform/diagnostics/ping-command.js';
import { CommandRunner } from '../../platform/exec/CommandRunner.js';
import type { DiagnosticSlots } from './DiagnosticSlots.js';
import type { InterfaceDevice } from './interface-input.js';
import { slotGate, type IpDiagnosticsDeps } from './ip-diagnostics-deps.js';
import { ipPingCommand } from './ip-ping.js';
import { serverSelectionCommand } from './server-selection.js';
import { traceRouteCommand } from './trace-route.js';

export const IP_DIAGNOSTICS_PATH = 'Device.IP.Diagnostics.';

export interface IpDiagnosticsOptions {
  log: Logger;
  /**
   * Capability parameters of the diagnostics other modules implement (Download/Upload/UDPEcho:
   * IPv4DownloadDiagnosticsSupported, DownloadTransports, UDPEchoDiagnosticsMaxResults, ...),
   * served by this object's one binding beside ping's and traceroute's.
   */
  capabilities?: Record<string, Value>;
  /** Device.IP.Interface.{i} → OS device (the platform's table); default: the row's Name. */
  interfaceDevice?: InterfaceDevice;
  /** The tools found on PATH (default: detected now). */
  tools?: DiagnosticTools;
  runner?: CommandRunner;
  /** ServerSelectionDiagnostics() "UDP Echo" port (default 7, the echo service). */
  udpEchoPort?: number;
}

/** Parameter lists by their names joined: every gateway of a fleet serves the same few. */
const paramsByNames = new Map<string, readonly string[]>();

/** Device.IP.Diagnostics.: its capability values and commands (a class: a fleet's gateways share its methods). */
class IpDiagnosticsObject implements ObjectBinding {
  readonly params: readonly string[];

  constructor(
    private readonly values: Readonly<Record<string, Value>>,
    readonly commands: Readonly<Record<string, CommandBinding>>,
  ) {
    const names = Object.keys(values);
    const key = names.join(',');
    let shared = paramsByNames.get(key);
    // Bounded: the lists are made from the tools found and the capabilities given, a handful at most.
    if (!shared && paramsByNames.size < 16) paramsByNames.set(key, (shared = names));
    this.params = shared ?? names;
  }

  get(): Record<string, Value> {
    return { ...this.values };
  }
}

/** Registers Device.IP.Diagnostics. and its ping/traceroute commands; returns the tools used. */
export function registerIpDiagnostics(model: DataModel, slots: DiagnosticSlots, opts: IpDiagnosticsOptions): DiagnosticTools {
  const tools = opts.tools ?? detectDiagnosticTools();
  const d: IpDiagnosticsDeps = {
    model,
    slots: slotGate(slots),
    log: opts.log,
    interfaceDevice: opts.interfaceDevice,
    udpEchoPort: opts.udpEchoPort,
    runner: opts.runner ?? new CommandRunner({ maxOutputBytes: MAX_OUTPUT_BYTES, log: opts.log }),
  };
  const ping = tools.ping !== undefined;
  const trace = tools.traceroute !== undefined;
  const values: Record<string, Value> = {
    IPv4PingSupported: ping,
    IPv6PingSupported: ping && tools.ipv6,
    IPv4TraceRouteSupported: trace,
    IPv6TraceRouteSupported: trace && tools.ipv6,
    IPv4ServerSelectionDiagnosticsSupported: ping,
    IPv6ServerSelectionDiagnosticsSupported: ping && tools.ipv6,
    // TR-471 IP capacity is not implemented (README, Diagnostics).
    IPLayerCapacitySupported: false,
    ...opts.capabilities,
  };
  const commands: Record<string, ReturnType<typeof ipPingCommand>> = {};
  if (tools.ping) {
    commands['IPPing()'] = ipPingCommand(d, tools.ping);
    commands['ServerSelectionDiagnostics()'] = serverSelectionCommand(d, tools.ping);
  }
  if (tools.traceroute) commands['TraceRoute()'] = traceRouteCommand(d, tools.traceroute);
  model.register(IP_DIAGNOSTICS_PATH, new IpDiagnosticsObject(values, commands));
  opts.log.info('ip diagnostics', {
    ping: tools.ping ? `${tools.ping.flavour} ${tools.ping.cmd}` : 'none',
    traceroute: tools.traceroute ? `${tools.traceroute.flavour} ${tools.traceroute.cmd}` : 'none',
  });
  return tools;
}

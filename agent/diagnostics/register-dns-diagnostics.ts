/**
 * Device.DNS.Diagnostics. (TR-181 2.19 NSLookupDiag:1): an object with no parameters of its own,
 * holding the NSLookupDiagnostics() command, registered on every platform (the lookups run on the
 * host's network, as the IP diagnostics do) and sharing their DiagnosticSlots.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { CommandBinding, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { DiagnosticSlots } from './DiagnosticSlots.js';
import type { InterfaceDevice } from './interface-input.js';
import { slotGate } from './ip-diagnostics-deps.js';
import { nsLookupCommand } from './ns-lookup.js';

export const DNS_DIAGNOSTICS_PATH = 'Device.DNS.Diagnostics.';

const NO_PARAMS: readonly string[] = [];

/** A class, not an object of closures: a fleet's gateways share its methods. */
class DnsDiagnosticsObject implements ObjectBinding {
  readonly params = NO_PARAMS;

  constructor(readonly commands: Readonly<Record<string, CommandBinding>>) {}

  get(): Record<string, Value> {
    return {};
  }
}

/** Registers Device.DNS.Diagnostics. and NSLookupDiagnostics(). */
export function registerDnsDiagnostics(model: DataModel, slots: DiagnosticSlots, opts: { log: Logger; interfaceDevice?: InterfaceDevice }): void {
  const command = nsLookupCommand({ model, slots: slotGate(slots), log: opts.log, interfaceDevice: opts.interfaceDevice });
  model.register(DNS_DIAGNOSTICS_PATH, new DnsDiagnosticsObject({ 'NSLookupDiagnostics()': command }));
}

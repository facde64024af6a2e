/**
 * Device.WiFi.NeighboringWiFiDiagnostic() (TR-181 2.19 WiFi; async): the Wi-Fi networks the
 * device's radios hear, as Result.{i}.* output arguments (the USP form of the CWMP-era
 * NeighboringWiFiDiagnostic.Result table). The platform scans (simulated neighbours, or
 * `ubus call iwinfo scan` on OpenWrt); this holds a diagnostic slot while it does. Status
 * Complete, or Error (a completed command) when the scan could not be made; Cancel() gives
 * 7023 like any async command.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { WiFiScanner } from '../../platform/diagnostics/wifi-scan.js';
import type { DiagnosticSlots } from './DiagnosticSlots.js';
import { slotGate, withSlot } from './ip-diagnostics-deps.js';

/** Registers Device.WiFi.NeighboringWiFiDiagnostic() over the platform's `scan`, holding one of `slots` while it runs. */
export function registerNeighboringWiFi(model: DataModel, slots: DiagnosticSlots, scan: WiFiScanner, log: Logger): void {
  const gate = { slots: slotGate(slots) };
  model.registerCommand('Device.WiFi.', 'NeighboringWiFiDiagnostic()', {
    precheck: async () => gate.slots.check(),
    run: (call) =>
      withSlot(gate, async () => {
        let results;
        try {
          results = await scan(call.signal);
        } catch (e) {
          if (call.signal.aborted) throw e;
          log.warn('NeighboringWiFiDiagnostic() scan failed', { error: e instanceof Error ? e.message : String(e) });
          return { Status: 'Error' };
        }
        const out: Record<string, Value> = { Status: 'Complete' };
        results.forEach((r, i) => {
          for (const [k, v] of Object.entries(r)) out[`Result.${i + 1}.${k}`] = v;
        });
        return out;
      }),
  });
}

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
import { slotGate, withSlot, type SlotGate } from './ip-diagnostics-deps.js';
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';

/** Registers Device.WiFi.NeighboringWiFiDiagnostic() over the platform's `scan`, holding one of `slots` while it runs. */
export function registerNeighboringWiFi(model: DataModel, slots: DiagnosticSlots, scan: WiFiScanner, log: Logger): void {
  // One state object per gateway; the command's functions are the fleet's (issue 14).
  model.registerCommand('Device.WiFi.', 'NeighboringWiFiDiagnostic()', new BoundCheckedCommand<ScanDeps>({ slots: slotGate(slots), scan, log }, runScan, precheckScan));
}

interface ScanDeps {
  slots: SlotGate;
  scan: WiFiScanner;
  log: Logger;
}

async function precheckScan(d: ScanDeps): Promise<void> {
  d.slots.check();
}

function runScan(d: ScanDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  return withSlot(d, async () => {
    let results;
    try {
      results = await d.scan(call.signal);
    } catch (e) {
      if (call.signal.aborted) throw e;
      d.log.warn('NeighboringWiFiDiagnostic() scan failed', { error: e instanceof Error ? e.message : String(e) });
      return { Status: 'Error' };
    }
    const out: Record<string, Value> = { Status: 'Complete' };
    results.forEach((r, i) => {
      for (const [k, v] of Object.entries(r)) out[`Result.${i + 1}.${k}`] = v;
    });
    return out;
  });
}

/**
 * Device.WiFi.SSID.{i}.MLDUnit of the simulated gateway (TR-181 WiFiSSID:2): the Wi-Fi 7
 * multi-link device (MLD) an SSID's BSS belongs to. TR-181 makes the unit a number 0-24 naming
 * one MLD, -1 for none, and says SSIDs given the same unit form one MLD from BSSes on
 * different radios. An MLD has one BSS per link, and each radio is one link (IEEE 802.11be:
 * one affiliated AP per link), so two SSIDs of one MLD on the same radio are refused (7012),
 * whichever of MLDUnit or LowerLayers a Set changes to bring them there.
 *
 * Nothing is kept per gateway here: the members are read from the SSID rows when a Set asks.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { invalidParams } from './SimContext.js';

/** MLDUnit of an SSID in no MLD (TR-181's default). */
export const NO_MLD = -1;

/** One SSID as the MLD rule sees it. */
export interface MldMember {
  /** The SSID's instance number. */
  ssid: number;
  /** The radio it sits on (its instance number), undefined while it has none. */
  radio: number | undefined;
  unit: number;
}

/**
 * Refuses (7012) an SSID `self` in an MLD whose unit already has a BSS on the same radio among
 * `others`; `changed` names the parameter the Set changed (MLDUnit or LowerLayers), which the
 * error names.
 */
export function checkMldMember(self: MldMember, others: Iterable<MldMember>, changed: 'MLDUnit' | 'LowerLayers'): void {
  if (self.unit === NO_MLD || self.radio === undefined) return;
  for (const o of others) {
    if (o.ssid === self.ssid || o.unit !== self.unit || o.radio !== self.radio) continue;
    throw invalidParams([
      {
        param: changed,
        message: `Device.WiFi.SSID.${o.ssid} of MLD unit ${self.unit} is already on Device.WiFi.Radio.${self.radio}: an MLD has one BSS per radio (link)`,
      },
    ]);
  }
}

/** Which of the MLD's parameters a Set or Add touches (undefined: neither, nothing to check). */
export function mldChange(changes: Readonly<Record<string, Value>>): 'MLDUnit' | 'LowerLayers' | undefined {
  return changes.MLDUnit !== undefined ? 'MLDUnit' : changes.LowerLayers !== undefined ? 'LowerLayers' : undefined;
}

/** The MLDUnit of a row, -1 when it has none (a row stored before MLDUnit was served). */
export function mldUnitOf(row: Readonly<Record<string, Value>>): number {
  return typeof row.MLDUnit === 'number' ? row.MLDUnit : NO_MLD;
}

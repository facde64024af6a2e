/**
 * A Security Set of an AccessPoint a Controller added on generic Linux that goes through its BSS
 * file (wifi-bss-modes.ts): WPA2-Enterprise and its RADIUS server, WEP-64 / WEP-128 and the WEP
 * key, or a change out of one of them. Every value is checked first (7012); the file is rewritten
 * whole and, when the BSS runs, hostapd starts it again from it (REMOVE, ADD). When hostapd
 * refuses, the old file is written back and the BSS added again from it; the Set fails (7002).
 * The row (mode, RADIUS address and port) changes in the store only after hostapd took the file.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { AddedWiFi, type AddedBss } from './wifi-added.js';
import { SETTABLE_MODES, securitySettings } from './wifi-ap-settings.js';
import { type BssKeys, readBssKeys } from './wifi-bss-file.js';
import { FILE_ONLY_MODES, fileOnlyPlan } from './wifi-bss-modes.js';
import type { AddedRowsContext } from './wifi-added-rows.js';
import type { WiFiBss } from './WiFiSource.js';
import { invalid } from './wifi-write.js';

/** The modes an added AccessPoint takes. */
export const ADDED_MODES: readonly string[] = [...SETTABLE_MODES, ...FILE_ONLY_MODES];

export async function setAddedSecurityViaFile(x: AddedRowsContext, row: AddedBss, changes: Record<string, Value>, running: WiFiBss | undefined): Promise<void> {
  const ap = row.ap!;
  const mode = changes.ModeEnabled === undefined ? ap.mode : String(changes.ModeEnabled);
  if (!ADDED_MODES.includes(mode)) throw invalid('ModeEnabled', `${mode} cannot be set here; one of ${ADDED_MODES.join(',')}`);
  const plan = fileOnlyPlan(changes, ap.radius);
  // The Personal keys are checked as for any BSS (7012), and kept in the file with the others.
  const { KeyPassphrase, PreSharedKey, SAEPassphrase } = changes;
  const personal = Object.fromEntries(Object.entries({ KeyPassphrase, PreSharedKey, SAEPassphrase }).filter(([, v]) => v !== undefined)) as Record<string, Value>;
  const file = x.added.fileOf(row.ifname);
  const before = await readBssKeys(file);
  const keys: BssKeys = { ...before, ...plan.keys };
  for (const k of plan.cleared) delete keys[k];
  for (const s of securitySettings(personal, ap.mode)) if (s.secret) keys[s.key as keyof BssKeys] = s.value;
  const next: AddedBss = { ...row, ap: { ...ap, mode, radius: plan.radius } };
  if (AddedWiFi.runs(next)) {
    const why = await x.added.notRunnable(next, keys);
    if (why) throw new UspError(ErrorCode.InvalidValue, why.message.replace(/^Enable: /, 'ModeEnabled: the AccessPoint runs, '));
  }
  await x.added.writeFile(next, keys);
  try {
    if (running) await x.added.restart(next);
  } catch (e) {
    await x.added.writeFile(row, before);
    // REMOVE may have gone through: the BSS runs again from the old file (an ADD of a BSS that still runs only fails).
    if (running) await x.added.opts.global.add(row.phy, file).catch(() => undefined);
    throw e;
  } finally {
    x.source.forget();
  }
  x.added.put(next);
}

/**
 * Device.WiFi.AccessPoint.{i}.SSIDReference on generic Linux: which SSID an AccessPoint a
 * Controller added runs on, and the move onto another.
 *
 * hostapd runs a BSS, which is an SSID and its AccessPoint at once, so an AccessPoint and its SSID
 * share one interface name, and by default one instance number. An added AccessPoint moved onto
 * another added SSID keeps its own instance number (R-ARC.8 style: a row keeps its number while it
 * exists): the target row records it as `apN`, and `accessPointIfname` maps an AccessPoint's
 * number to the BSS it is now (identity unless moved). The AccessPoint's settings go with it: its
 * security mode, RADIUS server and keys into the target's BSS file, its held settings (hidden,
 * isolation, WPS methods...) to the target's interface name; the SSID it left is a bare SSID
 * again (its file without keys; it runs once an AccessPoint references it).
 *
 * A move that would stop or start a BSS (the AccessPoint enabled, with the SSID it leaves or the
 * one it joins enabled) is refused (7012: disable it, move it, enable it again), so a move writes
 * files and the agent's store only, never hostapd. hostapd's own BSSes (from the
 * operator's configuration file) keep their SSID: the agent does not rewrite that file (7012).
 * An SSID that has an AccessPoint is refused with 7025, SSIDReference being the AccessPoint's
 * unique key; "" is refused too (7012): an AccessPoint here is a BSS, which has an SSID.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { type AddedBss, AddedWiFi } from './wifi-added.js';
import type { AddedRowsContext } from './wifi-added-rows.js';
import { readBssKeys } from './wifi-bss-file.js';
import type { WiFiSource } from './WiFiSource.js';
import { invalid } from './wifi-write.js';

/** The instance number of the AccessPoint a row holds (meaningful while it has one). */
export function apNumberOf(r: AddedBss): number {
  return r.apN ?? r.n;
}

/** The interface name (BSS) AccessPoint `n` is: the added row holding it, else the BSS numbered `n`. */
export function accessPointIfname(added: AddedWiFi, source: WiFiSource, n: number | undefined): string | undefined {
  if (n === undefined) return undefined;
  const moved = added.all().find((r) => r.ap && apNumberOf(r) === n);
  if (moved) return moved.ifname;
  const key = source.bssNumbers.keyOf(n);
  // An added row whose AccessPoint moved away is not AccessPoint n any more.
  const own = key === undefined ? undefined : added.byIfname(key);
  return own?.ap && own.apN !== undefined ? undefined : key;
}

/** The AccessPoints whose SSIDReference is `value`: the added row's AccessPoint, else hostapd's own BSS (numbered alike). */
export async function accessPointsOn(added: AddedWiFi, source: WiFiSource, value: Value | undefined): Promise<number[]> {
  const m = referencedSsid(value);
  const key = source.bssNumbers.keyOf(m);
  if (m === undefined || key === undefined) return [];
  const row = added.byIfname(key);
  if (row) return row.ap ? [apNumberOf(row)] : [];
  return (await source.read()).bsses.has(key) ? [m] : [];
}

/** The SSID instance number a reference names ("Device.WiFi.SSID.2", trailing dot allowed), else undefined. */
export function referencedSsid(value: Value | undefined): number | undefined {
  const m = /^Device\.WiFi\.SSID\.(\d+)\.?$/.exec(String(value ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** The two rows after AccessPoint `from.ap` moves onto `target` (the rows as the store keeps them). */
export interface ApMovePlan {
  from: AddedBss;
  to: AddedBss;
}

function duplicate(message: string): UspError {
  return new UspError(ErrorCode.DuplicateUniqueKey, `SSIDReference: ${message}`, { paramErrors: [{ param: 'SSIDReference', code: ErrorCode.DuplicateUniqueKey, message }] });
}

/**
 * Plans moving the AccessPoint of added row `from` onto SSID `value`; undefined when it names the
 * SSID it is on already. `target` is the added row SSID `value` names (undefined: hostapd's own,
 * or none). Throws 7012/7025 naming why it cannot be; changes nothing.
 */
export function planApMove(from: AddedBss, value: Value, target: AddedBss | undefined): ApMovePlan | undefined {
  if (!from.ap) throw new UspError(ErrorCode.ObjectDoesNotExist, 'no such AccessPoint');
  const m = referencedSsid(value);
  if (String(value) === '') throw invalid('SSIDReference', 'an AccessPoint here is a BSS, which has an SSID: it moves onto another SSID, it does not detach');
  if (m === undefined) throw invalid('SSIDReference', 'not an SSID (Device.WiFi.SSID.{i})');
  if (m === from.n) return undefined;
  if (!target) throw invalid('SSIDReference', `SSID ${m} is not one a Controller added: hostapd runs it from its own configuration file, which the agent does not rewrite`);
  if (target.ap) throw duplicate(`SSID ${m} already has an AccessPoint`);
  const apN = apNumberOf(from);
  const plan = {
    // The SSID left: bare again. Its own AccessPoint number, if this was it, is not given to another.
    from: { n: from.n, ifname: from.ifname, phy: from.phy, ssid: from.ssid, ssidEnable: from.ssidEnable, ...(from.apDeleted || apN === from.n ? { apDeleted: true } : {}) },
    to: { ...target, ap: from.ap, ...(apN === target.n ? { apN: undefined } : { apN }) },
  };
  // A move is files and the store only: one that would stop or start a BSS is refused before anything changes.
  if (AddedWiFi.runs(from) || AddedWiFi.runs(plan.to))
    throw invalid('SSIDReference', 'the AccessPoint and an SSID it leaves or joins are enabled: disable the AccessPoint, move it, then enable it again');
  return plan;
}

/** Carries out a plan: the target's file with the AccessPoint's mode and keys, the left one's without; held settings follow. */
export async function moveAccessPoint(x: AddedRowsContext, plan: ApMovePlan): Promise<void> {
  const keys = await readBssKeys(x.added.fileOf(plan.from.ifname));
  const to = { ...plan.to };
  if (to.apN === undefined) delete to.apN;
  await x.added.writeFile(to, keys);
  await x.added.writeFile(plan.from, {});
  x.added.put(to);
  x.added.put(plan.from);
  const settings = x.held.written(`bss:${plan.from.ifname}`);
  x.held.forget(`bss:${plan.from.ifname}`);
  x.held.forget(`bss:${to.ifname}`);
  if (Object.keys(settings).length > 0) x.held.write(`bss:${to.ifname}`, settings);
  // hostapd runs what it ran: its cached listing stays good (the AccessPoint rows come from the store).
}

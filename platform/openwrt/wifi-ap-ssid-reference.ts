/**
 * Device.WiFi.AccessPoint.{i}.SSIDReference writes on OpenWrt (TR-181 WiFiAccessPoint:1 and :2).
 *
 * OpenWrt keeps a BSS in one UCI wifi-iface section: what TR-181 calls the SSID (its radio
 * `device`, `network`, `ssid`, `macaddr`, `mode`) and what it calls the AccessPoint (hostapd's
 * settings: `encryption`, `key`, `hidden`, `isolate`, `wmm`, `maclist`, RADIUS, WPS, ...). TR-181
 * keeps them apart, joined by SSIDReference, so a Set of it moves the AccessPoint's options from
 * the section they are on to the section of the SSID it names:
 *
 * - An SSID without an AccessPoint (`usp_ap '0'`, mode ap): its section gets the AccessPoint's
 *   options (its own leftover ones removed), loses `usp_ap`, and takes the AccessPoint's Enable
 *   as `disabled` (OpenWrt has one switch for the BSS, so the SSID's Enable follows). The section
 *   left behind is a bare SSID again, as an SSID Add makes one: those options removed,
 *   `encryption 'none'`, `usp_ap '0'`, `disabled '1'`. The AccessPoint keeps its instance number.
 * - An SSID that has an AccessPoint: 7025, SSIDReference being the AccessPoint's unique key.
 *   An SSID whose section holds a detached AccessPoint (below), or one in another mode (sta,
 *   mesh): 7012. A path naming no SSID row: 7012 (the Set handler refuses it before us).
 * - "": the AccessPoint is detached. With no SSID there is no BSS to run, so its section is
 *   disabled (`disabled '1'`) and marked `usp_ap 'detached'`; the AccessPoint's options stay on it
 *   and the row reads SSIDReference "" and Enable false (Enable true is refused while detached).
 *   That SSID then reads Enable false and takes neither Enable true nor another AccessPoint until
 *   the detached one names an SSID again (this one or a free one) or is deleted: its settings
 *   have nowhere else to live in OpenWrt's configuration. Deleting that SSID deletes the
 *   detached AccessPoint with its section, as it does an attached one (wifi-iface-rows.ts).
 *
 * Each write is one `uci commit wireless` and `ubus call network reload`, like every Wi-Fi write.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { refused } from './convert.js';
import type { UciChange } from './uci.js';
import { ifaceOfReference, orRefuse } from './wifi-iface-rows.js';
import { DETACHED, type IfaceEntry, type WiFiState } from './WiFiState.js';

/**
 * The wifi-iface options that belong to the SSID (the layer-2 interface: its radios, bridge, name
 * and addresses, and `mlo`, which makes it one multi-link device over the radios `device` lists)
 * and stay on its section.
 */
const SSID_OPTIONS = new Set(['device', 'network', 'mode', 'ssid', 'bssid', 'macaddr', 'radio_macaddr', 'mlo', 'ifname', 'disabled', 'usp_ap']);

/** Options whose values stay out of logs (passphrases, PSKs, RADIUS and EAP secrets). */
const SECRET = /key|secret|password|passwd|pwd|psk|pin/i;

/** The AccessPoint's options of a wifi-iface: everything but the SSID's own, as uci show parsed them. */
export function apOptions(config: Readonly<Record<string, unknown>>): Array<[string, string | string[]]> {
  return Object.entries(config).flatMap(([k, v]) => (SSID_OPTIONS.has(k) || (typeof v !== 'string' && !Array.isArray(v)) ? [] : [[k, v as string | string[]] as [string, string | string[]]]));
}

/** The UCI changes that move the AccessPoint on `from` to the bare SSID `to` (both wifi-iface sections). */
export function planMove(from: IfaceEntry, to: IfaceEntry): UciChange[] {
  const moving = apOptions(from.config);
  const names = new Set(moving.map(([k]) => k));
  const lists = new Set(moving.filter(([, v]) => Array.isArray(v)).map(([k]) => k));
  const out: UciChange[] = [];
  // The target's own AccessPoint options go first: those the AccessPoint does not set, and those
  // it sets as a list, which add_list would append to (`uci show` prints a one-item list as an
  // option, so the target's kind is not known).
  for (const [k] of apOptions(to.config)) {
    if (!names.has(k) || lists.has(k)) out.push({ section: to.section, option: k, value: '', remove: true });
  }
  for (const [k, v] of moving) {
    const secret = SECRET.test(k);
    if (Array.isArray(v)) for (const item of v) out.push({ section: to.section, option: k, value: item, append: true, secret });
    else out.push({ section: to.section, option: k, value: v, secret });
  }
  out.push({ section: to.section, option: 'usp_ap', value: '', remove: true });
  out.push({ section: to.section, option: 'disabled', value: from.disabled ? '1' : '0' });
  // What is left is an SSID without an AccessPoint, as an SSID Add makes one.
  for (const k of names) if (k !== 'encryption') out.push({ section: from.section, option: k, value: '', remove: true });
  out.push({ section: from.section, option: 'encryption', value: 'none' });
  out.push({ section: from.section, option: 'usp_ap', value: '0' });
  out.push({ section: from.section, option: 'disabled', value: '1' });
  return out;
}

/** SSIDReference "": the section keeps the AccessPoint's options and stops running. */
export function planDetach(f: IfaceEntry): UciChange[] {
  return [
    { section: f.section, option: 'usp_ap', value: DETACHED },
    { section: f.section, option: 'disabled', value: '1' },
  ];
}

/** A detached AccessPoint naming the SSID of its own section again (it stays disabled). */
export function planReattach(f: IfaceEntry): UciChange[] {
  return [{ section: f.section, option: 'usp_ap', value: '', remove: true }];
}

/**
 * Sets AccessPoint `f`'s SSIDReference to `value` (canonical, different from its current one).
 * `rest` plans the Set's other parameters for the section the AccessPoint is on afterwards, so a
 * Set of SSIDReference and Enable together lands on the new section.
 */
export async function setSsidReference(state: WiFiState, f: IfaceEntry, value: string, rest: (target: IfaceEntry) => UciChange[]): Promise<void> {
  const write = (changes: UciChange[]): Promise<void> =>
    state.write(async (stage) => {
      for (const c of changes) await stage.set(c);
    });
  if (value === '') return write([...planDetach(f), ...rest({ ...f, apDetached: true })]);
  const to = orRefuse('SSIDReference', await ifaceOfReference(state, value));
  if (to.section === f.section) return write([...planReattach(f), ...rest({ ...f, apDetached: false })]);
  if (to.hasAp && !to.apDetached) {
    const message = `${value} is the SSIDReference of Device.WiFi.AccessPoint.${state.aps.numberOf(to.section)} already`;
    throw new UspError(ErrorCode.DuplicateUniqueKey, `SSIDReference: ${message}`, { paramErrors: [{ param: 'SSIDReference', code: ErrorCode.DuplicateUniqueKey, message }] });
  }
  if (to.hasAp) {
    const message = `${value} holds the settings of Device.WiFi.AccessPoint.${state.aps.numberOf(to.section)}, whose SSIDReference is empty: point that one at an SSID or delete it first`;
    throw refused([{ param: 'SSIDReference', message }]);
  }
  if (to.mode !== 'ap') throw refused([{ param: 'SSIDReference', message: `${value} runs in mode ${to.mode}, not as an access point` }]);
  const changes = [...planMove(f, to), ...rest({ ...f, section: to.section, apDetached: false })];
  try {
    await write(changes);
  } catch (e) {
    // Committed but not applied (the reload failed): the AccessPoint is on `to` all the same.
    if (!(await movedTo(state, to.section))) throw e;
    state.aps.rekey([[f.section, to.section]]);
    throw e;
  }
  state.aps.rekey([[f.section, to.section]]);
}

/** Whether the committed wireless config has the AccessPoint on `section` (its `usp_ap` gone). */
async function movedTo(state: WiFiState, section: string): Promise<boolean> {
  const s = (await state.ctx.uci('wireless')).find((x) => x.name === section);
  return s !== undefined && s.options.usp_ap === undefined;
}

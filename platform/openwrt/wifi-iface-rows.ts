/**
 * Adding and deleting Device.WiFi.SSID.{i} and Device.WiFi.AccessPoint.{i} rows on OpenWrt
 * (TR-181 WiFiSSID:1 and WiFiAccessPoint:1 createDelete), as UCI wireless `wifi-iface` sections.
 *
 * One wifi-iface is both an SSID and, in mode "ap", the AccessPoint whose SSIDReference names it
 * (TR-181 makes SSIDReference the AccessPoint's unique key: one AccessPoint per SSID):
 *
 * - SSID Add: a new named section `usp_wifi<k>` (`uci set wireless.usp_wifi<k>=wifi-iface`) with
 *   `device` the Radio its LowerLayers names, `network 'lan'`, `mode 'ap'`, the SSID,
 *   `encryption 'none'`, `disabled '1'` (TR-181's default Enable is false) and `usp_ap '0'`: it
 *   has no AccessPoint yet. A named section rather than `uci add`'s anonymous one: libuci names
 *   an anonymous section `cfg<position><hash>`, so it is renamed whenever an earlier section is
 *   deleted (by a Controller here or by LuCI), and netifd before its ucode rewrite reports it as
 *   "@wifi-iface[N]", which shifts the same way; a name of our own never changes.
 * - AccessPoint Add: its SSIDReference must name an SSID without one; `usp_ap` is deleted, so the
 *   section is an AccessPoint row from then on. Enable (default false) is the section's `disabled`.
 * - AccessPoint Delete: back to `usp_ap '0'` and `disabled '1'` (OpenWrt cannot run a wifi-iface
 *   as a bare SSID), so the SSID row stays.
 * - SSID Delete: `uci delete wireless.<section>`; its AccessPoint, which cannot exist without the
 *   wifi-iface, goes with it (ObjectDeletion for it too).
 *
 * Each write is `uci commit wireless` and `ubus call network reload` (what `wifi reload` runs for
 * mac80211 radios); a failed step reverts what was staged (UciWriter).
 */
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalReference } from '../reference.js';
import { refused } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { UciChange } from './uci.js';
import type { IfaceEntry, RadioEntry, WiFiState } from './WiFiState.js';

/** Why an SSID without its AccessPoint cannot be enabled here. */
export const NEEDS_AP = 'OpenWrt runs every enabled wifi-iface as an access point or station: add the AccessPoint for this SSID first';

/** The Radio row a LowerLayers value names (one Device.WiFi.Radio.{i}), or a refusal message. */
export async function radioOfReference(state: WiFiState, value: Value | undefined): Promise<RadioEntry | string> {
  const ref = canonicalReference(String(value ?? ''));
  const m = /^Device\.WiFi\.Radio\.(\d+)$/.exec(ref);
  if (!m) return ref === '' ? 'an SSID needs the Device.WiFi.Radio it runs on' : `${ref} is not a Device.WiFi.Radio row`;
  const radio = (await state.read()).radios.get(state.radios.keyOf(Number(m[1])) ?? '');
  return radio ?? `${ref} names no Device.WiFi.Radio row`;
}

/** The wifi-iface an SSIDReference value names, or a refusal message. */
export async function ifaceOfReference(state: WiFiState, value: Value | undefined): Promise<IfaceEntry | string> {
  const ref = canonicalReference(String(value ?? ''));
  const m = /^Device\.WiFi\.SSID\.(\d+)$/.exec(ref);
  if (!m) return ref === '' ? 'an AccessPoint here is the access-point side of one SSID: SSIDReference must name it' : `${ref} is not a Device.WiFi.SSID row`;
  const f = (await state.read()).ifaces.get(state.ssids.keyOf(Number(m[1])) ?? '');
  return f ?? `${ref} names no Device.WiFi.SSID row`;
}

/** The first `usp_wifi<k>` no section of the wireless config is named. */
export async function freeSectionName(ctx: OpenWrtContext): Promise<string> {
  const taken = new Set((await ctx.uci('wireless')).map((s) => s.name));
  let k = 1;
  while (taken.has(`usp_wifi${k}`)) k++;
  return `usp_wifi${k}`;
}

/**
 * SSID Add: creates the section and stages `changes` (the writes of the Add's own parameters,
 * planned by the caller against a blank row) on it. Resolves with the section name.
 */
export async function addSsid(ctx: OpenWrtContext, state: WiFiState, radio: RadioEntry, changes: (section: string) => UciChange[]): Promise<string> {
  const name = await freeSectionName(ctx);
  await state.write(async (stage) => {
    await stage.create(name, 'wifi-iface');
    const base: Array<[string, string]> = [
      ['device', radio.name],
      ['network', 'lan'],
      ['mode', 'ap'],
      ['encryption', 'none'],
      ['disabled', '1'],
      ['usp_ap', '0'],
    ];
    for (const [option, value] of base) await stage.set({ section: name, option, value });
    for (const c of changes(name)) await stage.set(c);
  });
  return name;
}

/** AccessPoint Add on the wifi-iface `f`: it becomes an AccessPoint row; `changes` are the Add's parameters. */
export async function addAccessPoint(state: WiFiState, f: IfaceEntry, changes: UciChange[]): Promise<void> {
  await state.write(async (stage) => {
    await stage.set({ section: f.section, option: 'usp_ap', value: '', remove: true });
    for (const c of changes) await stage.set(c);
  });
}

/** AccessPoint Delete: the wifi-iface stays as an SSID without an AccessPoint, not running. */
export async function deleteAccessPoint(state: WiFiState, f: IfaceEntry): Promise<void> {
  await state.write(async (stage) => {
    await stage.set({ section: f.section, option: 'usp_ap', value: '0' });
    await stage.set({ section: f.section, option: 'disabled', value: '1' });
  });
  state.aps.retire(f.section);
}

/** SSID Delete: the wifi-iface goes, and with it its AccessPoint row (reported deleted). */
export async function deleteSsid(ctx: OpenWrtContext, state: WiFiState, f: IfaceEntry, apNode: ModelNode | undefined): Promise<void> {
  const ap = f.hasAp ? state.aps.peek(f.section) : undefined;
  await state.write(async (stage) => stage.remove(f.section));
  state.ssids.retire(f.section);
  state.aps.retire(f.section);
  if (ap !== undefined && apNode) ctx.emitRow(apNode, 'deleted', [ap]);
}

/** A refusal of one parameter (7012) when `r` is a message. */
export function orRefuse<T>(param: string, r: T | string): T {
  if (typeof r === 'string') throw refused([{ param, message: r }]);
  return r;
}

/**
 * Device.Bridging.Bridge.{i}.Port.{i}.LowerLayers of a member port on OpenWrt: which netdev the
 * port is. A Set naming another Device.Ethernet.Interface puts that device in the member's place
 * in the bridge's `ports` list and in its bridge-vlan entries (same flags), in one commit, then
 * `ubus call network reload`; the row keeps its instance number, Alias and VLANPort rows.
 *
 * Refused with 7012, writing nothing: the management port (its LowerLayers are the bridge's
 * other ports: Add or Delete those), a Wi-Fi member (the wireless configuration puts it there),
 * a reference to no Ethernet.Interface, a device already a port of the bridge, and a device the
 * default route leaves through (taking the WAN into the LAN bridge cuts the way to the Controller).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { type BridgeRow, type BridgingState, type PortRow, portPath, vlanPortKey } from './BridgingState.js';
import { refused } from './convert.js';
import { defaultRouteDevices } from './ethernet-port-write.js';
import type { InterfaceDump } from './ubus-types.js';
import type { UciStage } from './uci.js';

/** The netdev a Set of `p`'s LowerLayers names, or a refusal message. */
export async function lowerLayerTarget(state: BridgingState, b: BridgeRow, p: PortRow, value: Value): Promise<string> {
  const why = (message: string): never => {
    throw refused([{ param: 'LowerLayers', message }]);
  };
  if (p.management) why("the management port's LowerLayers are the bridge's other ports: Add or Delete those");
  if (!b.config.ports.includes(p.name)) why(`${p.name} is put in ${b.config.name} by the wireless configuration (its wifi-iface's network)`);
  return deviceTarget(state, b, p, value);
}

/** The netdev `value` names for row `p` to stand for: an Ethernet.Interface in no other port of the bridge, off the default route; else a refusal. */
export async function deviceTarget(state: BridgingState, b: BridgeRow, p: PortRow, value: Value): Promise<string> {
  const why = (message: string): never => {
    throw refused([{ param: 'LowerLayers', message }]);
  };
  const ref = { LowerLayers: value };
  canonicalizeReferences(ref, ['LowerLayers']);
  const wanted = String(ref.LowerLayers);
  let name: string | undefined;
  if (wanted.startsWith('Device.Ethernet.Interface.')) {
    for (const device of Object.keys(b.devices)) if ((await state.lowerLayer(device)) === wanted) name = device;
  }
  if (name === undefined) return why('a bridge port is one Device.Ethernet.Interface');
  const there = b.ports.find((x) => x.name === name && x !== p);
  if (there) why(`${name} is already ${portPath(b, there)}`);
  let route: Set<string>;
  try {
    route = defaultRouteDevices(await state.ctx.ubus<InterfaceDump>('network.interface', 'dump'), b.devices);
  } catch (e) {
    return why(`cannot tell whether the default route (the way to the Controller) leaves through ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (route.has(name)) why(`the default route (the way to the Controller) leaves through ${name}`);
  return name;
}

/** Stages `from` → `to` in the bridge's ports list and bridge-vlan entries (in order, flags kept), then moves the rows' keys. */
export async function movePort(state: BridgingState, b: BridgeRow, from: string, to: string): Promise<void> {
  const c = b.config;
  await state.write(async (s) => {
    await replaceList(s, c.section, c.portsOption, c.ports, (x) => (x === from ? to : x));
    for (const v of c.vlans) {
      if (!v.ports.some((e) => e.port === from)) continue;
      const renamed = (raw: string): string => (v.ports.some((e) => e.raw === raw && e.port === from) ? `${to}${raw.slice(from.length)}` : raw);
      await replaceList(s, v.section, 'ports', v.raw, renamed);
    }
  });
  state.ports.rekey(c.name, [[from, to]]);
  const memberships = b.vlanPorts.filter((m) => m.port.name === from);
  state.vlanPorts.rekey(
    c.name,
    memberships.map((m) => [m.key, vlanPortKey(m.vlan.config.vid, to)] as const),
  );
}

/** Deletes list `option` and adds its items again, mapped (uci cannot replace one list item in place). */
async function replaceList(s: UciStage, section: string, option: string, items: readonly string[], map: (item: string) => string): Promise<void> {
  await s.set({ section, option, value: '', remove: true });
  for (const value of items) await s.set({ section, option, value: map(value), append: true });
}

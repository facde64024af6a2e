/**
 * Device.Bridging.Bridge.{i}.Port.{i}.ManagementPort on OpenWrt (TR-181 Bridge:1): which Port row
 * stands for netifd's bridge device itself (the management, upward-facing port, 802.1Q-2005
 * clause 8) and which for a member of the bridge's `ports` list.
 *
 * A bridge shows its own device as its management port. A Controller may change a row's role,
 * and the network configuration follows (one commit, then `ubus call network reload`):
 *
 * - false on the management row, with LowerLayers naming the Ethernet.Interface to put in the
 *   bridge in the same Set: that device is appended to the bridge's `ports` list (as a Port Add)
 *   and the row stands for it; the bridge then shows no management row (netifd's bridge device
 *   is still there). Refused (7012) without such a LowerLayers, for a device already in the
 *   bridge and for the one the default route leaves through (bridge-port-lower.ts).
 * - true on a member row, while the bridge shows no management row: the member leaves the `ports`
 *   list and its bridge-vlan entries (as a Port Delete) and the row stands for the bridge device.
 *   Refused (7012) while the bridge shows its management row (one per bridge), and for a Wi-Fi
 *   member (the wireless configuration puts it in the bridge).
 * - An Add with ManagementPort true names the bridge device again, when the bridge shows no
 *   management row (nothing to write: netifd's bridge device is there); otherwise 7012.
 *
 * Other parameters in a Set that changes the role are refused (7012): the row changes device
 * first. Which bridges show no management row is kept in memory: after a restart, every bridge
 * shows its management row again.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { BridgeConfig } from './bridge-config.js';
import { deviceTarget } from './bridge-port-lower.js';
import { type BridgeRow, type BridgingState, portPath, type PortRow } from './BridgingState.js';
import { refused } from './convert.js';
import type { UciStage } from './uci.js';

const MANAGEMENT_LOWER = "a management port stacks on the bridge's other ports: leave LowerLayers out";

function oneManagementPort(b: BridgeRow, m: PortRow): string {
  return `the bridge has its management port already (${portPath(b, m)}, the bridge device itself): one per bridge`;
}

/** An Add with ManagementPort true: the bridge device's row again, when the bridge shows none; its instance number. */
export function addManagementPort(state: BridgingState, b: BridgeRow, params: Record<string, Value>): number {
  const name = b.config.name;
  const m = b.ports.find((p) => p.management);
  if (m) throw refused([{ param: 'ManagementPort', message: oneManagementPort(b, m) }]);
  if (typeof params.LowerLayers === 'string' && params.LowerLayers !== '') throw refused([{ param: 'LowerLayers', message: MANAGEMENT_LOWER }]);
  state.ports.retire(name, name); // a new row, not the one a Controller turned into a member before
  state.withoutManagement.delete(name);
  return state.ports.map(name).numberOf(name);
}

/**
 * A Set giving ManagementPort a new value on row `p` of bridge `b`: the row takes the other role
 * (module comment); the device it stands for now. A row that becomes the management port gets the
 * LowerLayers it now has in `changes`, so a rollback (ManagementPort false with the old
 * LowerLayers) puts the member back.
 */
export async function changePortRole(state: BridgingState, b: BridgeRow, p: PortRow, changes: Record<string, Value>): Promise<string> {
  const alongside = Object.keys(changes).filter((k) => k !== 'ManagementPort' && k !== 'LowerLayers');
  if (alongside.length > 0) throw refused(alongside.map((param) => ({ param, message: 'set it apart from ManagementPort: the port changes device first' })));
  const c = b.config;
  if (!p.management) {
    const m = b.ports.find((x) => x.management);
    if (m) throw refused([{ param: 'ManagementPort', message: oneManagementPort(b, m) }]);
    if (!c.ports.includes(p.name)) throw refused([{ param: 'ManagementPort', message: `${p.name} is put in ${c.name} by the wireless configuration (its wifi-iface's network)` }]);
    await state.write((s) => removeMember(s, c, p.name));
    for (const m of b.vlanPorts) if (m.port === p) state.vlanPorts.retire(c.name, m.key);
    state.ports.rekey(c.name, [[p.name, c.name]]);
    state.withoutManagement.delete(c.name);
    // Its LowerLayers now, derived (a value given is its old one, from a rollback): a rollback hands the old ones back.
    changes.LowerLayers = b.ports
      .filter((x) => x !== p)
      .map((x) => portPath(b, x))
      .join(',');
    return c.name;
  }
  if (changes.LowerLayers === undefined || changes.LowerLayers === '') {
    throw refused([{ param: 'ManagementPort', message: 'a port that is no management port is a member: give its LowerLayers (an Ethernet.Interface) in the same Set' }]);
  }
  const to = await deviceTarget(state, b, p, changes.LowerLayers);
  await state.write(async (s) => {
    if (c.portsAppendable) await s.set({ section: c.section, option: c.portsOption, value: to, append: true });
    else await rewriteList(s, c.section, c.portsOption, true, [...c.ports, to]);
  });
  state.ports.rekey(c.name, [[c.name, to]]);
  state.withoutManagement.add(c.name);
  return to;
}

/** Stages taking `name` out of the bridge's ports list and out of its bridge-vlan entries (netifd ignores those of a non-member). */
export async function removeMember(s: UciStage, c: BridgeConfig, name: string): Promise<void> {
  if (c.portsAppendable) await s.set({ section: c.section, option: c.portsOption, value: name, removeItem: true });
  else
    await rewriteList(
      s,
      c.section,
      c.portsOption,
      true,
      c.ports.filter((x) => x !== name),
    );
  for (const v of c.vlans) {
    const next = v.raw.filter((r) => !v.ports.some((e) => e.raw === r && e.port === name));
    if (next.length !== v.raw.length) await rewriteList(s, v.section, 'ports', v.raw.length > 0, next);
  }
}

/** Replaces list `option` of `section` with `items`, in order (deleting an absent option would fail). */
export async function rewriteList(s: UciStage, section: string, option: string, present: boolean, items: readonly string[]): Promise<void> {
  if (present) await s.set({ section, option, value: '', remove: true });
  for (const value of items) await s.set({ section, option, value, append: true });
}

/**
 * Device.Bridging.Bridge.{i}.Port.{i}.(Stats.) on OpenWrt (TR-181 Bridge:1), over the bridge
 * device's `ports` list in the network configuration (bridging.ts has the rest):
 *
 * - Port.1 is the management port, the bridge device itself (TR-181 ManagementPort), whose
 *   LowerLayers lists the other ports; then one port per configured member, then members netifd
 *   added at run time (Wi-Fi interfaces of a wifi-iface with `network`).
 * - Add takes the new port's LowerLayers, an Ethernet.Interface (the device netifd knows by that
 *   name), and appends it to the bridge's `ports` list (`uci add_list`); Delete takes it out of
 *   the list and out of every bridge-vlan section of the bridge (its VLANPort rows go with it),
 *   in one commit, then `ubus call network reload`. The management port and Wi-Fi members
 *   (which the wireless configuration puts in the bridge) cannot be deleted here (7024); an Add
 *   naming no Ethernet.Interface is refused with 7012, one naming a member already there with 7025.
 * - Set: Alias (kept by the agent), a member's PVID (the "*" of its bridge-vlan entries:
 *   bridge-port-pvid.ts) and Enable: the management port's is the bridge device's `enabled` (as
 *   Bridge.Enable), an Ethernet member's its own `config device` `enabled` (as
 *   Ethernet.Interface.Enable, refused where the default route leaves through it); a Wi-Fi
 *   member follows its SSID's Enable (7012). A member's LowerLayers moves it to another netdev
 *   (bridge-port-lower.ts). ManagementPort moves the bridge device's role to another row and the
 *   member's place in the `ports` list with it (bridge-port-role.ts).
 * - PortState: the kernel's bridge port state (/sys/class/net/<bridge>/brif/<port>/state: 0
 *   Disabled, 1 Listening, 2 Learning, 3 Forwarding, 4 Blocking); the management port is
 *   Forwarding while the bridge is up.
 * - LastChange: seconds since the agent saw the port's Status change (status-seen.ts).
 * - Stats: the counters `network.device status` reports for the port's device, and those it
 *   lacks (packet-stats.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { type BridgeRow, type BridgingState, portPath, type PortRow } from './BridgingState.js';
import { portPvid } from './bridge-config.js';
import { lowerLayerTarget, movePort } from './bridge-port-lower.js';
import { addManagementPort, changePortRole, removeMember, rewriteList } from './bridge-port-role.js';
import { pvidChanges, writePvid } from './bridge-port-pvid.js';
import { noSuchInstance, refused } from './convert.js';
import { deviceStatus, stats } from './ethernet.js';
import { portEnabled, portSection } from './ethernet-port-config.js';
import type { EthernetPortWrites } from './ethernet-port-write.js';
import { packetStats, packetStatsParams } from './packet-stats.js';
import { StatusSeen } from '../status-seen.js';

/** The kernel's bridge port states (include/uapi/linux/if_bridge.h BR_STATE_*), as TR-181 names them. */
const PORT_STATES = ['Disabled', 'Listening', 'Learning', 'Forwarding', 'Blocking'] as const;
const STATS = Object.keys(stats(undefined));

/** The Alias (kept by the agent), a member's PVID (its bridge-vlan entries), Enable (`enabled` options), LowerLayers (bridge-port-lower.ts) and ManagementPort (bridge-port-role.ts); the rest is netifd's. */
const PORT_WRITABLE = ['Alias', 'PVID', 'Enable', 'LowerLayers', 'ManagementPort'] as const;

/** Serves Device.Bridging.Bridge.{i}.Port.{i}. and its Stats. */
export function registerBridgePorts(state: BridgingState, portWrites: EthernetPortWrites, sysNetDir = '/sys/class/net'): void {
  const { model } = state.ctx;
  /** When the agent saw each port's Status (by bridge and port name) and what it was. */
  const seen = new StatusSeen(state.ctx.now);
  /** Aliases Controllers gave ports, by bridge and port name ("cpe-<port>" otherwise). */
  const aliases = new Map<string, string>();
  const keyOf = (b: BridgeRow, name: string): string => `${b.config.name}\n${name}`;

  const portAt = async ([bn, pn]: InstanceKeys): Promise<[BridgeRow, PortRow]> => {
    const b = await state.bridge(bn);
    const p = b.ports.find((r) => r.n === pn);
    if (!p) throw noSuchInstance('bridge port', pn);
    return [b, p];
  };
  const portState = async (b: BridgeRow, p: PortRow): Promise<string> => {
    if (p.management) return b.devices[p.name]?.up === true ? 'Forwarding' : 'Disabled';
    try {
      const n = Number((await fs.readFile(path.join(sysNetDir, b.config.name, 'brif', p.name, 'state'), 'utf8')).trim());
      return PORT_STATES[n] ?? 'Broken';
    } catch {
      // Not (or no longer) enslaved to the bridge: the kernel forwards nothing through it.
      return 'Disabled';
    }
  };

  /** What Enable writes: the bridge's `enabled` (management port), a configured member's `config device` (else netifd's word: a Wi-Fi member is up while its SSID is). */
  const portEnable = async (b: BridgeRow, p: PortRow): Promise<boolean> => {
    if (p.management) return b.config.enabled;
    if (b.config.ports.includes(p.name)) return portEnabled(portSection(await state.ctx.uci('network'), p.name));
    return b.devices[p.name]?.up === true;
  };

  const values = async (b: BridgeRow, p: PortRow): Promise<Record<string, Value>> => {
    const d = b.devices[p.name];
    const status = d ? deviceStatus(d) : 'NotPresent';
    return {
      Enable: await portEnable(b, p),
      Status: status,
      Alias: aliases.get(keyOf(b, p.name)) ?? `cpe-${p.name}`,
      Name: p.name,
      LastChange: seen.lastChange(keyOf(b, p.name), status),
      LowerLayers: p.management ? memberPaths(b) : await state.lowerLayer(p.name),
      ManagementPort: p.management,
      // An 802.1D bridge has no VLANs: its ports are "VLAN-unaware" and PVID is ignored (1).
      Type: b.config.vlanAware ? 'CustomerVLANPort' : 'VLANUnawarePort',
      PortState: await portState(b, p),
      PVID: p.management ? 1 : portPvid(b.config, p.name),
    };
  };

  model.register('Device.Bridging.Bridge.{i}.Port.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'ManagementPort', 'Type', 'PortState', 'PVID'],
    writable: PORT_WRITABLE,
    list: async ([b]) =>
      (await state.read())
        .find((r) => r.n === b)
        ?.ports.map((p) => p.n)
        .sort((x, y) => x - y) ?? [],
    get: async (keys) => values(...(await portAt(keys))),
    // Only the Alias is the agent's to change; a port's settings are netifd's (delete and add instead).
    set: async (keys, changes) => {
      const [b, p] = await portAt(keys);
      const current = await values(b, p);
      if (changes.ManagementPort !== undefined && changes.ManagementPort !== p.management) {
        const now = await changePortRole(state, b, p, changes);
        const alias = aliases.get(keyOf(b, p.name));
        aliases.delete(keyOf(b, p.name));
        if (alias !== undefined) aliases.set(keyOf(b, now), alias);
        seen.forget(keyOf(b, p.name));
        return;
      }
      const bad = Object.entries(changes)
        .filter(([k, v]) => k !== 'Alias' && k !== 'Enable' && k !== 'LowerLayers' && !(k === 'PVID' && !p.management) && v !== current[k])
        .map(([param]) => ({ param, message: 'this device only accepts its current value (delete the port and add another)' }));
      const wifiMember = !p.management && !b.config.ports.includes(p.name);
      if (changes.Enable !== undefined && changes.Enable !== current.Enable && wifiMember) {
        bad.push({ param: 'Enable', message: `${p.name} is in ${b.config.name} while its wifi-iface is enabled: set that Device.WiFi.SSID's Enable` });
      }
      if (bad.length > 0) throw refused(bad);
      // Checked before anything is written; moved last, as it renames the port the rest names.
      const lower = changes.LowerLayers !== undefined && !sameRefs(changes.LowerLayers, current.LowerLayers) ? await lowerLayerTarget(state, b, p, changes.LowerLayers) : undefined;
      const alongside = ['Enable', 'PVID'].filter((k) => changes[k] !== undefined && changes[k] !== current[k]);
      if (lower !== undefined && alongside.length > 0) throw refused(alongside.map((param) => ({ param, message: 'set it apart from LowerLayers: the port changes device first' })));
      if (changes.Enable !== undefined && changes.Enable !== current.Enable) {
        const enabled = changes.Enable === true ? '1' : '0';
        if (p.management) await state.write((s) => s.set({ section: b.config.section, option: 'enabled', value: enabled }));
        else await portWrites.set(p.name, b.devices[p.name], { Enable: changes.Enable }, portPath(b, p));
      }
      // PVID: the "*" of the port's bridge-vlan entries (bridge-port-pvid.ts).
      if (changes.PVID !== undefined && changes.PVID !== current.PVID) {
        const pvid = pvidChanges(b.config, p.name, changes.PVID);
        await state.write((s) => writePvid(s, pvid));
      }
      if (typeof changes.Alias === 'string') aliases.set(keyOf(b, p.name), changes.Alias);
      if (lower !== undefined) {
        await movePort(state, b, p.name, lower);
        const alias = aliases.get(keyOf(b, p.name));
        aliases.delete(keyOf(b, p.name));
        if (alias !== undefined) aliases.set(keyOf(b, lower), alias);
        seen.forget(keyOf(b, p.name));
      }
    },
    add: async ([bn], params) => {
      const b = await state.bridge(bn);
      if (params.ManagementPort === true) return addManagementPort(state, b, params);
      const name = await memberToAdd(state, b, params);
      const c = b.config;
      await state.write(async (s) => {
        if (c.portsAppendable) await s.set({ section: c.section, option: c.portsOption, value: name, append: true });
        else await rewriteList(s, c.section, c.portsOption, true, [...c.ports, name]);
      });
      // A port name that left the bridge before comes back as a new row.
      const n = state.ports.map(c.name).numberOf(name);
      if (typeof params.Alias === 'string' && params.Alias !== '') aliases.set(keyOf(b, name), params.Alias);
      return n;
    },
    delete: async (keys) => {
      const [b, p] = await portAt(keys);
      const c = b.config;
      if (p.management) throw new UspError(ErrorCode.DeleteFailure, `${portPath(b, p)} is the bridge itself (its management port)`);
      if (!c.ports.includes(p.name)) throw new UspError(ErrorCode.DeleteFailure, `${p.name} is put in ${c.name} by the wireless configuration (its wifi-iface's network), not by the bridge's ports`);
      // Its memberships go too: netifd would ignore them, and a VLANPort must name a Port.
      await state.write((s) => removeMember(s, c, p.name));
      for (const m of b.vlanPorts) if (m.port === p) state.vlanPorts.retire(c.name, m.key);
      state.ports.retire(c.name, p.name);
      seen.forget(keyOf(b, p.name));
      aliases.delete(keyOf(b, p.name));
    },
  });

  model.register('Device.Bridging.Bridge.{i}.Port.{i}.Stats.', {
    params: [...STATS, ...packetStatsParams(state.ctx)],
    get: async (keys) => {
      const [b, p] = await portAt(keys);
      return { ...stats(b.devices[p.name]?.statistics), ...(await packetStats(state.ctx, p.name)) };
    },
  });
}

/** The device name an Add's LowerLayers names; 7012 when it names no Ethernet.Interface, 7025 for a member already there. */
async function memberToAdd(state: BridgingState, b: BridgeRow, params: Record<string, Value>): Promise<string> {
  const p = { ...params };
  canonicalizeReferences(p, ['LowerLayers']);
  const ref = String(p.LowerLayers ?? '');
  let name: string | undefined;
  for (const device of Object.keys(b.devices)) if (ref !== '' && (await state.lowerLayer(device)) === ref && ref.startsWith('Device.Ethernet.Interface.')) name = device;
  const bad: Array<{ param: string; message: string }> = [];
  if (!name) bad.push({ param: 'LowerLayers', message: 'a new bridge port needs LowerLayers naming one Device.Ethernet.Interface' });
  if (bad.length > 0) throw refused(bad);
  const there = b.ports.find((x) => x.name === name);
  if (there) throw new UspError(ErrorCode.DuplicateUniqueKey, `${name} is already ${portPath(b, there)}`);
  return name!;
}

/** The management port's LowerLayers: every other port of its bridge (TR-181 Port.LowerLayers). */
function memberPaths(b: BridgeRow): string {
  return b.ports
    .filter((p) => !p.management)
    .map((p) => portPath(b, p))
    .join(',');
}

/** Whether two reference values name the same object (with or without the trailing "."). */
function sameRefs(a: Value, b: Value | undefined): boolean {
  const x = { a, b: b ?? '' };
  canonicalizeReferences(x, ['a', 'b']);
  return x.a === x.b;
}

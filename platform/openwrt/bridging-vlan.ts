/**
 * Device.Bridging.Bridge.{i}.VLAN.{i}. and .VLANPort.{i}. on OpenWrt (TR-181 VLANBridge:1),
 * read-write through the `config bridge-vlan` sections of the network configuration (bridge VLAN
 * filtering, OpenWrt 21.02+), committed and applied with `ubus call network reload`; a failing
 * write reverts everything it staged (uci.ts).
 *
 * - VLAN: one section per VLAN ID of a bridge: `device` (the bridge), `vlan` (VLANID) and
 *   `description` (Name; netifd ignores it). Add creates a section without ports; Delete removes
 *   the section, its memberships with it.
 * - VLANPort: one entry of a section's `ports` list: VLAN is the section, Port the member port the
 *   entry names, Untagged the absence of the "t" flag; the entry's "*" (PVID) shows as the Port's
 *   PVID. Add appends an entry ("lan1:t", LuCI's spelling); Set and Delete rewrite the section's
 *   list in order, as LuCI saves it, since `uci del_list` cannot take an entry out of a list
 *   written as one option.
 * - Enable: netifd has no switch that keeps a VLAN or a membership configured but off, so both
 *   read true and false is refused (7012): delete the row instead.
 * - An Add without VLANID takes the lowest free ID from 2 (R-ADD.5, as the simulated gateway
 *   does); one without Untagged makes a tagged member, which leaves the port's untagged traffic
 *   alone. A VLANID or a (VLAN, Port) pair already configured is refused with 7025 before
 *   anything is written.
 *
 * Adding a bridge's first VLAN turns VLAN filtering on in netifd: from then on only configured
 * memberships pass, and IP interfaces must sit on a VLAN device (br-lan.1). The agent writes
 * what the Controller asked for and nothing more.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { formatPortEntry, MAX_VID, MIN_VID, type VlanConfig } from './bridge-config.js';
import { type BridgeRow, type BridgingState, portPath, type PortRow, vlanPath, vlanPortKey, type VlanPortRow, type VlanRow } from './BridgingState.js';
import { noSuchInstance, refused } from './convert.js';
import { planWrite, type UciChange, type UciStage } from './uci.js';

const NO_OFF_SWITCH = 'netifd cannot keep it configured but off: delete the row instead';
/** What a Set of a VLAN and of a VLANPort changes: Enable stays true (NO_OFF_SWITCH). */
const VLAN_WRITABLE = ['Alias', 'Name', 'VLANID'] as const;
const VLAN_PORT_WRITABLE = ['Alias', 'VLAN', 'Port', 'Untagged'] as const;
/** The lowest VLAN ID an Add picks by itself: 1 is the default VLAN (IEEE 802.1Q). */
const FIRST_FREE_VID = 2;

/** Serves Device.Bridging.Bridge.{i}.VLAN.{i}. and .VLANPort.{i}. */
export function registerBridgeVlans(state: BridgingState): void {
  const { model } = state.ctx;

  const vlanAt = async ([bn, vn]: InstanceKeys): Promise<[BridgeRow, VlanRow]> => {
    const b = await state.bridge(bn);
    const v = b.vlans.find((r) => r.n === vn);
    if (!v) throw noSuchInstance('bridge VLAN', vn);
    return [b, v];
  };
  const vlanValues = (b: BridgeRow, v: VlanRow): Record<string, Value> => ({
    Enable: true,
    Alias: state.vlans.alias(b.config.name, String(v.config.vid), v.n),
    Name: v.config.name,
    VLANID: v.config.vid,
  });

  /** The options of `section` for `changes`; 7012 for a value it cannot hold, 7025 for a VLAN ID in use. */
  const planVlan = (b: BridgeRow, section: string, current: Record<string, Value>, changes: Record<string, Value>): UciChange[] => {
    const other = b.vlans.find((v) => v.config.vid === changes.VLANID && changes.VLANID !== current.VLANID);
    if (other) throw duplicate(`VLANID ${other.config.vid} is already used by ${vlanPath(b, other)}`);
    return planWrite(current, changes, {
      Enable: (v) => (v ? [] : NO_OFF_SWITCH),
      Alias: () => [],
      Name: (v, _all, cur) => (v === cur.Name ? [] : [{ section, option: 'description', value: String(v), remove: v === '' }]),
      VLANID: (v, _all, cur) => (!isVid(v) ? `${String(v)} is not a VLAN ID (${MIN_VID} to ${MAX_VID})` : v === cur.VLANID ? [] : [{ section, option: 'vlan', value: String(v) }]),
    });
  };

  model.register('Device.Bridging.Bridge.{i}.VLAN.{i}.', {
    params: ['Enable', 'Alias', 'Name', 'VLANID'],
    writable: VLAN_WRITABLE,
    list: async ([bn]) => numbers((await state.read()).find((b) => b.n === bn)?.vlans),
    get: async (keys) => vlanValues(...(await vlanAt(keys))),
    set: async (keys, changes) => {
      const [b, v] = await vlanAt(keys);
      const planned = planVlan(b, v.config.section, vlanValues(b, v), changes);
      if (planned.length > 0)
        await state.write(async (s) => {
          for (const c of planned) await s.set(c);
        });
      const vid = Number(changes.VLANID ?? v.config.vid);
      if (vid !== v.config.vid) renumber(state, b, v.config, vid);
      if (typeof changes.Alias === 'string') state.vlans.setAlias(b.config.name, String(vid), changes.Alias);
    },
    add: async ([bn], params) => {
      const b = await state.bridge(bn);
      const vid = params.VLANID ?? freeVid(b);
      // Validated before anything is staged; the section is named once `uci add` prints it.
      const planned = planVlan(b, '', { Enable: true, Alias: '', Name: '', VLANID: 0 }, { ...params, VLANID: vid });
      await state.write(async (s) => {
        const section = await s.add('bridge-vlan');
        await s.set({ section, option: 'device', value: b.config.name });
        for (const c of planned) if (!c.remove) await s.set({ ...c, section });
      });
      const n = state.vlans.map(b.config.name).numberOf(String(vid));
      if (typeof params.Alias === 'string' && params.Alias !== '') state.vlans.setAlias(b.config.name, String(vid), params.Alias);
      return n;
    },
    delete: async (keys) => {
      const [b, v] = await vlanAt(keys);
      await state.write((s) => s.remove(v.config.section));
      state.vlans.retire(b.config.name, String(v.config.vid));
      for (const m of b.vlanPorts) if (m.vlan === v) state.vlanPorts.retire(b.config.name, m.key);
    },
  });

  const vlanPortAt = async ([bn, n]: InstanceKeys): Promise<[BridgeRow, VlanPortRow]> => {
    const b = await state.bridge(bn);
    const m = b.vlanPorts.find((r) => r.n === n);
    if (!m) throw noSuchInstance('bridge VLAN port', n);
    return [b, m];
  };

  /**
   * The membership `changes` ask for, from `current` (undefined for an Add): 7012 naming each
   * parameter that cannot be, 7025 when that port is already in that VLAN.
   */
  const target = (b: BridgeRow, current: VlanPortRow | undefined, changes: Record<string, Value>): Target => {
    canonicalizeReferences(changes, ['VLAN', 'Port']);
    const vlan = changes.VLAN === undefined && current ? current.vlan : state.refTo(b, 'VLAN', changes.VLAN, b.vlans);
    const port = changes.Port === undefined && current ? current.port : state.refTo(b, 'Port', changes.Port, b.ports);
    const bad: Array<{ param: string; message: string }> = [];
    if (!vlan) bad.push({ param: 'VLAN', message: `must name a VLAN of Device.Bridging.Bridge.${b.n}` });
    if (!port || port.management) {
      bad.push({ param: 'Port', message: `must name a member port of Device.Bridging.Bridge.${b.n} (not its management port)` });
    }
    if (changes.Enable === false) bad.push({ param: 'Enable', message: NO_OFF_SWITCH });
    if (!vlan || !port || bad.length > 0) throw refused(bad);
    const moved = !current || vlan !== current.vlan || port !== current.port;
    const there = moved ? b.vlanPorts.find((m) => m.vlan === vlan && m.port === port) : undefined;
    if (there) throw duplicate(`${port.name} is already a member of VLAN ${vlan.config.vid}: ${vlanPortPath(b, there)}`);
    const untagged = typeof changes.Untagged === 'boolean' ? changes.Untagged : (current?.entry.untagged ?? false);
    return { vlan, port, untagged, moved };
  };
  const vlanPortValues = (b: BridgeRow, m: VlanPortRow): Record<string, Value> => ({
    Enable: true,
    Alias: state.vlanPorts.alias(b.config.name, m.key, m.n),
    VLAN: vlanPath(b, m.vlan),
    Port: portPath(b, m.port),
    Untagged: m.entry.untagged,
  });

  model.register('Device.Bridging.Bridge.{i}.VLANPort.{i}.', {
    params: ['Enable', 'Alias', 'VLAN', 'Port', 'Untagged'],
    writable: VLAN_PORT_WRITABLE,
    list: async ([bn]) => numbers((await state.read()).find((b) => b.n === bn)?.vlanPorts),
    get: async (keys) => vlanPortValues(...(await vlanPortAt(keys))),
    set: async (keys, changes) => {
      const [b, m] = await vlanPortAt(keys);
      const t = target(b, m, changes);
      const key = vlanPortKey(t.vlan.config.vid, t.port.name);
      if (t.moved || t.untagged !== m.entry.untagged) {
        // The "*" belongs to this port in this VLAN: a membership moved elsewhere does not take it.
        const entry = formatPortEntry(t.port.name, t.untagged, !t.moved && m.entry.pvid);
        await state.write(async (s) => {
          const from = m.vlan.config;
          if (t.vlan === m.vlan)
            return rewritePorts(
              s,
              from,
              from.raw.map((r) => (r === m.entry.raw ? entry : r)),
            );
          await rewritePorts(s, from, withoutFirst(from.raw, m.entry.raw));
          await appendPort(s, t.vlan.config, entry);
        });
        if (t.moved) state.vlanPorts.rekey(b.config.name, [[m.key, key]]);
      }
      if (typeof changes.Alias === 'string') state.vlanPorts.setAlias(b.config.name, key, changes.Alias);
    },
    add: async ([bn], params) => {
      const b = await state.bridge(bn);
      const t = target(b, undefined, params);
      await state.write((s) => appendPort(s, t.vlan.config, formatPortEntry(t.port.name, t.untagged, false)));
      const key = vlanPortKey(t.vlan.config.vid, t.port.name);
      const n = state.vlanPorts.map(b.config.name).numberOf(key);
      if (typeof params.Alias === 'string' && params.Alias !== '') state.vlanPorts.setAlias(b.config.name, key, params.Alias);
      return n;
    },
    delete: async (keys) => {
      const [b, m] = await vlanPortAt(keys);
      await state.write((s) => rewritePorts(s, m.vlan.config, withoutFirst(m.vlan.config.raw, m.entry.raw)));
      state.vlanPorts.retire(b.config.name, m.key);
    },
  });
}

interface Target {
  vlan: VlanRow;
  port: PortRow;
  untagged: boolean;
  moved: boolean;
}

function isVid(v: Value): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= MIN_VID && v <= MAX_VID;
}

function freeVid(b: BridgeRow): number {
  const used = new Set(b.vlans.map((v) => v.config.vid));
  for (let vid = FIRST_FREE_VID; vid <= MAX_VID; vid++) if (!used.has(vid)) return vid;
  throw new UspError(ErrorCode.ResourcesExceeded, `${b.config.name} has no free VLAN ID left`);
}

/** A VLAN ID moves its memberships along: their rows keep their instances and Aliases. */
function renumber(state: BridgingState, b: BridgeRow, vlan: VlanConfig, vid: number): void {
  state.vlans.rekey(b.config.name, [[String(vlan.vid), String(vid)]]);
  state.vlanPorts.rekey(
    b.config.name,
    vlan.ports.map((p) => [vlanPortKey(vlan.vid, p.port), vlanPortKey(vid, p.port)] as const),
  );
}

function numbers(rows: ReadonlyArray<{ n: number }> | undefined): number[] {
  return (rows ?? []).map((r) => r.n).sort((a, b) => a - b);
}

function duplicate(message: string): UspError {
  return new UspError(ErrorCode.DuplicateUniqueKey, message);
}

function vlanPortPath(b: BridgeRow, m: VlanPortRow): string {
  return `Device.Bridging.Bridge.${b.n}.VLANPort.${m.n}`;
}

function withoutFirst(raw: readonly string[], entry: string): string[] {
  const i = raw.indexOf(entry);
  return i < 0 ? [...raw] : [...raw.slice(0, i), ...raw.slice(i + 1)];
}

/** One more `ports` entry: `uci add_list`, or the whole list again where that cannot append. */
async function appendPort(s: UciStage, vlan: VlanConfig, entry: string): Promise<void> {
  if (vlan.appendable) await s.set({ section: vlan.section, option: 'ports', value: entry, append: true });
  else await rewritePorts(s, vlan, [...vlan.raw, entry]);
}

/** Replaces a section's `ports` with `next`, in order (deleting an absent option would fail). */
async function rewritePorts(s: UciStage, vlan: VlanConfig, next: readonly string[]): Promise<void> {
  if (vlan.raw.length > 0) await s.set({ section: vlan.section, option: 'ports', value: '', remove: true });
  for (const value of next) await s.set({ section: vlan.section, option: 'ports', value, append: true });
}

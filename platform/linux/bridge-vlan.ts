/**
 * The 802.1Q part of Device.Bridging. on Linux (TR-181 VLANBridge:1), from the kernel's bridge
 * VLAN table (`bridge -j vlan show`, bridge-vlan-tool.ts). Only a bridge with `vlan_filtering` on
 * (Standard 802.1Q-2011) has VLAN rows: without it the kernel keeps the table but forwards every
 * frame whatever its tag.
 *
 * - Bridge.{i}.VLAN.{i}: one row per VID any port of the bridge (or the bridge device itself,
 *   the management port) is a member of. Add makes the bridge device a tagged member (`bridge vlan
 *   add dev BR vid N self`): the kernel has no VLAN without a member, and the management port is
 *   the one member every bridge has. Delete removes the VID from every port; a new VLANID moves
 *   every membership to it. Enable reads true (a VLAN with no member is no row): not writable.
 *   Name: the kernel keeps none, so it is not served.
 * - Bridge.{i}.VLANPort.{i}: one row per (port, VID) membership; Untagged is the kernel's
 *   `Egress Untagged`. Add/Delete/Set run `bridge vlan add|del`.
 * - Port PVID, AcceptableFrameTypes (portVlanValues): PVID is the VID flagged PVID; a port without
 *   one drops untagged frames, AdmitOnlyVLANTagged. AdmitOnlyPrioUntagged (drop tagged frames)
 *   the kernel bridge cannot do: 7012. IngressFiltering reads true while the bridge filters: the
 *   Linux bridge drops ingress frames of VLANs the port is no member of, always; there is no per
 *   port switch, so it is read-only. PriorityTagging (false), DefaultUserPriority (0) and
 *   PriorityRegeneration (identity) are what the kernel bridge does (it neither adds priority tags
 *   nor remaps PCPs): read-only.
 *
 * Persistence: the kernel forgets its VLAN table at reboot. After each write the memberships of
 * the ports written are kept in the agent's store (device name → VIDs and flags), and
 * `stateLoaded` puts them back on the managed ports that exist (adding what is missing,
 * removing what the Controller had removed, such as the kernel's default VLAN 1). A Standard set
 * on a bridge (vlan_filtering) is kept and put back too (bridging.ts, bridge-vlan-store.ts).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import { BridgeVlanTool, MAX_VID, MIN_VID, type VlanMembership, type VlanTable } from './bridge-vlan-tool.js';
import type { LinuxContext } from './LinuxContext.js';
import { memberships, restoreMemberships, saveMemberships } from './bridge-vlan-store.js';

/** What the VLAN objects need of the Bridge and Port objects (bridging.ts). */
export interface BridgeAccess {
  /** The bridge of Bridge.{keys[0]}: its device, its member devices, whether it filters VLANs. */
  bridge(keys: InstanceKeys): Promise<{ name: string; members: readonly string[]; filtering: boolean }>;
  /** Port instance numbers of bridge `name` (device → number; the bridge device is Port.1). */
  ports(name: string): InstanceMap;
}

/** Port VLAN parameters served on Bridge.{i}.Port.{i}. */
export const PORT_VLAN_PARAMS = ['PVID', 'AcceptableFrameTypes', 'IngressFiltering', 'PriorityTagging', 'DefaultUserPriority', 'PriorityRegeneration'] as const;
/** Of those, what a Set changes in the kernel. */
export const PORT_VLAN_WRITABLE = ['PVID', 'AcceptableFrameTypes'] as const;

/** The 802.1D priority regeneration table that leaves every priority as received. */
const IDENTITY_REGENERATION = '0,1,2,3,4,5,6,7';

const vidOf = (v: Value | undefined, path: string, param: string): number => {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < MIN_VID || n > MAX_VID) {
    throw new UspError(ErrorCode.InvalidValue, `${path}${param}: ${String(v)} is no VLAN ID (${MIN_VID}-${MAX_VID}; 0 and 4095 are reserved by 802.1Q)`, {
      path,
      paramErrors: [{ param, code: ErrorCode.InvalidValue, message: 'VLAN ID 1-4094' }],
    });
  }
  return n;
};

export class LinuxBridgeVlans {
  readonly tool: BridgeVlanTool;
  /** Per bridge: VID → VLAN instance, and "dev:vid" → VLANPort instance. */
  private readonly vlanNumbers = new Map<string, InstanceMap>();
  private readonly memberNumbers = new Map<string, InstanceMap>();
  /** Whether the last read of the table failed (logged once per failure run). */
  private unreadable = false;

  constructor(
    private readonly ctx: LinuxContext,
    private readonly access: BridgeAccess,
    private readonly store?: DataStore,
  ) {
    this.tool = new BridgeVlanTool(ctx.runner, ctx.cacheMs, ctx.log);
  }

  private numbers(of: Map<string, InstanceMap>, bridge: string): InstanceMap {
    let m = of.get(bridge);
    if (!m) of.set(bridge, (m = new InstanceMap()));
    return m;
  }

  /** The bridge's devices (itself first) with their memberships; none unless it filters VLANs. */
  private async table(keys: InstanceKeys): Promise<{ name: string; devs: string[]; vlans: VlanTable; filtering: boolean }> {
    const b = await this.access.bridge(keys);
    const devs = [b.name, ...b.members];
    return { name: b.name, devs, vlans: b.filtering ? await this.readable() : new Map(), filtering: b.filtering };
  }

  private async vidsOf(keys: InstanceKeys): Promise<Set<number>> {
    const t = await this.table(keys);
    return new Set(t.devs.flatMap((d) => (t.vlans.get(d) ?? []).map((m) => m.vid)).sort((a, b) => a - b));
  }

  /**
   * The VLAN table for reads: without `bridge` (iproute2 built without it) or when it fails, no
   * VLAN rows and no port VLAN values, logged once, rather than a failed Get of the whole bridge.
   */
  private async readable(): Promise<VlanTable> {
    try {
      const t = await this.tool.show();
      this.unreadable = false;
      return t;
    } catch (e) {
      if (!this.unreadable) this.ctx.log?.warn('bridge VLAN table unreadable: no VLAN rows served', { why: e instanceof Error ? e.message : String(e) });
      this.unreadable = true;
      return new Map();
    }
  }

  private requireFiltering(t: { name: string; filtering: boolean }, path: string): void {
    if (!t.filtering) throw new UspError(ErrorCode.InvalidValue, `${path}: bridge ${t.name} does not filter VLANs (Standard 802.1D-2004): set its Standard to 802.1Q-2011 first`, { path });
  }

  /** Runs `bridge vlan` writes for bridge `name`'s devices, then keeps the written ports' memberships. */
  private async write(devs: readonly string[], steps: ReadonlyArray<() => Promise<void>>, path: string): Promise<void> {
    for (const d of devs) this.ctx.ip.requireManaged(d, path);
    try {
      for (const s of steps) await s();
    } finally {
      if (this.store) saveMemberships(this.store, devs, await this.tool.show().catch(() => undefined));
    }
  }

  register(): void {
    const { model } = this.ctx;
    const vlanPath = (keys: InstanceKeys): string => `Device.Bridging.Bridge.${keys[0]}.VLAN.${keys[1] ?? '{i}'}.`;
    const memberPath = (keys: InstanceKeys): string => `Device.Bridging.Bridge.${keys[0]}.VLANPort.${keys[1] ?? '{i}'}.`;
    const vlanRef = (keys: InstanceKeys, bridge: string, vid: number): string => `Device.Bridging.Bridge.${keys[0]}.VLAN.${this.numbers(this.vlanNumbers, bridge).numberOf(String(vid))}`;
    const portRef = (keys: InstanceKeys, bridge: string, dev: string): string => `Device.Bridging.Bridge.${keys[0]}.Port.${this.access.ports(bridge).numberOf(dev)}`;

    model.register('Device.Bridging.Bridge.{i}.VLAN.{i}.', {
      params: ['Enable', 'VLANID'],
      writable: ['VLANID'],
      list: async (keys) => {
        const { name } = await this.access.bridge(keys);
        return this.numbers(this.vlanNumbers, name).list([...(await this.vidsOf(keys))].map(String));
      },
      get: async (keys) => {
        const { name } = await this.access.bridge(keys);
        const vid = Number(this.numbers(this.vlanNumbers, name).requireKey(keys[1]));
        if (!(await this.vidsOf(keys)).has(vid)) throw new UspError(ErrorCode.ObjectDoesNotExist, `${vlanPath(keys)}: VLAN ${vid} has no member any more`);
        return { Enable: true, VLANID: vid };
      },
      add: async (parentKeys, params) => {
        const path = vlanPath(parentKeys);
        const t = await this.table(parentKeys);
        this.requireFiltering(t, path);
        if (params.VLANID === undefined) throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${path}: give VLANID in the Add`, { path });
        const vid = vidOf(params.VLANID, path, 'VLANID');
        if ((await this.vidsOf(parentKeys)).has(vid)) throw new UspError(ErrorCode.DuplicateUniqueKey, `${path}VLANID: bridge ${t.name} already has VLAN ${vid}`, { path });
        await this.write([t.name], [() => this.tool.add(t.name, vid, { pvid: false, untagged: false }, true, path)], path);
        return this.numbers(this.vlanNumbers, t.name).numberOf(String(vid));
      },
      set: async (keys, changes) => {
        const path = vlanPath(keys);
        const t = await this.table(keys);
        const numbers = this.numbers(this.vlanNumbers, t.name);
        const old = Number(numbers.requireKey(keys[1]));
        if (changes.VLANID === undefined) return;
        const vid = vidOf(changes.VLANID, path, 'VLANID');
        if (vid === old) return;
        if ((await this.vidsOf(keys)).has(vid)) throw new UspError(ErrorCode.InvalidValue, `${path}VLANID: bridge ${t.name} already has VLAN ${vid}`, { path });
        // Every member moves to the new VID with its flags: added first, so a refusal leaves the old in place.
        const holders = t.devs.flatMap((d) => (t.vlans.get(d) ?? []).filter((m) => m.vid === old).map((m) => ({ d, m })));
        await this.write(
          holders.map((h) => h.d),
          [
            ...holders.map(
              ({ d, m }) =>
                () =>
                  this.tool.add(d, vid, m, d === t.name, path),
            ),
            ...holders.map(
              ({ d }) =>
                () =>
                  this.tool.del(d, old, d === t.name, path),
            ),
          ],
          path,
        );
        numbers.rekey([[String(old), String(vid)]]);
        const members = this.numbers(this.memberNumbers, t.name);
        members.rekey(holders.map(({ d }) => [`${d}:${old}`, `${d}:${vid}`] as const));
      },
      delete: async (keys) => {
        const path = vlanPath(keys);
        const t = await this.table(keys);
        const vid = Number(this.numbers(this.vlanNumbers, t.name).requireKey(keys[1]));
        const holders = t.devs.filter((d) => (t.vlans.get(d) ?? []).some((m) => m.vid === vid));
        await this.write(
          holders,
          holders.map((d) => () => this.tool.del(d, vid, d === t.name, path)),
          path,
        );
        this.numbers(this.vlanNumbers, t.name).retire(String(vid));
      },
      // What a Delete removed (every membership of the VID), so a failed transaction puts it back under the same number.
      snapshot: (keys) => this.snapshotVlan(keys),
      restore: async (keys, snap) => this.restore(keys, await (snap as ReturnType<LinuxBridgeVlans['snapshotVlan']>), this.vlanNumbers),
    });

    /** The (device, membership) of VLANPort.{keys[1]}. */
    const memberOf = async (keys: InstanceKeys): Promise<{ t: Awaited<ReturnType<LinuxBridgeVlans['table']>>; dev: string; m: VlanMembership }> => {
      const t = await this.table(keys);
      const key = this.numbers(this.memberNumbers, t.name).requireKey(keys[1]);
      const at = key.lastIndexOf(':');
      const dev = key.slice(0, at);
      const m = (t.vlans.get(dev) ?? []).find((x) => x.vid === Number(key.slice(at + 1)));
      if (!m) throw new UspError(ErrorCode.ObjectDoesNotExist, `${memberPath(keys)}: ${key} is no membership any more`);
      return { t, dev, m };
    };
    /** A VLAN reference of this bridge to its VID; 7012 otherwise. */
    const vidOfRef = (keys: InstanceKeys, bridge: string, ref: Value | undefined, path: string): number => {
      const m = typeof ref === 'string' ? /^Device\.Bridging\.Bridge\.(\d+)\.VLAN\.(\d+)\.?$/.exec(ref) : null;
      const vid = m && Number(m[1]) === keys[0] ? this.numbers(this.vlanNumbers, bridge).keyOf(Number(m[2])) : undefined;
      if (vid === undefined)
        throw new UspError(ErrorCode.InvalidValue, `${path}VLAN: ${JSON.stringify(ref ?? '')} names no VLAN of this bridge`, {
          path,
          paramErrors: [{ param: 'VLAN', code: ErrorCode.InvalidValue, message: 'no VLAN of this bridge' }],
        });
      return Number(vid);
    };
    /** A Port reference of this bridge to its device; 7012 otherwise (a port of another bridge too). */
    const devOfRef = (keys: InstanceKeys, t: { name: string; devs: string[] }, ref: Value | undefined, path: string): string => {
      const m = typeof ref === 'string' ? /^Device\.Bridging\.Bridge\.(\d+)\.Port\.(\d+)\.?$/.exec(ref) : null;
      const dev = m && Number(m[1]) === keys[0] ? this.access.ports(t.name).keyOf(Number(m[2])) : undefined;
      if (dev === undefined || !t.devs.includes(dev))
        throw new UspError(ErrorCode.InvalidValue, `${path}Port: ${JSON.stringify(ref ?? '')} names no Port of this bridge`, {
          path,
          paramErrors: [{ param: 'Port', code: ErrorCode.InvalidValue, message: 'no Port of this bridge' }],
        });
      return dev;
    };

    model.register('Device.Bridging.Bridge.{i}.VLANPort.{i}.', {
      params: ['Enable', 'VLAN', 'Port', 'Untagged'],
      writable: ['VLAN', 'Port', 'Untagged'],
      list: async (keys) => {
        const t = await this.table(keys);
        return this.numbers(this.memberNumbers, t.name).list(t.devs.flatMap((d) => (t.vlans.get(d) ?? []).map((m) => `${d}:${m.vid}`)));
      },
      get: async (keys) => {
        const { t, dev, m } = await memberOf(keys);
        return { Enable: true, VLAN: vlanRef(keys, t.name, m.vid), Port: portRef(keys, t.name, dev), Untagged: m.untagged };
      },
      add: async (parentKeys, params) => {
        const path = memberPath(parentKeys);
        const t = await this.table(parentKeys);
        this.requireFiltering(t, path);
        const vid = vidOfRef(parentKeys, t.name, params.VLAN, path);
        const dev = devOfRef(parentKeys, t, params.Port, path);
        if ((t.vlans.get(dev) ?? []).some((m) => m.vid === vid)) throw new UspError(ErrorCode.DuplicateUniqueKey, `${path}: ${dev} is already a member of VLAN ${vid}`, { path });
        await this.write([dev], [() => this.tool.add(dev, vid, { pvid: false, untagged: params.Untagged === true }, dev === t.name, path)], path);
        return this.numbers(this.memberNumbers, t.name).numberOf(`${dev}:${vid}`);
      },
      set: async (keys, changes) => {
        const path = memberPath(keys);
        const { t, dev, m } = await memberOf(keys);
        const vid = changes.VLAN === undefined ? m.vid : vidOfRef(keys, t.name, changes.VLAN, path);
        const to = changes.Port === undefined ? dev : devOfRef(keys, t, changes.Port, path);
        const untagged = changes.Untagged === undefined ? m.untagged : changes.Untagged === true;
        if (vid === m.vid && to === dev) {
          if (untagged !== m.untagged) await this.write([dev], [() => this.tool.add(dev, vid, { pvid: m.pvid, untagged }, dev === t.name, path)], path);
          return;
        }
        if ((t.vlans.get(to) ?? []).some((x) => x.vid === vid)) throw new UspError(ErrorCode.InvalidValue, `${path}: ${to} is already a member of VLAN ${vid}`, { path });
        // The moved membership is a plain one: a PVID it carried goes with the old (the Controller sets PVID again).
        await this.write([...new Set([dev, to])], [() => this.tool.add(to, vid, { pvid: false, untagged }, to === t.name, path), () => this.tool.del(dev, m.vid, dev === t.name, path)], path);
        this.numbers(this.memberNumbers, t.name).rekey([[`${dev}:${m.vid}`, `${to}:${vid}`]]);
      },
      delete: async (keys) => {
        const path = memberPath(keys);
        const { t, dev, m } = await memberOf(keys);
        await this.write([dev], [() => this.tool.del(dev, m.vid, dev === t.name, path)], path);
        this.numbers(this.memberNumbers, t.name).retire(`${dev}:${m.vid}`);
      },
      snapshot: (keys) => {
        const before = memberOf(keys).then(({ t, dev, m }) => ({ bridge: t.name, key: `${dev}:${m.vid}`, holders: [{ d: dev, m }] }));
        before.catch(() => undefined);
        return before;
      },
      restore: async (keys, snap) => this.restore(keys, await (snap as ReturnType<LinuxBridgeVlans['snapshotVlan']>), this.memberNumbers),
    });
  }

  /** The memberships of VLAN.{keys[1]}, read before a Delete. */
  private snapshotVlan(keys: InstanceKeys): Promise<{ bridge: string; key: string; holders: Array<{ d: string; m: VlanMembership }> }> {
    const before = this.table(keys).then((t) => {
      const key = this.numbers(this.vlanNumbers, t.name).requireKey(keys[1]);
      return { bridge: t.name, key, holders: t.devs.flatMap((d) => (t.vlans.get(d) ?? []).filter((m) => m.vid === Number(key)).map((m) => ({ d, m }))) };
    });
    before.catch(() => undefined);
    return before;
  }

  /** Puts deleted memberships back (a rolled-back Delete) and gives the row its number again. */
  private async restore(keys: InstanceKeys, snap: Awaited<ReturnType<LinuxBridgeVlans['snapshotVlan']>>, numbers: Map<string, InstanceMap>): Promise<void> {
    for (const { d, m } of snap.holders) await this.tool.add(d, m.vid, m, d === snap.bridge);
    this.numbers(numbers, snap.bridge).claim(snap.key, keys[keys.length - 1]!);
    if (this.store) saveMemberships(this.store, [...new Set(snap.holders.map((h) => h.d))], await this.tool.show().catch(() => undefined));
  }

  /** Port.{i} VLAN values of `dev` on bridge `bridge` (undefined where the bridge does not filter). */
  async portValues(dev: string, filtering: boolean): Promise<Record<string, Value | undefined>> {
    const fixed = { PriorityTagging: false, DefaultUserPriority: 0, PriorityRegeneration: IDENTITY_REGENERATION, IngressFiltering: filtering };
    if (!filtering) return { ...fixed, AcceptableFrameTypes: 'AdmitAll' };
    const table = await this.readable();
    if (table.size === 0) return { ...fixed, PVID: undefined, AcceptableFrameTypes: undefined };
    const pvid = table.get(dev)?.find((m) => m.pvid);
    // No PVID (AdmitOnlyVLANTagged): PVID is left out of a Get rather than read as the schema's default 1.
    return { ...fixed, AcceptableFrameTypes: pvid ? 'AdmitAll' : 'AdmitOnlyVLANTagged', PVID: pvid?.vid };
  }

  /** Sets PVID and AcceptableFrameTypes of port `dev` (the bridge device when `self`). */
  async setPort(bridge: string, dev: string, filtering: boolean, changes: Record<string, Value>, path: string): Promise<void> {
    const { PVID, AcceptableFrameTypes } = changes;
    if (PVID === undefined && AcceptableFrameTypes === undefined) return;
    this.requireFiltering({ name: bridge, filtering }, path);
    const self = dev === bridge;
    const own = (await this.tool.show()).get(dev) ?? [];
    const current = own.find((m) => m.pvid);
    if (AcceptableFrameTypes === 'AdmitOnlyPrioUntagged') {
      throw new UspError(ErrorCode.InvalidValue, `${path}AcceptableFrameTypes: the Linux bridge cannot drop VLAN-tagged frames on a port (AdmitAll or AdmitOnlyVLANTagged)`, {
        path,
        paramErrors: [{ param: 'AcceptableFrameTypes', code: ErrorCode.InvalidValue, message: 'not supported' }],
      });
    }
    const steps: Array<() => Promise<void>> = [];
    if (PVID !== undefined && AcceptableFrameTypes !== 'AdmitOnlyVLANTagged') {
      const vid = vidOf(PVID, path, 'PVID');
      // The new PVID keeps the port's membership of that VLAN as it was; a new one is untagged (an access port).
      const held = own.find((m) => m.vid === vid);
      if (!current || current.vid !== vid) steps.push(() => this.tool.add(dev, vid, { pvid: true, untagged: held ? held.untagged : true }, self, path));
    } else if (AcceptableFrameTypes === 'AdmitOnlyVLANTagged') {
      // Untagged frames are dropped where the port has no PVID: the VLAN stays, without the flag.
      if (current) steps.push(() => this.tool.add(dev, current.vid, { pvid: false, untagged: current.untagged }, self, path));
    } else if (AcceptableFrameTypes === 'AdmitAll' && !current) {
      throw new UspError(ErrorCode.InvalidValue, `${path}AcceptableFrameTypes: AdmitAll needs a PVID for untagged frames: set PVID with it`, {
        path,
        paramErrors: [{ param: 'AcceptableFrameTypes', code: ErrorCode.InvalidValue, message: 'set PVID' }],
      });
    }
    if (steps.length > 0) await this.write([dev], steps, path);
  }

  /** Puts the stored memberships back on the managed ports that exist (after a reboot the kernel has its defaults). */
  async stateLoaded(): Promise<void> {
    if (!this.store || memberships(this.store).size === 0) return;
    const { files } = this.ctx;
    await restoreMemberships(
      this.store,
      this.tool,
      (d) => this.ctx.ip.managed.has(d),
      (d) => files.exists(files.sys('class', 'net', d, 'bridge')),
      this.ctx.log,
    );
  }
}

/**
 * Device.Bridging. of a Linux host (TR-181 Bridge:1): the kernel's bridges, from the same
 * `ip -j addr` snapshot the IP objects read (a bridge is a device with /sys/class/net/<if>/bridge,
 * a port a device whose `master` is that bridge) and the bridge's sysfs attributes.
 *
 * - Bridge.{i}: one per bridge device, by name. Standard 802.1Q-2011 when the bridge filters
 *   VLANs (`bridge/vlan_filtering`), else 802.1D-2004; AgingTime from `bridge/ageing_time`.
 * - Bridge.{i}.Port.{i}: Port.1 is the management port, the bridge device itself (TR-181
 *   ManagementPort), whose LowerLayers lists the other ports; then one port per member device,
 *   whose LowerLayers is its Ethernet.Interface.
 * - Bridge.{i}.Port.{i}.PortState: the 802.1D state the kernel keeps for a member
 *   (/sys/class/net/<br>/brif/<port>/state); the management port forwards while the bridge is up.
 * - Bridge.{i}.Port.{i}.Priority, PathCost: the member's STP port priority and cost (brif/<port>/
 *   priority, path_cost). The kernel keeps 6 bits of priority above the port number, 802.1D-2004
 *   (TR-181) 4 bits in the top byte (0-240 in steps of 16): TR-181 = kernel x 4 (32, the kernel's
 *   default, is 128, 802.1D's). The management port has neither.
 * - Bridge.{i}.Port.{i}.LastChange: the platform's `ip monitor link` watcher (link-changes.ts), for
 *   the port's device (the bridge device for the management port).
 * - Bridge.{i}.Port.{i}.Stats.: the port device's kernel counters (net-stats.ts).
 * - Bridge.{i}.STP.: bridge-stp.ts. Device.Bridging.MaxBridgeEntries / MaxDBridgeEntries: the
 *   bound the agent enforces on the Bridge table (MAX_BRIDGES; every Linux bridge is an 802.1D
 *   bridge, so the two are the same). The kernel itself sets none.
 * - Bridge.{i}.VLAN, VLANPort and the ports' PVID, AcceptableFrameTypes, ...: bridge-vlan.ts
 *   (VLANBridge:1). Device.Bridging.MaxQBridgeEntries is MAX_BRIDGES too (every Linux bridge can
 *   filter VLANs), MaxVLANEntries 4094 (the kernel takes every 802.1Q VID, 1-4094).
 *
 * Written back with `ip` (ip-write.ts) when the devices involved are managed: Bridge Add creates
 * `br-uspN` (`ip link add ... type bridge`; that name must be managed, or `*`), Delete removes it;
 * Enable and AgingTime are set, and Standard (`vlan_filtering` 1 for 802.1Q-2011, 0 for 802.1D-2004); Port Add with LowerLayers enslaves that device (`ip link set dev
 * IF master BR`), Delete frees it (`nomaster`), a new LowerLayers moves the port to another
 * device. ManagementPort changes which device a row stands for (bridge-management-port.ts).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { EthernetDevices } from './EthernetDevices.js';
import type { IpLink } from './ip-addr.js';
import { linkArgs } from './ip-address-write.js';
import type { LinuxContext } from './LinuxContext.js';
import { interfaceStatus } from './net-status.js';
import { registerDeviceStats } from './net-stats.js';
import { registerBridgeStp } from './bridge-stp.js';
import type { LinkChanges } from './link-changes.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { LinuxBridgeVlans, PORT_VLAN_PARAMS, PORT_VLAN_WRITABLE } from './bridge-vlan.js';
import { MAX_VID } from './bridge-vlan-tool.js';
import { keepFiltering, restoreFiltering } from './bridge-vlan-store.js';
import { LinuxManagementPorts } from './bridge-management-port.js';

/** What the bridge objects need of ip.ts: the current links by name. */
export type LinkSnapshot = () => Promise<ReadonlyMap<string, IpLink>>;

/** Names of the bridges the agent creates: br-usp1, br-usp2, ... */
const CREATED_PREFIX = 'br-usp';
/** What a Set of a Bridge and of a Port changes. */
const BRIDGE_WRITABLE = ['Enable', 'AgingTime', 'Standard'] as const;
const PORT_WRITABLE = ['Enable', 'LowerLayers', 'ManagementPort', 'Priority', 'PathCost'] as const;

/** The most Bridge rows: an Add beyond it (bridges the agent did not create count too) is refused with 7005. */
export const MAX_BRIDGES = 64;

/** The kernel's port states (BR_STATE_*, brif/<port>/state) as TR-181 PortState. */
const PORT_STATES: readonly string[] = ['Disabled', 'Listening', 'Learning', 'Forwarding', 'Blocking'];

interface Bridge {
  link: IpLink;
  /** Member devices, in ifindex order. */
  members: IpLink[];
}

/** A sysfs number as TR-181 wants it (`convert`), or undefined when unreadable. */
function uint(raw: string | undefined, convert: (n: number) => number): number | undefined {
  const n = Number(raw);
  return raw !== undefined && Number.isSafeInteger(n) && n >= 0 ? convert(n) : undefined;
}

/** TR-181 Standard of a bridge with vlan_filtering on / off. */
const STANDARDS: Readonly<Record<string, '0' | '1'>> = { '802.1D-2004': '0', '802.1Q-2011': '1' };

/** What the Filter table (bridge-filter.ts) needs of the bridges: the devices its references name, and their paths now. */
export interface BridgePortNames {
  /** The bridge and member device a `Device.Bridging.Bridge.{i}.Port.{i}` reference names now (management: the bridge device itself). */
  port(ref: string): Promise<{ bridge: string; dev: string; management: boolean; up: boolean } | undefined>;
  /** The bridge device a `Device.Bridging.Bridge.{i}` reference names now. */
  bridge(ref: string): Promise<string | undefined>;
  /** The reference of bridge `bridge`'s port on device `dev` now (no trailing dot), or undefined when gone. */
  portPath(bridge: string, dev: string): Promise<string | undefined>;
  /** The reference of bridge device `bridge` now, or undefined when gone. */
  bridgePath(bridge: string): Promise<string | undefined>;
}

const BRIDGE_REF = /^Device\.Bridging\.Bridge\.(\d+)$/;
const PORT_REF = /^Device\.Bridging\.Bridge\.(\d+)\.Port\.(\d+)$/;

/**
 * Serves Device.Bridging.Bridge.{i}. with its Port, VLAN and VLANPort tables; `stateLoaded` puts the kept VLAN memberships back.
 * `limits.filters` is Device.Bridging.MaxFilterEntries (0 until the Filter table is served).
 */
export function registerBridging(
  ctx: LinuxContext,
  links: LinkSnapshot,
  changes: LinkChanges,
  ethernet?: EthernetDevices,
  store?: DataStore,
): { stateLoaded(): Promise<void>; names: BridgePortNames; limits: { filters: number } } {
  const { model, files } = ctx;
  const bridgeNumbers = new InstanceMap();
  const portNumbers = new Map<string, InstanceMap>();
  const portsOf = (bridge: string): InstanceMap => {
    let m = portNumbers.get(bridge);
    if (!m) {
      portNumbers.set(bridge, (m = new InstanceMap()));
      m.numberOf(bridge); // the management port is Port.1, whatever is listed or added first
    }
    return m;
  };
  const sys = (name: string, ...rest: string[]): string => files.sys('class', 'net', name, ...rest);
  const roles = new LinuxManagementPorts(ctx, portsOf);

  // One look at /sys per `ip` snapshot: the same snapshot (cached for cacheMs, replaced after
  // every write) answers with the same bridges, so a whole-tree Get checks each device once.
  const seen = new WeakMap<object, Promise<Map<string, Bridge>>>();
  const bridges = async (): Promise<Map<string, Bridge>> => {
    const snapshot = await links();
    let found = seen.get(snapshot);
    if (!found) seen.set(snapshot, (found = findBridges(snapshot)));
    return found;
  };
  const findBridges = async (snapshot: ReadonlyMap<string, IpLink>): Promise<Map<string, Bridge>> => {
    const all = [...snapshot.values()].sort((a, b) => a.ifindex - b.ifindex);
    const isBridge = await Promise.all(all.map((l) => files.exists(sys(l.ifname, 'bridge'))));
    const out = new Map<string, Bridge>();
    all.forEach((l, i) => {
      if (isBridge[i]) out.set(l.ifname, { link: l, members: [] });
    });
    for (const l of all) if (l.master !== undefined) out.get(l.master)?.members.push(l);
    return out;
  };
  const bridgeOf = async (keys: InstanceKeys): Promise<Bridge> => {
    const name = bridgeNumbers.requireKey(keys[0]);
    const b = (await bridges()).get(name);
    if (!b) throw new UspError(ErrorCode.ObjectDoesNotExist, `bridge ${name} no longer exists`);
    return b;
  };
  /** The port's device: the bridge itself (management port) or a member. */
  const portOf = async (keys: InstanceKeys): Promise<{ bridge: Bridge; dev: string; management: boolean }> => {
    const bridge = await bridgeOf(keys);
    const dev = portsOf(bridge.link.ifname).requireKey(keys[1]);
    const management = dev === bridge.link.ifname;
    if (management ? !roles.shown(dev) : !bridge.members.some((m) => m.ifname === dev)) throw new UspError(ErrorCode.ObjectDoesNotExist, `${dev} is no longer a port of ${bridge.link.ifname}`);
    return { bridge, dev, management };
  };
  const portNumbersOf = (b: Bridge): number[] => portsOf(b.link.ifname).list([...(roles.shown(b.link.ifname) ? [b.link.ifname] : []), ...b.members.map((m) => m.ifname)]);
  const bridgePath = (keys: InstanceKeys): string => `Device.Bridging.Bridge.${keys[0]}.`;
  const portPath = (keys: InstanceKeys): string => `${bridgePath(keys)}Port.${keys[1] ?? '{i}'}.`;
  /** A member's LowerLayers: its Ethernet.Interface, when the Ethernet objects are served. */
  const lowerLayer = async (dev: string): Promise<string> => (ethernet && (await ethernet.names()).includes(dev) ? `Device.Ethernet.Interface.${ethernet.interfaces.numberOf(dev)}` : '');
  /** The device a LowerLayers value names (an Ethernet.Interface or Ethernet.Link row); 7012 otherwise. */
  const deviceOf = async (ref: Value | undefined, path: string): Promise<string> => {
    const m = typeof ref === 'string' ? /^Device\.Ethernet\.(Interface|Link)\.(\d+)\.?$/.exec(ref) : null;
    const dev = m && ethernet ? (m[1] === 'Interface' ? ethernet.interfaces.keyOf(Number(m[2])) : await ethernet.linkDevice(Number(m[2]))) : undefined;
    if (dev === undefined) throw new UspError(ErrorCode.InvalidValue, `${path}LowerLayers: ${JSON.stringify(ref ?? '')} names no Ethernet.Interface or Ethernet.Link`, { path });
    return dev;
  };

  const filters = async (bridge: string): Promise<boolean> => (await files.attr(sys(bridge, 'bridge', 'vlan_filtering'))) === '1';
  const vlans = new LinuxBridgeVlans(
    ctx,
    {
      bridge: async (keys) => {
        const b = await bridgeOf(keys);
        return { name: b.link.ifname, members: b.members.map((m) => m.ifname), filtering: await filters(b.link.ifname) };
      },
      ports: portsOf,
    },
    store,
  );

  // Every Linux bridge can be an 802.1Q bridge (vlan_filtering): MaxQBridgeEntries is MaxBridgeEntries.
  // MaxVLANEntries: the kernel's VLAN table takes every 802.1Q VID, 1-4094.
  const limits = { filters: 0 };
  model.register('Device.Bridging.', {
    params: ['MaxBridgeEntries', 'MaxDBridgeEntries', 'MaxQBridgeEntries', 'MaxVLANEntries', 'MaxFilterEntries'],
    get: () => ({ MaxBridgeEntries: MAX_BRIDGES, MaxDBridgeEntries: MAX_BRIDGES, MaxQBridgeEntries: MAX_BRIDGES, MaxVLANEntries: MAX_VID, MaxFilterEntries: limits.filters }),
  });

  model.register('Device.Bridging.Bridge.{i}.', {
    params: ['Enable', 'Status', 'Name', 'Standard', 'AgingTime'],
    writable: BRIDGE_WRITABLE,
    list: async () => bridgeNumbers.list((await bridges()).keys()),
    get: async (keys) => {
      const { link } = await bridgeOf(keys);
      const [filtering, ageing] = await Promise.all([files.attr(sys(link.ifname, 'bridge', 'vlan_filtering')), files.attr(sys(link.ifname, 'bridge', 'ageing_time'))]);
      const up = (link.flags ?? []).includes('UP');
      const values: Record<string, Value> = { Enable: up, Status: up ? 'Enabled' : 'Disabled', Name: link.ifname, Standard: filtering === '1' ? '802.1Q-2011' : '802.1D-2004' };
      // sysfs counts ageing_time in hundredths of a second.
      if (ageing !== undefined && Number.isSafeInteger(Number(ageing))) values.AgingTime = Math.round(Number(ageing) / 100);
      return values;
    },
    set: async (keys, changes) => {
      const { link } = await bridgeOf(keys);
      const path = bridgePath(keys);
      ctx.ip.requireManaged(link.ifname, path);
      const { AgingTime, Standard, ...rest } = changes;
      // Standard is the kernel's vlan_filtering: 802.1Q-2011 filters by VLAN, 802.1D-2004 does not.
      const wanted = Standard === undefined ? undefined : STANDARDS[String(Standard)];
      if (Standard !== undefined && wanted === undefined) {
        throw new UspError(ErrorCode.InvalidValue, `${path}Standard: the Linux bridge is 802.1D-2004 or 802.1Q-2011`, {
          path,
          paramErrors: [{ param: 'Standard', code: ErrorCode.InvalidValue, message: '802.1D-2004 or 802.1Q-2011' }],
        });
      }
      // Written only when it changes: a kernel without VLAN filtering refuses even `vlan_filtering 0`.
      const filtering = wanted !== undefined && wanted !== ((await files.attr(sys(link.ifname, 'bridge', 'vlan_filtering'))) === '1' ? '1' : '0') ? wanted : undefined;
      const bridgeArgs = [...(AgingTime === undefined ? [] : ['ageing_time', String(Number(AgingTime) * 100)]), ...(filtering === undefined ? [] : ['vlan_filtering', filtering])];
      const args = [...linkArgs(rest, path, ''), ...(bridgeArgs.length === 0 ? [] : ['type', 'bridge', ...bridgeArgs])];
      if (args.length > 0) {
        await ctx.ip.run(['link', 'set', 'dev', link.ifname, ...args], path).catch((e: unknown) => {
          // A kernel built without CONFIG_BRIDGE_VLAN_FILTERING answers "Operation not supported".
          if (filtering === '1' && e instanceof UspError && /not supported/i.test(e.message)) {
            throw new UspError(ErrorCode.InvalidValue, `${path}Standard: this kernel has no bridge VLAN filtering (802.1Q-2011); it stays 802.1D-2004`, {
              path,
              paramErrors: [{ param: 'Standard', code: ErrorCode.InvalidValue, message: 'no VLAN filtering in this kernel' }],
            });
          }
          throw e;
        });
      }
      if (filtering !== undefined && store) keepFiltering(store, link.ifname, filtering);
    },
    add: async (_parentKeys, params) => {
      const known = await bridges();
      if (known.size >= MAX_BRIDGES) throw new UspError(ErrorCode.ResourcesExceeded, `Device.Bridging.Bridge.: the device has ${known.size} bridges, MaxBridgeEntries`);
      let n = 1;
      while (known.has(`${CREATED_PREFIX}${n}`)) n++;
      const name = `${CREATED_PREFIX}${n}`;
      const path = 'Device.Bridging.Bridge.{i}.';
      ctx.ip.requireManaged(name, path);
      roles.forget(name); // a new bridge by an old name: its own device is Port.1 again
      portNumbers.delete(name);
      const aging = params.AgingTime === undefined ? [] : ['ageing_time', String(Number(params.AgingTime) * 100)];
      await ctx.ip.run(['link', 'add', 'name', name, 'type', 'bridge', ...aging], path);
      if (params.Enable === true) await ctx.ip.run(['link', 'set', 'dev', name, 'up'], path);
      return bridgeNumbers.numberOf(name);
    },
    delete: async (keys) => {
      const { link } = await bridgeOf(keys);
      ctx.ip.requireManaged(link.ifname, bridgePath(keys));
      await ctx.ip.run(['link', 'del', 'dev', link.ifname], bridgePath(keys));
    },
    // What a Delete removed (the bridge and who its members were), so a failed transaction can rebuild it.
    snapshot: (keys) => {
      const before = bridgeOf(keys);
      before.catch(() => undefined);
      return before;
    },
    restore: async (_keys, snap) => {
      const b = await (snap as Promise<Bridge>);
      await ctx.ip.run(['link', 'add', 'name', b.link.ifname, 'type', 'bridge']);
      for (const m of b.members) await ctx.ip.run(['link', 'set', 'dev', m.ifname, 'master', b.link.ifname]);
      if ((b.link.flags ?? []).includes('UP')) await ctx.ip.run(['link', 'set', 'dev', b.link.ifname, 'up']);
    },
  });

  model.register('Device.Bridging.Bridge.{i}.Port.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LastChange', 'LowerLayers', 'ManagementPort', 'PortState', 'Priority', 'PathCost', ...PORT_VLAN_PARAMS],
    writable: [...PORT_WRITABLE, ...PORT_VLAN_WRITABLE],
    list: async (parentKeys) => portNumbersOf(await bridgeOf(parentKeys)),
    get: async (keys) => {
      const { bridge, dev, management } = await portOf(keys);
      const link = management ? bridge.link : bridge.members.find((m) => m.ifname === dev)!;
      const flags = new Set(link.flags ?? []);
      const lower = management ? bridge.members.map((m) => `${portPath([keys[0]!, portsOf(bridge.link.ifname).numberOf(m.ifname)]).slice(0, -1)}`).join(',') : await lowerLayer(dev);
      const status = interfaceStatus(link.operstate, flags.has('UP'), flags.has('LOWER_UP'), true);
      const values: Record<string, Value> = {
        Enable: flags.has('UP'),
        Status: status,
        Name: dev,
        LastChange: changes.lastChange(dev, status, 'stacked'),
        LowerLayers: lower,
        ManagementPort: management,
      };
      // The management port is the bridge's own device: STP gives it no state; it forwards while the bridge is up.
      const brif = (a: string) => (management ? Promise.resolve(undefined) : files.attr(sys(bridge.link.ifname, 'brif', dev, a)));
      const [state, priority, cost] = await Promise.all([brif('state'), brif('priority'), brif('path_cost')]);
      const portState = management ? (flags.has('UP') ? 3 : 0) : Number(state);
      if (PORT_STATES[portState] !== undefined) values.PortState = PORT_STATES[portState];
      // Left out for the management port: the bridge's own device is no STP port.
      const stpPriority = uint(priority, (k) => Math.min(240, Math.floor((k * 4) / 16) * 16));
      const pathCost = uint(cost, (c) => Math.min(c, 65535));
      if (stpPriority !== undefined) values.Priority = stpPriority;
      if (pathCost !== undefined) values.PathCost = pathCost;
      // A value undefined (PVID of a port without one) is left out of a Get, not read as its default.
      return { ...values, ...(await vlans.portValues(dev, await filters(bridge.link.ifname))) } as Record<string, Value>;
    },
    set: async (keys, changes) => {
      const { bridge, dev, management } = await portOf(keys);
      const path = portPath(keys);
      if (changes.ManagementPort !== undefined && changes.ManagementPort !== management) {
        const role = { bridge: bridge.link.ifname, dev, management, members: bridge.members.map((m) => m.ifname), filtering: await filters(bridge.link.ifname) };
        return roles.change(role, changes, path, deviceOf, (m) => portPath([keys[0]!, portsOf(role.bridge).numberOf(m)]).slice(0, -1));
      }
      const { LowerLayers, ManagementPort: _same, Priority, PathCost, PVID, AcceptableFrameTypes, ...rest } = changes;
      if (PVID !== undefined || AcceptableFrameTypes !== undefined) await vlans.setPort(bridge.link.ifname, dev, await filters(bridge.link.ifname), { PVID, AcceptableFrameTypes }, path);
      if (Priority !== undefined || PathCost !== undefined) {
        if (management) throw new UspError(ErrorCode.RequestDenied, `${path}: the management port is the bridge's own device, no STP port: it has no Priority or PathCost`, { path });
        ctx.ip.requireManaged(dev, path);
        const stp = [...(Priority === undefined ? [] : ['priority', String(Number(Priority) / 4)]), ...(PathCost === undefined ? [] : ['cost', String(PathCost)])];
        await ctx.ip.run(['link', 'set', 'dev', dev, 'type', 'bridge_slave', ...stp], path);
      }
      if (LowerLayers !== undefined && !management) {
        const to = await deviceOf(LowerLayers, path);
        if (to !== dev) {
          ctx.ip.requireManaged(dev, path);
          ctx.ip.requireManaged(to, path);
          await ctx.ip.run(['link', 'set', 'dev', to, 'master', bridge.link.ifname], path);
          await ctx.ip.run(['link', 'set', 'dev', dev, 'nomaster'], path);
          // The row keeps its instance number on its new device.
          portsOf(bridge.link.ifname).rekey([[dev, to]]);
        }
      } else if (LowerLayers !== undefined) {
        throw new UspError(ErrorCode.RequestDenied, `${path}LowerLayers of the management port lists the other ports: Add or Delete those instead`, { path });
      }
      const args = linkArgs(rest, path, '');
      if (args.length === 0) return;
      const target = LowerLayers !== undefined && !management ? await deviceOf(LowerLayers, path) : dev;
      ctx.ip.requireManaged(target, path);
      await ctx.ip.run(['link', 'set', 'dev', target, ...args], path);
    },
    add: async (parentKeys, params) => {
      const bridge = await bridgeOf(parentKeys);
      const path = portPath(parentKeys);
      if (params.ManagementPort === true) return roles.add(bridge.link.ifname, params, path);
      if (params.LowerLayers === undefined || params.LowerLayers === '') {
        throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${path}: give LowerLayers (the Ethernet.Interface to attach) in the Add`, { path });
      }
      const dev = await deviceOf(params.LowerLayers, path);
      ctx.ip.requireManaged(bridge.link.ifname, path);
      ctx.ip.requireManaged(dev, path);
      await ctx.ip.run(['link', 'set', 'dev', dev, 'master', bridge.link.ifname, ...(params.Enable === true ? ['up'] : [])], path);
      return portsOf(bridge.link.ifname).numberOf(dev);
    },
    delete: async (keys) => {
      const { dev, management } = await portOf(keys);
      const path = portPath(keys);
      if (management) throw new UspError(ErrorCode.RequestDenied, `${path}: the management port goes with its bridge; Delete the Bridge instead`, { path });
      ctx.ip.requireManaged(dev, path);
      await ctx.ip.run(['link', 'set', 'dev', dev, 'nomaster'], path);
    },
    snapshot: (keys) => {
      const before = portOf(keys).then(({ bridge, dev }) => ({ bridge: bridge.link.ifname, dev }));
      before.catch(() => undefined);
      return before;
    },
    restore: async (_keys, snap) => {
      const { bridge, dev } = await (snap as Promise<{ bridge: string; dev: string }>);
      await ctx.ip.run(['link', 'set', 'dev', dev, 'master', bridge]);
    },
  });

  // The port's own device counts its traffic: a member's, or the bridge device's for the management port.
  registerDeviceStats(ctx, 'Device.Bridging.Bridge.{i}.Port.{i}.Stats.', (keys) => portsOf(bridgeNumbers.requireKey(keys[0])).requireKey(keys[1]));
  registerBridgeStp(ctx, async (keys) => {
    const { link } = await bridgeOf(keys);
    return link.ifname;
  });
  vlans.register();
  const names: BridgePortNames = {
    port: async (ref) => {
      const m = PORT_REF.exec(ref);
      const name = m ? bridgeNumbers.keyOf(Number(m[1])) : undefined;
      const b = name === undefined ? undefined : (await bridges()).get(name);
      const dev = b ? portsOf(b.link.ifname).keyOf(Number(m![2])) : undefined;
      if (!b || dev === undefined || (dev === b.link.ifname && !roles.shown(dev))) return undefined;
      const link = dev === b.link.ifname ? b.link : b.members.find((l) => l.ifname === dev);
      return link ? { bridge: b.link.ifname, dev, management: link === b.link, up: (link.flags ?? []).includes('UP') } : undefined;
    },
    bridge: async (ref) => {
      const m = BRIDGE_REF.exec(ref);
      const name = m ? bridgeNumbers.keyOf(Number(m[1])) : undefined;
      return name !== undefined && (await bridges()).has(name) ? name : undefined;
    },
    portPath: async (bridge, dev) => {
      const b = (await bridges()).get(bridge);
      if (!b || (dev === bridge ? !roles.shown(bridge) : !b.members.some((l) => l.ifname === dev))) return undefined;
      return `Device.Bridging.Bridge.${bridgeNumbers.numberOf(bridge)}.Port.${portsOf(bridge).numberOf(dev)}`;
    },
    bridgePath: async (bridge) => ((await bridges()).has(bridge) ? `Device.Bridging.Bridge.${bridgeNumbers.numberOf(bridge)}` : undefined),
  };
  return {
    names,
    limits,
    stateLoaded: async () => {
      // A bridge's VLAN filtering first (the Standard a Controller set), then its memberships.
      if (store) await restoreFiltering(ctx, store, (bridge) => files.attr(sys(bridge, 'bridge', 'vlan_filtering')));
      await vlans.stateLoaded();
    },
  };
}

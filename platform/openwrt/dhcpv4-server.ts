/**
 * Device.DHCPv4.Server. on OpenWrt (TR-181 DHCPv4Server) from dnsmasq's UCI configuration:
 * each `config dhcp` section of the `dhcp` config is a Pool.{i}, keyed by section name.
 *
 * | TR-181 (Pool.{i}.)  | UCI option of the `dhcp` section, as dnsmasq.init applies it |
 * |---------------------|----------------------------------------------------------------|
 * | Enable              | `ignore` ('1': no DHCP on that interface)                       |
 * | Interface           | `interface` (a netifd interface → its IP.Interface)             |
 * | MinAddress          | the interface's network address + `start` (default 100)        |
 * | MaxAddress          | MinAddress + `limit` − 1 (default 150), at most broadcast − 1  |
 * | SubnetMask          | `netmask`, else the interface's own; the range follows it (dhcpv4-pool-netmask.ts) |
 * | DNSServers          | `dhcp_option` '6,…', else the interface address (dnsmasq offers itself; none while DNS is off, `port` 0) |
 * | IPRouters           | `dhcp_option` '3,…', else the interface address                 |
 * | DomainName          | `dhcp_option` '15,…', else the dnsmasq section's `domain`       |
 * | LeaseTime           | `leasetime` ("12h", seconds, "infinite" = −1)                   |
 *
 * | Order               | the section's place among the `dhcp` sections (dhcpv4-pool-order.ts) |
 * | ReservedAddresses   | `host` sections with `ip` and a `name` but no `mac` (dhcpv4-pool-order.ts) |
 * | VendorClassID, ClientID, UserClassID, Chaddr, ChaddrMask (+ Mode, Exclude) | `match`/`vendorclass`/`mac` sections and the pool's `list tag` (dhcpv4-pool-criteria.ts) |
 *
 * Writable: Enable, Interface, MinAddress, MaxAddress, LeaseTime, Order, ReservedAddresses (and
 * Alias, kept by the agent); DNSServers, IPRouters and DomainName as options 6, 3 and 15 of the
 * `dhcp_option` list (dhcpv4-pool-sent-options.ts); the other options dnsmasq sends are the
 * Option.{i} table (dhcpv4-pool-options.ts). SubnetMask writes `netmask` with start/limit
 * recomputed, so MinAddress/MaxAddress stay where they are.
 * Server.Enable is made of the pools' `ignore` and two options of the agent's own that keep each
 * pool's Enable while the server is off (dhcpv4-server-enable.ts); dnsmasq keeps serving DNS.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { POOL_CRITERIA_PARAMS } from '../dhcpv4-pool-criteria.js';
import { canonicalizeReferences } from '../reference.js';
import { noSuchInstance, prefixToMask, refused } from './convert.js';
import { ipv4ToNumber, leaseSeconds, numberToIpv4 } from '../dnsmasq-leases.js';
import { criteriaSections, planCriteria, readCriteria } from './dhcpv4-pool-criteria.js';
import { planReserved, poolOrder, reorderPosition, reservedAddresses, reservedHosts, reservedName, type ReservedPlan } from './dhcpv4-pool-order.js';
import type { DhcpState, Network } from './DhcpState.js';
import type { IPInterfaces } from './ip.js';
import { MAX_POOL_PREFIX, MIN_POOL_PREFIX, maskPrefix, poolNetwork, withPrefix } from './dhcpv4-pool-netmask.js';
import { SENT_OPTION_PARAMS, sentOption, sentOptionWriters } from './dhcpv4-pool-sent-options.js';
import { poolEnableChanges, poolEnabled, serverDisabled, serverEnableChanges } from './dhcpv4-server-enable.js';
import { planWrite, type ParamWriter, type UciChange } from './uci.js';
import { listOption, stringOption, type UciConfig, type UciSection } from './uci-show.js';

export const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const POOL_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'Order',
  'Interface',
  'MinAddress',
  'MaxAddress',
  'SubnetMask',
  'DNSServers',
  'DomainName',
  'IPRouters',
  'LeaseTime',
  'ReservedAddresses',
  ...POOL_CRITERIA_PARAMS,
];
/** What a Set of a pool changes (its planWrite writers, and the criteria of dhcpv4-pool-criteria.ts). */
const POOL_WRITABLE = ['Enable', 'Alias', 'Order', 'Interface', 'MinAddress', 'MaxAddress', 'SubnetMask', 'LeaseTime', 'ReservedAddresses', ...SENT_OPTION_PARAMS, ...POOL_CRITERIA_PARAMS];
const SERVER_WRITABLE = ['Enable'] as const;

/** A pool as read: its section, the interface network it serves, and its address range. */
export interface PoolView {
  section: UciSection;
  net?: Network;
  min?: number;
  max?: number;
}

/** dnsmasq.init's range: network + start .. + limit − 1, clipped to the last host address. */
export function poolRange(s: UciSection, net: Network): [number, number] {
  const start = Number(stringOption(s.options.start) ?? 100);
  const limit = Number(stringOption(s.options.limit) ?? 150);
  const min = Math.min(net.base + (Number.isFinite(start) ? start : 100), net.broadcast - 1) >>> 0;
  const max = Math.min(min + Math.max(1, Number.isFinite(limit) ? limit : 150) - 1, net.broadcast - 1) >>> 0;
  return [min, max];
}

/** The pools of the config with their networks, numbered in file order. */
export async function readPools(state: DhcpState): Promise<{ config: UciConfig; pools: Map<string, PoolView>; networks: Map<string, Network> }> {
  const config = await state.config();
  const networks = await state.networks();
  const pools = new Map<string, PoolView>();
  for (const s of config.filter((c) => c.type === 'dhcp')) {
    const net = poolNetwork(s, networks.get(stringOption(s.options.interface) ?? ''));
    const [min, max] = net ? poolRange(s, net) : [undefined, undefined];
    pools.set(s.name, { section: s, net, min, max });
  }
  state.pools.list(pools.keys());
  return { config, pools, networks };
}

/** Whether `ip` is a host address of the pool's network (a static address or lease belongs to it). */
export function inPool(view: PoolView, ip: string | undefined): boolean {
  const n = ipv4ToNumber(ip ?? '');
  return n !== undefined && view.net !== undefined && n > view.net.base && n < view.net.broadcast;
}

/** The first value of `dhcp_option` entry `tag` ("6,a,b" → "a,b"). */
function dhcpOption(s: UciSection, tag: number): string | undefined {
  return sentOption(listOption(s.options.dhcp_option), tag);
}

/** `changes` without the criteria parameters, which dhcpv4-pool-criteria.ts plans. */
function withoutCriteria(changes: Readonly<Record<string, Value>>): Record<string, Value> {
  return Object.fromEntries(Object.entries(changes).filter(([k]) => !POOL_CRITERIA_PARAMS.includes(k)));
}

/** Serves Device.DHCPv4.Server. and Device.DHCPv4.Server.Pool.{i}. (add, delete, set). */
export function registerDHCPv4Server(state: DhcpState, ip: IPInterfaces): void {
  const { model } = state.ctx;

  const pool = async (n: number | undefined): Promise<{ view: PoolView; config: UciConfig; networks: Map<string, Network> }> => {
    const { config, pools, networks } = await readPools(state);
    const view = pools.get(state.pools.keyOf(n) ?? '');
    if (!view) throw noSuchInstance('DHCPv4 pool', n);
    return { view, config, networks };
  };

  const values = async (view: PoolView, config: UciConfig): Promise<Record<string, Value>> => {
    const s = view.section;
    const serverOff = serverDisabled(config);
    const enabled = poolEnabled(s, serverOff);
    const dnsmasq = config.find((c) => c.type === 'dnsmasq');
    const own = view.net ? numberToIpv4(view.net.address) : '';
    const dnsOff = stringOption(dnsmasq?.options.port) === '0';
    return {
      Enable: enabled,
      Status: !enabled || serverOff ? 'Disabled' : view.net ? 'Enabled' : 'Error_Misconfigured',
      Alias: state.aliases.get(s.name) ?? `cpe-${s.name}`,
      Order: poolOrder(config, s.name),
      Interface: await ip.pathOf(stringOption(s.options.interface)),
      MinAddress: view.min === undefined ? '' : numberToIpv4(view.min),
      MaxAddress: view.max === undefined ? '' : numberToIpv4(view.max),
      SubnetMask: view.net ? prefixToMask(view.net.prefix) : (stringOption(s.options.netmask) ?? ''),
      DNSServers: dhcpOption(s, 6) ?? (dnsOff ? '' : own),
      DomainName: dhcpOption(s, 15) ?? stringOption(dnsmasq?.options.domain) ?? '',
      IPRouters: dhcpOption(s, 3) ?? own,
      LeaseTime: leaseSeconds(stringOption(s.options.leasetime)) ?? 43200,
      ReservedAddresses: reservedAddresses(config, view),
      ...readCriteria(config, s),
    };
  };

  /** The UCI changes for `changes` to section `name`; the range is relative to the (new) interface's network. */
  const plan = async (
    name: string,
    current: Record<string, Value>,
    changes: Record<string, Value>,
    networks: Map<string, Network>,
    currentNet: Network | undefined,
    items: readonly string[],
    section: UciSection,
    serverOff: boolean,
    more: Record<string, ParamWriter> = {},
  ): Promise<UciChange[]> => {
    canonicalizeReferences(changes, ['Interface']);
    const opt = (option: string, value: string): UciChange => ({ section: name, option, value });
    const ifname = changes.Interface === undefined ? undefined : await ip.nameOf(String(changes.Interface));
    // A new SubnetMask moves the network the range is counted from (dnsmasq.init's ipcalc.sh).
    const maskChanged = changes.SubnetMask !== undefined && changes.SubnetMask !== current.SubnetMask;
    const prefix = maskChanged ? maskPrefix(String(changes.SubnetMask)) : undefined;
    const range = (): UciChange[] | string => {
      const reference = String(changes.Interface ?? current.Interface);
      const chosen = changes.Interface !== undefined && changes.Interface !== current.Interface ? networks.get(ifname ?? '') : currentNet;
      const net = chosen && prefix !== undefined ? withPrefix(chosen, prefix) : chosen;
      if (!net) return `${reference || 'the pool'} has no IPv4 network to serve`;
      const min = ipv4ToNumber(String(changes.MinAddress ?? current.MinAddress));
      const max = ipv4ToNumber(String(changes.MaxAddress ?? current.MaxAddress));
      if (min === undefined || max === undefined) return 'MinAddress and MaxAddress must be IPv4 addresses';
      if (min <= net.base || max >= net.broadcast || min > max) return `the range must lie inside ${numberToIpv4(net.base)}/${net.prefix} with MinAddress <= MaxAddress`;
      return [opt('start', String(min - net.base)), opt('limit', String(max - min + 1))];
    };
    let rangeDone = false;
    const writeRange = (): UciChange[] | string => {
      if (rangeDone) return [];
      rangeDone = true;
      return range();
    };
    const writers: Record<string, ParamWriter> = {
      Enable: (v) => poolEnableChanges({ ...section, name }, v === true, serverOff),
      Alias: () => [],
      Interface: (v) => (v === current.Interface ? [] : ifname ? [opt('interface', ifname)] : `${String(v)} is no netifd interface`),
      MinAddress: () => writeRange(),
      MaxAddress: () => writeRange(),
      SubnetMask: (v) => {
        if (!maskChanged) return [];
        if (prefix === undefined || prefix < MIN_POOL_PREFIX || prefix > MAX_POOL_PREFIX) return `${String(v)} is no subnet mask from 255.0.0.0 to 255.255.255.252`;
        const r = writeRange();
        return typeof r === 'string' ? r : [opt('netmask', String(v)), ...r];
      },
      LeaseTime: (v) => (Number(v) === -1 ? [opt('leasetime', 'infinite')] : Number(v) >= 120 ? [opt('leasetime', String(v))] : 'dnsmasq takes lease times of 120 s and more, or -1 (infinite)'),
    };
    // A new Interface with no new range keeps start/limit: the range moves with the network.
    return planWrite(current, changes, { ...writers, ...sentOptionWriters(name, items), ...more });
  };

  model.register('Device.DHCPv4.Server.', {
    params: ['Enable'],
    writable: SERVER_WRITABLE,
    get: async () => {
      const { config } = await readPools(state);
      return { Enable: !serverDisabled(config) };
    },
    set: async (_keys, changes) => {
      const { config } = await readPools(state);
      const planned = planWrite({ Enable: !serverDisabled(config) }, changes, { Enable: (v) => serverEnableChanges(config, v) });
      if (planned.length > 0)
        await state.write(async (stage) => {
          for (const c of planned) await stage.set(c);
        });
    },
  });

  model.register(POOL, {
    params: POOL_PARAMS,
    writable: POOL_WRITABLE,
    list: async () => [...state.pools.list((await readPools(state)).pools.keys())],
    get: async ([n]) => {
      const { view, config } = await pool(n);
      return values(view, config);
    },
    set: async ([n], changes) => {
      const { view, config, networks } = await pool(n);
      const current = await values(view, config);
      const name = view.section.name;
      let reserved: ReservedPlan | undefined;
      let position: number | undefined;
      const criteria = planCriteria(config, view.section, changes);
      const planned = await plan(name, current, withoutCriteria(changes), networks, view.net, listOption(view.section.options.dhcp_option), view.section, serverDisabled(config), {
        Order: (v) => {
          position = reorderPosition(config, name, Number(v));
          return [];
        },
        ReservedAddresses: (v) => {
          // Checked against the range this Set leaves the pool with.
          const min = ipv4ToNumber(String(changes.MinAddress ?? current.MinAddress));
          const max = ipv4ToNumber(String(changes.MaxAddress ?? current.MaxAddress));
          const r = planReserved(config, view, String(v), min !== undefined && max !== undefined ? [min, max] : undefined);
          if (typeof r === 'string') return r;
          reserved = r;
          return [];
        },
      });
      const adds = reserved?.add ?? [];
      const removes = reserved?.remove ?? [];
      if (planned.length + adds.length + removes.length > 0 || position !== undefined || criteria)
        await state.write(async (stage) => {
          for (const c of planned) await stage.set(c);
          await criteria?.(stage, name);
          for (const h of removes) await stage.remove(h.name);
          for (const ip of adds) {
            const host = await stage.add('host');
            await stage.set({ section: host, option: 'name', value: reservedName(ip) });
            await stage.set({ section: host, option: 'ip', value: ip });
          }
          if (position !== undefined) await stage.reorder(name, position);
        });
      if (typeof changes.Alias === 'string') state.aliases.set(state.pools.keyOf(n) ?? view.section.name, changes.Alias);
    },
    add: async (_parent, params) => {
      const { networks, pools, config } = await readPools(state);
      const criteria = planCriteria(config, undefined, params);
      const p = withoutCriteria(params);
      canonicalizeReferences(p, ['Interface']);
      const ifname = typeof p.Interface === 'string' && p.Interface !== '' ? await ip.nameOf(p.Interface) : undefined;
      if (typeof p.Interface === 'string' && p.Interface !== '' && !ifname) throw refused([{ param: 'Interface', message: `${p.Interface} is no netifd interface` }]);
      const net = ifname ? networks.get(ifname) : undefined;
      // TR-181 defaults (Enable false) over dnsmasq.init's (start 100, limit 150, 12h).
      const [min, max] = net ? poolRange({ name: '', type: 'dhcp', options: {} }, net) : [];
      const current: Record<string, Value> = {
        Enable: false,
        Alias: '',
        Interface: p.Interface ?? '',
        ...(min !== undefined && max !== undefined ? { MinAddress: numberToIpv4(min), MaxAddress: numberToIpv4(max) } : {}),
        LeaseTime: 43200,
        // A new section comes last; Order and ReservedAddresses are Set once the pool exists.
        Order: pools.size + 1,
        ReservedAddresses: '',
      };
      // Every option is written: the new section starts empty.
      // (A section without `ignore` serves: Enable false must write it.)
      const planned = await plan(
        '',
        { ...current, Enable: true, Interface: '' },
        { ...current, ...p, Enable: p.Enable ?? false },
        networks,
        net,
        [],
        { name: '', type: 'dhcp', options: {} },
        serverDisabled(config),
      );
      const [name] = await state.write(async (stage) => {
        const created = await stage.add('dhcp');
        for (const c of planned) if (!c.remove) await stage.set({ ...c, section: created });
        await criteria?.(stage, created);
      });
      if (typeof p.Alias === 'string' && p.Alias !== '') state.aliases.set(name, p.Alias);
      return state.pools.numberOf(name);
    },
    // The pool's StaticAddress rows go with it (TR-181 deletes sub-objects): its host sections too.
    delete: async ([n]) => {
      const { view, config } = await pool(n);
      // A second pool on the interface (conditional serving) shares its host sections: they stay for the other.
      const iface = stringOption(view.section.options.interface);
      const shared = config.some((c) => c.type === 'dhcp' && c.name !== view.section.name && stringOption(c.options.interface) === iface);
      const hosts = shared ? [] : [...config.filter((c) => c.type === 'host' && stringOption(c.options.mac) !== undefined && inPool(view, stringOption(c.options.ip))), ...reservedHosts(config, view)];
      const classes = criteriaSections(config, view.section);
      await state.write(async (stage) => {
        await stage.remove(view.section.name);
        for (const h of [...hosts, ...classes]) await stage.remove(h.name);
      });
      for (const name of [view.section.name, ...hosts.map((h) => h.name)]) state.aliases.delete(name);
    },
  });
}

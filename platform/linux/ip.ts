/**
 * Device.IP. of a Linux host (TR-181 IPInterface:2, IPv4Address:1, IPv6Address:1) from one
 * `ip -j addr` call, reused for cacheMs so a whole-tree Get runs it once. Interfaces are
 * numbered by name, addresses by address within their interface; numbers stay while the agent
 * runs.
 *
 * LowerLayers names the Ethernet.Link of the interface's device (from the shared device scan,
 * no read of its own); loopback, tunnels, bridges, VLANs and Wi-Fi have no Link row here, so
 * theirs is empty rather than wrong. It is served only with the Ethernet objects.
 *
 * Enable and MaxMTUSize of an interface, and its addresses (Add, Delete, IPAddress, SubnetMask),
 * are written back with `ip` on the interfaces the agent manages (ip-address-write.ts).
 *
 * IPv4Enable/IPv6Enable and Device.IP.'s stack switches: ip-stack.ts; with the agent's store, the
 * IPv4 switches (ip-ipv4-switch.ts), whose kept-aside addresses stay IPv4Address rows (Status
 * Disabled) and refuse a Set or Add while the interface's IPv4 is off (7012). Stats: the netdev's counters.
 * LastChange: the `ip monitor link` watcher (link-changes.ts) the platform starts for every table it serves. Add and
 * Delete (a macvlan on a managed Ethernet.Link) and Reset(): ip-interface-table.ts; such a row's
 * LowerLayers reads the Link of the macvlan's lower device and a Set of it moves the macvlan there
 * (ip-interface-restack.ts).
 *
 * With the agent's store: Device.IP.ULAPrefix and IP.Interface.ULAEnable, the ULAs the agent
 * gives interfaces itself (ip-ula.ts). IPv6Prefix.{i}: the prefixes of the addresses
 * (ip-ipv6-prefix.ts). Not served: IPv6Address.Prefix.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { sourceError } from '../exec/CommandError.js';
import type { EthernetLinks } from './EthernetDevices.js';
import { FOREVER, type IpAddrInfo, type IpLink, parseIpAddr, prefixToMask } from './ip-addr.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ParkedAddresses } from './ip-address-parked.js';
import { addressWrite, interfaceWrite, type AddressTables } from './ip-address-write.js';
import type { LinuxContext } from './LinuxContext.js';
import { dateTime, INFINITE_TIME, interfaceStatus } from './net-status.js';
import { interfaceStackValues, ipv6Enabled, registerIpStack, setInterface, writeIpv6Enable } from './ip-stack.js';
import { restackLowerLayers, type RouteEntry } from './ip-interface-restack.js';
import { registerDeviceStats } from './net-stats.js';
import { linkStatuses, type LinkChanges } from './link-changes.js';
import { ADDED_NAME_RE, interfaceTable } from './ip-interface-table.js';
import { registerIpv6Prefixes } from './ip-ipv6-prefix.js';
import type { LinuxUla } from './ip-ula.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { LinuxIpv4Switches } from './ip-ipv4-switch.js';
import { withExtraParams, type ExtraParams } from '../../datamodel/tree/extra-params.js';
import type { ObjectBinding } from '../../datamodel/tree/binding.js';

interface Snapshot {
  /** When `ip` ran: address lifetimes count from here. */
  at: number;
  links: Map<string, IpLink>;
}

/** `ip` link types that are tunnels (TR-181 Type "Tunnel"). */
const TUNNEL_TYPES = new Set(['none', 'ipip', 'sit', 'gre', 'gre6', 'ip6gre', 'tunnel6', 'ip6tnl', 'vti', 'vti6', 'ipip6', 'wireguard']);

/** The iproute2 call every IP object reads. */
export const IP_ADDR_ARGS = ['-j', 'addr', 'show'] as const;

/**
 * What a Set changes: an Interface's Enable, MTU and IPv6/ULA switches, IPv4Enable with the
 * agent's store (ip-ipv4-switch.ts; LowerLayers and Loopback are the netdev's); an address's
 * IPAddress (and IPv4 SubnetMask); an IPv4 address's Enable (false: out of the kernel, the row
 * kept by the agent). An IPv6 address exists only while enabled (Delete the row instead) and the
 * kernel keeps its lifetimes.
 */
const INTERFACE_WRITABLE = ['Enable', 'IPv6Enable', 'ULAEnable', 'MaxMTUSize'] as const;
const IPV4_ADDRESS_WRITABLE = ['Enable', 'IPAddress', 'SubnetMask'] as const;
const IPV6_ADDRESS_WRITABLE = ['IPAddress'] as const;

/**
 * Serves Device.IP. (capabilities), IP.Interface.{i}., and its IPv4Address and IPv6Address
 * tables; with `ethernet` (the Linux Ethernet objects are served), IP.Interface.LowerLayers too.
 * Returns IP.Interface's instance numbers by device name, for the references other objects make,
 * and the links of the shared `ip -j addr` snapshot (the Bridging objects read their ports there).
 * With `store`, the IPv4 switches too (returned: the DHCPv4 clients follow them). `router`:
 * IP.Interface.Router, served beside (router-objects.ts), given the interfaces' numbers.
 */
export function registerIP(
  ctx: LinuxContext,
  changes: LinkChanges,
  ethernet?: EthernetLinks,
  ula?: LinuxUla,
  store?: DataStore,
  router?: (interfaces: InstanceMap) => ExtraParams,
): { interfaces: InstanceMap; links: () => Promise<ReadonlyMap<string, IpLink>>; ipv4?: LinuxIpv4Switches } {
  const { model } = ctx;
  const source = {
    get: async (): Promise<Snapshot> => {
      try {
        return await ctx.runner.cached('ip', IP_ADDR_ARGS, ctx.cacheMs, (out) => {
          const links = parseIpAddr(out);
          return { at: ctx.now(), links: new Map(links.map((l) => [l.ifname, l])) };
        });
      } catch (e) {
        throw sourceError(e);
      }
    },
  };

  const ifNumbers = new InstanceMap();
  const parked = new ParkedAddresses();
  const routesOf = (name: string, family: '-4' | '-6'): Promise<RouteEntry[]> => ctx.runner.json<RouteEntry[]>('ip', ['-j', family, 'route', 'show', 'table', 'all', 'dev', name], 0);
  const ipv4 = store ? new LinuxIpv4Switches({ ctx, store, links: async () => (await source.get()).links, routes: (name) => routesOf(name, '-4') }) : undefined;
  const v4Numbers = new Map<string, InstanceMap>();
  const v6Numbers = new Map<string, InstanceMap>();
  const numbersOf = (m: Map<string, InstanceMap>, ifname: string): InstanceMap => {
    let n = m.get(ifname);
    if (!n) m.set(ifname, (n = new InstanceMap()));
    return n;
  };
  const linkOf = async (keys: InstanceKeys): Promise<{ snap: Snapshot; link: IpLink }> => {
    const name = ifNumbers.requireKey(keys[0]);
    const snap = await source.get();
    const link = snap.links.get(name);
    if (!link) throw new UspError(ErrorCode.ObjectDoesNotExist, `network interface ${name} no longer exists`);
    return { snap, link };
  };
  const addressOf = async (keys: InstanceKeys, family: 'inet' | 'inet6', m: Map<string, InstanceMap>) => {
    const { snap, link } = await linkOf(keys);
    const local = numbersOf(m, link.ifname).requireKey(keys[1]);
    const addr = link.addr_info?.find((a) => a.family === family && a.local === local);
    if (addr) return { snap, link, addr, enabled: true, held: false };
    // An IPv4 row a controller switched off: kept by the agent, not in the kernel.
    const parkedPrefix = family === 'inet' ? parked.prefixOf(link.ifname, local) : undefined;
    if (parkedPrefix !== undefined) return { snap, link, addr: { family, local, prefixlen: parkedPrefix }, enabled: false, held: false };
    // An address the interface's IPv4 switch keeps aside: its row is still on, IPv4 is not.
    const heldPrefix = family === 'inet' ? ipv4?.heldPrefix(link.ifname, local) : undefined;
    if (heldPrefix !== undefined) return { snap, link, addr: { family, local, prefixlen: heldPrefix }, enabled: true, held: true };
    throw new UspError(ErrorCode.ObjectDoesNotExist, `${local} is no longer an address of ${link.ifname}`);
  };
  const listAddresses = async (parentKeys: InstanceKeys, family: 'inet' | 'inet6', m: Map<string, InstanceMap>) => {
    const { link } = await linkOf(parentKeys);
    const locals = (link.addr_info ?? []).filter((a) => a.family === family).map((a) => a.local);
    if (family === 'inet') locals.push(...[...parked.locals(link.ifname), ...(ipv4?.heldLocals(link.ifname) ?? [])].filter((l) => !locals.includes(l)));
    return numbersOf(m, link.ifname).list(locals);
  };

  const tables: AddressTables = {
    ip: ctx.ip,
    parked,
    ifname: (keys) => ifNumbers.requireKey(keys[0]),
    address: (keys, family) => addressOf(keys, family, family === 'inet' ? v4Numbers : v6Numbers),
    numbers: (ifname, family) => numbersOf(family === 'inet' ? v4Numbers : v6Numbers, ifname),
    ipv4,
  };

  registerIpStack(ctx, ula, ipv4);
  const restack = {
    model,
    ip: ctx.ip,
    ipv6Enabled: (name: string) => ipv6Enabled(ctx, name),
    setIpv6Enabled: (name: string, on: boolean) => writeIpv6Enable(ctx, name, on, ''),
    links: async () => (await source.get()).links,
    routes: routesOf,
  };
  const linkSet = interfaceWrite(tables).set!;

  const interfaceBinding: ObjectBinding = {
    params: ['Enable', 'Status', 'Name', 'LastChange', ...(ethernet ? ['LowerLayers'] : []), 'IPv4Enable', 'IPv6Enable', ...(ula ? ['ULAEnable'] : []), 'MaxMTUSize', 'Type', 'Loopback'],
    writable: [...INTERFACE_WRITABLE, ...(ethernet ? ['LowerLayers'] : []), ...(ipv4 ? ['IPv4Enable'] : [])],
    list: async () => ifNumbers.list([...(await source.get()).links.values()].sort((a, b) => a.ifindex - b.ifindex).map((l) => l.ifname)),
    get: async (keys) => {
      const { snap, link } = await linkOf(keys);
      const flags = new Set(link.flags ?? []);
      const status = statusOf(link);
      changes.observe(() => [...snap.links.values()].map((l) => ({ ifname: l.ifname, status: linkStatuses(l.operstate, (l.flags ?? []).includes('UP'), (l.flags ?? []).includes('LOWER_UP')) })));
      const values: Record<string, Value> = {
        Enable: flags.has('UP'),
        Status: status,
        Name: link.ifname,
        LastChange: changes.lastChange(link.ifname, status),
        Type: link.link_type === 'loopback' ? 'Loopback' : TUNNEL_TYPES.has(link.link_type ?? '') ? 'Tunnel' : 'Normal',
        Loopback: flags.has('LOOPBACK'),
        ...(await interfaceStackValues(ctx, link.ifname, ipv4)),
      };
      // A row an Add made (a macvlan): the Link it was stacked on, as the Add or a Set gave it.
      if (ethernet) values.LowerLayers = await ethernet.linkPath(ADDED_NAME_RE.test(link.ifname) && link.link ? link.link : link.ifname);
      if (ula) values.ULAEnable = ula.enabled(link.ifname);
      // The schema range is 64..65535; loopback's 65536 does not fit.
      if (typeof link.mtu === 'number') values.MaxMTUSize = Math.max(64, Math.min(65535, link.mtu));
      return values;
    },
    set: async (keys, changes, rctx) => {
      const name = ifNumbers.requireKey(keys[0]);
      const path = `Device.IP.Interface.${keys[0]}.`;
      ctx.ip.requireManaged(name, path);
      const { ULAEnable, LowerLayers, ...others } = changes;
      // First: the other changes then apply to the device on its new lower layer.
      if (LowerLayers !== undefined) {
        // What the device carries now, not a snapshot up to cacheMs old: it is made again from it.
        ctx.runner.invalidate('ip ');
        await restackLowerLayers(restack, (await linkOf(keys)).link, LowerLayers, path);
      }
      await setInterface(ctx, name, others, path, (rest) => Promise.resolve(linkSet(keys, rest, rctx)), ipv4);
      if (ula && ULAEnable !== undefined) await ula.setEnable(name, keys[0]!, ULAEnable === true, path);
    },
    ...interfaceTable({ model, ip: ctx.ip, numbers: ifNumbers, links: async () => (await source.get()).links }),
  };
  model.register('Device.IP.Interface.{i}.', router ? withExtraParams(interfaceBinding, router(ifNumbers)) : interfaceBinding);
  // The netdev's own counters (net-stats.ts): Linux counts no unicast/broadcast packets, so those are not served.
  registerDeviceStats(ctx, 'Device.IP.Interface.{i}.Stats.', (keys) => ifNumbers.requireKey(keys[0]));

  model.register('Device.IP.Interface.{i}.IPv4Address.{i}.', {
    params: ['Enable', 'Status', 'IPAddress', 'SubnetMask', 'AddressingType'],
    writable: IPV4_ADDRESS_WRITABLE,
    list: (parentKeys) => listAddresses(parentKeys, 'inet', v4Numbers),
    get: async (keys) => {
      const { link, addr, enabled, held } = await addressOf(keys, 'inet', v4Numbers);
      return {
        Enable: enabled,
        Status: enabled && !held ? 'Enabled' : 'Disabled',
        IPAddress: addr.local,
        SubnetMask: prefixToMask(addr.prefixlen),
        // Only a controller parks an address, and only one it could have added; the IPv4 switch keeps only permanent ones: Static.
        AddressingType: enabled && !held ? ipv4Addressing(link, addr) : 'Static',
      };
    },
    ...addressWrite(tables, 'inet'),
  });

  model.register('Device.IP.Interface.{i}.IPv6Address.{i}.', {
    params: ['Enable', 'Status', 'IPAddressStatus', 'IPAddress', 'Origin', 'PreferredLifetime', 'ValidLifetime'],
    writable: IPV6_ADDRESS_WRITABLE,
    list: (parentKeys) => listAddresses(parentKeys, 'inet6', v6Numbers),
    get: async (keys) => {
      const { snap, addr } = await addressOf(keys, 'inet6', v6Numbers);
      return {
        Enable: true,
        Status: 'Enabled',
        IPAddressStatus: ipv6AddressStatus(addr),
        IPAddress: addr.local,
        Origin: ipv6Origin(addr),
        PreferredLifetime: lifetime(snap.at, addr.preferred_life_time),
        ValidLifetime: lifetime(snap.at, addr.valid_life_time),
      };
    },
    ...addressWrite(tables, 'inet6'),
  });
  registerIpv6Prefixes(ctx, linkOf);
  return { interfaces: ifNumbers, links: async () => (await source.get()).links, ipv4 };
}

/** IP.Interface Status of a link (the same reading LinkChanges makes of a monitor event). */
function statusOf(link: IpLink): string {
  const flags = new Set(link.flags ?? []);
  return interfaceStatus(link.operstate, flags.has('UP'), flags.has('LOWER_UP'), true);
}

/**
 * How an IPv4 address was assigned. Linux does not record it; what it does record: a
 * link-local 169.254/16 address is AutoIP, PPP addresses come from IPCP, and an address with
 * lifetimes (not permanent) was put there by a DHCP client.
 */
export function ipv4Addressing(link: IpLink, addr: IpAddrInfo): string {
  if (addr.local.startsWith('169.254.')) return 'AutoIP';
  if (link.link_type === 'ppp') return 'IPCP';
  const finite = addr.valid_life_time !== undefined && addr.valid_life_time < FOREVER;
  return addr.dynamic || finite ? 'DHCP' : 'Static';
}

/** RFC 4862 address state from the kernel's address flags. */
export function ipv6AddressStatus(addr: IpAddrInfo): string {
  if (addr.dadfailed) return 'Duplicate';
  if (addr.tentative) return addr.optimistic ? 'Optimistic' : 'Tentative';
  if (addr.deprecated) return 'Deprecated';
  return 'Preferred';
}

/**
 * TR-181 Origin. The kernel marks SLAAC addresses (protocol kernel_ra, or the temporary /
 * mngtmpaddr privacy flags) and link-local ones; other non-permanent addresses were added by a
 * DHCPv6 client when they are /128 (IA_NA, as odhcp6c, dhclient and networkd install them),
 * otherwise they are taken to be autoconfigured.
 */
export function ipv6Origin(addr: IpAddrInfo): string {
  if (addr.scope === 'host' || addr.local === '::1') return 'WellKnown';
  if (addr.scope === 'link' || addr.protocol === 'kernel_ll' || addr.protocol === 'kernel_ra') return 'AutoConfigured';
  if (addr.temporary || addr.mngtmpaddr) return 'AutoConfigured';
  const finite = addr.valid_life_time !== undefined && addr.valid_life_time < FOREVER;
  if (addr.dynamic || finite) return addr.prefixlen === 128 ? 'DHCPv6' : 'AutoConfigured';
  return 'Static';
}

/** A relative lifetime (s) from `ip` as the absolute dateTime TR-181 wants. */
function lifetime(at: number, seconds: number | undefined): string {
  if (seconds === undefined || seconds >= FOREVER) return INFINITE_TIME;
  return dateTime(at + seconds * 1000);
}

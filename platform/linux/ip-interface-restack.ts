/**
 * A Set of Device.IP.Interface.{i}.LowerLayers on Linux (TR-181 IPInterface:1): only on a row an
 * Add made (ip-interface-table.ts), whose device is a macvlan `ip-uspN` stacked on the device of
 * an Ethernet.Link. The kernel cannot move a macvlan to another lower device, so the new
 * LowerLayers re-stacks it: `ip link del` and `ip link add` with the same name on the new lower
 * device, then what the old device carried is applied again (its MAC address, so a DHCP server
 * and the hosts' neighbour caches still know it; its MTU; its IPv4 addresses and the global
 * IPv6 addresses set on it, not those the kernel learned from DHCP or SLAAC, which come back
 * by themselves; its IPv6 switch; its bridge, when it is a bridge port; up if it was up; then the routes over it that someone added,
 * in every table, not the kernel's own or those learned from RAs and DHCP). Only its ifindex
 * changes. When a step fails the device is made again
 * on the old lower device and the Set fails; a later failure in the same transaction sets the
 * old LowerLayers back through this same path.
 *
 * Refused with 7012, naming why: a host's own interface (its lower layer is its own hardware),
 * a value naming no Ethernet.Link or one the agent does not manage, the interface itself, and
 * while other devices (a VLAN, another macvlan) are stacked on it: deleting it would delete them.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { IpLink } from './ip-addr.js';
import type { IpWriter } from './ip-write.js';

/** Names of the devices an Add creates (ip-interface-table.ts): the only ones whose LowerLayers can change. */
const ADDED_NAME_RE = /^ip-usp\d+$/;

export interface RestackDeps {
  model: DataModel;
  ip: IpWriter;
  /** The IPv6 switch of a device (IP.Interface.IPv6Enable: the disable_ipv6 sysctl), read and written. */
  ipv6Enabled(name: string): Promise<boolean>;
  setIpv6Enabled(name: string, enabled: boolean): Promise<void>;
  /** The routes over a device, of one family (`ip -j -4|-6 route show table all dev NAME`). */
  routes(name: string, family: '-4' | '-6'): Promise<RouteEntry[]>;
  /** The current links by name (the shared `ip -j addr` snapshot). */
  links(): Promise<ReadonlyMap<string, IpLink>>;
}

/** One entry of `ip -j route show`. */
export interface RouteEntry {
  type?: string;
  dst?: string;
  gateway?: string;
  table?: string;
  protocol?: string;
  metric?: number;
  prefsrc?: string;
  pref?: string;
}

/** Routes that come back by themselves once the device has its addresses, or are a client's to renew. */
const SELF_MADE_PROTOCOLS = new Set(['kernel', 'ra', 'dhcp', 'redirect']);

/** What the old device carried, applied again to the new one. */
interface Carried {
  mac?: string;
  mtu?: number;
  up: boolean;
  ipv6: boolean;
  /** The bridge it is a port of. */
  master?: string;
  /** `ip addr add` arguments: [family flag, address/prefix]. */
  addresses: Array<[string, string]>;
  /** `ip route add` arguments after the device's name is put in. */
  routes: Array<(name: string) => string[]>;
}

function refuse(path: string, why: string): never {
  throw new UspError(ErrorCode.InvalidValue, `${path}LowerLayers: ${why}`, { path: `${path}LowerLayers` });
}

/** The device of the one Ethernet.Link `ref` names, else 7012. */
async function lowerOf(model: DataModel, ref: Value, path: string): Promise<string> {
  const m = typeof ref === 'string' ? /^Device\.Ethernet\.Link\.(\d+)\.?$/.exec(ref) : null;
  const binding = model.bindingAt('Device.Ethernet.Link.{i}.');
  const n = m ? Number(m[1]) : undefined;
  const listed = n !== undefined && binding?.list ? (await binding.list([], {})).includes(n) : false;
  const name = listed ? (await binding!.get([n!], {})).Name : undefined;
  if (typeof name !== 'string' || name === '') refuse(path, `${JSON.stringify(ref)} names no Device.Ethernet.Link; give one Link, e.g. Device.Ethernet.Link.1`);
  return name;
}

/** The `ip route add` of an entry someone added (undefined for those the kernel or a client makes); also what ip-ipv4-switch.ts keeps aside. */
export function routeAdd(family: '-4' | '-6', r: RouteEntry): ((name: string) => string[]) | undefined {
  if ((r.type !== undefined && r.type !== 'unicast') || r.table === 'local' || SELF_MADE_PROTOCOLS.has(r.protocol ?? '') || typeof r.dst !== 'string') return undefined;
  return (name) => [
    family,
    'route',
    'add',
    r.dst!,
    ...(r.gateway ? ['via', r.gateway] : []),
    'dev',
    name,
    ...(r.metric !== undefined ? ['metric', String(r.metric)] : []),
    ...(r.table ? ['table', r.table] : []),
    ...(r.protocol ? ['proto', r.protocol] : []),
    ...(r.prefsrc ? ['src', r.prefsrc] : []),
    ...(family === '-6' && r.pref ? ['pref', r.pref] : []),
  ];
}

async function carriedRoutes(d: RestackDeps, name: string): Promise<Carried['routes']> {
  const out: Carried['routes'] = [];
  for (const family of ['-4', '-6'] as const) {
    const entries = await d.routes(name, family);
    for (const r of Array.isArray(entries) ? entries : []) {
      const add = routeAdd(family, r);
      if (add) out.push(add);
    }
  }
  return out;
}

function carriedBy(link: IpLink, ipv6: boolean, routes: Carried['routes']): Carried {
  const addresses: Array<[string, string]> = [];
  for (const a of link.addr_info ?? []) {
    if (a.family === 'inet') addresses.push(['-4', `${a.local}/${a.prefixlen}`]);
    // Link-local, SLAAC and DHCPv6 addresses the kernel (or a client) makes again by itself.
    else if (a.family === 'inet6' && a.scope === 'global' && !a.dynamic) addresses.push(['-6', `${a.local}/${a.prefixlen}`]);
  }
  return { mac: link.address, mtu: link.mtu, up: (link.flags ?? []).includes('UP'), ipv6, master: link.master, addresses, routes };
}

async function make(d: RestackDeps, lower: string, name: string, c: Carried, path?: string): Promise<void> {
  await d.ip.run(['link', 'add', 'link', lower, 'name', name, ...(c.mac ? ['address', c.mac] : []), 'type', 'macvlan', 'mode', 'bridge'], path);
  if (c.mtu !== undefined) await d.ip.run(['link', 'set', 'dev', name, 'mtu', String(c.mtu)], path);
  if (!c.ipv6) await d.setIpv6Enabled(name, false);
  if (c.master) await d.ip.run(['link', 'set', 'dev', name, 'master', c.master], path);
  for (const [family, cidr] of c.addresses) await d.ip.run([family, 'addr', 'add', cidr, 'dev', name], path);
  if (c.up) await d.ip.run(['link', 'set', 'dev', name, 'up'], path);
  for (const route of c.routes) await d.ip.run(route(name), path);
}

/**
 * Moves the macvlan of row `path` (device `link`) onto the device of the Ethernet.Link `ref`;
 * nothing to do when it is there already.
 */
export async function restackLowerLayers(d: RestackDeps, link: IpLink, ref: Value, path: string): Promise<void> {
  const name = link.ifname;
  if (!ADDED_NAME_RE.test(name) || !link.link) {
    refuse(path, `${name} is one of the host's own interfaces, whose lower layer is its own hardware; only an interface a Controller added (ip-uspN, a macvlan) can move to another Ethernet.Link`);
  }
  const lower = await lowerOf(d.model, ref, path);
  if (lower === link.link) return;
  if (lower === name) refuse(path, `${name} cannot be stacked on itself`);
  if (!d.ip.managed.has(lower)) refuse(path, `${lower} is not managed by this agent (start it with --manage-interfaces ${lower} to let controllers stack interfaces on it)`);
  const uppers = [...(await d.links()).values()].filter((l) => l.link === name).map((l) => l.ifname);
  if (uppers.length > 0) refuse(path, `${uppers.join(', ')} ${uppers.length > 1 ? 'are' : 'is'} stacked on ${name}, and would go with it: delete ${uppers.length > 1 ? 'them' : 'it'} first`);
  const carried = carriedBy(link, await d.ipv6Enabled(name), await carriedRoutes(d, name));
  await d.ip.run(['link', 'del', 'dev', name], path);
  try {
    await make(d, lower, name, carried, path);
  } catch (e) {
    // Back on the old lower device, as it was: the Set did not happen.
    await d.ip.run(['link', 'del', 'dev', name]).catch(() => undefined);
    await make(d, link.link, name, carried).catch(() => undefined);
    throw e;
  }
}

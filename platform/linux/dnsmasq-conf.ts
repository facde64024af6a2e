/**
 * The one dnsmasq configuration file the agent owns on generic Linux, made from the TR-181 rows
 * of Device.DNS.Relay. (DNSRelay:1) and Device.DHCPv4.Server. (DHCPv4Server:1), and the checks
 * those rows pass before they are kept. Pure: no file, no process (dnsmasq.ts writes and runs it).
 *
 * | TR-181 | dnsmasq line |
 * |--------|--------------|
 * | DNS.Relay.Enable false | `port=0` (no DNS; DHCP goes on) |
 * | DNS.Relay.Forwarding.{i} (enabled) | `server=<DNSServer>[@<device of Interface>]`; always `no-resolv`: the rows are the only upstreams |
 * | DHCPv4.Server.Enable false | no `dhcp-range` at all |
 * | Pool.{i} (enabled, Interface with an IPv4 subnet, Min/MaxAddress) | `dhcp-range=set:pool<i>,<min>,<max>,<mask>,<lease>`, in Order |
 * | Pool.{i}.IPRouters / DNSServers / DomainName (non-empty) | `dhcp-option=tag:pool<i>,3 / 6 / 15,...` |
 * | Pool.{i}.ReservedAddresses | `dhcp-host=id:usp-reserved,<address>`: held for a client identifier no client sends, so never leased |
 * | Pool.{i}.StaticAddress.{j} (enabled) | `dhcp-host=<Chaddr>,<Yiaddr>` |
 * | Pool.{i}.Option.{j} (enabled) | `dhcp-option=tag:pool<i>,<Tag>,<Value as hex bytes>` |
 * | Pool.{i} criteria (VendorClassID, ClientID, UserClassID, Chaddr) and Order | tags on the `dhcp-range` (dnsmasq-classes.ts) |
 * | DHCPv4.Relay.Forwarding.{i} (relaying) | `dhcp-relay=<address of its Interface>,<DHCPServerIPAddress>` (dhcpv4-relay.ts) |
 *
 * Controller text reaches the file only after these checks (addresses, MACs, hex, a domain
 * name), so no value can add a line of its own.
 */
import { isIP } from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import { formatIPv4, inSubnet, isNetmask, parseIPv4 } from '../simulated/ipv4.js';
import { criteriaLines, poolMatchTag } from './dnsmasq-classes.js';
import type { BadParam } from './nat-rules.js';

/** Forwarding rows the relay keeps (dnsmasq takes any number; a bound all the same). */
export const MAX_FORWARDERS = 16;
/** Pools the server keeps. */
export const MAX_POOLS = 8;
/** Static addresses per pool. */
export const MAX_STATIC_ADDRESSES = 256;
/** Options per pool (DHCP tags 1-254). */
export const MAX_OPTIONS = 64;

const MAC_RE = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;
const HEX_RE = /^([0-9A-Fa-f]{2})*$/;
/** RFC 1035 names: labels of letters, digits and hyphens, dot-separated. */
const DOMAIN_RE = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** The kernel's device names as dnsmasq's `server=addr@dev` takes them. */
const DEVICE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.:+-]{0,14}$/;

type Row = Readonly<Record<string, Value>>;

/** An IPv4 subnet: an interface's own address and its mask, as numbers. */
export interface Subnet {
  address: number;
  mask: number;
}

export function prefixMask(prefix: number): number {
  return prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(32, prefix))) >>> 0;
}

/** TR-181 comma-separated lists ("a, b" or "a,b"), empty items dropped. */
export function listOf(v: Value | undefined): string[] {
  return String(v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function isMac(s: string): boolean {
  return MAC_RE.test(s);
}

export function isDevice(s: string): boolean {
  return DEVICE_RE.test(s);
}

/** What is wrong with forwarding row `v` (after the change). */
export function forwardingProblems(v: Row): BadParam[] {
  const server = String(v.DNSServer ?? '');
  if (server !== '' && isIP(server) === 0) return [{ param: 'DNSServer', message: 'must be an IPv4 or IPv6 address' }];
  return [];
}

/**
 * What is wrong with pool row `v` (after `changes`), against the subnet of its Interface when
 * that has an IPv4 address now. Only the values just written are blamed: a pool whose interface
 * later lost its address keeps its rows (it reads Status Error_Misconfigured).
 */
export function poolProblems(v: Row, changes: Row, subnet: Subnet | undefined): BadParam[] {
  const bad: BadParam[] = [];
  const min = parseIPv4(String(v.MinAddress ?? ''));
  const max = parseIPv4(String(v.MaxAddress ?? ''));
  for (const [param, n] of [
    ['MinAddress', min],
    ['MaxAddress', max],
  ] as const) {
    if (changes[param] !== undefined && String(changes[param]) !== '' && n === undefined) bad.push({ param, message: 'must be an IPv4 address' });
  }
  const touched = (...names: string[]): boolean => names.some((n) => changes[n] !== undefined);
  if (min !== undefined && max !== undefined && min > max && touched('MinAddress', 'MaxAddress')) {
    bad.push({ param: changes.MinAddress !== undefined ? 'MinAddress' : 'MaxAddress', message: `MinAddress ${String(v.MinAddress)} is above MaxAddress ${String(v.MaxAddress)}` });
  }
  const maskText = String(v.SubnetMask ?? '');
  const mask = maskText === '' ? undefined : parseIPv4(maskText);
  if (touched('SubnetMask') && maskText !== '' && (mask === undefined || !isNetmask(mask))) bad.push({ param: 'SubnetMask', message: 'must be a contiguous netmask' });
  if (subnet && touched('MinAddress', 'MaxAddress', 'Interface', 'SubnetMask')) {
    const where = `the subnet of its Interface (${formatIPv4(subnet.address)}/${formatIPv4(subnet.mask)})`;
    for (const [param, n] of [
      ['MinAddress', min],
      ['MaxAddress', max],
    ] as const) {
      if (n !== undefined && !inSubnet(n, subnet.address, subnet.mask)) bad.push({ param, message: `${formatIPv4(n)} is outside ${where}` });
    }
  }
  for (const param of ['DNSServers', 'IPRouters', 'ReservedAddresses'] as const) {
    if (touched(param) && listOf(v[param]).some((a) => parseIPv4(a) === undefined)) bad.push({ param, message: 'must be a list of IPv4 addresses' });
  }
  const domain = String(v.DomainName ?? '');
  if (touched('DomainName') && domain !== '' && !DOMAIN_RE.test(domain)) bad.push({ param: 'DomainName', message: 'must be a domain name (letters, digits, hyphens, dots)' });
  const lease = Number(v.LeaseTime ?? 86400);
  if (touched('LeaseTime') && lease !== -1 && lease < 120) bad.push({ param: 'LeaseTime', message: 'dnsmasq leases for at least 120 s (or -1, infinite)' });
  return bad;
}

/** What is wrong with static address `v` of a pool serving `subnet` (when known). */
export function staticProblems(v: Row, changes: Row, subnet: Subnet | undefined): BadParam[] {
  const bad: BadParam[] = [];
  const chaddr = String(v.Chaddr ?? '');
  if (changes.Chaddr !== undefined && chaddr !== '' && !isMac(chaddr)) bad.push({ param: 'Chaddr', message: 'must be a MAC address (aa:bb:cc:dd:ee:ff)' });
  const yiaddr = String(v.Yiaddr ?? '');
  const n = parseIPv4(yiaddr);
  if (changes.Yiaddr !== undefined && yiaddr !== '' && n === undefined) bad.push({ param: 'Yiaddr', message: 'must be an IPv4 address' });
  else if (changes.Yiaddr !== undefined && n !== undefined && subnet && !inSubnet(n, subnet.address, subnet.mask)) {
    bad.push({ param: 'Yiaddr', message: `${yiaddr} is outside the pool's subnet (${formatIPv4(subnet.address)}/${formatIPv4(subnet.mask)})` });
  }
  return bad;
}

/** What is wrong with option `v`. */
export function optionProblems(v: Row, changes: Row): BadParam[] {
  const value = String(v.Value ?? '');
  if (changes.Value !== undefined && !HEX_RE.test(value)) return [{ param: 'Value', message: 'must be hexBinary (pairs of hex digits)' }];
  return [];
}

/** One forwarding row as the file sees it. */
export interface ForwarderConf {
  path: string;
  values: Row;
  device?: string;
}

/** One pool as the file sees it: its rows and the subnet of its Interface's device now. */
export interface PoolConf {
  n: number;
  path: string;
  values: Row;
  /** The kernel device of its Interface: pools on one device are chosen among by Order. */
  device?: string;
  subnet?: Subnet;
  statics: Row[];
  options: Row[];
}

export interface DnsmasqConf {
  relayEnable: boolean;
  forwarders: readonly ForwarderConf[];
  serverEnable: boolean;
  pools: readonly PoolConf[];
  /** `dhcp-relay=` lines of Device.DHCPv4.Relay. (dhcpv4-relay.ts), already checked. */
  dhcpRelays?: readonly string[];
  /** Device.DHCPv6.Server.'s lines (dhcpv6-server.ts), already checked. */
  dhcpv6?: readonly string[];
  leaseFile: string;
  pidFile: string;
  /** The lines running the lease script that learns the clients' DHCP options (dnsmasq-lease-script.ts), if any. */
  leaseScript?: readonly string[];
}

/** The pool's mask: its SubnetMask, else its interface's. */
export function poolMask(p: Pick<PoolConf, 'values' | 'subnet'>): number | undefined {
  const own = parseIPv4(String(p.values.SubnetMask ?? ''));
  return own !== undefined && own !== 0 ? own : p.subnet?.mask;
}

/** Whether pool `p` becomes a dhcp-range: enabled, with an interface subnet and a consistent range inside it. */
export function poolServes(p: PoolConf): boolean {
  const v = p.values;
  const min = parseIPv4(String(v.MinAddress ?? ''));
  const max = parseIPv4(String(v.MaxAddress ?? ''));
  const mask = poolMask(p);
  if (v.Enable !== true || !p.subnet || min === undefined || max === undefined || mask === undefined || min > max) return false;
  return inSubnet(min, p.subnet.address, p.subnet.mask) && inSubnet(max, p.subnet.address, p.subnet.mask);
}

/** Whether anything is to run: DNS on, or DHCP with a pool that serves. */
export function dnsmasqWanted(c: DnsmasqConf): boolean {
  return c.relayEnable || (c.serverEnable && c.pools.some(poolServes)) || (c.dhcpRelays ?? []).length > 0 || (c.dhcpv6 ?? []).some((l) => !l.startsWith('#'));
}

const hexBytes = (hex: string): string => (hex.match(/../g) ?? []).join(':');

/** The file's text. Lines come only from checked values (see the checks above). */
export function dnsmasqConfText(c: DnsmasqConf): string {
  const out = [
    '# Written by usp-agent from Device.DNS.Relay. and Device.DHCPv4.Server.; replaced at every change: edit the data model, not this file.',
    `port=${c.relayEnable ? 53 : 0}`,
    // Binds each address on its own, so another DNS server on other addresses (127.0.0.53) is no conflict.
    'bind-dynamic',
    // Answers DNS only from hosts of a directly connected subnet: no open resolver on the uplink.
    'local-service',
    'no-resolv',
    `dhcp-leasefile=${c.leaseFile}`,
    `pid-file=${c.pidFile}`,
  ];
  if (c.serverEnable || (c.dhcpv6 ?? []).some((l) => !l.startsWith('#'))) out.push(...(c.leaseScript ?? []));
  for (const f of c.forwarders) {
    const server = String(f.values.DNSServer ?? '');
    if (f.values.Enable !== true || server === '' || forwardingProblems(f.values).length > 0) continue;
    out.push(`# ${f.path}`, `server=${server}${f.device && isDevice(f.device) ? `@${f.device}` : ''}`);
  }
  out.push(...(c.dhcpRelays ?? []), ...(c.dhcpv6 ?? []));
  if (!c.serverEnable) return `${out.join('\n')}\n`;
  const pools = c.pools.filter(poolServes).sort((a, b) => Number(a.values.Order ?? 0) - Number(b.values.Order ?? 0) || a.n - b.n);
  for (const [k, p] of pools.entries()) {
    const v = p.values;
    const tag = `pool${p.n}`;
    const lease = Number(v.LeaseTime ?? 86400);
    // TR-181 Order: the first pool (by Order) on this device whose criteria match is applied (dnsmasq-classes.ts).
    const before = pools.slice(0, k).filter((q) => q.device === p.device);
    const shadow = before.find((q) => criteriaLines(q.n, q.values).length === 0);
    const own = criteriaLines(p.n, p.values);
    out.push(`# ${p.path}`, ...own);
    if (shadow) {
      out.push(`# not served: ${shadow.path} comes first in Order on the same Interface and has no criteria, so it takes every request`);
      continue;
    }
    const filter = [...(own.length > 0 ? [`tag:${poolMatchTag(p.n)}`] : []), ...before.map((q) => `tag:!${poolMatchTag(q.n)}`)].map((t) => `${t},`).join('');
    out.push(`dhcp-range=${filter}set:${tag},${String(v.MinAddress)},${String(v.MaxAddress)},${formatIPv4(poolMask(p)!)},${lease < 0 ? 'infinite' : lease}`);
    const routers = listOf(v.IPRouters).filter((a) => parseIPv4(a) !== undefined);
    if (routers.length > 0) out.push(`dhcp-option=tag:${tag},3,${routers.join(',')}`);
    const dns = listOf(v.DNSServers).filter((a) => parseIPv4(a) !== undefined);
    if (dns.length > 0) out.push(`dhcp-option=tag:${tag},6,${dns.join(',')}`);
    const domain = String(v.DomainName ?? '');
    if (domain !== '' && DOMAIN_RE.test(domain)) out.push(`dhcp-option=tag:${tag},15,${domain}`);
    for (const r of listOf(v.ReservedAddresses).filter((a) => parseIPv4(a) !== undefined)) out.push(`dhcp-host=id:usp-reserved,${r}`);
    for (const s of p.statics) {
      const chaddr = String(s.Chaddr ?? '');
      const yiaddr = String(s.Yiaddr ?? '');
      if (s.Enable === true && isMac(chaddr) && parseIPv4(yiaddr) !== undefined) out.push(`dhcp-host=${chaddr.toLowerCase()},${yiaddr}`);
    }
    for (const o of p.options) {
      const value = String(o.Value ?? '');
      const t = Number(o.Tag ?? 0);
      if (o.Enable === true && t >= 1 && t <= 254 && HEX_RE.test(value)) out.push(`dhcp-option=tag:${tag},${t}${value === '' ? '' : `,${hexBytes(value)}`}`);
    }
  }
  return `${out.join('\n')}\n`;
}

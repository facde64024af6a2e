/**
 * The agent's NAT on generic Linux as one nftables table (TR-181 NAT:1): what a
 * Device.NAT.PortMapping.{i} or Device.NAT.InterfaceSetting.{i} row becomes, checked before
 * anything is written, and the whole-table script `nft -f -` applies in one transaction.
 *
 * - InterfaceSetting.{i} (enabled): `oifname "<dev>" masquerade` in a srcnat postrouting chain:
 *   connections leaving through that interface take its address.
 * - PortMapping.{i} (enabled, with an InternalClient): a dnat rule in a dstnat prerouting chain,
 *   `iifname "<dev>"` unless AllInterfaces, `ip saddr` for a RemoteHost, the external port or
 *   range, `dnat to` the internal client. A range with an InternalPort other than its first port
 *   maps port by port (3000-3010 → 5000-5010, TR-181 InternalPort) through a map; ExternalPort 0 is
 *   the wildcard (every port of the protocol, InternalPort ignored). The rules are ordered by
 *   TR-181's precedence: explicit RemoteHost and port first, then explicit host with wildcard
 *   port, wildcard host with explicit port, both wildcards last; nftables takes the first match.
 *
 * A mapping whose ScheduleRef names enabled Device.Schedules rows holds only inside their union:
 * its rule is written once per group of days open at the same hours, behind `meta day`/`meta hour`.
 *
 * Each rule's comment is its row's path, so `nft list table ip usp_agent_nat` says which row made
 * it. Controller text (Description) never reaches the script.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { clockText, DAY_S, WEEKDAYS } from '../access-control/access-week.js';

/** The table the agent owns (family ip: TR-181's InternalClient and RemoteHost are IPv4). */
export const DEFAULT_NAT_TABLE = 'usp_agent_nat';
/** Device.NAT.MaxNumberOfPortMappings: rows beyond it are refused (7005). */
export const MAX_PORT_MAPPINGS = 64;
/** InterfaceSetting rows the agent keeps (one per interface at most: Interface is a unique key). */
export const MAX_INTERFACE_SETTINGS = 16;
/** A range mapped onto other internal ports takes one map element per port: bounded. */
export const MAX_SHIFTED_RANGE = 1024;

const IPV4_RE = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/;
/** Device names nft takes inside double quotes (the kernel allows more; such a device is not NATed). */
const DEVICE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.:@+-]{0,14}$/;
const TABLE_RE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** One port mapping as the rules see it: its row's values and the kernel device of its Interface. */
export interface MappingRule {
  path: string;
  device?: string;
  values: Readonly<Record<string, Value>>;
  /**
   * When the mapping holds (the Device.Schedules rows its ScheduleRef names, as week segments
   * grouped by hours): one rule per entry, none for an empty list; undefined: all the time.
   */
  schedule?: ReadonlyArray<{ days: readonly number[]; start: number; end: number }>;
}

/** One enabled masquerading setting: its row's path and the kernel device of its Interface. */
export interface MasqueradeRule {
  path: string;
  device: string;
}

/** A refused value: the parameter and why (a 7012 parameter error). */
export interface BadParam {
  param: string;
  message: string;
}

export function isIPv4(text: string): boolean {
  return IPV4_RE.test(text);
}

export function isNftDevice(name: string): boolean {
  return DEVICE_RE.test(name);
}

export function isNftTable(name: string): boolean {
  return TABLE_RE.test(name);
}

/** The external ports a row claims: [first, last], or undefined for the wildcard (ExternalPort 0). */
export function externalPorts(v: Readonly<Record<string, Value>>): [number, number] | undefined {
  const start = Number(v.ExternalPort ?? 0);
  if (start === 0) return undefined;
  const end = Number(v.ExternalPortEndRange ?? 0);
  return [start, end > start ? end : start];
}

/**
 * What is wrong with port mapping `v` (the row after the change) for this platform; empty when
 * it can be installed as it stands or once its InternalClient is given. Range and enumeration
 * checks of the schema (ports 0-65535, Protocol TCP/UDP) ran before; they are repeated only
 * where a value read from the store could be older than them.
 */
export function mappingProblems(v: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  const protocol = String(v.Protocol ?? '');
  if (protocol !== 'TCP' && protocol !== 'UDP') bad.push({ param: 'Protocol', message: 'must be TCP or UDP' });
  const remote = String(v.RemoteHost ?? '');
  if (remote !== '' && !isIPv4(remote)) bad.push({ param: 'RemoteHost', message: 'must be empty (any host) or one IPv4 address' });
  const client = String(v.InternalClient ?? '');
  if (client !== '' && !isIPv4(client)) bad.push({ param: 'InternalClient', message: 'must be an IPv4 address (host names are not resolved here)' });
  const ext = Number(v.ExternalPort ?? 0);
  const end = Number(v.ExternalPortEndRange ?? 0);
  if (ext !== 0 && end !== 0 && end < ext) bad.push({ param: 'ExternalPortEndRange', message: `must be 0 or at least ExternalPort (${ext})` });
  const ports = externalPorts(v);
  const internal = Number(v.InternalPort ?? 0);
  if (ports && ports[1] > ports[0] && internal !== 0 && internal !== ports[0]) {
    const span = ports[1] - ports[0];
    if (span >= MAX_SHIFTED_RANGE) bad.push({ param: 'ExternalPortEndRange', message: `a range mapped onto other internal ports spans at most ${MAX_SHIFTED_RANGE} ports` });
    if (internal + span > 65535) bad.push({ param: 'InternalPort', message: `InternalPort + the range's length (${span}) passes 65535` });
  }
  return bad;
}

/**
 * Whether two mappings claim some of the same external ports for the same protocol and remote
 * host. The very same key (RemoteHost, ExternalPort, Protocol) is left to the unique-key check
 * (7025); the wildcard port overlaps nothing: TR-181 gives explicit ports precedence over it.
 */
export function mappingsOverlap(a: Readonly<Record<string, Value>>, b: Readonly<Record<string, Value>>): boolean {
  if (a.Protocol !== b.Protocol || a.RemoteHost !== b.RemoteHost || a.ExternalPort === b.ExternalPort) return false;
  const ra = externalPorts(a);
  const rb = externalPorts(b);
  return ra !== undefined && rb !== undefined && ra[0] <= rb[1] && rb[0] <= ra[1];
}

/** Whether mapping `m` becomes a rule: enabled, an InternalClient, an interface (or all of them). */
export function installable(m: MappingRule): boolean {
  const v = m.values;
  if (v.Enable !== true || String(v.InternalClient ?? '') === '' || mappingProblems(v).length > 0) return false;
  return v.AllInterfaces === true || (m.device !== undefined && isNftDevice(m.device));
}

/** TR-181 precedence of a mapping (lower first): explicit RemoteHost and port, explicit host, explicit port, neither. */
function precedence(v: Readonly<Record<string, Value>>): number {
  const host = String(v.RemoteHost ?? '') !== '';
  const port = Number(v.ExternalPort ?? 0) !== 0;
  return host && port ? 0 : host ? 1 : port ? 2 : 3;
}

/**
 * The dnat rule of an installable mapping, for a table of family `ip` (ours), or `inet` (fw4's
 * on OpenWrt, nat-all-interfaces.ts), where the rule names its IPv4 family.
 */
export function mappingRule(m: MappingRule, family: 'ip' | 'inet' = 'ip'): string {
  const v = m.values;
  const proto = String(v.Protocol).toLowerCase();
  const client = String(v.InternalClient);
  const parts: string[] = family === 'inet' ? ['meta nfproto ipv4'] : [];
  const to = family === 'inet' ? 'dnat ip to' : 'dnat to';
  if (v.AllInterfaces !== true) parts.push(`iifname "${m.device!}"`);
  if (String(v.RemoteHost ?? '') !== '') parts.push(`ip saddr ${String(v.RemoteHost)}`);
  const ports = externalPorts(v);
  const internal = Number(v.InternalPort ?? 0);
  if (!ports) {
    // The wildcard: every port of the protocol goes to the same port of the client.
    parts.push(`meta l4proto ${proto}`, `${to} ${client}`);
  } else if (ports[0] === ports[1]) {
    parts.push(`${proto} dport ${ports[0]}`, internal === 0 || internal === ports[0] ? `${to} ${client}` : `${to} ${client}:${internal}`);
  } else if (internal === 0 || internal === ports[0]) {
    parts.push(`${proto} dport ${ports[0]}-${ports[1]}`, `${to} ${client}`);
  } else {
    const elements: string[] = [];
    for (let p = ports[0]; p <= ports[1]; p++) elements.push(`${p} : ${client} . ${internal + p - ports[0]}`);
    parts.push(`${proto} dport ${ports[0]}-${ports[1]}`, `dnat ip to ${proto} dport map { ${elements.join(', ')} }`);
  }
  parts.push(`comment "${m.path}"`);
  return parts.join(' ');
}

/** The nft match of one scheduled period: `meta day` (and `meta hour` unless the whole day), local time as nft reads it. */
function timeMatch(g: { days: readonly number[]; start: number; end: number }): string {
  const days = g.days.map((d) => `"${WEEKDAYS[d]!}"`);
  const day = days.length === 1 ? `meta day ${days[0]!}` : `meta day { ${days.join(', ')} }`;
  return g.start === 0 && g.end === DAY_S ? day : `${day} meta hour "${clockText(g.start)}"-"${clockText(g.end - 1)}"`;
}

/**
 * The nft script replacing table `ip <table>` with these rules, as one transaction: the table is
 * created (if missing) and deleted first, so the old rules stay whole if any line fails. With
 * no rows at all the table goes.
 */
export function natScript(table: string, mappings: readonly MappingRule[], masquerades: readonly MasqueradeRule[], keep: boolean): string {
  const out = [`table ip ${table} {}`, `delete table ip ${table}`];
  if (!keep) return `${out.join('\n')}\n`;
  const dnat = mappings
    .filter(installable)
    .map((m, i) => ({ m, i }))
    .sort((a, b) => precedence(a.m.values) - precedence(b.m.values) || a.i - b.i)
    .flatMap(({ m }) => (m.schedule === undefined ? [`    ${mappingRule(m)}`] : m.schedule.map((g) => `    ${timeMatch(g)} ${mappingRule(m)}`)));
  const masq = masquerades.filter((s) => isNftDevice(s.device)).map((s) => `    oifname "${s.device}" masquerade comment "${s.path}"`);
  out.push(
    `table ip ${table} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnat,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...masq,
    '  }',
    '}',
  );
  return `${out.join('\n')}\n`;
}

/**
 * Writes of Device.DHCPv4.Server.Pool.{i}.DNSServers, IPRouters and DomainName on OpenWrt: the
 * options 6, 3 and 15 of the pool's `dhcp_option` list, which dnsmasq.init passes to dnsmasq as
 * `--dhcp-option=<network>,<item>`.
 *
 * A Set drops every item of that option (numbered, or named as `option:dns-server`) and appends
 * one item '6,192.168.1.2,192.168.1.3'. An empty value appends the bare tag ('6'): dnsmasq then
 * sends no such option at all instead of its default (itself as router and DNS server, its
 * `domain`), which is what an empty list means in TR-181. Reading back gives '' again.
 */
import { ipv4ToNumber } from '../dnsmasq-leases.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { ParamWriter, UciChange } from './uci.js';

/** dnsmasq's names of the options these parameters write (`option:<name>` items). */
const NAMES: Readonly<Record<number, string>> = { 3: 'router', 6: 'dns-server', 15: 'domain-name' };

/** The option tag a list item of `dhcp_option` sets, numbered or by dnsmasq's name. */
function itemTag(item: string): number | undefined {
  const head = item.split(',')[0].trim();
  if (/^\d{1,3}$/.test(head)) return Number(head);
  const name = /^option:(.+)$/.exec(head)?.[1];
  const found = Object.entries(NAMES).find(([, n]) => n === name);
  return found ? Number(found[0]) : undefined;
}

/** The value of the first `dhcp_option` item of option `tag` ("6,a,b" → "a,b"; "6" → ""), if any. */
export function sentOption(items: readonly string[], tag: number): string | undefined {
  const item = items.find((i) => itemTag(i) === tag);
  return item === undefined ? undefined : item.split(',').slice(1).join(',');
}

/** TR-181 lists of IPv4 addresses (DNSServers, IPRouters: at most 4 items). */
function ipv4List(value: string): string | undefined {
  if (value === '') return undefined;
  const items = value.split(',');
  if (items.length > 4) return 'at most 4 addresses';
  const bad = items.find((a) => ipv4ToNumber(a.trim()) === undefined);
  return bad === undefined ? undefined : `${bad} is no IPv4 address`;
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A domain name dnsmasq sends as option 15 (RFC 1123 labels, no commas or spaces). */
function domainName(value: string): string | undefined {
  if (value === '') return undefined;
  return value.length <= 253 && value.split('.').every((l) => LABEL.test(l)) ? undefined : `${value} is no domain name`;
}

/** Which option each parameter is, and how its value is checked. */
const SENT: ReadonlyArray<[param: string, tag: number, check: (v: string) => string | undefined]> = [
  ['DNSServers', 6, ipv4List],
  ['IPRouters', 3, ipv4List],
  ['DomainName', 15, domainName],
];

/** The parameters of a pool these writers change. */
export const SENT_OPTION_PARAMS = SENT.map(([param]) => param);

/**
 * planWrite writers for DNSServers, IPRouters and DomainName of the pool section `section`, whose
 * `dhcp_option` list holds `items` (none for a pool being added).
 */
export function sentOptionWriters(section: string, items: readonly string[]): Record<string, ParamWriter> {
  const writers: Record<string, ParamWriter> = {};
  for (const [param, tag, check] of SENT) {
    writers[param] = (v: Value, _all, current): UciChange[] | string => {
      const value = String(v)
        .split(',')
        .map((s) => s.trim())
        .join(',');
      if (value === current[param]) return [];
      const why = check(value);
      if (why !== undefined) return why;
      const old = [...new Set(items.filter((item) => itemTag(item) === tag))];
      return [
        ...old.map((item) => ({ section, option: 'dhcp_option', value: item, removeItem: true })),
        { section, option: 'dhcp_option', value: value === '' ? String(tag) : `${tag},${value}`, append: true },
      ];
    };
  }
  return writers;
}

/**
 * What NSLookupDiagnostics() (TR-181 Device.DNS.Diagnostics.) needs from the device's own resolver
 * when its DNSServer input is empty: the servers the system resolver uses, and the domain a name
 * that is not fully qualified is looked up in ("The current domain name MUST be used unless the
 * name is a fully qualified name"). Both come from resolv.conf, read afresh for every test so a
 * change by DHCP or by Device.DNS.Client is seen.
 */
import { readFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DnsServer } from './ns-lookup-query.js';

/** resolv.conf's MAXNS: the resolver never asks more servers than this. */
export const MAX_DNS_SERVERS = 3;

/** Parses "1.2.3.4", "1.2.3.4:5353", "2001:db8::1", "[2001:db8::1]:5353"; undefined when it is no IP server. */
export function parseDnsServer(text: string): DnsServer | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const v4port = /^([\d.]+):(\d{1,5})$/.exec(text);
  const [ip, port] = bracketed ? [bracketed[1], bracketed[2]] : v4port ? [v4port[1], v4port[2]] : [text, undefined];
  const p = port === undefined ? 53 : Number(port);
  if (isIP(ip) === 0 || !(p >= 1 && p <= 65535)) return undefined;
  return { ip, port: p };
}

/** The servers the system resolver asks (c-ares reads resolv.conf the way libc does), at most MAX_DNS_SERVERS. */
export function systemDnsServers(): DnsServer[] {
  return new Resolver()
    .getServers()
    .map(parseDnsServer)
    .filter((s): s is DnsServer => s !== undefined)
    .slice(0, MAX_DNS_SERVERS);
}

/** The first search domain (or the `domain` line) of resolv.conf; '' when it names none. */
export function searchDomain(file = '/etc/resolv.conf'): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  let domain = '';
  // As in libc, the last "search" or "domain" line wins.
  for (const line of text.split('\n')) {
    const m = /^\s*(search|domain)\s+(\S+)/.exec(line);
    if (m && /^[A-Za-z0-9_.-]{1,253}$/.test(m[2]) && m[2] !== '.') domain = m[2].replace(/\.$/, '');
  }
  return domain;
}

/** The name to ask for: `name` as given when it holds a dot (or ends in one), else name.domain. */
export function qualifiedName(name: string, domain: string): string {
  if (name.endsWith('.')) return name.slice(0, -1);
  return name.includes('.') || domain === '' ? name : `${name}.${domain}`;
}

/**
 * What odhcp6c (the DHCPv6 client netifd runs for `proto 'dhcpv6'`) tells of its lease, from
 * `ubus call odhcp6c.<device> get_state` (odhcp6c's `ubus.c`, in odhcp6c since late 2024): the
 * state name `DHCPV6_STATE`, the `SERVER` address list and the options received, as lists of
 * addresses (`RDNSS`, `SNTP_IP`, `NTP_IP`, `SIP_IP`) or of names (`DOMAINS`, `SIP_DOMAIN`).
 * Older odhcp6c have no ubus object: the caller then has no state. Pure.
 */
import { isIPv6 } from 'node:net';
import { parseIPv6 } from '../simulated/ipv6.js';

export interface Odhcp6cState {
  state: string;
  servers: string[];
  /** Received options as TR-181 ReceivedOption rows: Tag and hexBinary Value (RFC 8415 wire format). */
  received: Array<{ Tag: number; Value: string }>;
}

/** The address-list options odhcp6c reports, by its key. RFC 3646 (23), RFC 4075 (31), RFC 3319 (22). */
const ADDRESS_OPTIONS: ReadonlyArray<[key: string, tag: number]> = [
  ['SIP_IP', 22],
  ['RDNSS', 23],
  ['SNTP_IP', 31],
];
/** The domain-list options (RFC 3646 24, RFC 3319 21). */
const NAME_OPTIONS: ReadonlyArray<[key: string, tag: number]> = [
  ['SIP_DOMAIN', 21],
  ['DOMAINS', 24],
];
const MAX_ITEMS = 16;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_ITEMS) : [];
}

function addressHex(a: string): string | undefined {
  const n = isIPv6(a) ? parseIPv6(a) : undefined;
  return n === undefined ? undefined : n.toString(16).padStart(32, '0');
}

/** A domain name in DNS wire format (RFC 1035 §3.1), hex; undefined when a label does not fit. */
export function nameHex(name: string): string | undefined {
  const labels = name.replace(/\.$/, '').split('.');
  if (labels.some((l) => l.length === 0 || l.length > 63 || !/^[\x21-\x7e]+$/.test(l))) return undefined;
  return labels.map((l) => l.length.toString(16).padStart(2, '0') + Buffer.from(l, 'latin1').toString('hex')).join('') + '00';
}

/** The state of one get_state answer; undefined when it is none. */
export function parseOdhcp6cState(answer: unknown): Odhcp6cState | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const a = answer as Record<string, unknown>;
  const received: Array<{ Tag: number; Value: string }> = [];
  for (const [key, tag] of ADDRESS_OPTIONS) {
    const hex = strings(a[key]).map(addressHex);
    if (hex.length > 0 && hex.every((h) => h !== undefined)) received.push({ Tag: tag, Value: hex.join('').toUpperCase() });
  }
  for (const [key, tag] of NAME_OPTIONS) {
    const hex = strings(a[key]).map(nameHex);
    if (hex.length > 0 && hex.every((h) => h !== undefined)) received.push({ Tag: tag, Value: hex.join('').toUpperCase() });
  }
  received.sort((x, y) => x.Tag - y.Tag);
  return { state: typeof a.DHCPV6_STATE === 'string' ? a.DHCPV6_STATE : '', servers: strings(a.SERVER).filter((s) => isIPv6(s)), received };
}

/**
 * The `sendopts` of a netifd `proto 'dhcpv6'` interface as odhcp6c takes them (TR-181
 * Device.DHCPv6.Client.{i}.SentOption.{i}).
 *
 * netifd's dhcpv6 handler (dhcpv6.sh, declaring `sendopts` a `list(string)`, and its ucode
 * successor dhcpv6.uc) passes each item to odhcp6c as `-x<item>`. odhcp6c reads an item as
 * `CODE:DATA`, CODE a number (decimal or 0x-hex) or one of its option names. For an option it
 * does not know, and for the few it knows as raw bytes (authentication 11, vendorclass 16,
 * ntpserver 56, vss 68), DATA is hex: exactly a SentOption's Value. Options it builds itself
 * (the identifiers, the IAs, ORO, elapsed time, rapid commit, FQDN, reconfigure accept, ...) it
 * refuses, and those it knows with a typed value (user class, SIP, DNS, search list, SNTP, MUD
 * URL) it parses as text, not hex. Every refusal, and an option given twice (also by the
 * section's `vendorclass`, odhcp6c's `-V`), makes odhcp6c print its usage and exit: netifd then
 * never brings the interface up. So the agent writes only items odhcp6c takes, and refuses the
 * rest (7012) before writing anything.
 *
 * A disabled row's item is kept in the agent's own option `usp_disabled_sendopts`, which netifd
 * does not read. Items the agent cannot serve as a row (a named option, a typed value, a quoted
 * string) stay as they are.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { BadParam } from '../stored-table.js';
import { listOption, type UciSection } from './uci-show.js';

/** odhcp6c's own options (its option table's internal ones): `-x` refuses them. */
const ODHCP6C_INTERNAL: ReadonlySet<number> = new Set([
  1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 18, 19, 20, 25, 26, 32, 37, 38, 39, 43, 44, 45, 46, 47, 48, 53, 61, 64, 66, 67, 79, 80, 81, 82, 83, 87, 89, 90, 91, 92, 93, 94, 95, 96, 100, 101, 102, 105,
  106, 107, 108, 109, 110, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135,
]);

/** Options odhcp6c knows with a typed value: `-x` parses their data as text or addresses, not hex. */
const ODHCP6C_TYPED: ReadonlyMap<number, string> = new Map([
  [15, 'a list of user class strings'],
  [21, 'domain names'],
  [22, 'IPv6 addresses'],
  [23, 'IPv6 addresses'],
  [24, 'domain names'],
  [31, 'IPv6 addresses'],
  [112, 'a URL string'],
]);

/** odhcp6c's option names, which a `sendopts` item may use instead of the code. */
const ODHCP6C_NAMES: ReadonlyMap<string, number> = new Map([
  ['authentication', 11],
  ['userclass', 15],
  ['vendorclass', 16],
  ['sipserver_d', 21],
  ['sipserver_a', 22],
  ['dns', 23],
  ['search', 24],
  ['sntpservers', 31],
  ['ntpserver', 56],
  ['vss', 68],
  ['mud_url_v6', 112],
]);

/** odhcp6c keeps every option it sends in one state buffer of 1024 bytes (4 bytes of header each). */
export const ODHCP6C_SENT_BYTES = 1024;
/** SentOption rows of one client at most (each one `-x`). */
export const MAX_SENT_OPTIONS = 16;

/** One `sendopts` item: `tag` set when it is a row (numeric code, hex data). */
export interface SendoptsItem {
  tag?: number;
  /** The option's code however the item names it (undefined when odhcp6c would not read one). */
  code?: number;
  value: string;
  enabled: boolean;
  raw: string;
}

function codeOf(text: string): number | undefined {
  const named = ODHCP6C_NAMES.get(text);
  if (named !== undefined) return named;
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65_535 ? n : undefined;
}

/** Whether odhcp6c reads `-x TAG:HEX` with TAG as given: not its own option, not one with a typed value. */
export function takesHex(tag: number): boolean {
  return !ODHCP6C_INTERNAL.has(tag) && !ODHCP6C_TYPED.has(tag);
}

function parseItem(raw: string, enabled: boolean): SendoptsItem {
  const colon = raw.indexOf(':');
  const name = colon < 0 ? raw : raw.slice(0, colon);
  const data = colon < 0 ? '' : raw.slice(colon + 1);
  const code = colon < 0 ? undefined : codeOf(name);
  const numeric = /^(0x[0-9a-f]+|\d+)$/i.test(name);
  const row = code !== undefined && code >= 1 && numeric && takesHex(code) && /^([0-9a-f]{2})*$/i.test(data);
  return { tag: row ? code : undefined, code, value: data.toUpperCase(), enabled, raw };
}

/** The items of a section: the enabled from `sendopts`, the disabled from the agent's `usp_disabled_sendopts`. */
export function sendoptsItems(s: UciSection): SendoptsItem[] {
  const words = (o: string): string[] => listOption(s.options[o]).flatMap((v) => v.split(/\s+/).filter(Boolean));
  const items = [...words('sendopts').map((w) => parseItem(w, true)), ...words('usp_disabled_sendopts').map((w) => parseItem(w, false))];
  // A Tag is one row (the table's unique key): a hand-written second item with it is kept, not served.
  const seen = new Set<number>();
  return items.map((i) => {
    if (i.tag === undefined) return i;
    if (seen.has(i.tag)) return { ...i, tag: undefined };
    seen.add(i.tag);
    return i;
  });
}

/** The item of a row (decimal tag, lower-case hex, as odhcp6c reads it). */
export function sendoptsItem(tag: number, value: string, enabled: boolean): SendoptsItem {
  return { tag, code: tag, value: value.toUpperCase(), enabled, raw: `${tag}:${value.toLowerCase()}` };
}

/**
 * What odhcp6c would refuse of the items `next` of section `s` after a change to `row`: a Tag
 * it does not take as hex, an enabled row without data, an option sent twice (by another item or
 * the section's `vendorclass`), more than odhcp6c's buffer holds. The Tag's range, the protocol's
 * own options and a Tag another row has are dhcpv6OptionProblems' (shared with other platforms).
 */
export function odhcp6cSendProblems(s: UciSection, next: readonly SendoptsItem[], row: SendoptsItem): BadParam[] {
  const tag = row.tag!;
  if (ODHCP6C_INTERNAL.has(tag)) return [{ param: 'Tag', message: `odhcp6c builds option ${tag} itself and refuses it in sendopts` }];
  const typed = ODHCP6C_TYPED.get(tag);
  if (typed !== undefined) return [{ param: 'Tag', message: `odhcp6c reads option ${tag}'s value as ${typed}, not as hex: set it through its own UCI option` }];
  if (!row.enabled) return [];
  if (row.value === '') return [{ param: 'Value', message: 'odhcp6c sends no option without data: give a Value before enabling the row' }];
  if (tag === 16 && s.options.vendorclass !== undefined) return [{ param: 'Tag', message: `${s.name}'s vendorclass sends option 16 already` }];
  const other = next.find((i) => i !== row && i.enabled && i.tag === undefined && i.code === tag);
  if (other) return [{ param: 'Tag', message: `sendopts sends option ${tag} already as '${other.raw}'` }];
  const bytes = next.filter((i) => i.enabled && i.tag !== undefined).reduce((n, i) => n + 4 + i.value.length / 2, 0);
  if (bytes > ODHCP6C_SENT_BYTES) return [{ param: 'Value', message: `the enabled options would take ${bytes} bytes; odhcp6c holds ${ODHCP6C_SENT_BYTES}` }];
  return [];
}

/** A SentOption row's values. */
export function sentOptionValues(item: SendoptsItem): Record<string, Value> {
  return { Enable: item.enabled, Tag: item.tag!, Value: item.value };
}

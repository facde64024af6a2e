/**
 * Conditional serving (TR-181 DHCPv4CondServing:1) in the agent's dnsmasq file: each Pool.{i}'s
 * association criteria become dnsmasq tags, and the pool's `dhcp-range` is used only for requests
 * carrying its tag. Pure (dnsmasq-conf.ts puts the lines in the file).
 *
 * | Criterion | dnsmasq lines (tags `usp-p<i>-…`) |
 * |-----------|-----------------------------------|
 * | VendorClassID, Mode Exact | `dhcp-match=set:…-vc,60,<bytes>` and `dhcp-match=set:…-vcx,60,<bytes>:*`; matched = vc and not vcx |
 * | VendorClassID, Mode Prefix | `dhcp-match=set:…-vc,60,<bytes>` (dnsmasq compares hex values from the start of the option) |
 * | VendorClassID, Mode Substring | `dhcp-vendorclass=set:…-vc,<text>` (dnsmasq's own substring match) |
 * | VendorClassID, Mode Suffix | refused with 7012: dnsmasq has no suffix match |
 * | ClientID, UserClassID | as Exact, on options 61 and 77 (TR-181: binary values match exactly) |
 * | Chaddr + ChaddrMask | `dhcp-mac=set:…-mac,<Chaddr with * for each 00 byte of the mask>`; a mask byte other than ff or 00 is refused with 7012 |
 * | the pool | `tag-if=set:usp-p<i>,tag:…` with `tag:!` for each Exclude flag |
 *
 * Order: dnsmasq itself has no order among ranges that match one request, so the agent says it
 * in tags: pool i's range also carries `tag:!usp-p<j>` for every serving pool j before it (by
 * Order) on the same interface. A request thus gets the range of the first pool (by Order) whose
 * criteria it matches, as TR-181 asks; pools on other interfaces never see it. A pool after one
 * without criteria on the same interface can never be applied: it gets no range.
 *
 * Exact matching uses dnsmasq's wildcard byte: `<bytes>:*` matches only an option longer than
 * `<bytes>`, so "starts with the bytes and is no longer" is exactly equal. All values reach the
 * file as hex bytes except a Substring vendor class, whose characters are checked first.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { poolCriteria, type PoolCriteria } from '../dhcpv4-pool-criteria.js';
import type { BadParam } from '../stored-table.js';

/** The characters a Substring vendor class may have in a dnsmasq line (no comma, quote, space, #). */
const SUBSTRING_RE = /^[A-Za-z0-9._:/+=@()[\]-]+$/;
const CRITERIA_PARAMS = ['VendorClassID', 'VendorClassIDMode', 'ClientID', 'UserClassID', 'Chaddr', 'ChaddrMask'];

const hexOf = (text: string): string => Buffer.from(text, 'utf8').toString('hex');
const colons = (hex: string): string => (hex.match(/../g) ?? []).join(':');

/**
 * What dnsmasq cannot say of pool row `v`'s criteria (checked when one of them is written), each
 * with the reason: refused with 7012 and nothing kept.
 */
export function dnsmasqCriteriaProblems(v: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>): BadParam[] {
  if (!CRITERIA_PARAMS.some((p) => changes[p] !== undefined)) return [];
  const bad: BadParam[] = [];
  const c = poolCriteria(v);
  const vendorParam = changes.VendorClassIDMode !== undefined ? 'VendorClassIDMode' : 'VendorClassID';
  if (c.vendorClass?.mode === 'Suffix') bad.push({ param: vendorParam, message: "dnsmasq cannot match the end of a Vendor Class: Mode Suffix can't be served (Exact, Prefix and Substring can)" });
  else if (c.vendorClass?.mode === 'Substring' && !SUBSTRING_RE.test(c.vendorClass.value))
    bad.push({ param: 'VendorClassID', message: 'with Mode Substring dnsmasq takes letters, digits and ._:/+=@()[]- only (no spaces or commas); Exact and Prefix take any text' });
  else if (c.vendorClass && c.vendorClass.mode !== 'Substring' && Buffer.byteLength(c.vendorClass.value) < 2)
    bad.push({ param: 'VendorClassID', message: 'dnsmasq reads a one-byte match value as a number: at least two characters' });
  for (const [param, crit] of [
    ['ClientID', c.clientId],
    ['UserClassID', c.userClass],
  ] as const) {
    if (crit && crit.hex.length < 4) bad.push({ param, message: 'dnsmasq reads a one-byte match value as a number: at least two bytes (RFC 2132 and RFC 3004 options are never shorter)' });
  }
  if (c.chaddr && c.chaddr.mask.some((b) => b !== 0 && b !== 255)) {
    bad.push({ param: changes.ChaddrMask !== undefined ? 'ChaddrMask' : 'Chaddr', message: 'dnsmasq matches hardware addresses by whole bytes: each ChaddrMask byte must be ff or 00' });
  }
  return bad;
}

/** The tag set for requests that match every criterion of pool `n`. */
export const poolMatchTag = (n: number): string => `usp-p${n}`;

/** The dnsmasq lines that set pool `n`'s match tag, or none when the pool has no criteria. */
export function criteriaLines(n: number, v: Readonly<Record<string, Value>>): string[] {
  const c: PoolCriteria = poolCriteria(v);
  const tag = poolMatchTag(n);
  const out: string[] = [];
  const conditions: string[] = [];
  /** An exact match on option `option`: the bytes, and not anything longer. */
  const exact = (name: string, option: number, hex: string, exclude: boolean): void => {
    out.push(
      `dhcp-match=set:${tag}-${name}m,${option},${colons(hex)}`,
      `dhcp-match=set:${tag}-${name}x,${option},${colons(hex)}:*`,
      `tag-if=set:${tag}-${name},tag:${tag}-${name}m,tag:!${tag}-${name}x`,
    );
    conditions.push(`tag:${exclude ? '!' : ''}${tag}-${name}`);
  };
  if (c.vendorClass) {
    const { value, mode, exclude } = c.vendorClass;
    if (mode === 'Exact') exact('vc', 60, hexOf(value), exclude);
    else {
      out.push(mode === 'Prefix' ? `dhcp-match=set:${tag}-vc,60,${colons(hexOf(value))}` : `dhcp-vendorclass=set:${tag}-vc,${value}`);
      conditions.push(`tag:${exclude ? '!' : ''}${tag}-vc`);
    }
  }
  if (c.clientId) exact('cid', 61, c.clientId.hex, c.clientId.exclude);
  if (c.userClass) exact('uc', 77, c.userClass.hex, c.userClass.exclude);
  if (c.chaddr) {
    const { mac, mask, exclude } = c.chaddr;
    out.push(`dhcp-mac=set:${tag}-mac,${mac.map((b, i) => (mask[i] === 0 ? '*' : b.toString(16).padStart(2, '0'))).join(':')}`);
    conditions.push(`tag:${exclude ? '!' : ''}${tag}-mac`);
  }
  if (conditions.length === 0) return [];
  out.push(`tag-if=set:${tag},${conditions.join(',')}`);
  return out;
}

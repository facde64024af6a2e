/**
 * The DHCP-derived criteria of Device.Bridging.Filter.{i}. (TR-181 BridgeFilter:1, BridgeFilter:2):
 * Source/DestMACFromVendorClassIDFilter(v6), ...ClientIDFilter, ...UserClassIDFilter, their
 * Exclude flags and Modes, chosen among by DHCPType. Each names the MAC addresses of LAN devices
 * whose most recent DHCP lease acquisition or renewal carried a matching option; the frame's
 * source (or destination) MAC must then be one of them (Exclude false) or none of them (true).
 * Pure: which client a platform learnt what from is the platform's business.
 *
 * - DHCPType DHCPv4: option 60 (a string, matched as Mode says, case-sensitive), 61 and 77 (hex,
 *   exact) of DHCPv4 clients; the v6 vendor class parameters are ignored. DHCPv6: option 16
 *   (hex, exact; Mode is a DHCPv4 matter), 1 (the DUID) and 15 of DHCPv6 clients.
 * - An empty criterion with Exclude false admits no packet; with Exclude true (the default) it
 *   is no criterion (TR-181's Exclude text).
 */
import type { Value } from '../datamodel/value/Value.js';

/** What a platform learnt of one client from its most recent DHCP lease acquisition or renewal. */
export interface LearntDhcpClient {
  family: 4 | 6;
  /** The client's MAC address, lower case, colon-separated. */
  mac: string;
  /** DHCPv4 option 60 as sent (bytes). */
  vendorClass?: Buffer;
  /** DHCPv6 option 16 (enterprise number and its vendor-class-data), lower-case hex. */
  vendorClassHex?: string;
  /** DHCPv4 option 61 or the DHCPv6 DUID (option 1), lower-case hex. */
  clientIdHex?: string;
  /**
   * DHCPv4 option 77 or DHCPv6 option 15, lower-case hex: each way the option's bytes may have
   * been (a DHCP server may hand over the user classes, not the option, leaving the form open).
   */
  userClassHex: readonly string[];
}

export type FilterSide = 'Source' | 'Dest';
export type DhcpCriterionKind = 'VendorClassID' | 'ClientID' | 'UserClassID';

/** One DHCP-derived criterion of a Filter in effect: which side of the frame, and whether its MACs are excluded. */
export interface DhcpCriterion {
  side: FilterSide;
  kind: DhcpCriterionKind;
  exclude: boolean;
  /** Whether `c`'s most recent lease makes it one of the criterion's devices. */
  matches(c: LearntDhcpClient): boolean;
}

const KINDS: readonly DhcpCriterionKind[] = ['VendorClassID', 'ClientID', 'UserClassID'];
const HEX_RE = /^([0-9A-Fa-f]{2})*$/;

/** The Filter's DHCP version (TR-181 DHCPType, default DHCPv4). */
export function dhcpFamily(r: Readonly<Record<string, Value>>): 4 | 6 {
  return r.DHCPType === 'DHCPv6' ? 6 : 4;
}

/** Whether `sent` matches `value` as TR-181 Mode (Exact, Prefix, Suffix, Substring) says, byte for byte. */
export function vendorClassMatches(value: Buffer, mode: string, sent: Buffer | undefined): boolean {
  if (sent === undefined) return false;
  if (mode === 'Prefix') return sent.subarray(0, value.length).equals(value);
  if (mode === 'Suffix') return sent.length >= value.length && sent.subarray(sent.length - value.length).equals(value);
  if (mode === 'Substring') return sent.includes(value);
  return sent.equals(value);
}

/** The parameter holding a criterion's value for the Filter's DHCPType. */
function valueParam(side: FilterSide, kind: DhcpCriterionKind, family: 4 | 6): string {
  return `${side}MACFrom${kind}Filter${kind === 'VendorClassID' && family === 6 ? 'v6' : ''}`;
}

/**
 * The Filter's DHCP-derived criteria in effect, or 'nothing' when one of them admits no packet
 * (empty with Exclude false). An empty list: no such criterion.
 */
export function dhcpCriteria(r: Readonly<Record<string, Value>>): DhcpCriterion[] | 'nothing' {
  const family = dhcpFamily(r);
  const out: DhcpCriterion[] = [];
  for (const side of ['Source', 'Dest'] as const) {
    for (const kind of KINDS) {
      const value = String(r[valueParam(side, kind, family)] ?? '');
      const excludeValue = r[`${side}MACFrom${kind}FilterExclude`];
      const exclude = excludeValue === undefined ? true : excludeValue === true;
      if (value === '') {
        if (!exclude) return 'nothing';
        continue;
      }
      const ofFamily = (c: LearntDhcpClient): boolean => c.family === family;
      let matches: (c: LearntDhcpClient) => boolean;
      if (kind === 'VendorClassID' && family === 4) {
        const bytes = Buffer.from(value, 'utf8');
        const mode = String(r[`${side}MACFromVendorClassIDMode`] ?? 'Exact');
        matches = (c) => ofFamily(c) && vendorClassMatches(bytes, mode, c.vendorClass);
      } else {
        const hex = value.toLowerCase();
        if (!HEX_RE.test(hex)) return 'nothing';
        if (kind === 'VendorClassID') matches = (c) => ofFamily(c) && c.vendorClassHex === hex;
        else if (kind === 'ClientID') matches = (c) => ofFamily(c) && c.clientIdHex === hex;
        else matches = (c) => ofFamily(c) && c.userClassHex.includes(hex);
      }
      out.push({ side, kind, exclude, matches });
    }
  }
  return out;
}

/** The MAC addresses (sorted, unique) of the learnt clients matching `criterion`. */
export function criterionMacs(criterion: DhcpCriterion, clients: readonly LearntDhcpClient[]): string[] {
  return [...new Set(clients.filter((c) => criterion.matches(c)).map((c) => c.mac))].sort();
}

/** Whether the Filter's DHCP-derived criteria admit a frame from `sourceMac` to `destMac`, given what was learnt. */
export function dhcpCriteriaAdmit(r: Readonly<Record<string, Value>>, clients: readonly LearntDhcpClient[], sourceMac: string, destMac: string): boolean {
  const criteria = dhcpCriteria(r);
  if (criteria === 'nothing') return false;
  return criteria.every((c) => criterionMacs(c, clients).includes((c.side === 'Source' ? sourceMac : destMac).toLowerCase()) !== c.exclude);
}

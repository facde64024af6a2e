/**
 * Which DHCPv6 pool of the simulated gateway serves a LAN client (TR-181 DHCPv6ServerAdv:1):
 * a Pool's DUID, VendorClassID, UserClassID and SourceAddress/SourceAddressMask (each with its
 * Exclude flag) are matched against what the client sends in its Solicit, and the enabled pool
 * of lowest Order whose criteria all match serves it (ties: the lower instance number).
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { BadParam } from '../stored-table.js';
import { parseIPv6 } from './ipv6.js';

/** The criteria parameters of a pool, with their TR-181 defaults (no criterion: every client). */
export const POOL_CRITERIA_V6: Readonly<Record<string, Value>> = {
  DUID: '',
  DUIDExclude: false,
  VendorClassID: '',
  VendorClassIDExclude: false,
  UserClassID: '',
  UserClassIDExclude: false,
  SourceAddress: '',
  SourceAddressMask: '',
  SourceAddressExclude: false,
};

/** What a client's Solicit carries that a criterion can match (hex of the option data, or undefined when not sent). */
export interface Dhcpv6Request {
  duid: string;
  vendorClass?: string;
  userClass?: string;
  /** Its link-local source address. */
  source: bigint;
}

const ALL_ONES = (1n << 128n) - 1n;

/** Whether pool row `row` takes request `r`. */
export function poolTakes(row: Readonly<Record<string, Value>>, r: Dhcpv6Request): boolean {
  const hex = (wanted: Value | undefined, sent: string | undefined, exclude: Value | undefined): boolean => {
    if (wanted === undefined || wanted === '') return true;
    const same = sent !== undefined && sent.toLowerCase() === String(wanted).toLowerCase();
    return exclude === true ? !same : same;
  };
  if (!hex(row.DUID, r.duid, row.DUIDExclude) || !hex(row.VendorClassID, r.vendorClass, row.VendorClassIDExclude) || !hex(row.UserClassID, r.userClass, row.UserClassIDExclude)) return false;
  const source = row.SourceAddress === '' || row.SourceAddress === undefined ? undefined : parseIPv6(String(row.SourceAddress));
  if (source === undefined) return true;
  const mask = row.SourceAddressMask === '' || row.SourceAddressMask === undefined ? ALL_ONES : (parseIPv6(String(row.SourceAddressMask)) ?? ALL_ONES);
  const same = (source & mask) === (r.source & mask);
  return row.SourceAddressExclude === true ? !same : same;
}

/** What is wrong with the criteria being written: SourceAddress and SourceAddressMask must be IPv6 addresses (or empty). */
export function criteriaProblemsV6(changes: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  for (const param of ['SourceAddress', 'SourceAddressMask'] as const) {
    const v = changes[param];
    if (v !== undefined && v !== '' && parseIPv6(String(v)) === undefined) bad.push({ param, message: `${String(v)} is not an IPv6 address` });
  }
  return bad;
}

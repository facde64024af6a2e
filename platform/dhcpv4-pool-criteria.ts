/**
 * The association criteria of Device.DHCPv4.Server.Pool.{i}. (TR-181 DHCPv4CondServing:1):
 * which DHCP requests a pool serves, by Vendor Class (option 60), Client Identifier (61), User
 * Class (77) and the client's hardware address under a mask, each with an Exclude flag. For each
 * request the pool with the lowest Order whose criteria all match is applied; an empty criterion
 * is no criterion. Pure: every platform reads its rows through these (the Linux dnsmasq file, the
 * simulated gateway's own choice of pool), so the rules are said once.
 */
import type { Value } from '../datamodel/value/Value.js';
import type { BadParam } from './stored-table.js';

/** The criteria parameters and their TR-181 defaults (no criterion). */
export const POOL_CRITERIA: Readonly<Record<string, Value>> = {
  VendorClassID: '',
  VendorClassIDExclude: false,
  VendorClassIDMode: 'Exact',
  ClientID: '',
  ClientIDExclude: false,
  UserClassID: '',
  UserClassIDExclude: false,
  Chaddr: '',
  ChaddrMask: '',
  ChaddrExclude: false,
};
export const POOL_CRITERIA_PARAMS: readonly string[] = Object.keys(POOL_CRITERIA);

/** The Pool parameters a server with conditional serving serves (the Linux dnsmasq, the simulated gateway). */
export const CONDITIONAL_POOL_PARAMS: readonly string[] = [
  'Enable',
  'Status',
  'Alias',
  'Order',
  'Interface',
  'MinAddress',
  'MaxAddress',
  'ReservedAddresses',
  'SubnetMask',
  'DNSServers',
  'DomainName',
  'IPRouters',
  'LeaseTime',
  ...POOL_CRITERIA_PARAMS,
];

export type VendorClassMode = 'Exact' | 'Prefix' | 'Suffix' | 'Substring';

/** A pool's criteria, parsed: undefined fields are no criterion. */
export interface PoolCriteria {
  vendorClass?: { value: string; mode: VendorClassMode; exclude: boolean };
  /** Option 61 bytes, lower-case hex. */
  clientId?: { hex: string; exclude: boolean };
  /** Option 77 bytes, lower-case hex. */
  userClass?: { hex: string; exclude: boolean };
  /** Six bytes each; the mask all ones when ChaddrMask is empty. */
  chaddr?: { mac: number[]; mask: number[]; exclude: boolean };
}

/** What a DHCP request shows a pool's criteria. */
export interface DhcpRequestClass {
  vendorClass?: string;
  clientIdHex?: string;
  userClassHex?: string;
  chaddr: string;
}

const MAC_RE = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;
const HEX_RE = /^([0-9A-Fa-f]{2})*$/;

function macBytes(s: string): number[] | undefined {
  return MAC_RE.test(s) ? s.split(':').map((b) => parseInt(b, 16)) : undefined;
}

/** What is wrong with the criteria of pool row `v` (after `changes`): values TR-181 itself refuses. */
export function criteriaProblems(v: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  for (const param of ['ClientID', 'UserClassID']) {
    if (changes[param] !== undefined && !HEX_RE.test(String(v[param] ?? ''))) bad.push({ param, message: 'must be hexBinary (pairs of hex digits)' });
  }
  for (const param of ['Chaddr', 'ChaddrMask']) {
    const s = String(v[param] ?? '');
    if (changes[param] !== undefined && s !== '' && !macBytes(s)) bad.push({ param, message: 'must be a MAC address (aa:bb:cc:dd:ee:ff)' });
  }
  const mode = String(v.VendorClassIDMode ?? 'Exact');
  if (changes.VendorClassIDMode !== undefined && !['Exact', 'Prefix', 'Suffix', 'Substring'].includes(mode))
    bad.push({ param: 'VendorClassIDMode', message: 'must be Exact, Prefix, Suffix or Substring' });
  return bad;
}

/** The criteria of pool row `v` (values that fail criteriaProblems are taken as no criterion). */
export function poolCriteria(v: Readonly<Record<string, Value>>): PoolCriteria {
  const out: PoolCriteria = {};
  const vendor = String(v.VendorClassID ?? '');
  if (vendor !== '') out.vendorClass = { value: vendor, mode: String(v.VendorClassIDMode ?? 'Exact') as VendorClassMode, exclude: v.VendorClassIDExclude === true };
  const clientId = String(v.ClientID ?? '').toLowerCase();
  if (clientId !== '' && HEX_RE.test(clientId)) out.clientId = { hex: clientId, exclude: v.ClientIDExclude === true };
  const userClass = String(v.UserClassID ?? '').toLowerCase();
  if (userClass !== '' && HEX_RE.test(userClass)) out.userClass = { hex: userClass, exclude: v.UserClassIDExclude === true };
  const mac = macBytes(String(v.Chaddr ?? ''));
  if (mac) out.chaddr = { mac, mask: macBytes(String(v.ChaddrMask ?? '')) ?? [255, 255, 255, 255, 255, 255], exclude: v.ChaddrExclude === true };
  return out;
}

/** Whether the pool has any criterion (a pool with none serves every request of its Interface). */
export function hasCriteria(c: PoolCriteria): boolean {
  return c.vendorClass !== undefined || c.clientId !== undefined || c.userClass !== undefined || c.chaddr !== undefined;
}

function vendorMatches(value: string, mode: VendorClassMode, sent: string | undefined): boolean {
  if (sent === undefined) return false;
  if (mode === 'Prefix') return sent.startsWith(value);
  if (mode === 'Suffix') return sent.endsWith(value);
  if (mode === 'Substring') return sent.includes(value);
  return sent === value;
}

/** Whether a request matches every criterion of the pool (TR-181: each Exclude inverts its own). */
export function criteriaMatch(c: PoolCriteria, r: DhcpRequestClass): boolean {
  const one = (criterion: { exclude: boolean } | undefined, matched: () => boolean): boolean => criterion === undefined || matched() !== criterion.exclude;
  return (
    one(c.vendorClass, () => vendorMatches(c.vendorClass!.value, c.vendorClass!.mode, r.vendorClass)) &&
    one(c.clientId, () => r.clientIdHex?.toLowerCase() === c.clientId!.hex) &&
    one(c.userClass, () => r.userClassHex?.toLowerCase() === c.userClass!.hex) &&
    one(c.chaddr, () => {
      const mac = macBytes(r.chaddr);
      return mac !== undefined && mac.every((b, i) => (b & c.chaddr!.mask[i]!) === (c.chaddr!.mac[i]! & c.chaddr!.mask[i]!));
    })
  );
}

/**
 * The pool applied to request `r`: the first of `pools` (already in Order, each with its
 * criteria) whose criteria all match. TR-181 Order: "the highest ordered entry that matches the
 * association criteria is applied; all lower order entries are ignored".
 */
export function choosePool<P extends { criteria: PoolCriteria }>(pools: readonly P[], r: DhcpRequestClass): P | undefined {
  return pools.find((p) => criteriaMatch(p.criteria, r));
}

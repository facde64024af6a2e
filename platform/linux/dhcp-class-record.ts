/**
 * One lease record of the agent's dnsmasq lease script (dnsmasq-lease-script.ts) read back as
 * what the client's most recent DHCP exchange said of it (bridge-filter-dhcp.ts). Pure.
 *
 * dnsmasq hands the script the options in its own forms, turned back into the option bytes
 * TR-181 compares with:
 * - option 61 and the DHCPv6 DUID: hex with colons, e.g. `01:02:00:00:00:70:10`;
 * - DHCPv6 options 16 and 15 are not learnt: dnsmasq (2.90) walks their vendor-class-data and
 *   user-class-data items as if each were an option with a four-byte header, so the script gets
 *   each item without its first two bytes (a client sending "docsis" shows "csis"). A Filter
 *   naming clients by them under DHCPType DHCPv6 is refused (dhcpCriteriaUnlearnt, 7012);
 * - DHCPv4 option 77: dnsmasq gives RFC 3004's counted user classes each on its own, but an
 *   option that is not counted strings (one plain string, as some clients send) whole, split
 *   only at NUL bytes. Both forms are kept: the items each after a length byte, and the items
 *   joined by NUL bytes; either equal to a Filter's value matches.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { dhcpFamily, type LearntDhcpClient } from '../bridge-filter-dhcp.js';
import type { BadParam } from '../stored-table.js';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const COLON_HEX_RE = /^[0-9a-f]{2}(:[0-9a-f]{2})*$/;
/** A record bigger than this is not one the script wrote for a DHCP exchange (options are at most 255 bytes in DHCPv4). */
export const MAX_RECORD_BYTES = 16 * 1024;

/** The record's fields, in order, as name and raw bytes (a name may repeat). */
export function recordFields(data: Buffer): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0, start);
    if (end < 0) end = data.length;
    const field = data.subarray(start, end);
    const eq = field.indexOf(0x3d);
    if (eq > 0) out.push([field.subarray(0, eq).toString('latin1'), field.subarray(eq + 1)]);
    start = end + 1;
  }
  return out;
}

const hex = (b: Buffer): string => b.toString('hex');
/** RFC 3004 user classes: each after its one-byte length. */
const counted = (items: readonly Buffer[]): string => items.map((b) => b.length.toString(16).padStart(2, '0') + hex(b)).join('');

/** What a record says of its client, or undefined when it is no record of the script (no family, no MAC). */
export function parseLeaseRecord(data: Buffer): LearntDhcpClient | undefined {
  if (data.length > MAX_RECORD_BYTES) return undefined;
  const fields = recordFields(data);
  const one = (name: string): Buffer | undefined => fields.find(([n]) => n === name)?.[1];
  const all = (name: string): Buffer[] => fields.filter(([n]) => n === name).map(([, v]) => v);
  const family = one('family')?.toString('latin1');
  const mac = one('mac')?.toString('latin1').toLowerCase();
  if ((family !== '4' && family !== '6') || mac === undefined || !MAC_RE.test(mac)) return undefined;
  const clientId = one('client_id')?.toString('latin1').toLowerCase();
  const out: LearntDhcpClient = { family: family === '4' ? 4 : 6, mac, userClassHex: [] };
  if (clientId !== undefined && COLON_HEX_RE.test(clientId)) out.clientIdHex = clientId.replaceAll(':', '');
  const users = all('user_class');
  if (out.family === 4) {
    const vendor = one('vendor_class');
    if (vendor !== undefined) out.vendorClass = vendor;
    if (users.length > 0) out.userClassHex = [...new Set([counted(users), users.map(hex).join('00')])];
  }
  return out;
}

/**
 * The DHCP-derived criteria of Filter row `r` the agent cannot learn (see the file comment):
 * under DHCPType DHCPv6 a vendor class (option 16) or a user class (option 15). Each named
 * with why (7012); the DHCPv6 client ID (the DUID) is learnt.
 */
export function dhcpCriteriaUnlearnt(r: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>): BadParam[] {
  if (dhcpFamily(r) !== 6) return [];
  const why = "dnsmasq does not hand its lease script this DHCPv6 option's data intact, so the agent cannot tell which clients sent it; the DHCPv6 ClientID (DUID) and the DHCPv4 options can be used";
  const bad: BadParam[] = [];
  for (const side of ['Source', 'Dest'] as const) {
    for (const param of [`${side}MACFromVendorClassIDFilterv6`, `${side}MACFromUserClassIDFilter`]) {
      if (String(r[param] ?? '') !== '') bad.push({ param: changes[param] !== undefined ? param : 'DHCPType', message: `${param}: ${why}` });
    }
  }
  return bad;
}

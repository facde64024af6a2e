/**
 * One lease record of the agent's dnsmasq lease script (dnsmasq-lease-script.ts) read back as
 * what the client's most recent DHCP exchange said of it (bridge-filter-dhcp.ts). Pure.
 *
 * dnsmasq hands the script the options in its own forms, turned back into the option bytes
 * TR-181 compares with:
 * - option 61 and the DHCPv6 DUID: hex with colons, e.g. `01:02:00:00:00:70:10`;
 * - DHCPv6 option 16: the enterprise number in decimal and each vendor-class-data item on its
 *   own; the option is the number in four bytes, then each item after its two-byte length;
 * - DHCPv6 option 15: each user-class-data item; the option is each after its two-byte length;
 * - DHCPv4 option 77: dnsmasq gives RFC 3004's counted user classes each on its own, but an
 *   option that is not counted strings (one plain string, as some clients send) whole, split
 *   only at NUL bytes. Both forms are kept: the items each after a length byte, and the items
 *   joined by NUL bytes; either equal to a Filter's value matches.
 */
import type { LearntDhcpClient } from '../bridge-filter-dhcp.js';

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
const counted = (items: readonly Buffer[], lengthBytes: 1 | 2): string =>
  items.map((b) => (lengthBytes === 1 ? b.length.toString(16).padStart(2, '0') : b.length.toString(16).padStart(4, '0')) + hex(b)).join('');

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
    if (users.length > 0) out.userClassHex = [...new Set([counted(users, 1), users.map(hex).join('00')])];
  } else {
    const enterprise = one('vendor_class_id')?.toString('latin1');
    if (enterprise !== undefined && /^\d{1,10}$/.test(enterprise) && Number(enterprise) <= 0xffffffff) {
      out.vendorClassHex = Number(enterprise).toString(16).padStart(8, '0') + counted(all('vendor_class_data'), 2);
    }
    if (users.length > 0) out.userClassHex = [counted(users, 2)];
  }
  return out;
}

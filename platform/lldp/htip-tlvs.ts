/**
 * The HTIP (Home-network Topology Identifying Protocol, TTC JJ-300.00) organizationally
 * specific TLVs TR-181 maps into Device.LLDP.Discovery (LLDPRemOrgDefInfo:1): OUI E0271A
 * (TTC), subtype 1 "device information" and subtype 2 "link information".
 *
 * - Device information: one field per TLV, an ID octet, a length octet and the value:
 *   1 device category (text; several TLVs make the list), 2 manufacturer code (the OUI, text),
 *   3 model name, 4 model number (text), 255 vendor-specific (a 3-octet organization code, an
 *   information type octet, then the information as text). Other IDs (status values) have no
 *   TR-181 parameter and are skipped.
 * - Link information: interface type (length octet, then the IANAifType as a big-endian
 *   number), port number (length, value), then a count octet and that many 6-octet MACs (the
 *   port's MAC forwarding table).
 *
 * Anything shorter than its lengths say is ignored, not guessed at.
 */
import type { OrgTlv } from './lldpcli-neighbours.js';

export const TTC_OUI = 'E0271A';
const DEVICE_INFORMATION = 1;
const LINK_INFORMATION = 2;
/** TR-181 limits: list items and strings. */
const MAX_ITEMS = 255;

export interface HtipVendorSpecific {
  /** Six upper-case hex digits. */
  organizationCode: string;
  informationType: number;
  information: string;
}

export interface HtipDevice {
  categories: string[];
  /** Six upper-case hex digits, or "" when not sent (or not of that form). */
  manufacturerOui: string;
  modelName: string;
  modelNumber: string;
  vendorSpecific: HtipVendorSpecific[];
}

export interface HtipLink {
  /** IANAifType, 0 when not sent. */
  interfaceType: number;
  macForwardingTable: string[];
}

const text = (bytes: readonly number[], max = 255): string => Buffer.from(bytes).toString('utf8').replace(/\0+$/, '').slice(0, max);
const hex = (bytes: readonly number[]): string =>
  bytes
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
const mac = (bytes: readonly number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');

/** The HTIP device information of a neighbour's TLVs (empty values when it sent none). */
export function htipDevice(tlvs: readonly OrgTlv[]): HtipDevice {
  const out: HtipDevice = { categories: [], manufacturerOui: '', modelName: '', modelNumber: '', vendorSpecific: [] };
  for (const t of tlvs) {
    if (t.oui !== TTC_OUI || t.subtype !== DEVICE_INFORMATION || t.bytes.length < 2) continue;
    const [id, length] = [t.bytes[0]!, t.bytes[1]!];
    const value = t.bytes.slice(2, 2 + length);
    if (value.length < length) continue;
    if (id === 1 && out.categories.length < MAX_ITEMS) out.categories.push(text(value, 31).replace(/,/g, ' '));
    else if (id === 2) out.manufacturerOui = /^[0-9A-F]{6}$/.test(text(value).toUpperCase()) ? text(value).toUpperCase() : '';
    else if (id === 3) out.modelName = text(value, 31);
    else if (id === 4) out.modelNumber = text(value, 31);
    else if (id === 255 && value.length >= 4 && out.vendorSpecific.length < MAX_ITEMS) {
      const entry = { organizationCode: hex(value.slice(0, 3)), informationType: value[3]!, information: text(value.slice(4)) };
      // The table's unique key is (OrganizationCode, InformationType): a repeat replaces the earlier one.
      const i = out.vendorSpecific.findIndex((v) => v.organizationCode === entry.organizationCode && v.informationType === entry.informationType);
      if (i >= 0) out.vendorSpecific[i] = entry;
      else out.vendorSpecific.push(entry);
    }
  }
  return out;
}

/** The HTIP link information of a neighbour's TLVs (the first one sent; 0 and none when none). */
export function htipLink(tlvs: readonly OrgTlv[]): HtipLink {
  for (const t of tlvs) {
    if (t.oui !== TTC_OUI || t.subtype !== LINK_INFORMATION) continue;
    const b = t.bytes;
    let at = 0;
    const field = (): number[] | undefined => {
      const length = b[at];
      if (length === undefined || at + 1 + length > b.length) return undefined;
      const value = b.slice(at + 1, at + 1 + length);
      at += 1 + length;
      return value;
    };
    const type = field();
    if (!type) continue;
    const interfaceType = type.reduce((n, x) => n * 256 + x, 0);
    const macs: string[] = [];
    if (field() !== undefined && at < b.length) {
      const count = b[at]!;
      at += 1;
      for (let i = 0; i < count && at + 6 <= b.length && macs.length < MAX_ITEMS; i++, at += 6) macs.push(mac(b.slice(at, at + 6)));
    }
    return { interfaceType, macForwardingTable: macs };
  }
  return { interfaceType: 0, macForwardingTable: [] };
}

/**
 * The LLDP neighbours lldpd has learnt, as `lldpcli -f json0 show neighbors details` prints them
 * (lldpd 1.0.x, Debian's and OpenWrt's package alike). `json0` is lldpcli's stable JSON: every
 * element is a list, whatever the number of neighbours or addresses, unlike plain `-f json`,
 * whose shape changes between one neighbour and two.
 *
 * lldpcli names the ID subtypes (`mac`, `ifname`, ...) rather than numbering them; the IEEE
 * 802.1AB numbers TR-181 wants (Device.LLDP.Discovery.Device.{i}.ChassisIDSubtype,
 * Port.{i}.PortIDSubtype) are mapped back here. lldpd prints "unhandled" for both "chassis
 * component" and "port component" (and for "agent circuit ID" ports), with no value: such a
 * neighbour has no usable ID and is left out.
 */

/** One neighbour: one remote port, seen on one local interface. */
export interface LldpNeighbour {
  /** The local interface lldpd received it on (a netdev name). */
  localInterface: string;
  chassisIdSubtype: number;
  chassisId: string;
  /** System Name TLV ("" when not sent). */
  systemName: string;
  /** Management Address TLVs. */
  managementAddresses: string[];
  portIdSubtype: number;
  portId: string;
  /** Port Description TLV ("" when not sent). */
  portDescription: string;
  /** The Time To Live TLV, s. */
  ttl: number;
  /** How long ago lldpd last saw this neighbour's information change, s. */
  ageS: number;
  /** Organizationally specific TLVs lldpd does not decode itself (its "unknown-tlvs"; HTIP's among them). */
  orgTlvs: OrgTlv[];
}

/** One organizationally specific TLV (type 127) as lldpd keeps it: OUI, subtype and the bytes after them. */
export interface OrgTlv {
  /** Six upper-case hex digits ("E0271A"). */
  oui: string;
  subtype: number;
  bytes: number[];
}

/** How many undecoded TLVs are kept per neighbour. */
export const MAX_ORG_TLVS = 64;

/** How many neighbours are read at most (lldpd keeps a few per port; a flood of them is cut here). */
export const MAX_LLDP_NEIGHBOURS = 256;

/** IEEE 802.1AB chassis ID subtypes by lldpcli's names. */
const CHASSIS_SUBTYPES: Readonly<Record<string, number>> = { ifalias: 2, mac: 4, ip: 5, ifname: 6, local: 7 };
/** IEEE 802.1AB port ID subtypes by lldpcli's names. */
const PORT_SUBTYPES: Readonly<Record<string, number>> = { ifalias: 1, mac: 3, ip: 4, ifname: 5, local: 7 };

/** An element of json0: a list of objects. */
type Json0 = ReadonlyArray<Record<string, unknown>> | undefined;

function list(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
}

/** The `value` of the first item of a json0 element ("" when absent). */
function first(v: unknown): string {
  const item = list(v)[0];
  return typeof item?.value === 'string' ? item.value : '';
}

/** lldpcli's age, "1 day, 02:03:04" (or "0 day, ..."), in seconds; 0 when unreadable. */
export function parseLldpAge(text: string): number {
  const m = /(\d+)\s+days?,\s*(\d+):(\d+):(\d+)/.exec(text);
  if (!m) return 0;
  return Number(m[1]) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** The ID of a chassis or port element: its subtype number and value, or undefined when lldpd could not show it. */
function idOf(element: unknown, subtypes: Readonly<Record<string, number>>): { subtype: number; id: string } | undefined {
  const id = list(element)[0];
  const subtype = typeof id?.type === 'string' ? subtypes[id.type] : undefined;
  const value = typeof id?.value === 'string' ? id.value : '';
  if (subtype === undefined || value === '') return undefined;
  return { subtype, id: value };
}

/**
 * Parses `lldpcli -f json0 show neighbors details`. Throws on text that is not JSON (the runner
 * reports it as a parse failure); an answer without neighbours is [].
 */
export function parseLldpNeighbours(stdout: string): LldpNeighbour[] {
  const doc = JSON.parse(stdout) as { lldp?: Json0 };
  const out: LldpNeighbour[] = [];
  for (const lldp of list(doc.lldp)) {
    for (const iface of list(lldp.interface)) {
      if (out.length >= MAX_LLDP_NEIGHBOURS) return out;
      const chassis = list(iface.chassis)[0];
      const port = list(iface.port)[0];
      if (typeof iface.name !== 'string' || !chassis || !port) continue;
      const c = idOf(chassis.id, CHASSIS_SUBTYPES);
      const p = idOf(port.id, PORT_SUBTYPES);
      if (!c || !p) continue;
      const ttl = Number(first(port.ttl) || first(chassis.ttl));
      out.push({
        localInterface: iface.name,
        chassisIdSubtype: c.subtype,
        chassisId: c.id,
        systemName: first(chassis.name),
        managementAddresses: list(chassis['mgmt-ip']).flatMap((a) => (typeof a.value === 'string' ? [a.value] : [])),
        portIdSubtype: p.subtype,
        portId: p.id,
        portDescription: first(port.descr),
        ttl: Number.isInteger(ttl) && ttl >= 0 ? Math.min(ttl, 65535) : 0,
        ageS: typeof iface.age === 'string' ? parseLldpAge(iface.age) : 0,
        orgTlvs: orgTlvsOf(iface['unknown-tlvs']),
      });
    }
  }
  return out;
}

/** lldpcli prints bytes as upper-case hex pairs joined by commas ("E0,27,1A"). */
function hexBytes(text: unknown): number[] | undefined {
  if (typeof text !== 'string' || text === '') return typeof text === 'string' ? [] : undefined;
  const pairs = text.split(',');
  if (!pairs.every((p) => /^[0-9A-Fa-f]{2}$/.test(p))) return undefined;
  return pairs.map((p) => parseInt(p, 16));
}

function orgTlvsOf(element: unknown): OrgTlv[] {
  const out: OrgTlv[] = [];
  for (const group of list(element)) {
    for (const t of list(group['unknown-tlv'])) {
      const oui = hexBytes(t.oui);
      const bytes = hexBytes(t.value ?? '');
      const subtype = Number(t.subtype);
      if (!oui || oui.length !== 3 || !bytes || !Number.isInteger(subtype)) continue;
      if (out.length >= MAX_ORG_TLVS) return out;
      out.push({
        oui: oui
          .map((b) => b.toString(16).padStart(2, '0'))
          .join('')
          .toUpperCase(),
        subtype,
        bytes,
      });
    }
  }
  return out;
}

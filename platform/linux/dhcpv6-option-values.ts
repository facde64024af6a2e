/**
 * A DHCPv6 option's TR-181 hexBinary Value as dnsmasq's `dhcp-option=option6:<code>,<value>`
 * takes it. dnsmasq parses the options it knows (`dnsmasq --help dhcp6`) by their type, and
 * refuses raw bytes for them: an address list must be written as `[addr],...`, a domain list
 * as names, a number in decimal. Any other code takes the bytes as `xx:xx:...`. A Value that
 * does not fit its option's type is undefined here and refused (7012) before it is kept.
 */

/** RFC 8415/3646/3319/4075/3898/4833 options whose data is a list of IPv6 addresses. */
const ADDRESS_LISTS = new Set([22, 23, 27, 28, 31]);
/** Options whose data is a list of domain names in DNS wire format (RFC 1035 §3.1). */
const DOMAIN_LISTS = new Set([21, 24, 29, 30]);
/** Options whose data is text (RFC 4833 time zones, RFC 5970 boot file URL). */
const TEXT = new Set([41, 42, 59]);
/** Known to dnsmasq with a structure (NTP suboptions, boot file parameters) this mapping does not write. */
const UNSUPPORTED = new Set([56, 60]);

const HEX_RE = /^([0-9A-Fa-f]{2})*$/;
/** Printable text without the characters dnsmasq's option parser treats specially. */
const SAFE_TEXT = /^[\x21-\x7e]+$/;
const NAME_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function addresses(bytes: Buffer): string | undefined {
  if (bytes.length === 0 || bytes.length % 16 !== 0) return undefined;
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const groups = Array.from({ length: 8 }, (_, g) => bytes.readUInt16BE(i + 2 * g).toString(16));
    out.push(`[${groups.join(':')}]`);
  }
  return out.join(',');
}

function domains(bytes: Buffer): string | undefined {
  const names: string[] = [];
  let labels: string[] = [];
  for (let i = 0; i < bytes.length;) {
    const len = bytes[i]!;
    i += 1;
    if (len === 0) {
      if (labels.length === 0) return undefined;
      names.push(labels.join('.'));
      labels = [];
      continue;
    }
    if (len > 63 || i + len > bytes.length) return undefined;
    const label = bytes.subarray(i, i + len).toString('latin1');
    if (!NAME_LABEL.test(label)) return undefined;
    labels.push(label);
    i += len;
  }
  return labels.length === 0 && names.length > 0 ? names.join(',') : undefined;
}

/** The value text of `dhcp-option=option6:<tag>,<value>`, or undefined when `hex` cannot be one (or "" for an empty option). */
export function dnsmasqOption6Value(tag: number, hex: string): string | undefined {
  if (!HEX_RE.test(hex)) return undefined;
  const bytes = Buffer.from(hex, 'hex');
  if (UNSUPPORTED.has(tag)) return undefined;
  if (ADDRESS_LISTS.has(tag)) return addresses(bytes);
  if (DOMAIN_LISTS.has(tag)) return domains(bytes);
  if (TEXT.has(tag)) {
    const text = bytes.toString('latin1');
    return SAFE_TEXT.test(text) && !/[,"'\\#]/.test(text) ? text : undefined;
  }
  // information-refresh-time: a 32-bit number of seconds.
  if (tag === 32) return bytes.length === 4 ? String(bytes.readUInt32BE(0)) : undefined;
  return (hex.match(/../g) ?? []).join(':').toLowerCase();
}

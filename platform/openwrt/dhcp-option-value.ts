/**
 * One item of a `dhcp` section's `dhcp_option` list as dnsmasq reads it (`--dhcp-option=<tag>,<value>`,
 * which OpenWrt's dnsmasq.init passes on unchanged), and TR-181's Option.{i}.Tag / Value
 * (hexBinary: the option's data bytes). Pure functions, no I/O.
 *
 * dnsmasq turns the text after the tag into bytes by its form (checked against dnsmasq 2.90 and a
 * BusyBox udhcpc client asking for the options, see test/fixtures/openwrt/README.md):
 * - dotted IPv4 addresses, comma-separated: 4 bytes each ('3,192.168.1.1');
 * - hex byte groups joined by colons: those bytes ('252,68:74:74:70');
 * - a decimal number: the option's own width for the options dnsmasq knows (MTU 26: 2 bytes),
 *   else the fewest bytes that hold it ('224,5' → 05, '225,300' → 012c);
 * - anything else: the text itself.
 * Items naming the option by name ("option:router,…"), with a tag or vendor prefix, or for
 * DHCPv6 ("option6:") are not TR-181 Option rows: they are kept as written and not served.
 */

/** The DHCPv4 option tags TR-181 allows for Option.{i}.Tag (0 and 255 are pad and end). */
export const MIN_TAG = 1;
export const MAX_TAG = 254;

/** Options dnsmasq knows as lists of IPv4 addresses: written back as dotted addresses, as people write them. */
const ADDRESS_TAGS = new Set([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 21, 28, 32, 33, 41, 42, 44, 45, 48, 49, 50, 54, 65, 68, 69, 70, 71, 72, 73, 74, 75, 76]);

/** Width in bytes dnsmasq gives a decimal value of the fixed-size options it knows. */
const WIDTH: Readonly<Record<number, number>> = {
  2: 4,
  13: 2,
  19: 1,
  20: 1,
  22: 2,
  23: 1,
  24: 4,
  26: 2,
  27: 1,
  29: 1,
  30: 1,
  31: 1,
  34: 1,
  35: 4,
  36: 1,
  37: 1,
  38: 4,
  39: 1,
  46: 1,
  51: 4,
  52: 1,
  57: 2,
  58: 4,
  59: 4,
};

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const COLON_HEX = /^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2})+$/;

export interface DhcpOptionItem {
  tag: number;
  /** Lower-case hex of the option data ("" for an empty option). */
  value: string;
}

/** The Tag and Value dnsmasq sends for one `dhcp_option` item, or undefined when it is no Option row. */
export function parseDhcpOption(item: string): DhcpOptionItem | undefined {
  const m = /^(\d{1,3})(?:,(.*))?$/s.exec(item);
  if (!m) return undefined;
  const tag = Number(m[1]);
  if (tag < MIN_TAG || tag > MAX_TAG) return undefined;
  const text = m[2] ?? '';
  return { tag, value: valueBytes(tag, text) };
}

function valueBytes(tag: number, text: string): string {
  if (text === '') return '';
  const parts = text.split(',');
  const quads = parts.map((p) => QUAD.exec(p.trim()));
  if (quads.every((q) => q && q.slice(1).every((o) => Number(o) <= 255))) {
    return quads
      .map((q) =>
        q!
          .slice(1)
          .map((o) => hexByte(Number(o)))
          .join(''),
      )
      .join('');
  }
  if (COLON_HEX.test(text))
    return text
      .split(':')
      .map((b) => b.padStart(2, '0').toLowerCase())
      .join('');
  if (/^\d+$/.test(text) && Number(text) <= 0xffffffff) {
    const n = Number(text);
    const width = WIDTH[tag] ?? (n <= 0xff ? 1 : n <= 0xffff ? 2 : 4);
    return n
      .toString(16)
      .padStart(width * 2, '0')
      .slice(-width * 2);
  }
  // dnsmasq strips the quotes of a quoted string.
  const unquoted = /^"(.*)"$/s.exec(text)?.[1] ?? text;
  return Buffer.from(unquoted, 'utf8').toString('hex');
}

/**
 * The `dhcp_option` item that makes dnsmasq send `value` (hex) as option `tag`, or a message
 * saying why it cannot: dotted addresses for the address options, a decimal number for a value of
 * the option's own width (and any single byte of an option of no fixed width), else colon hex.
 */
export function formatDhcpOption(tag: number, value: string): string | { refused: string } {
  const hex = value.toLowerCase();
  if (!/^([0-9a-f]{2})*$/.test(hex)) return { refused: 'must be hexBinary' };
  const bytes = hex.match(/../g) ?? [];
  if (bytes.length === 0) return String(tag);
  if (ADDRESS_TAGS.has(tag) && bytes.length % 4 === 0) {
    const quads: string[] = [];
    for (let i = 0; i < bytes.length; i += 4)
      quads.push(
        bytes
          .slice(i, i + 4)
          .map((b) => parseInt(b, 16))
          .join('.'),
      );
    return `${tag},${quads.join(',')}`;
  }
  const width = WIDTH[tag];
  if (bytes.length === (width ?? 1)) return `${tag},${parseInt(hex, 16)}`;
  if (bytes.length === 1) return { refused: `option ${tag} takes ${width} bytes in dnsmasq` };
  return `${tag},${bytes.join(':')}`;
}

function hexByte(n: number): string {
  return n.toString(16).padStart(2, '0');
}

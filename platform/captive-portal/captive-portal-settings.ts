/**
 * Device.CaptivePortal. (TR-181 CaptivePortal:1): the checks of URL and AllowedList and what
 * Status reads, shared by every platform (pure functions, no I/O).
 *
 * - URL: TR-181 says the captive portal URL MUST be an HTTP (not HTTPS) URL, and "" MUST be
 *   accepted (Status then reads Error_URLEmpty while Enable is true). It becomes a Location
 *   header, so control characters and white space are refused as well.
 * - AllowedList: IPv4 or IPv6 addresses and CIDR prefixes (RFC 4632), and FQDNs. A prefix with
 *   host bits set (TR-181's own example: 1.2.3.4/24) names its network (1.2.3.0/24). A name is
 *   let through by the addresses the device's resolver gives for it (the platform resolves it
 *   when it writes its rules, and again from time to time); at most MAX_ALLOWED_NAMES of them.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const CAPTIVE_PORTAL = 'Device.CaptivePortal.';

/** One AllowedList entry as the rules use it: a network address and its prefix length. */
export interface AllowedPrefix {
  family: 4 | 6;
  /** The network address (host bits cleared), in its canonical text. */
  address: string;
  length: number;
}

export interface BadSetting {
  param: 'URL' | 'AllowedList';
  message: string;
}

/** Entries longer than this are neither an address or prefix nor a host name (RFC 1035: 253). */
const MAX_ENTRY = 253;
/** Host names an AllowedList may hold: each is resolved at every write of the rules. */
export const MAX_ALLOWED_NAMES = 32;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

/** Why `url` cannot be the captive portal URL; undefined when it can ("" included). */
export function urlProblem(url: string): string | undefined {
  if (url === '') return undefined;
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return 'a URL holds no white space or control characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${url} is not a URL`;
  }
  if (parsed.protocol !== 'http:') return `${parsed.protocol.replace(/:$/, '')} URL: the captive portal URL must be an http:// URL (TR-181)`;
  if (parsed.hostname === '') return `${url} names no host`;
  return undefined;
}

/** The AllowedList entries (comma-separated, blanks dropped). */
export function allowedEntries(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `entry` as a prefix, a host name (a fully qualified one: at least two labels), or why it is neither. */
export function parseAllowed(entry: string): AllowedPrefix | { name: string } | { problem: string } {
  if (entry.length > MAX_ENTRY) return { problem: `${entry.slice(0, 20)}…: too long for an address, prefix or host name` };
  const slash = entry.indexOf('/');
  const addr = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIPv4(addr) ? 4 : isIPv6(addr) && !addr.includes('%') ? 6 : undefined;
  if (family === undefined) {
    if (slash < 0 && HOST_NAME.test(entry) && !/^[\d.]+$/.test(entry)) return { name: entry.toLowerCase().replace(/\.$/, '') };
    return { problem: `${entry} is not an IP address, prefix or host name` };
  }
  const max = family === 4 ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const n = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(n) || Number(n) > max) return { problem: `${entry}: the prefix length must be 0-${max}` };
    length = Number(n);
  }
  const bits = family === 4 ? ipv4Bits(addr) : ipv6Bits(addr);
  const network = bits & ~((1n << BigInt(max - length)) - 1n);
  return { family, address: family === 4 ? ipv4Text(network) : ipv6Text(network), length };
}

/** The entries of `list` as prefixes and host names (duplicates once), and what is wrong with the others. */
export function allowedPrefixes(list: string): { prefixes: AllowedPrefix[]; names: string[]; problems: string[] } {
  const prefixes: AllowedPrefix[] = [];
  const names = new Set<string>();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of allowedEntries(list)) {
    const p = parseAllowed(entry);
    if ('problem' in p) problems.push(p.problem);
    else if ('name' in p) names.add(p.name);
    else if (!seen.has(`${p.address}/${p.length}`)) {
      seen.add(`${p.address}/${p.length}`);
      prefixes.push(p);
    }
  }
  if (names.size > MAX_ALLOWED_NAMES) problems.push(`${names.size} host names: at most ${MAX_ALLOWED_NAMES} (each is resolved at every write of the rules); give addresses or prefixes for the others`);
  return { prefixes, names: [...names], problems };
}

/** An address the resolver gave, as an AllowedList prefix of one address. */
export function addressPrefix(address: string): AllowedPrefix | undefined {
  const p = parseAllowed(address);
  return 'address' in p ? p : undefined;
}

/** What a Set of URL and AllowedList does wrong (empty: nothing). */
export function settingProblems(changes: Readonly<Record<string, unknown>>): BadSetting[] {
  const bad: BadSetting[] = [];
  if (typeof changes.URL === 'string') {
    const p = urlProblem(changes.URL);
    if (p) bad.push({ param: 'URL', message: p });
  }
  if (typeof changes.AllowedList === 'string') {
    const { problems } = allowedPrefixes(changes.AllowedList);
    if (problems.length > 0) bad.push({ param: 'AllowedList', message: problems.slice(0, 5).join('; ') + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : '') });
  }
  return bad;
}

export type CaptivePortalStatus = 'Disabled' | 'Enabled' | 'Error_URLEmpty' | 'Error';

/** Status from the stored setting; `failed` when the platform could not put it into effect. */
export function captiveStatus(enable: boolean, url: string, failed = false): CaptivePortalStatus {
  if (!enable) return 'Disabled';
  if (url === '') return 'Error_URLEmpty';
  return failed ? 'Error' : 'Enabled';
}

function ipv4Bits(addr: string): bigint {
  return addr.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
}

function ipv4Text(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}

function ipv6Bits(addr: string): bigint {
  let text = addr;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4Bits(v4[1]!);
    text = `${text.slice(0, v4.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups as "::". */
function ipv6Text(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

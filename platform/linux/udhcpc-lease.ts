/**
 * What busybox udhcpc tells its script about a lease, and how Device.DHCPv4.Client.{i}. reads it.
 *
 * udhcpc passes the lease to its script as environment variables: the options it knows by a
 * name of its own, decoded into text (`router=10.0.0.1`, `dns=10.0.0.1 10.0.0.2`, `mtu=1400`),
 * and every other option as `opt<tag>=<hex>`. The agent's script (udhcpc-script.ts) writes the
 * variables the agent asks for into one file, NUL-separated `name=value` records, so no value
 * (a server-chosen string) can forge another record. ReqOption.{i}.Value is hexBinary: the
 * decoded text of a known option is turned back into the option's bytes here, for the types
 * whose text maps back one to one (addresses, integers, strings); the others (routes, domain
 * search lists, SIP servers, 6rd) read empty.
 */

import { requestListOption } from '../dhcpv4-request-list.js';

/** How udhcpc decodes a known option into text. */
type Decoded = 'ip' | 'u8' | 'u16' | 's32' | 'u32' | 'string';

/** busybox 1.35's names of the options it decodes, by tag (networking/udhcp/common.c). */
const KNOWN: ReadonlyMap<number, { name: string; type?: Decoded }> = new Map([
  [1, { name: 'subnet', type: 'ip' }],
  [2, { name: 'timezone', type: 's32' }],
  [3, { name: 'router', type: 'ip' }],
  [6, { name: 'dns', type: 'ip' }],
  [9, { name: 'lprsrv', type: 'ip' }],
  [12, { name: 'hostname', type: 'string' }],
  [13, { name: 'bootsize', type: 'u16' }],
  [15, { name: 'domain', type: 'string' }],
  [16, { name: 'swapsrv', type: 'ip' }],
  [17, { name: 'rootpath', type: 'string' }],
  [23, { name: 'ipttl', type: 'u8' }],
  [26, { name: 'mtu', type: 'u16' }],
  [28, { name: 'broadcast', type: 'ip' }],
  [33, { name: 'routes' }],
  [40, { name: 'nisdomain', type: 'string' }],
  [41, { name: 'nissrv', type: 'ip' }],
  [42, { name: 'ntpsrv', type: 'ip' }],
  [44, { name: 'wins', type: 'ip' }],
  [51, { name: 'lease', type: 'u32' }],
  [54, { name: 'serverid', type: 'ip' }],
  [56, { name: 'message', type: 'string' }],
  [66, { name: 'tftp', type: 'string' }],
  [67, { name: 'bootfile', type: 'string' }],
  [119, { name: 'search' }],
  [120, { name: 'sipsrv' }],
  [121, { name: 'staticroutes' }],
  [212, { name: 'ip6rd' }],
  [249, { name: 'msstaticroutes' }],
  [252, { name: 'wpad', type: 'string' }],
]);

/** The variables every lease is read from (beside those of the ReqOption rows). */
const LEASE_VARS = ['ip', 'mask', 'subnet', 'router', 'dns', 'serverid', 'lease'];

/** The environment variable udhcpc gives option `tag` in. */
export function optionVariable(tag: number): string {
  return KNOWN.get(tag)?.name ?? `opt${tag}`;
}

/** The variables the script records for a client requesting `tags` (names of [a-z0-9] only). */
export function leaseVariables(tags: readonly number[]): string[] {
  return [...new Set([...LEASE_VARS, ...tags.map(optionVariable)])];
}

/** One lease as the script last recorded it. */
export interface UdhcpcLease {
  /** The event of udhcpc that wrote it: deconfig, bound, renew, leasefail, nak. */
  event: string;
  vars: ReadonlyMap<string, string>;
}

/** The script's file: NUL-separated name=value records, `event` first. */
export function parseLeaseRecord(text: string): UdhcpcLease {
  const vars = new Map<string, string>();
  for (const rec of text.split('\0')) {
    const eq = rec.indexOf('=');
    if (eq > 0) vars.set(rec.slice(0, eq), rec.slice(eq + 1));
  }
  return { event: vars.get('event') ?? '', vars };
}

/** TR-181 DHCPStatus of the client after udhcpc's last `event`. */
export function dhcpStatusOf(event: string): string {
  if (event === 'bound' || event === 'renew') return 'Bound';
  // deconfig: udhcpc has no lease and is looking for one (DHCPDISCOVER).
  if (event === 'deconfig' || event === 'leasefail') return 'Selecting';
  return 'Init';
}

const hex2 = (n: number, bytes: number): string =>
  (n >>> 0)
    .toString(16)
    .padStart(bytes * 2, '0')
    .slice(-bytes * 2);

/** The bytes (hex, upper case as TR-181 shows hexBinary) of option `tag` from the recorded text; '' when absent or not recoverable. */
export function optionHex(tag: number, vars: ReadonlyMap<string, string>): string {
  const known = KNOWN.get(tag);
  const text = vars.get(optionVariable(tag));
  if (text === undefined) return '';
  if (!known) return /^([0-9a-fA-F]{2})*$/.test(text) ? text.toUpperCase() : '';
  switch (known.type) {
    case 'ip': {
      const quads = text.split(/\s+/).filter((s) => s !== '');
      const out: string[] = [];
      for (const q of quads) {
        const parts = q.split('.').map(Number);
        if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return '';
        out.push(parts.map((p) => hex2(p, 1)).join(''));
      }
      return out.join('').toUpperCase();
    }
    case 'u8':
    case 'u16':
    case 'u32':
    case 's32': {
      const n = Number(text);
      if (!Number.isInteger(n)) return '';
      return hex2(n, known.type === 'u8' ? 1 : known.type === 'u16' ? 2 : 4).toUpperCase();
    }
    case 'string':
      return Buffer.from(text, 'utf8').toString('hex').toUpperCase();
    default:
      return '';
  }
}

/**
 * udhcpc's arguments for the sent options and the Parameter Request List `requested`, in its
 * order (hex values only: no text reaches a shell). The list is a raw option 55 beside `-o` and
 * no `-O`, so udhcpc sends it as given (dhcpv4-request-list.ts).
 */
export function optionArgs(sent: ReadonlyArray<{ tag: number; hex: string }>, requested: readonly number[]): string[] {
  const args: string[] = [];
  // Tag 60 given by the operator: udhcpc's own vendor class ("udhcp 1.35.0") is not sent beside it.
  if (sent.some((s) => s.tag === 60)) args.push('-V', '');
  for (const s of sent) args.push('-x', `${s.tag}:${s.hex}`);
  if (requested.length > 0) args.push('-o', '-x', requestListOption(requested));
  return args;
}

/**
 * What the Linux DHCPv6 client (dhcpv6-client.ts) asks of dhcpcd, and what it reads back. Pure:
 * no file, no process.
 *
 * | TR-181 Device.DHCPv6.Client.{i} | dhcpcd.conf (`dhcpcd -6 -B -f FILE DEV`) |
 * |--------|--------------|
 * | RequestAddresses | `ia_na 1` |
 * | RequestPrefixes | `ia_pd 2` (the prefix is recorded, not assigned downstream) |
 * | neither | `inform6` (stateless: an Information-request) |
 * | RapidCommit | `option rapid_commit` (RFC 8415 §18.2.1) |
 * | RequestedOptions 23, 24, 31 | `option dhcp6_name_servers`, `dhcp6_domain_search`, `dhcp6_sntp_servers` |
 *
 * Always `noipv6rs` (the client solicits at once: it does not wait for a Router Advertisement's
 * M or O flag; the RA side is the kernel's), `persistent` (an agent restart keeps the address),
 * `duid` (a DUID-LLT kept by dhcpcd) and the agent's hook script, which records dhcpcd's
 * variables (new_dhcp6_*) in a state file.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { optionCodeList } from '../dhcpv6-options.js';

/** RequestedOptions codes dhcpcd can ask for, by its option names. */
export const DHCPCD_REQUESTABLE: ReadonlyMap<number, string> = new Map([
  [23, 'dhcp6_name_servers'],
  [24, 'dhcp6_domain_search'],
  [31, 'dhcp6_sntp_servers'],
]);

/** The hook dhcpcd runs at each event: records the event and the DHCPv6 variables for the agent. */
export const DHCPCD_HOOK = `#!/bin/sh
# Written by usp-agent (Device.DHCPv6.Client): records dhcpcd's DHCPv6 lease for the agent.
f="$USP_STATE"
[ -n "$f" ] || exit 0
{
  printf 'reason=%s\\n' "$reason"
  env | grep '^new_dhcp6_[a-z0-9_]*=' | tr -d '\\r'
} > "$f.tmp" && mv -f "$f.tmp" "$f"
exit 0
`;

/** dhcpcd.conf text for a Client row (values already checked). */
export function dhcpcdConf(row: Readonly<Record<string, Value>>, hook: string, stateFile: string): string {
  const lines = ['# Written by usp-agent from a Device.DHCPv6.Client row; replaced at every change.', 'noipv6rs', 'persistent', 'duid', `script ${hook}`, `env USP_STATE=${stateFile}`];
  if (row.RequestAddresses !== false) lines.push('ia_na 1');
  if (row.RequestPrefixes === true) lines.push('ia_pd 2');
  if (row.RequestAddresses === false && row.RequestPrefixes !== true) lines.push('inform6');
  if (row.RapidCommit === true) lines.push('option rapid_commit');
  const names = (optionCodeList(row.RequestedOptions) ?? []).flatMap((t) => DHCPCD_REQUESTABLE.get(t) ?? []);
  if (names.length > 0) lines.push(`option ${names.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** The state file: the event and dhcpcd's variables (bounded). */
export function parseDhcpcdState(text: string): { reason: string; vars: Map<string, string> } {
  const vars = new Map<string, string>();
  let reason = '';
  for (const line of text.split('\n').slice(0, 256)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1);
    if (k === 'reason') reason = v;
    else if (/^new_dhcp6_[a-z0-9_]+$/.test(k)) vars.set(k.slice('new_dhcp6_'.length), v);
  }
  return { reason, vars };
}

/** Events after which dhcpcd holds a lease (or the information of an Information-request). */
const BOUND = new Set(['BOUND6', 'RENEW6', 'REBIND6', 'REBOOT6', 'INFORM6', 'DELEGATED6']);

export function isBound(reason: string): boolean {
  return BOUND.has(reason);
}

const hex = (n: number, bytes: number): string =>
  (Number.isFinite(n) && n >= 0 ? Math.min(n, 2 ** (8 * bytes) - 1) : 0)
    .toString(16)
    .padStart(bytes * 2, '0')
    .toUpperCase();
const option = (code: number, data: string): string => hex(code, 2) + hex(data.length / 2, 2) + data;

/** An IPv6 address as 32 hex digits, undefined for anything else. */
export function addressHex(text: string): string | undefined {
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<string>(missing).fill('0'), ...tail];
  return all.every((g) => /^[0-9a-f]{1,4}$/.test(g))
    ? all
        .map((g) => g.padStart(4, '0'))
        .join('')
        .toUpperCase()
    : undefined;
}

/** Domain names in DNS wire format (RFC 1035 §3.1). */
function domainsHex(names: string[]): string {
  return names
    .map(
      (n) =>
        n
          .split('.')
          .filter(Boolean)
          .map((l) => hex(l.length, 1) + Buffer.from(l, 'latin1').toString('hex').toUpperCase())
          .join('') + '00',
    )
    .join('');
}

/**
 * The options of the server's Reply as TR-181 ReceivedOption rows (hexBinary option data),
 * rebuilt from dhcpcd's variables: client and server identifiers, IA_NA and IA_PD with their
 * addresses and prefixes, and the requested options.
 */
export function receivedOptions(vars: ReadonlyMap<string, string>): Array<{ Tag: number; Value: string }> {
  const out: Array<{ Tag: number; Value: string }> = [];
  const v = (k: string): string | undefined => vars.get(k);
  const clientId = v('client_id');
  if (clientId && /^([0-9a-f]{2})+$/i.test(clientId)) out.push({ Tag: 1, Value: clientId.toUpperCase() });
  const serverId = v('server_id');
  if (serverId && /^([0-9a-f]{2})+$/i.test(serverId)) out.push({ Tag: 2, Value: serverId.toUpperCase() });
  const ia = (kind: 'na' | 'pd', tag: number): void => {
    const p = `ia_${kind}1_`;
    const iaid = v(`${p}iaid`);
    if (!iaid || !/^[0-9a-f]{8}$/i.test(iaid)) return;
    let inner = '';
    for (let i = 1; i <= 16; i++) {
      const life = hex(Number(v(`${p}ia_${kind === 'na' ? 'addr' : 'prefix'}${i}_pltime`)), 4) + hex(Number(v(`${p}ia_${kind === 'na' ? 'addr' : 'prefix'}${i}_vltime`)), 4);
      if (kind === 'na') {
        const a = addressHex(v(`${p}ia_addr${i}`) ?? '');
        if (!a) break;
        inner += option(5, a + life);
      } else {
        const a = addressHex(v(`${p}ia_prefix${i}`) ?? '');
        if (!a) break;
        inner += option(26, life + hex(Number(v(`${p}ia_prefix${i}_length`)), 1) + a);
      }
    }
    out.push({ Tag: tag, Value: iaid.toUpperCase() + hex(Number(v(`${p}t1`)), 4) + hex(Number(v(`${p}t2`)), 4) + inner });
  };
  ia('na', 3);
  ia('pd', 25);
  if (v('rapid_commit') !== undefined) out.push({ Tag: 14, Value: '' });
  for (const [tag, key] of [
    [23, 'name_servers'],
    [31, 'sntp_servers'],
  ] as const) {
    const list = (v(key) ?? '').split(/\s+/).filter(Boolean).map(addressHex);
    if (list.length > 0 && list.every(Boolean)) out.push({ Tag: tag, Value: list.join('') });
  }
  const search = (v('domain_search') ?? '').split(/\s+/).filter(Boolean);
  if (search.length > 0) out.push({ Tag: 24, Value: domainsHex(search) });
  return out;
}

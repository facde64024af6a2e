/**
 * The lease script of the agent's dnsmasq (`dhcp-script=`): dnsmasq runs it, as root, on every
 * lease it adds, renews (`script-on-renewal`) or deletes, with the options the client sent in its
 * environment. It keeps one small record per client lease in a directory of the agent's data
 * directory, for the Bridging.Filter criteria learnt from DHCP (dhcp-class-learning.ts):
 *
 * - `4-<mac>` for a DHCPv4 lease, `6-<mac>-<IAID>` for a DHCPv6 one (only when dnsmasq knows the
 *   client's MAC address: without one there is nothing to filter on). A record is written beside
 *   its name and renamed over it, so the agent never reads half of one.
 * - Its fields are `name=value`, each ended by a NUL byte (a value holds any byte but NUL):
 *   family, mac, client_id (DHCPv4 option 61, or the DHCPv6 DUID), vendor_class (DHCPv4
 *   option 60), vendor_class_id and vendor_class_data (DHCPv6 option 16: the enterprise number,
 *   then each data item), user_class (each user class of option 77 or 15).
 * - `del` removes the lease's record. The `old` calls dnsmasq makes when it starts (it restarts
 *   on every configuration change) carry no options (DNSMASQ_DATA_MISSING): the records stay,
 *   which also keeps what was learnt across an agent restart.
 *
 * Limits of what dnsmasq hands over: a value is cut at its first NUL byte and at its first "="
 * (dnsmasq's own rule for environment values), option 77 arrives as its user classes, not its
 * bytes, and DHCPv6 options 16 and 15 arrive mangled, so their fields are kept but not used
 * (see dhcp-class-record.ts).
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The script's text for record directory `dir` (an absolute path the agent chose: no quote in it). */
export function leaseScriptText(dir: string): string {
  if (dir.includes("'")) throw new Error(`lease record directory ${dir} has a quote`);
  // String.raw: the shell's backslashes stay as written.
  return String.raw`#!/bin/sh
# Written by usp-agent: dnsmasq runs it on each DHCP lease change; it keeps the options each
# client sent, for Device.Bridging.Filter. Replaced at every agent start: do not edit.
dir='${dir}'
umask 077
case "$1" in add|old|del) ;; *) exit 0 ;; esac
# DHCPv6 leases have an IPv6 address and name the client by its DUID; the MAC comes in the environment.
case "$3" in *:*) fam=6; mac="$DNSMASQ_MAC" ;; *) fam=4; mac="$2" ;; esac
X='[0-9A-Fa-f]'
case "$mac" in $X$X:$X$X:$X$X:$X$X:$X$X:$X$X) ;; *) exit 0 ;; esac
key="$fam-$mac"
if [ "$fam" = 6 ]; then
  case "$DNSMASQ_IAID" in "" | *[!0-9T]*) exit 0 ;; esac
  key="$key-$DNSMASQ_IAID"
fi
if [ "$1" = del ]; then rm -f "$dir/$key"; exit 0; fi
# A lease replayed from the lease file at dnsmasq start: its options are unknown, the record stays.
[ -n "$DNSMASQ_DATA_MISSING" ] && exit 0
# each PREFIX FIELD: one field for each of PREFIX0, PREFIX1, ... that is set.
each() {
  i=0
  while eval "[ -n \"\${$1$i+x}\" ]"; do
    eval "v=\${$1$i}"
    printf '%s=%s\0' "$2" "$v"
    i=$((i + 1))
  done
}
mkdir -p "$dir"
tmp="$dir/.$key.$$"
{
  printf 'family=%s\0mac=%s\0' "$fam" "$mac"
  if [ "$fam" = 6 ]; then
    printf 'client_id=%s\0' "$2"
    [ -n "$DNSMASQ_VENDOR_CLASS_ID" ] && printf 'vendor_class_id=%s\0' "$DNSMASQ_VENDOR_CLASS_ID"
    each DNSMASQ_VENDOR_CLASS vendor_class_data
  else
    [ -n "$DNSMASQ_CLIENT_ID" ] && printf 'client_id=%s\0' "$DNSMASQ_CLIENT_ID"
    [ -n "${'$'}{DNSMASQ_VENDOR_CLASS+x}" ] && printf 'vendor_class=%s\0' "$DNSMASQ_VENDOR_CLASS"
  fi
  each DNSMASQ_USER_CLASS user_class
} > "$tmp"
mv -f "$tmp" "$dir/$key"
exit 0
`;
}

/** The dnsmasq lines that run `script` on each lease change, renewals included (TR-181: "most recent acquisition or renewal"). */
export function leaseScriptLines(script: string): string[] {
  return [`dhcp-script=${script}`, 'script-on-renewal'];
}

/** Writes the script (mode 0700, replaced whole) and makes the record directory; returns the script's path. */
export function installLeaseScript(dataDir: string, recordDir: string): string {
  mkdirSync(recordDir, { recursive: true, mode: 0o700 });
  const script = join(dataDir, 'dnsmasq-lease-script.sh');
  const tmp = `${script}.tmp`;
  writeFileSync(tmp, leaseScriptText(recordDir), { mode: 0o700 });
  chmodSync(tmp, 0o700);
  renameSync(tmp, script);
  return script;
}

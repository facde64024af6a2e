/**
 * The udhcpc command line netifd's `dhcp` protocol handler (OpenWrt's
 * /lib/netifd/proto/dhcp.sh, OpenWrt 23.05/24.10) builds from an interface's UCI options,
 * written here in our own words from that script's source so a test can run the real busybox
 * udhcpc exactly as netifd would for the UCI the agent wrote (netifd itself cannot run here):
 *
 * - `-p PIDFILE -s SCRIPT -f -t RETRY -i DEVICE` (`retry` default 0), `-T` from `timeout`, `-A`
 *   from `tryagain`, `-r` from `ipaddr` (without a prefix length);
 * - `-x hostname:NAME` from `hostname` (the system's host name when unset, none for '*');
 * - `-V ''` when a `sendopts` item or `vendorid` gives option 60;
 * - the client identifier: `-x 0x3d:HEX` from `clientid` (colons dropped), else nothing
 *   (`sendclientid 'none'`: `-C`);
 * - `-o` for `defaultreqopts '0'`, `-B` for `broadcast '1'`, `-R` unless `norelease '1'`;
 * - then, in this order: `-O TAG` per `reqopts` item, `-x ITEM` per `sendopts` item, `-x 0x3c:HEX`
 *   from `vendorid`, `-O 212` unless `iface6rd '0'` where the 6rd package is installed, and
 *   `-O 121` unless `classlessroute '0'`.
 */
import type { UciChange } from '../../platform/openwrt/uci.js';
import { listOption, stringOption, type UciSection } from '../../platform/openwrt/uci-show.js';

export interface NetifdDhcpRun {
  device: string;
  pidFile: string;
  script: string;
  /** The system's host name (what dhcp.sh reads from /proc/sys/kernel/hostname). */
  systemHostname: string;
  /** Whether /lib/netifd/proto/6rd.sh is installed. */
  sixRdInstalled: boolean;
}

/** udhcpc's arguments (after the program name) for section `s`. */
export function netifdUdhcpcArgs(s: UciSection, run: NetifdDhcpRun): string[] {
  const opt = (name: string): string | undefined => stringOption(s.options[name]);
  const words = (name: string): string[] => listOption(s.options[name]).flatMap((v) => v.split(/\s+/).filter(Boolean));
  const dhcpopts: string[] = [];
  for (const tag of words('reqopts')) dhcpopts.push('-O', tag);
  for (const item of words('sendopts')) dhcpopts.push('-x', item);
  const vendorid = opt('vendorid');
  if (vendorid) dhcpopts.push('-x', `0x3c:${Buffer.from(vendorid).toString('hex')}`);
  if (opt('iface6rd') !== '0' && run.sixRdInstalled) dhcpopts.push('-O', '212');
  if (opt('classlessroute') !== '0') dhcpopts.push('-O', '121');
  const args = ['-p', run.pidFile, '-s', run.script, '-f', '-t', opt('retry') ?? '0', '-i', run.device];
  if (opt('timeout')) args.push('-T', opt('timeout')!);
  if (opt('tryagain')) args.push('-A', opt('tryagain')!);
  if (opt('ipaddr')) args.push('-r', opt('ipaddr')!.replace(/\/.*/, ''));
  const hostname = opt('hostname') || run.systemHostname;
  if (hostname && hostname !== '*') args.push('-x', `hostname:${hostname}`);
  if (dhcpopts.some((a, k) => dhcpopts[k - 1] === '-x' && /^(0[xX]3[cC]|60|vendor):/.test(a))) args.push('-V', '');
  const clientid = opt('clientid');
  if (opt('sendclientid') === 'none') args.push('-C');
  else if (clientid) args.push('-x', `0x3d:${clientid.replaceAll(':', '')}`);
  if (opt('defaultreqopts') === '0') args.push('-o');
  if (opt('broadcast') === '1') args.push('-B');
  if (opt('norelease') !== '1') args.push('-R');
  return [...args, ...dhcpopts];
}

/** Section `s` after the UCI changes `changes` (sets and deletes of its options). */
export function applyUciChanges(s: UciSection, changes: readonly UciChange[]): UciSection {
  const options = { ...s.options };
  for (const c of changes) {
    if (c.section !== s.name) continue;
    if (c.remove) delete options[c.option];
    else options[c.option] = c.value;
  }
  return { ...s, options };
}

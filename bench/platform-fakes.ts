/**
 * Fake hosts for the platform figures, built in a temp dir from the recorded outputs in
 * test/fixtures (read at run time; the bench does not compile test/), as the platform unit tests
 * build theirs (test/unit/platform/*): the OpenWrt userland (`ubus`, `uci`), a Linux host
 * (/sys/class/net, /proc, /etc and `ip`) and ModemManager's `mmcli`. Every fake tool is a
 * /bin/sh script that logs its argv to calls.log and `cat`s the recorded output, so an external
 * command costs one fork and exec of sh plus one of cat: cheaper than the tests' Node scripts,
 * closer to a real ubus or mmcli (which also pay an IPC round trip to their daemon).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

export interface FakeHost {
  dir: string;
  /** Directory holding the fake executables (the platforms' commandPath). */
  bin: string;
  /** Invocations of the fake tools so far (lines of calls.log). */
  invocations(): number;
  cleanup(): void;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function makeHost(prefix: string): FakeHost & { write(rel: string, text: string, mode?: number): string; log: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const bin = path.join(dir, 'bin');
  const log = path.join(dir, 'calls.log');
  fs.mkdirSync(bin);
  fs.writeFileSync(log, '');
  return {
    dir,
    bin,
    log,
    write(rel, text, mode) {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text, mode === undefined ? undefined : { mode });
      return file;
    },
    invocations: () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

const fixture = (area: string, name: string): string => fs.readFileSync(path.join(FIXTURES, area, name), 'utf8');

/**
 * OpenWrt: `ubus call` answers every call a whole-tree read of the recorded D-Link COVR-X1860
 * needs (as test/unit/platform/openwrt/fake-openwrt.ts defaultResponses()); `ubus list` knows
 * hostapd.phy1-ap0; `ubus listen`/`subscribe` wait quietly; `uci` succeeds.
 */
export function fakeOpenWrt(): FakeHost {
  const h = makeHost('usp-bench-openwrt-');
  const fx = (name: string): string => path.join(FIXTURES, 'openwrt', name);
  const eth0 = JSON.parse(fixture('openwrt', 'ubus-network-device-status.eth0.json')) as unknown;
  const others = JSON.parse(fixture('openwrt', 'ubus-network-device-status.others.json')) as Record<string, unknown>;
  const deviceStatus = h.write('network-device-status.json', JSON.stringify({ ...others, eth0 }, null, '\t'));
  const calls: Record<string, string> = {
    'system board': fx('ubus-system-board.json'),
    'system info': fx('ubus-system-info.json'),
    'network.device status': deviceStatus,
    'network.interface dump': fx('ubus-network-interface-dump.json'),
    'network.wireless status': fx('ubus-network-wireless-status.json'),
    'iwinfo info {"device":"phy1-ap0"}': fx('ubus-iwinfo-info.phy1-ap0.json'),
    'iwinfo assoclist {"device":"phy1-ap0"}': fx('ubus-iwinfo-assoclist.phy1-ap0.json'),
  };
  h.write(
    'bin/ubus',
    [
      '#!/bin/sh',
      `echo "ubus $*" >> ${q(h.log)}`,
      'case "$1" in',
      'call)',
      '  shift',
      '  case "$*" in',
      ...Object.entries(calls).map(([args, file]) => `    ${q(args)}) exec cat ${q(file)} ;;`),
      "    'network reload') exit 0 ;;",
      "    *) echo 'Command failed: Not found' >&2; exit 4 ;;",
      '  esac ;;',
      'list)',
      '  case hostapd.phy1-ap0 in "${2%\\*}"*) echo hostapd.phy1-ap0 ;; esac ;;',
      // Event streams: nothing happens during the bench; stop() kills the process group.
      'listen|subscribe) exec sleep 300 ;;',
      '*) echo usage >&2; exit 1 ;;',
      'esac',
      '',
    ].join('\n'),
    0o755,
  );
  h.write('bin/uci', `#!/bin/sh\necho "uci $*" >> ${q(h.log)}\nexit 0\n`, 0o755);
  return h;
}

/** "key=value" lines, # comments skipped; keys may be full sysfs paths. Also used by the Linux test fake. */
export function keyValues(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .filter((l) => l.includes('=') && !l.startsWith('#'))
    .map((l) => {
      const i = l.indexOf('=');
      return [path.basename(l.slice(0, i).trim()), l.slice(i + 1).trim()];
    });
}

/** /proc/net/dev columns → the names of /sys/class/net/<if>/statistics files. */
export const NET_DEV_COLUMNS = [
  'rx_bytes',
  'rx_packets',
  'rx_errors',
  'rx_dropped',
  'rx_fifo_errors',
  'rx_frame_errors',
  'rx_compressed',
  'multicast',
  'tx_bytes',
  'tx_packets',
  'tx_errors',
  'tx_dropped',
  'tx_fifo_errors',
  'collisions',
  'tx_carrier_errors',
  'tx_compressed',
];

export interface FakeLinux extends FakeHost {
  sysRoot: string;
  procRoot: string;
  etcRoot: string;
}

/** Linux: the recorded Debian 12 VM (as test/unit/platform/linux/fake-host.ts builds it) and `ip -j addr show`. */
export function fakeLinux(): FakeLinux {
  const h = makeHost('usp-bench-linux-');
  const netDev = new Map<string, string[]>();
  for (const line of fixture('linux', 'proc-net-dev.txt').split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (m) netDev.set(m[1]!, m[2]!.trim().split(/\s+/));
  }
  for (const ifname of ['lo', 'ifb0', 'ifb1', 'eth0']) {
    for (const [k, v] of keyValues(fixture('linux', `sys-class-net-${ifname}-attrs.txt`))) h.write(`sys/class/net/${ifname}/${k}`, `${v}\n`);
    h.write(`sys/class/net/${ifname}/uevent`, `INTERFACE=${ifname}\n`);
    const cols = netDev.get(ifname) ?? [];
    NET_DEV_COLUMNS.forEach((name, i) => h.write(`sys/class/net/${ifname}/statistics/${name}`, `${cols[i] ?? 0}\n`));
  }
  for (const [k, v] of keyValues(fixture('linux', 'sys-class-net-eth0-statistics.txt'))) h.write(`sys/class/net/eth0/statistics/${k}`, `${v}\n`);
  for (const f of ['cpuinfo', 'meminfo', 'stat', 'uptime']) h.write(`proc/${f}`, fixture('linux', `proc-${f}.txt`));
  h.write('proc/net/dev', fixture('linux', 'proc-net-dev.txt'));
  h.write('proc/net/route', fixture('linux', 'proc-net-route.txt'));
  h.write('proc/net/ipv6_route', fixture('linux', 'proc-net-ipv6_route.txt'));
  h.write('proc/net/if_inet6', '');
  h.write('proc/sys/kernel/hostname', fixture('linux', 'proc-sys-kernel-hostname.txt'));
  h.write('proc/sys/kernel/osrelease', fixture('linux', 'proc-sys-kernel-osrelease.txt'));
  h.write('etc/os-release', fixture('linux', 'etc-os-release.txt'));
  const addr = h.write('ip-j-addr.json', fixture('linux', 'ip-j-addr.json'));
  const routes = h.write('ip-4-json-route.json', fixture('linux', 'ip-4-json-route.json'));
  h.write(
    'bin/ip',
    [
      '#!/bin/sh',
      `echo "ip $*" >> ${q(h.log)}`,
      `[ "$*" = "-4 -json route show table main" ] && exec cat ${q(routes)}`,
      `[ "$*" = "-j addr show" ] || { echo "fake ip: unexpected arguments: $*" >&2; exit 2; }`,
      `exec cat ${q(addr)}`,
      '',
    ].join('\n'),
    0o755,
  );
  return { ...h, sysRoot: path.join(h.dir, 'sys'), procRoot: path.join(h.dir, 'proc'), etcRoot: path.join(h.dir, 'etc') };
}

/** ModemManager: the recorded Quectel RM500Q (as test/unit/platform/modemmanager/fake-mmcli.ts replays it). */
export function fakeMmcli(): FakeHost {
  const h = makeHost('usp-bench-mmcli-');
  const replies: Record<string, string> = {
    '-L -J': 'mmcli-L.json',
    '-m 0 -J': 'mmcli-m0.json',
    '-m 0 --signal-get -J': 'mmcli-m0-signal-get.json',
    '-b 1 -J': 'mmcli-b1.json',
    '-i 0 -J': 'mmcli-i0.json',
  };
  h.write(
    'bin/mmcli',
    [
      '#!/bin/sh',
      `echo "mmcli $*" >> ${q(h.log)}`,
      'case "$*" in',
      ...Object.entries(replies).map(([args, file]) => `  ${q(args)}) exec cat ${q(path.join(FIXTURES, 'modemmanager', file))} ;;`),
      "  '-m '*' --signal-setup='*) echo 'successfully setup signal quality information' ;;",
      '  *) echo "error: fake mmcli has no reply for: $*" >&2; exit 1 ;;',
      'esac',
      '',
    ].join('\n'),
    0o755,
  );
  return h;
}

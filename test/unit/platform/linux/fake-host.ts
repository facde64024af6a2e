/**
 * A fake Linux host in a temp dir: /sys/class/net, /proc and /etc built from the recorded files
 * in test/fixtures/linux, and a fake `ip` executable that replays `ip -j addr` and `ip -4 -json
 * route` and logs its argv.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { type ObjectValues, readSubtree } from '../../../../datamodel/tree/read-object.js';
import { type LinuxOptions, registerLinuxPlatform } from '../../../../platform/linux/index.js';
import { keyValues, NET_DEV_COLUMNS } from '../../../../bench/platform-fakes.js';

export const FIXTURES = new URL('../../../fixtures/linux/', import.meta.url).pathname;
const schema = Schema.load();

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** The processes recorded in proc-pid/ (SOURCES.md): a kernel thread and one of each state. */
export const PROCESS_FIXTURES = ['kthreadd', 'running', 'weird', 'stopped', 'zombie', 'busy', 'rt'] as const;

// The sysfs/procfs parsing is the bench fake's (bench/ cannot import test/).

export class FakeHost {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-linux-'));
  readonly sysRoot = path.join(this.dir, 'sys');
  readonly procRoot = path.join(this.dir, 'proc');
  readonly etcRoot = path.join(this.dir, 'etc');
  readonly binDir = path.join(this.dir, 'bin');
  private readonly ipLog = path.join(this.dir, 'ip.log');

  constructor() {
    const netDev = new Map<string, string[]>();
    for (const line of fixture('proc-net-dev.txt').split('\n')) {
      const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
      if (m) netDev.set(m[1]!, m[2]!.trim().split(/\s+/));
    }
    for (const ifname of ['lo', 'ifb0', 'ifb1', 'eth0']) {
      for (const [k, v] of keyValues(fixture(`sys-class-net-${ifname}-attrs.txt`))) this.write(`sys/class/net/${ifname}/${k}`, `${v}\n`);
      this.write(`sys/class/net/${ifname}/uevent`, `INTERFACE=${ifname}\n`);
      const cols = netDev.get(ifname)!;
      NET_DEV_COLUMNS.forEach((name, i) => this.write(`sys/class/net/${ifname}/statistics/${name}`, `${cols[i]}\n`));
    }
    // eth0's statistics are recorded file by file (rx_nohandler, ... too): they win.
    for (const [k, v] of keyValues(fixture('sys-class-net-eth0-statistics.txt'))) this.write(`sys/class/net/eth0/statistics/${k}`, `${v}\n`);
    for (const f of ['cpuinfo', 'meminfo', 'stat', 'uptime']) this.write(`proc/${f}`, fixture(`proc-${f}.txt`));
    // Recorded processes (proc-pid/), each at the PID its stat line names.
    for (const name of PROCESS_FIXTURES) {
      const stat = fixture(`proc-pid/${name}-stat.txt`);
      const pid = stat.slice(0, stat.indexOf(' '));
      this.write(`proc/${pid}/stat`, stat);
      this.write(`proc/${pid}/status`, fixture(`proc-pid/${name}-status.txt`));
    }
    this.write('proc/net/dev', fixture('proc-net-dev.txt'));
    this.write('proc/net/route', fixture('proc-net-route.txt'));
    this.write('proc/net/ipv6_route', fixture('proc-net-ipv6_route.txt'));
    this.write('proc/net/if_inet6', '');
    // IPv6 on everywhere, as on the recorded host, except on ifb1 (switched off for the tests).
    for (const conf of ['all', 'default', 'lo', 'ifb0', 'eth0']) this.write(`proc/sys/net/ipv6/conf/${conf}/disable_ipv6`, '0\n');
    this.write('proc/sys/net/ipv6/conf/ifb1/disable_ipv6', '1\n');
    this.write('proc/sys/kernel/hostname', fixture('proc-sys-kernel-hostname.txt'));
    this.write('proc/sys/kernel/osrelease', fixture('proc-sys-kernel-osrelease.txt'));
    this.write('etc/os-release', fixture('etc-os-release.txt'));
    this.write('ip-j-addr.json', fixture('ip-j-addr.json'));
    this.write('ip-4-json-route.json', fixture('ip-4-json-route.json'));
    this.write('ip-6-json-route.json', fixture('ip-6-json-route.json'));
    this.write('ip-j-neigh.json', fixture('ip-j-neigh.json'));
    // The fake `ip`: logs its argv, fails when told to, else prints the recorded output.
    this.write(
      'bin/ip',
      [
        '#!/bin/sh',
        // The LastChange watcher (link-changes.ts): a monitor that reports nothing, until stopped; not logged with the reads.
        `[ "$*" = "-o monitor link" ] && exec sleep 3600`,
        `echo "$*" >> '${this.ipLog}'`,
        `if [ -f '${this.dir}/ip.fail' ]; then echo 'Cannot open netlink socket: Permission denied' >&2; exit 1; fi`,
        `[ "$*" = "-4 -json route show table all" ] && exec cat '${this.dir}/ip-4-json-route.json'`,
        `[ "$*" = "-6 -json route show table all" ] && exec cat '${this.dir}/ip-6-json-route.json'`,
        `[ "$*" = "-j neigh show" ] && exec cat '${this.dir}/ip-j-neigh.json'`,
        `[ "$*" = "-j addr show" ] || { echo "fake ip: unexpected arguments: $*" >&2; exit 2; }`,
        `cat '${this.dir}/ip-j-addr.json'`,
        '',
      ].join('\n'),
    );
    fs.chmodSync(path.join(this.binDir, 'ip'), 0o755);
  }

  /** Writes a file under the fake root, creating directories. */
  write(rel: string, text: string): void {
    const file = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }

  remove(rel: string): void {
    fs.rmSync(path.join(this.dir, rel), { recursive: true, force: true });
  }

  /** Argument lines the fake `ip` was called with, in order. */
  ipCalls(): string[] {
    return fs.existsSync(this.ipLog) ? fs.readFileSync(this.ipLog, 'utf8').split('\n').filter(Boolean) : [];
  }

  options(extra: LinuxOptions = {}): LinuxOptions {
    // No dnsmasq lease file unless a test writes one there (the machine's own is not read).
    const leaseFile = path.join(this.dir, 'dnsmasq.leases');
    return { sysRoot: this.sysRoot, procRoot: this.procRoot, etcRoot: this.etcRoot, commandPath: this.binDir, persistentPath: this.dir, leaseFile, ...extra };
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** 2026-11-25T07:48:47Z, the time the fixtures were captured. */
export const CAPTURED_MS = Date.UTC(2026, 10, 25, 7, 48, 47);

export interface LinuxFixture {
  host: FakeHost;
  model: DataModel;
  advance(seconds: number): void;
  readAll(): Promise<ObjectValues[]>;
  /** Whole-tree read as a map from concrete object path to its values. */
  byPath(): Promise<Map<string, Record<string, unknown>>>;
  cleanup(): void;
}

export function linuxHost(extra: LinuxOptions = {}, host = new FakeHost()): LinuxFixture {
  let now = CAPTURED_MS;
  const model = new DataModel(schema);
  const platform = registerLinuxPlatform(model, host.options({ now: () => now, ...extra }));
  const readAll = async () => {
    const out: ObjectValues[] = [];
    await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
    return out;
  };
  return {
    host,
    model,
    readAll,
    advance: (seconds) => {
      now += seconds * 1000;
    },
    byPath: async () => new Map((await readAll()).map((o) => [o.path, o.values])),
    cleanup: () => {
      platform.stop();
      host.cleanup();
    },
  };
}

/**
 * A fake OpenWrt userland for the platform tests: `ubus` and `uci` executables (small Node
 * scripts written to a temp dir) that replay the recorded outputs in test/fixtures/openwrt and
 * append every invocation's argv to calls.log. The agent's own code runs unmocked against them.
 *
 * - `ubus call <obj> <method> [json]` answers from responses.json (rewritable by the test); an
 *   unknown object fails like the real CLI: "Command failed: Not found", exit 4.
 * - `ubus list <pattern>` prints the matching names of responses.json's `objects`.
 * - `ubus listen ...` and `ubus subscribe <obj>` print the lines of events/listen.jsonl or
 *   events/<obj>.jsonl as they are appended (from the start of the file) until killed; they exit
 *   with status 3 once if a file die-<listen|obj> exists.
 * - `uci [-q] [-X] show <config>` answers from responses.json's `uci` (rewritable by the test:
 *   `respondUci`), or what `respondUciAfterCommit` gave once `uci commit <config>` ran; an
 *   unknown config fails like uci: "uci: Entry not found", exit 1.
 * - `uci add <config> <type>` prints the next name of responses.json's `added` (or "cfg0f0000").
 * - every other `uci ...` succeeds, except `uci commit` while the file uci-fail-commit exists
 *   (empty: every commit; else only that of the config it names).
 * - `ip -6 neigh show` prints responses.json's `ip6neigh` (the recorded neighbours of the LAN by
 *   default; `{ exit, stderr }` to fail), every other `ip` call fails.
 * - `nft` (only with `{ nft: true }`): `nft -j list table netdev usp_agent_stats` prints
 *   responses.json's `nft` (the recorded nft-list-table-usp_agent_stats.json by default; `{ exit,
 *   stderr }` to fail); every other nft command (add/delete table, chain scripts) succeeds.
 * - `/etc/init.d/firewall` and `/etc/init.d/miniupnpd` (under bin/, as the runner finds an absolute command inside
 *   commandPath) log their argv as ["/etc/init.d/firewall", ...] and succeed.
 * - bin/etc/board.json is a copy of etc-board.json (the platform reads it inside commandPath).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { type ObjectValues, readSubtree } from '../../../../datamodel/tree/read-object.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { createLogger } from '../../../../datamodel/Logger.js';
import { removeStandInDir } from '../stand-in-dir.js';
import { type OpenWrtOptions, type OpenWrtPlatform, registerOpenWrtPlatform } from '../../../../platform/openwrt/index.js';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/openwrt/', import.meta.url));

export type Response = { file: string } | { json: unknown } | { text: string } | { exit: number; stderr: string };

export const IWINFO_INFO = 'iwinfo info {"device":"phy1-ap0"}';
export const IWINFO_ASSOCLIST = 'iwinfo assoclist {"device":"phy1-ap0"}';
/** `ubus call iwinfo freqlist`/`txpowerlist` of each radio, on its UCI name (iwinfo resolves it to the phy). */
export const IWINFO_FREQLIST = (radio: string): string => `iwinfo freqlist {"device":"${radio}"}`;
export const IWINFO_TXPOWERLIST = (radio: string): string => `iwinfo txpowerlist {"device":"${radio}"}`;
/** `ubus call service event` after `uci commit dhcp` (procd reloads dnsmasq), as the fake keys it. */
export const DHCP_EVENT = 'service event {"type":"config.change","data":{"package":"dhcp"}}';
/** The same after `uci commit system` (procd reloads `system` and sysntpd). */
export const SYSTEM_EVENT = 'service event {"type":"config.change","data":{"package":"system"}}';

/** Every `ubus call` a whole-tree read of the fixture device needs, and its answer. */
export function defaultResponses(): Record<string, Response> {
  const eth0 = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-device-status.eth0.json'), 'utf8'));
  const others = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-device-status.others.json'), 'utf8'));
  return {
    'system board': { file: 'ubus-system-board.json' },
    'system info': { file: 'ubus-system-info.json' },
    'network.device status': { json: { ...others, eth0 } },
    'network.interface dump': { file: 'ubus-network-interface-dump.json' },
    'network.wireless status': { file: 'ubus-network-wireless-status.json' },
    [IWINFO_INFO]: { file: 'ubus-iwinfo-info.phy1-ap0.json' },
    [IWINFO_ASSOCLIST]: { file: 'ubus-iwinfo-assoclist.phy1-ap0.json' },
    [IWINFO_FREQLIST('radio0')]: { file: 'ubus-iwinfo-freqlist.radio0.json' },
    [IWINFO_FREQLIST('radio1')]: { file: 'ubus-iwinfo-freqlist.radio1.json' },
    [IWINFO_TXPOWERLIST('radio0')]: { file: 'ubus-iwinfo-txpowerlist.radio0.json' },
    [IWINFO_TXPOWERLIST('radio1')]: { file: 'ubus-iwinfo-txpowerlist.radio1.json' },
    'network reload': { text: '' },
    [DHCP_EVENT]: { text: '' },
    [SYSTEM_EVENT]: { text: '' },
  };
}

/**
 * The cellular uplinks of `uci show network` (Device.Cellular.AccessPoint on OpenWrt), kept apart
 * from the other network sections: "wwan" connects the modem of mmcli-m0.json (same sysfs path)
 * with the APN of mmcli-b1.json; "wwan_m2m" is a second, disabled APN for the same modem.
 */
export const UCI_NETWORK_CELLULAR = [
  'network.wwan=interface',
  "network.wwan.proto='modemmanager'",
  "network.wwan.device='/sys/devices/platform/soc/11200000.usb/usb2/2-1'",
  "network.wwan.apn='internet.telekom'",
  "network.wwan.username='telekom'",
  "network.wwan.password='tm'",
  "network.wwan.allowedauth='pap' 'chap'",
  "network.wwan.iptype='ipv4v6'",
  'network.wwan_m2m=interface',
  "network.wwan_m2m.proto='modemmanager'",
  "network.wwan_m2m.device='/sys/devices/platform/soc/11200000.usb/usb2/2-1/'",
  "network.wwan_m2m.apn='m2m.example'",
  "network.wwan_m2m.iptype='ipv4'",
  "network.wwan_m2m.disabled='1'",
  '',
].join('\n');

/** Every `uci show` a whole-tree read needs, by config. */
export function defaultUci(): Record<string, Response> {
  // network: the recorded device's own sections (br-lan, lan, wan), then the cellular uplinks.
  const network = fs.readFileSync(path.join(FIXTURES, 'uci-show-network.txt'), 'utf8') + UCI_NETWORK_CELLULAR;
  // dhcp: OpenWrt's default /etc/config/dhcp with one static host, as recorded with OpenWrt's uci
  // (the state the recorded dnsmasq run served: dhcp.leases, proc-net-arp.txt).
  // wireless: OpenWrt's generated default for the two radios of ubus-network-wireless-status.json,
  // radio1 then enabled with WPA2-PSK, as recorded with OpenWrt's uci.
  // system: config_generate's, then a time zone chosen in LuCI (zonename and timezone), recorded with OpenWrt's uci.
  return {
    system: { file: 'uci-show-system.luci-zone.txt' },
    firewall: { file: 'uci-show-firewall.txt' },
    network: { text: network },
    dhcp: { file: 'uci-show-dhcp.host-added.txt' },
    wireless: { file: 'uci-show-wireless.txt' },
  };
}

const UBUS = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const DIR = __DIR__;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(DIR, 'calls.log'), JSON.stringify(['ubus', ...argv]) + '\n');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'responses.json'), 'utf8'));
const [cmd, ...rest] = argv;
if (cmd === 'call') {
  const r = manifest.calls[rest.join(' ')];
  if (!r) { process.stderr.write('Command failed: Not found\n'); process.exit(4); }
  if (r.exit !== undefined) { process.stderr.write(r.stderr + '\n'); process.exit(r.exit); }
  const out = r.file !== undefined ? fs.readFileSync(path.join(manifest.fixtures, r.file), 'utf8')
    : r.json !== undefined ? JSON.stringify(r.json, null, '\t') : r.text;
  process.stdout.write(out + (out.endsWith('\n') || out === '' ? '' : '\n'));
  process.exit(0);
}
if (cmd === 'list') {
  const prefix = (rest[0] || '').replace(/\*$/, '');
  for (const o of manifest.objects) if (o.startsWith(prefix)) process.stdout.write(o + '\n');
  process.exit(0);
}
if (cmd === 'listen' || cmd === 'subscribe') {
  const name = cmd === 'listen' ? 'listen' : rest[0];
  const file = path.join(DIR, 'events', name + '.jsonl');
  const die = path.join(DIR, 'die-' + name);
  let offset = 0;
  let buf = '';
  setInterval(() => {
    if (fs.existsSync(die)) { fs.unlinkSync(die); process.exit(3); }
    if (!fs.existsSync(file)) return;
    const size = fs.statSync(file).size;
    if (size <= offset) return;
    const fd = fs.openSync(file, 'r');
    const chunk = Buffer.alloc(size - offset);
    fs.readSync(fd, chunk, 0, chunk.length, offset);
    fs.closeSync(fd);
    offset = size;
    buf += chunk.toString('utf8');
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) { process.stdout.write(buf.slice(0, nl) + '\n'); buf = buf.slice(nl + 1); }
  }, 15);
} else {
  process.stderr.write('usage\n');
  process.exit(1);
}
`;

const UCI = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const DIR = __DIR__;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(DIR, 'calls.log'), JSON.stringify(['uci', ...argv]) + '\n');
const words = argv.filter((a) => !a.startsWith('-'));
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'responses.json'), 'utf8'));
if (words[0] === 'show') {
  const now = path.join(DIR, 'uci-now-' + words[1] + '.json');
  const r = fs.existsSync(now) ? JSON.parse(fs.readFileSync(now, 'utf8')) : manifest.uci[words[1]];
  if (!r) { process.stderr.write('uci: Entry not found\n'); process.exit(1); }
  if (r.exit !== undefined) { process.stderr.write(r.stderr + '\n'); process.exit(r.exit); }
  process.stdout.write(r.file !== undefined ? fs.readFileSync(path.join(manifest.fixtures, r.file), 'utf8') : r.text);
  process.exit(0);
}
if (words[0] === 'add') {
  const counter = path.join(DIR, 'uci-added');
  const i = fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0;
  fs.writeFileSync(counter, String(i + 1));
  process.stdout.write(((manifest.added || [])[i] || 'cfg0f0000') + '\n');
  process.exit(0);
}
if (argv[0] === 'commit' && fs.existsSync(path.join(DIR, 'uci-fail-commit')) && [argv[1], ''].includes(fs.readFileSync(path.join(DIR, 'uci-fail-commit'), 'utf8'))) {
  process.stderr.write('uci: I/O error\n');
  process.exit(1);
}
if (argv[0] === 'commit') {
  const after = path.join(DIR, 'uci-after-commit-' + argv[1] + '.json');
  if (fs.existsSync(after)) fs.renameSync(after, path.join(DIR, 'uci-now-' + argv[1] + '.json'));
}
process.exit(0);
`;

const IP = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const DIR = __DIR__;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(DIR, 'calls.log'), JSON.stringify(['ip', ...argv]) + '\n');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'responses.json'), 'utf8'));
const r = argv.join(' ') === '-6 neigh show' ? manifest.ip6neigh : undefined;
if (!r) { process.stderr.write('Object "' + argv[0] + '" is unknown, try "ip help".\n'); process.exit(1); }
if (r.exit !== undefined) { process.stderr.write(r.stderr + '\n'); process.exit(r.exit); }
process.stdout.write(r.file !== undefined ? fs.readFileSync(path.join(manifest.fixtures, r.file), 'utf8') : r.text);
`;

const NFT = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const DIR = __DIR__;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(DIR, 'calls.log'), JSON.stringify(['nft', ...argv]) + '\n');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'responses.json'), 'utf8'));
if (argv.join(' ') === '-j list table netdev usp_agent_stats') {
  const r = manifest.nft;
  if (r.exit !== undefined) { process.stderr.write(r.stderr + '\n'); process.exit(r.exit); }
  process.stdout.write(r.file !== undefined ? fs.readFileSync(path.join(manifest.fixtures, r.file), 'utf8') : r.text);
}
`;

const INIT_SCRIPT = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
fs.appendFileSync(path.join(__DIR__, 'calls.log'), JSON.stringify([__NAME__, ...process.argv.slice(2)]) + '\n');
`;

export interface FakeOpenWrt {
  /** Directory holding the fake executables (pass as commandPath). */
  bin: string;
  dir: string;
  /** Every invocation so far, as argv with the program name first. */
  invocations(): string[][];
  /** The `ubus call` invocations as "object method [json]" strings. */
  ubusCalls(): string[];
  clearLog(): void;
  respond(key: string, r: Response | undefined): void;
  /** What `uci show <config>` prints from now on (undefined: the config does not exist). */
  respondUci(config: string, r: Response | undefined): void;
  /** What `uci show <config>` prints once the next `uci commit <config>` succeeded (until respondUci). */
  respondUciAfterCommit(config: string, r: Response): void;
  /** The names the next `uci add` calls print, in order. */
  willAdd(...names: string[]): void;
  /** Appends one event line for `ubus listen` ("listen") or `ubus subscribe <obj>`. */
  event(stream: string, type: string, data: unknown): void;
  /** Makes the `ubus listen`/`subscribe` child for `stream` exit once. */
  kill(stream: string): void;
  /** Makes `uci commit` fail (only `uci commit <config>` when `config` is given) until called with false. */
  failCommit(on: boolean, config?: string): void;
  /** What `ip -6 neigh show` prints (undefined: `ip` fails as if the tool had no such object). */
  respondIp6Neigh(r: Response | undefined): void;
  /** What `nft -j list table netdev usp_agent_stats` prints (with `{ nft: true }`). */
  respondNft(r: Response): void;
  cleanup(): void;
}

export function fakeOpenWrt(opts: { withUbus?: boolean; nft?: boolean } = {}): FakeOpenWrt {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-openwrt-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(dir, 'events'));
  fs.writeFileSync(path.join(dir, 'calls.log'), '');
  const manifest = {
    fixtures: FIXTURES,
    objects: ['hostapd.phy1-ap0'],
    calls: defaultResponses() as Record<string, Response>,
    uci: defaultUci() as Record<string, Response>,
    added: [] as string[],
    ip6neigh: { file: 'ip-6-neigh-show.txt' } as Response | undefined,
    nft: { file: 'nft-list-table-usp_agent_stats.json' } as Response,
  };
  const save = (): void => fs.writeFileSync(path.join(dir, 'responses.json'), JSON.stringify(manifest));
  save();
  const install = (name: string, script: string): void => {
    fs.writeFileSync(path.join(bin, name), script.replace('__DIR__', JSON.stringify(dir)), { mode: 0o755 });
  };
  if (opts.withUbus !== false) install('ubus', UBUS);
  install('uci', UCI);
  install('ip', IP);
  if (opts.nft) install('nft', NFT);
  fs.mkdirSync(path.join(bin, 'etc', 'init.d'), { recursive: true });
  // The board description the platform reads inside commandPath (radios' antennas and widths).
  fs.copyFileSync(path.join(FIXTURES, 'etc-board.json'), path.join(bin, 'etc', 'board.json'));
  install('etc/init.d/firewall', INIT_SCRIPT.replace('__NAME__', JSON.stringify('/etc/init.d/firewall')));
  install('etc/init.d/miniupnpd', INIT_SCRIPT.replace('__NAME__', JSON.stringify('/etc/init.d/miniupnpd')));
  const invocations = (): string[][] =>
    fs
      .readFileSync(path.join(dir, 'calls.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string[]);
  return {
    bin,
    dir,
    invocations,
    ubusCalls: () =>
      invocations()
        .filter((a) => a[0] === 'ubus' && a[1] === 'call')
        .map((a) => a.slice(2).join(' ')),
    clearLog: () => fs.writeFileSync(path.join(dir, 'calls.log'), ''),
    respond: (key, r) => {
      if (r === undefined) delete manifest.calls[key];
      else manifest.calls[key] = r;
      save();
    },
    respondUci: (config, r) => {
      if (r === undefined) delete manifest.uci[config];
      else manifest.uci[config] = r;
      for (const f of [`uci-now-${config}.json`, `uci-after-commit-${config}.json`]) fs.rmSync(path.join(dir, f), { force: true });
      save();
    },
    respondUciAfterCommit: (config, r) => fs.writeFileSync(path.join(dir, `uci-after-commit-${config}.json`), JSON.stringify(r)),
    willAdd: (...names) => {
      manifest.added = names;
      fs.rmSync(path.join(dir, 'uci-added'), { force: true });
      save();
    },
    event: (stream, type, data) => fs.appendFileSync(path.join(dir, 'events', `${stream}.jsonl`), `${JSON.stringify({ [type]: data })}\n`),
    kill: (stream) => fs.writeFileSync(path.join(dir, `die-${stream}`), ''),
    failCommit: (on, config) => {
      const f = path.join(dir, 'uci-fail-commit');
      if (on) fs.writeFileSync(f, config ?? '');
      else fs.rmSync(f, { force: true });
    },
    respondIp6Neigh: (r) => {
      manifest.ip6neigh = r;
      save();
    },
    respondNft: (r) => {
      manifest.nft = r;
      save();
    },
    cleanup: () => removeStandInDir(dir),
  };
}

// Loaded once: every test builds a fresh DataModel over the same (read-only) schema.
const schema = Schema.load();

export interface PlatformFixture {
  fake: FakeOpenWrt;
  model: DataModel;
  platform: OpenWrtPlatform;
  binding(supportedPath: string): ObjectBinding;
  /** readSubtree of one object path ("Device." by default), all depths. */
  read(path?: string): Promise<ObjectValues[]>;
  /** read() as path → values. */
  values(path?: string): Promise<Map<string, Record<string, unknown>>>;
  close(): void;
}

/** 2026-02-27T04:56:04Z, the `localtime` of the recorded `system info`. */
export const NOW_MS = 1772160964 * 1000;

export function openWrt(fake = fakeOpenWrt(), opts: OpenWrtOptions = {}): PlatformFixture {
  const model = new DataModel(schema);
  const platform = registerOpenWrtPlatform(model, {
    commandPath: fake.bin,
    log: createLogger('error', 'openwrt', () => undefined),
    now: () => NOW_MS,
    // Long enough that a loaded CI machine cannot split one read across two cache windows;
    // events and writes invalidate explicitly, and the runner's own tests cover expiry.
    cacheMs: 30_000,
    listenerBackoffMs: 50,
    // The recorded dnsmasq lease file and ARP table of the same LAN (the recorded leasefile
    // option names /tmp/dhcp.leases, which the tests do not touch).
    leaseFile: path.join(FIXTURES, 'dhcp.leases'),
    arpFile: path.join(FIXTURES, 'proc-net-arp.txt'),
    // The bridge forwarding database of the same LAN, recorded with the IPv6 neighbours.
    sysNetDir: path.join(FIXTURES, 'sys-class-net'),
    // No temperature sensors unless a test writes some (the machine's own /sys is not read).
    sysRoot: path.join(fake.dir, 'sys'),
    ...opts,
  });
  const read = async (p = 'Device.'): Promise<ObjectValues[]> => {
    const out: ObjectValues[] = [];
    await readSubtree(model, { node: model.requireNode(p), keys: [] }, 0, {}, out);
    return out;
  };
  return {
    fake,
    model,
    platform,
    read,
    binding: (p) => {
      const b = model.bindingAt(p);
      if (!b) throw new Error(`${p} is not bound`);
      return b;
    },
    values: async (p) => new Map((await read(p)).map((o) => [o.path, o.values])),
    close: () => {
      platform.stop();
      fake.cleanup();
    },
  };
}

/** Waits until `check` passes (it throws until then), for effects of child processes. */
export async function eventually(check: () => unknown, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

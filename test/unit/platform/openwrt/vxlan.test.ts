/**
 * Device.VXLAN. on OpenWrt (platform/openwrt/vxlan.ts) against the recorded ubus/uci stand-ins:
 * the exact uci commands an Add, Set and Delete run, the refusals (nothing written then), the
 * revert when `uci commit` fails, the sections brought in line at start, and Status/Stats.
 *
 * The `network.interface dump` entries of the VXLAN interfaces are written by us (no router with
 * the vxlan package was at hand): keys as netifd's dump prints every interface, the device named
 * after the section (vxlan.sh's proto_init_update "$cfg"), `proto` vxlan, and for the failure the
 * error code vxlan.sh reports when it finds no WAN address (proto_notify_error NO_WAN_LINK).
 * The handler file itself is a stand-in: only its presence is looked at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { detectDiagnosticTools } from '../../../../platform/diagnostics/diagnostic-tools.js';
import { recordNft } from './nft-script-recorder.js';
import { defaultUci, type FakeOpenWrt, fakeOpenWrt, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const TUNNEL = 'Device.VXLAN.Tunnel.{i}.';
const IFACE = 'Device.VXLAN.Tunnel.{i}.Interface.{i}.';

const dirs: string[] = [];
const fixtures: PlatformFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-vxlan-'));
  dirs.push(d);
  return d;
}

/** `uci show network` of the fixture router (defaultUci's text), plus `extra` lines. */
function networkShow(...extra: string[]): { text: string } {
  const base = (defaultUci().network as { text: string }).text;
  return { text: base + extra.map((l) => `${l}\n`).join('') };
}

/** The recorded interface dump plus `extra` interfaces (written: see the file comment). */
function dump(...extra: unknown[]): { json: unknown } {
  const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: unknown[] };
  return { json: { interface: [...recorded.interface, ...extra] } };
}

interface Booted {
  fx: PlatformFixture;
  fake: FakeOpenWrt;
  store: DataStore;
  sys: string;
}

async function boot(opts: { handler?: boolean; dataDir?: string; before?: (fake: FakeOpenWrt) => void } = {}): Promise<Booted> {
  const fake = fakeOpenWrt();
  if (opts.handler !== false) {
    fs.mkdirSync(path.join(fake.bin, 'lib', 'netifd', 'proto'), { recursive: true });
    fs.writeFileSync(path.join(fake.bin, 'lib', 'netifd', 'proto', 'vxlan.sh'), '# stand-in: only its presence is read\n');
  }
  opts.before?.(fake);
  const store = new DataStore(opts.dataDir ?? tempDir());
  store.load((why) => {
    throw new Error(why);
  });
  const sys = tempDir();
  const fx = openWrt(fake, { store, sysNetDir: sys });
  fixtures.push(fx);
  await fx.platform.stateLoaded();
  return { fx, fake, store, sys };
}

/** The uci writes (not the `uci show` reads) and `ubus call network reload`, since the last clearLog. */
function writes(fake: FakeOpenWrt): string[] {
  return fake
    .invocations()
    .filter((a) => (a[0] === 'uci' && !a.includes('show')) || (a[0] === 'ubus' && a[2] === 'network' && a[3] === 'reload'))
    .map((a) => a.join(' '));
}

async function commit(b: Booted, step: (tx: Transaction) => Promise<unknown>): Promise<void> {
  const tx = new Transaction(b.fx.model, {});
  try {
    await step(tx);
  } catch (e) {
    await tx.rollback();
    throw e;
  }
  await tx.commit();
  await b.store.flush();
}

const add = (b: Booted, table: string, parent: number[], params: Record<string, Value>) => commit(b, (tx) => tx.add(b.fx.model.requireNode(table), parent, params));
const set = (b: Booted, table: string, keys: number[], params: Record<string, Value>) => commit(b, (tx) => tx.set({ node: b.fx.model.requireNode(table), keys }, params));

async function refusal(p: Promise<unknown>): Promise<UspError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof UspError)) throw new Error(`not refused: ${String(e)}`);
  return e;
}

/** Device.IP.Interface.N of netifd interface `name`. */
async function ipPath(fx: PlatformFixture, name: string): Promise<string> {
  const b = fx.binding('Device.IP.Interface.{i}.');
  for (const n of await b.list!([], {})) if ((await b.get([n], {})).Name === name) return `Device.IP.Interface.${n}`;
  throw new Error(`no IP.Interface ${name}`);
}

/** The section one Interface of Tunnel 1 (192.0.2.7, VNI 100, over wan) leaves in uci. */
const SECTION_1_1 = [
  'network.usp_vxlan_1_1=interface',
  "network.usp_vxlan_1_1.proto='vxlan'",
  "network.usp_vxlan_1_1.peeraddr='192.0.2.7'",
  "network.usp_vxlan_1_1.port='4789'",
  "network.usp_vxlan_1_1.vid='100'",
  "network.usp_vxlan_1_1.tunlink='wan'",
];

describe('Device.VXLAN on OpenWrt (netifd proto vxlan)', () => {
  it('is not served without the vxlan package', async () => {
    const { fx } = await boot({ handler: false });
    expect(fx.model.bindingAt(TUNNEL)).toBeUndefined();
  });

  it('writes one netifd interface section per Interface, reads its Status, Stats and IP interface, and deletes it', async () => {
    const nft = { scripts: (): string[] => [] };
    const b = await boot({ before: (fake) => Object.assign(nft, recordNft(fake)) });
    const wan = await ipPath(b.fx, 'wan');
    b.fake.clearLog();
    await add(b, TUNNEL, [], { Enable: true, RemoteEndpoints: '192.0.2.7' });
    // A Tunnel without Interfaces is only a stored row: netifd has nothing to make.
    expect(writes(b.fake)).toEqual([]);

    // netifd's view once it has made the device (written dump entry; read after the write's reload).
    b.fake.respond('network.interface dump', dump({ interface: 'usp_vxlan_1_1', up: true, pending: false, available: true, autostart: true, uptime: 42, l3_device: 'usp_vxlan_1_1', proto: 'vxlan' }));
    // What uci shows once the Add is committed: the Alias the Add sets afterwards finds nothing to change.
    b.fake.respondUciAfterCommit('network', networkShow(...SECTION_1_1));
    await add(b, IFACE, [1], { Enable: true, VNI: 100, LowerLayers: wan });
    expect(writes(b.fake)).toEqual([
      'uci set network.usp_vxlan_1_1=interface',
      'uci set network.usp_vxlan_1_1.proto=vxlan',
      'uci set network.usp_vxlan_1_1.peeraddr=192.0.2.7',
      'uci set network.usp_vxlan_1_1.port=4789',
      'uci set network.usp_vxlan_1_1.vid=100',
      'uci set network.usp_vxlan_1_1.tunlink=wan',
      'uci commit network',
      'ubus call network reload',
    ]);

    // It counted traffic.
    fs.mkdirSync(path.join(b.sys, 'usp_vxlan_1_1', 'statistics'), { recursive: true });
    for (const [file, n] of [
      ['tx_bytes', 1500],
      ['rx_bytes', 3000],
      ['tx_packets', 10],
      ['rx_packets', 20],
      ['tx_errors', 0],
      ['rx_errors', 1],
    ] as const) {
      fs.writeFileSync(path.join(b.sys, 'usp_vxlan_1_1', 'statistics', file), `${n}\n`);
    }
    expect(await b.fx.binding(IFACE).get([1, 1], {})).toMatchObject({ Status: 'Up', Name: 'usp_vxlan_1_1', LastChange: 42, VNI: 100, LowerLayers: wan, Alias: 'cpe-1' });
    expect(await b.fx.binding(TUNNEL).get([1], {})).toMatchObject({ Status: 'Enabled', ConnectedRemoteEndpoint: '192.0.2.7', KeepAlivePolicy: 'None' });
    expect(await b.fx.binding(`${IFACE}Stats.`).get([1, 1], {})).toMatchObject({ BytesSent: '1500', BytesReceived: '3000', ErrorsReceived: 1, DiscardChecksumReceived: 0 });
    expect(await b.fx.binding(`${TUNNEL}Stats.`).get([1], {})).toMatchObject({ BytesSent: '1500', PacketsReceived: '20', ErrorsReceived: 1 });
    // The IP interface on top is netifd's own interface of the section.
    const over = await ipPath(b.fx, 'usp_vxlan_1_1');
    expect((await b.fx.binding('Device.IP.Interface.{i}.').get([Number(over.split('.').pop())], {})).LowerLayers).toBe('Device.VXLAN.Tunnel.1.Interface.1');

    // A Set of the Tunnel rewrites only the options it changes: DSCP 10 (TOS 0x28) and a fixed source port.
    b.fake.clearLog();
    await set(b, TUNNEL, [1], { DefaultDSCPMark: 10, SourcePort: 40000 });
    expect(writes(b.fake)).toEqual(['uci set network.usp_vxlan_1_1.srcportmin=40000', 'uci set network.usp_vxlan_1_1.tos=28', 'uci commit network', 'ubus call network reload']);
    b.fake.respondUci('network', networkShow(...SECTION_1_1, "network.usp_vxlan_1_1.srcportmin='40000'", "network.usp_vxlan_1_1.tos='28'"));

    // The vxlan handler reports no WAN address: the lower layer is down.
    b.fake.respond('network.interface dump', dump({ interface: 'usp_vxlan_1_1', up: false, pending: false, available: true, proto: 'vxlan', errors: [{ subsystem: 'vxlan', code: 'NO_WAN_LINK' }] }));
    expect((await b.fx.binding(IFACE).get([1, 1], {})).Status).toBe('LowerLayerDown');

    // VXLANAdv:1: a Filter marks the delivery packets of the section's VNI and port (the Linux nft table).
    await add(b, 'Device.VXLAN.Filter.{i}.', [], { Enable: true, Interface: 'Device.VXLAN.Tunnel.1.Interface.1', DSCPMarkPolicy: 10 });
    expect(nft.scripts().at(-1)).toContain('meta nfproto ipv4 udp dport 4789 @th,96,24 100 jump tunnel1_interface1');
    expect(nft.scripts().at(-1)).toContain('ip dscp set 10 accept comment "Device.VXLAN.Filter.1"');

    // A disabled Tunnel disables its sections (netifd then makes no device).
    b.fake.clearLog();
    await set(b, TUNNEL, [1], { Enable: false });
    expect(writes(b.fake)).toEqual(['uci set network.usp_vxlan_1_1.disabled=1', 'uci commit network', 'ubus call network reload']);
    expect((await b.fx.binding(IFACE).get([1, 1], {})).Status).toBe('LowerLayerDown');
    expect((await b.fx.binding(TUNNEL).get([1], {})).Status).toBe('Disabled');
    // The Filter's rules follow: no enabled Interface, no rule (the table stays, empty of targets).
    expect(nft.scripts().at(-1)).not.toContain('jump tunnel1_interface1');

    b.fake.clearLog();
    await commit(b, (tx) => tx.delete({ node: b.fx.model.requireNode(IFACE), keys: [1, 1] }));
    expect(writes(b.fake)).toEqual(['uci delete network.usp_vxlan_1_1', 'uci commit network', 'ubus call network reload']);
  });

  it('refuses what netifd cannot carry, writing nothing', async () => {
    const b = await boot();
    const wan = await ipPath(b.fx, 'wan');
    await add(b, TUNNEL, [], { Enable: true, RemoteEndpoints: '192.0.2.7' });
    b.fake.respondUciAfterCommit('network', networkShow(...SECTION_1_1));
    await add(b, IFACE, [1], { Enable: true, VNI: 100, LowerLayers: wan });
    b.fake.clearLog();
    const cases: Array<[string, number[], Record<string, Value>, string]> = [
      // EF: TOS 0xb8 has a hex letter, which netifd's tos option cannot pass (vxlan-sections.ts netifdTos).
      [TUNNEL, [1], { DefaultDSCPMark: 46 }, 'DefaultDSCPMark'],
      [TUNNEL, [1], { RemoteEndpoints: 'vpn.example.com' }, 'RemoteEndpoints'],
      [TUNNEL, [1], { DeliveryHeaderProtocol: 'IPv6' }, 'RemoteEndpoints'],
      [IFACE, [1, 1], { VNI: 0 }, 'VNI'],
      // A VXLAN interface over the netifd interface of another VXLAN section.
      [IFACE, [1, 1], { LowerLayers: await ipPath(b.fx, 'usp_vxlan_1_1') }, 'LowerLayers'],
      [IFACE, [1, 1], { LowerLayers: 'Device.IP.Interface.99' }, 'LowerLayers'],
    ];
    for (const [table, keys, params, param] of cases) {
      const e = await refusal(set(b, table, keys, params));
      expect(e.code, JSON.stringify(params)).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors?.map((p) => p.param)).toEqual([param]);
    }
    expect((await refusal(add(b, IFACE, [1], { VNI: 100 }))).code).toBe(ErrorCode.InvalidValue);
    // KeepAliveTimeout 0 would be an echo flood.
    expect((await refusal(set(b, TUNNEL, [1], { KeepAliveTimeout: 0 }))).code).toBe(ErrorCode.InvalidValue);
    expect(writes(b.fake)).toEqual([]);

    // A Tunnel numbered 1200 (after many Adds and Deletes): usp_vxlan_1200_1 would not fit IFNAMSIZ.
    const node = b.fx.model.requireNode(TUNNEL);
    const t = b.store.allocate(node.tablePathOf([]), 1200);
    b.store.setRow(node.pathOf([t]), { Enable: true, RemoteEndpoints: '192.0.2.8', Alias: 'far' });
    expect((await refusal(add(b, IFACE, [1200], { Enable: true, VNI: 5 }))).code).toBe(ErrorCode.ResourcesExceeded);
    expect(b.fx.model.bindingAt(IFACE)!.list!([1200], {})).toEqual([]);

    // A failing commit is reverted, answered 7003, and the row keeps its value.
    b.fake.failCommit(true, 'network');
    const e = await refusal(set(b, IFACE, [1, 1], { VNI: 200 }));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(writes(b.fake)).toEqual(['uci set network.usp_vxlan_1_1.vid=200', 'uci commit network', 'uci revert network']);
    expect((await b.fx.binding(IFACE).get([1, 1], {})).VNI).toBe(100);
  });

  it('an IPv6 delivery header is proto vxlan6 with peer6addr; at start the sections are found by name and brought in line', async () => {
    const dataDir = tempDir();
    const first = await boot({ dataDir });
    await add(first, TUNNEL, [], { Enable: true, DeliveryHeaderProtocol: 'IPv6', RemoteEndpoints: '2001:db8::7' });
    first.fake.clearLog();
    await add(first, IFACE, [1], { Enable: true, VNI: -1 });
    // VNI -1: the lowest free one; no LowerLayers: vxlan.sh takes the WAN's address.
    expect(writes(first.fake).slice(0, 5)).toEqual([
      'uci set network.usp_vxlan_1_1=interface',
      'uci set network.usp_vxlan_1_1.proto=vxlan6',
      'uci set network.usp_vxlan_1_1.peer6addr=2001:db8::7',
      'uci set network.usp_vxlan_1_1.port=4789',
      'uci set network.usp_vxlan_1_1.vid=1',
    ]);
    first.fx.close();
    fixtures.splice(fixtures.indexOf(first.fx), 1);

    // After a restart uci holds a section of a row that is gone and the router's own VXLAN interface, not the row's.
    const again = await boot({
      dataDir,
      before: (fake) => fake.respondUci('network', networkShow('network.usp_vxlan_3_1=interface', "network.usp_vxlan_3_1.proto='vxlan'", 'network.myvx=interface', "network.myvx.proto='vxlan'")),
    });
    const w = writes(again.fake);
    expect(w[0]).toBe('uci delete network.usp_vxlan_3_1');
    expect(w).toContain('uci set network.usp_vxlan_1_1.proto=vxlan6');
    expect(w.slice(-2)).toEqual(['uci commit network', 'ubus call network reload']);
    expect(w.join('\n')).not.toContain('myvx');
  });

  // The echo is the system ping (found on PATH, as on a router); the runner starts it inside the
  // stand-in userland, where a stand-in that never gets a reply takes its place.
  const ping = detectDiagnosticTools().ping;
  it.skipIf(ping === undefined)('KeepAlivePolicy ICMP moves the Tunnel to its next endpoint when the first stops answering', async () => {
    const b = await boot({
      before: (fake) => {
        const standIn = path.join(fake.bin, ping!.cmd);
        fs.mkdirSync(path.dirname(standIn), { recursive: true });
        fs.writeFileSync(standIn, '#!/bin/sh\necho "1 packets transmitted, 0 received, 100% packet loss"\nexit 1\n', { mode: 0o755 });
      },
    });
    expect(b.fx.binding(TUNNEL).writable).toContain('KeepAlivePolicy');
    await add(b, TUNNEL, [], { Enable: true, RemoteEndpoints: '192.0.2.7,192.0.2.9', KeepAlivePolicy: 'ICMP', KeepAliveTimeout: 1, KeepAliveThreshold: 1 });
    b.fake.respondUciAfterCommit('network', networkShow(...SECTION_1_1.filter((l) => !l.includes('tunlink'))));
    await add(b, IFACE, [1], { Enable: true, VNI: 100 });
    expect(writes(b.fake)).toContain('uci set network.usp_vxlan_1_1.peeraddr=192.0.2.7');
    await expect.poll(() => writes(b.fake), { timeout: 20_000, interval: 200 }).toContain('uci set network.usp_vxlan_1_1.peeraddr=192.0.2.9');
    expect(Number((await b.fx.binding(`${TUNNEL}Stats.`).get([1], {})).KeepAliveSent)).toBeGreaterThanOrEqual(1);
    expect((await b.fx.binding(TUNNEL).get([1], {})).KeepAlivePolicy).toBe('ICMP');
  });
});

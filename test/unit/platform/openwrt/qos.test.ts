/**
 * Device.QoS. on OpenWrt (platform/openwrt/qos.ts) against the recorded ubus/uci stand-ins and
 * the tc/nft stand-ins of fake-tc.ts: when it is served, how a netifd interface becomes the
 * device tc and nft are given, and the refusal of a device another program shapes (SQM,
 * qos-scripts). What the rules do in a kernel is proven by test/integration/linux-qos.test.ts
 * (the same compiler and writer, real nft and tc in namespaces).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import type { OpenWrtOptions } from '../../../../platform/openwrt/index.js';
import { fakeOpenWrt, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';
import { type FakeTc, installFakeTc } from './fake-tc.js';

const QUEUE = 'Device.QoS.Queue.{i}.';
const SHAPER = 'Device.QoS.Shaper.{i}.';
const CLASSIFICATION = 'Device.QoS.Classification.{i}.';
const QUEUE_STATS = 'Device.QoS.QueueStats.{i}.';

const fixtures: PlatformFixture[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function store(): DataStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-qos-'));
  dirs.push(dir);
  const s = new DataStore(dir);
  s.load((why) => {
    throw new Error(why);
  });
  return s;
}

/** The platform on the recorded router, with the tc and nft stand-ins unless `tools` is false. */
async function boot(opts: OpenWrtOptions = {}, tools = true, dump?: unknown): Promise<{ fx: PlatformFixture; tc?: FakeTc }> {
  const fake = fakeOpenWrt({ nft: true });
  const tc = tools ? installFakeTc(fake) : undefined;
  if (dump !== undefined) fake.respond('network.interface dump', { json: dump });
  const fx = openWrt(fake, { store: store(), ...opts });
  fixtures.push(fx);
  await fx.platform.stateLoaded();
  return { fx, tc };
}

/** Device.IP.Interface.N of netifd interface `name` (IP.Interface.{i}.Name is the netifd name). */
async function ipPath(fx: PlatformFixture, name: string): Promise<string> {
  const b = fx.binding('Device.IP.Interface.{i}.');
  for (const n of await b.list!([], {})) if ((await b.get([n], {})).Name === name) return `Device.IP.Interface.${n}`;
  throw new Error(`no IP.Interface ${name}`);
}

/** One Add as a Controller's transaction, committed; the new instance number. */
async function add(fx: PlatformFixture, table: string, params: Record<string, Value>): Promise<number> {
  const tx = new Transaction(fx.model, {});
  try {
    const inst = await tx.add(fx.model.requireNode(table), [], params);
    await tx.commit();
    return inst.keys[0]!;
  } catch (e) {
    await tx.rollback();
    throw e;
  }
}

async function refusal(p: Promise<unknown>): Promise<UspError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof UspError)) throw new Error(`not refused: ${String(e)}`);
  return e;
}

describe('Device.QoS. on OpenWrt', () => {
  it('is served with nft (firewall4), tc and a store; not without tc, without a store or with --qos off', async () => {
    expect((await boot()).fx.model.bindingAt(QUEUE)).toBeDefined();
    expect((await boot({}, false)).fx.model.bindingAt('Device.QoS.')).toBeUndefined();
    expect((await boot({ store: undefined })).fx.model.bindingAt('Device.QoS.')).toBeUndefined();
    expect((await boot({ services: { qos: false } })).fx.model.bindingAt('Device.QoS.')).toBeUndefined();
  });

  it('a Queue and a Shaper on wan build the HTB tree on its L3 device; a Classification on lan matches br-lan', async () => {
    const { fx, tc } = await boot();
    const [wan, lan] = [await ipPath(fx, 'wan'), await ipPath(fx, 'lan')];
    await add(fx, SHAPER, { Enable: true, Interface: wan, ShapingRate: 20_000_000 });
    const q = await add(fx, QUEUE, { Enable: true, Interface: `${wan}.`, TrafficClasses: '3' });
    await add(fx, CLASSIFICATION, { Enable: true, Interface: lan, Protocol: 6, DestPort: 443, TrafficClass: 3 });
    expect(tc!.roots().find((r) => r.dev === 'eth1.2')).toMatchObject({ kind: 'htb', handle: '51:' });
    const lines = tc!.batchLines();
    expect(lines.at(-1)).toMatch(/^filter add dev eth1\.2 parent 51: .* match mark 0x51000003 0xff00ffff classid 51:10/);
    expect(lines).toContain('class add dev eth1.2 parent 51: classid 51:1 htb rate 20000000bit ceil 20000000bit');
    expect(tc!.nftInput()).toContain('iifname "br-lan" meta protocol { ip, ip6 } meta l4proto 6 th dport 443 goto class_1');
    // Read back as the IP.Interface paths, Enabled.
    expect(await fx.binding(QUEUE).get([q], {})).toMatchObject({ Interface: wan, Status: 'Enabled' });
    expect(await fx.binding(CLASSIFICATION).get([1], {})).toMatchObject({ Interface: lan, Status: 'Enabled' });
    const s = await add(fx, QUEUE_STATS, { Enable: true, Queue: `Device.QoS.Queue.${q}`, Interface: wan });
    expect(await fx.binding(QUEUE_STATS).get([s], {})).toMatchObject({ Status: 'Enabled', Interface: wan, OutputPackets: 0 });
  });

  it('refuses (7012) a Queue or Shaper on a device SQM or qos-scripts shapes, and leaves that device alone', async () => {
    const { fx, tc } = await boot();
    const [wan, lan] = [await ipPath(fx, 'wan'), await ipPath(fx, 'lan')];
    // sqm-scripts' cake on the WAN device, qos-scripts' hfsc on the bridge.
    tc!.setRoot('eth1.2', 'cake', '8001:');
    tc!.setRoot('br-lan', 'hfsc', '1:');
    for (const [table, Interface] of [
      [QUEUE, wan],
      [SHAPER, lan],
    ] as const) {
      const e = await refusal(add(fx, table, { Enable: true, Interface, TrafficClasses: '1' }));
      expect(e.code).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors[0]).toMatchObject({ param: 'Interface', message: expect.stringMatching(/root qdisc of (eth1\.2|br-lan) is (cake 8001:|hfsc 1:)/) });
    }
    // Disabled it may be kept (nothing is built), and Enable is refused while SQM holds the device.
    const q = await add(fx, QUEUE, { Enable: false, Interface: wan, TrafficClasses: '1' });
    expect((await refusal(Promise.resolve(fx.binding(QUEUE).set!([q], { Enable: true }, {})))).code).toBe(ErrorCode.InvalidValue);
    expect(tc!.batchLines()).toEqual([]);
    expect(tc!.roots().find((r) => r.dev === 'eth1.2')).toMatchObject({ kind: 'cake', handle: '8001:' });
  });

  it('a device SQM takes over after the agent built its tree: Status Error, the agent neither deletes nor rebuilds there', async () => {
    const { fx, tc } = await boot();
    const wan = await ipPath(fx, 'wan');
    const q = await add(fx, QUEUE, { Enable: true, Interface: wan, TrafficClasses: '1' });
    expect(tc!.roots().find((r) => r.dev === 'eth1.2')).toMatchObject({ kind: 'htb', handle: '51:' });
    tc!.setRoot('eth1.2', 'cake', '8002:');
    fx.fake.clearLog();
    // Another QoS change rewrites the rules: the cake stays.
    await add(fx, CLASSIFICATION, { Enable: true, Interface: wan, TrafficClass: 1 });
    expect(fx.fake.invocations().filter((c) => c[0] === 'tc' && c[1] !== '-j')).toEqual([]);
    expect(tc!.roots().find((r) => r.dev === 'eth1.2')).toMatchObject({ kind: 'cake', handle: '8002:' });
    await expect.poll(async () => (await fx.binding(QUEUE).get([q], {})).Status, { timeout: 5000 }).toBe('Error');
  });

  it('two netifd interfaces on one device (wan, wan6): a row names the device, read back as the first netifd lists', async () => {
    const dump = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: Array<Record<string, unknown>> };
    const wan = dump.interface.find((i) => i.interface === 'wan')!;
    dump.interface.push({ ...wan, interface: 'wan6', proto: 'dhcpv6', 'ipv4-address': [] });
    const { fx, tc } = await boot({}, true, dump);
    const [wanPath, wan6Path] = [await ipPath(fx, 'wan'), await ipPath(fx, 'wan6')];
    const q = await add(fx, QUEUE, { Enable: true, Interface: wan6Path, TrafficClasses: '1' });
    expect(tc!.batchLines()[0]).toMatch(/^qdisc add dev eth1\.2 root handle 51: htb/);
    expect((await fx.binding(QUEUE).get([q], {})).Interface).toBe(wanPath);
    // A reference to no IP.Interface row is refused.
    expect((await refusal(add(fx, QUEUE, { Enable: true, Interface: 'Device.IP.Interface.99', TrafficClasses: '2' }))).code).toBe(ErrorCode.InvalidValue);
  });
});

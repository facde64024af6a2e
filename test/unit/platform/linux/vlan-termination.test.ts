/**
 * Device.Ethernet.VLANTermination on the Linux platform, at the command boundary: `ip` is the
 * stand-in that replays what a Debian kernel with 802.1Q answered (test/fixtures/linux/
 * vlan-termination: this kernel has no 8021q module) and shows the devices it made in the fake
 * sysfs tree; every other `ip` command goes to the fake host's own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePath } from '../../../../datamodel/path/parse-path.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { PathResolver } from '../../../../datamodel/tree/resolve-path.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { registerLinuxPlatform } from '../../../../platform/linux/index.js';
import { refusal } from '../refusal.js';
import { CAPTURED_MS, FakeHost, FIXTURES } from './fake-host.js';

const schema = Schema.load();
const VLAN = 'Device.Ethernet.VLANTermination.';

/** A fake host with a WAN port wan0 (as the recording's), whose `ip` is the VLAN stand-in. */
function vlanHost(): { host: FakeHost; vlanCalls: () => string[] } {
  const host = new FakeHost();
  const attrs = { address: '02:fc:00:00:00:09', operstate: 'up', carrier: '1', type: '1', ifindex: '9', flags: '0x1003', mtu: '1500', uevent: 'INTERFACE=wan0' };
  for (const [k, v] of Object.entries(attrs)) host.write(`sys/class/net/wan0/${k}`, `${v}\n`);
  fs.renameSync(path.join(host.binDir, 'ip'), path.join(host.binDir, 'ip-base'));
  const log = path.join(host.dir, 'vlan.log');
  host.write(
    'bin/ip',
    [
      '#!/bin/sh',
      `USP_VLAN_STANDIN_STATE='${host.dir}/vlan-state.json' USP_VLAN_STANDIN_SYS='${host.sysRoot}' USP_VLAN_STANDIN_NEXT='${host.binDir}/ip-base' USP_VLAN_STANDIN_LOG='${log}' \\`,
      `  exec node '${FIXTURES}vlan-termination/vlan-standin.mjs' "$@"`,
      '',
    ].join('\n'),
  );
  fs.chmodSync(path.join(host.binDir, 'ip'), 0o755);
  return { host, vlanCalls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}

function agent(host: FakeHost, store: DataStore, manage = ['wan0']) {
  const model = new DataModel(schema);
  const platform = registerLinuxPlatform(model, host.options({ now: () => CAPTURED_MS, store, manageInterfaces: manage, areas: ['Ethernet', 'IP'] }));
  const at = async (p: string) => (await new PathResolver(model, {}).resolve(parsePath(p)))[0]!;
  return {
    platform,
    values: async (p: string) => {
      const m = await at(p);
      return model.readValues({ node: m.node, keys: m.keys }, {});
    },
    add: async (p: string, params: Record<string, Value>) => {
      const m = await at(p);
      return Transaction.run(model, {}, async (tx) => (await tx.add(m.node, m.keys, params)).keys.at(-1)!);
    },
    set: async (p: string, values: Record<string, Value>) => {
      const m = await at(p);
      await Transaction.run(model, {}, (tx) => tx.set({ node: m.node, keys: m.keys }, values));
    },
    del: async (p: string) => {
      const m = await at(p);
      await Transaction.run(model, {}, (tx) => tx.delete({ node: m.node, keys: m.keys }));
    },
    /** LowerLayers of the IP.Interface of network device `name`. */
    ipLowerOf: async (name: string) => {
      for (const m of await new PathResolver(model, {}).resolve(parsePath('Device.IP.Interface.*.'))) {
        const v = await model.readValues({ node: m.node, keys: m.keys }, {});
        if (v.Name === name) return v.LowerLayers;
      }
      return undefined;
    },
    instances: async () => {
      const m = await at(VLAN);
      return model.listInstances(m.node, m.keys, {});
    },
  };
}

describe('linux platform: Device.Ethernet.VLANTermination (ip link ... type vlan)', () => {
  let host: FakeHost | undefined;
  let stop: (() => void) | undefined;
  afterEach(() => {
    stop?.();
    host?.cleanup();
  });

  it('makes wan0.100 over the WAN port Link, brings it up, counts what the device counted, and deletes it', async () => {
    const h = vlanHost();
    host = h.host;
    const a = agent(host, new DataStore());
    stop = () => a.platform.stop();
    await a.platform.stateLoaded();
    const wanLink = Object.entries(await Promise.all([1, 2].map((n) => a.values(`Device.Ethernet.Link.${n}.`)))).find(([, v]) => v.Name === 'wan0')![0];
    const link = `Device.Ethernet.Link.${Number(wanLink) + 1}`;
    const n = await a.add(VLAN, { LowerLayers: link, VLANID: 100 });
    expect(h.vlanCalls()).toContain('link add link wan0 name wan0.100 type vlan id 100');
    expect(await a.values(`${VLAN}${n}.`)).toMatchObject({ Name: 'wan0.100', Status: 'Down', Enable: false, VLANID: 100, TPID: 33024, LowerLayers: link });
    await a.set(`${VLAN}${n}.`, { Enable: true });
    expect(h.vlanCalls()).toContain('link set dev wan0.100 up');
    expect((await a.values(`${VLAN}${n}.`)).Status).toBe('Up');
    // The recorded device's counters after its ping (steps 07-15).
    expect(await a.values(`${VLAN}${n}.Stats.`)).toMatchObject({ BytesReceived: '428', BytesSent: '692', PacketsReceived: '6', PacketsSent: '8', ErrorsSent: 0, MulticastPacketsReceived: '2' });
    // Its IP interface (as `ip -j addr` lists a VLAN device) stacks on the row, the port's on its Link.
    const addrs = JSON.parse(fs.readFileSync(path.join(host.dir, 'ip-j-addr.json'), 'utf8')) as unknown[];
    const vlanAddr = {
      ifindex: 101,
      link: 'wan0',
      ifname: 'wan0.100',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      operstate: 'UP',
      link_type: 'ether',
      address: '02:fc:00:00:00:09',
      addr_info: [],
    };
    host.write('ip-j-addr.json', JSON.stringify([...addrs, vlanAddr]));
    expect(await a.ipLowerOf('wan0.100')).toBe(`Device.Ethernet.VLANTermination.${n}`);
    expect(await a.ipLowerOf('eth0')).toMatch(/^Device\.Ethernet\.Link\.\d+$/);
    host.write('ip-j-addr.json', JSON.stringify(addrs));
    // A new VLAN ID: the kernel cannot change it in place, so the device is made again.
    await a.set(`${VLAN}${n}.`, { VLANID: 101 });
    expect(h.vlanCalls().slice(-3)).toEqual(['link del dev wan0.100', 'link add link wan0 name wan0.101 type vlan id 101', 'link set dev wan0.101 up']);
    await a.set(`${VLAN}${n}.`, { TPID: 0x88a8 });
    expect(h.vlanCalls()).toContain('link add link wan0 name wan0.101 type vlan protocol 802.1ad id 101');
    await a.del(`${VLAN}${n}.`);
    expect(h.vlanCalls().at(-1)).toBe('link del dev wan0.101');
    expect(fs.existsSync(path.join(host.sysRoot, 'class/net/wan0.101'))).toBe(false);
  });

  it('refuses VLAN ID 0 and 4095, no Link, a VLAN ID twice on one Link, and an unmanaged port, making nothing', async () => {
    const h = vlanHost();
    host = h.host;
    const a = agent(host, new DataStore(), ['eth0']);
    stop = () => a.platform.stop();
    const links = await Promise.all([1, 2].map((k) => a.values(`Device.Ethernet.Link.${k}.`)));
    const eth0 = `Device.Ethernet.Link.${links.findIndex((v) => v.Name === 'eth0') + 1}`;
    const wan0 = `Device.Ethernet.Link.${links.findIndex((v) => v.Name === 'wan0') + 1}`;
    const n = await a.add(VLAN, { LowerLayers: eth0, VLANID: 10 });
    for (const [params, code] of [
      [{ LowerLayers: eth0, VLANID: 0 }, ErrorCode.InvalidValue],
      [{ LowerLayers: eth0, VLANID: 4095 }, ErrorCode.InvalidValue],
      [{ LowerLayers: 'Device.Ethernet.Interface.1' }, ErrorCode.InvalidValue],
      [{ LowerLayers: 'Device.Ethernet.Link.9' }, ErrorCode.InvalidValue],
      [{ LowerLayers: eth0, VLANID: 10 }, ErrorCode.InvalidValue],
      [{ LowerLayers: wan0, VLANID: 10 }, ErrorCode.RequestDenied],
    ] as const) {
      expect((await refusal(() => a.add(VLAN, params))).code, JSON.stringify(params)).toBe(code);
    }
    expect(await a.instances()).toEqual([n]);
    expect(h.vlanCalls().filter((c) => c.startsWith('link add'))).toEqual(['link add link eth0 name eth0.10 type vlan id 10']);
  });

  it('keeps the rows in the store and makes their devices again at start', async () => {
    const h = vlanHost();
    host = h.host;
    const store = new DataStore();
    const first = agent(host, store);
    await first.platform.stateLoaded();
    const wanLink = (await Promise.all([1, 2].map((k) => first.values(`Device.Ethernet.Link.${k}.`)))).findIndex((v) => v.Name === 'wan0') + 1;
    const n = await first.add(VLAN, { LowerLayers: `Device.Ethernet.Link.${wanLink}`, VLANID: 200, TPID: 0x88a8, Enable: true });
    first.platform.stop();
    // A reboot: the kernel has no VLAN device any more.
    fs.rmSync(path.join(host.dir, 'vlan-state.json'));
    fs.rmSync(path.join(host.sysRoot, 'class/net/wan0.200'), { recursive: true });
    const again = agent(host, store);
    stop = () => again.platform.stop();
    await again.platform.stateLoaded();
    expect(h.vlanCalls().slice(-2)).toEqual(['link add link wan0 name wan0.200 type vlan protocol 802.1ad id 200', 'link set dev wan0.200 up']);
    expect(await again.values(`${VLAN}${n}.`)).toMatchObject({ Name: 'wan0.200', Status: 'Up', TPID: 34984 });
  });
});

/**
 * Device.Bridging. 802.1Q objects on Linux (VLANBridge:1: VLAN, VLANPort, Port PVID and
 * AcceptableFrameTypes) over the recorded `bridge` of test/fixtures/linux/bridge-vlan (a Debian 12
 * VM's 6.1 kernel: this machine has no bridge module). The `bridge` stand-in answers each call
 * with its recorded step; the bridge `br-lan` with ports lan1..lan3 is written here into the fake
 * host's `ip -j addr` and sysfs (ifindexes and MACs as recorded; lan3's are not in the recording).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { type LinuxOptions, registerLinuxPlatform } from '../../../../platform/linux/index.js';
import { parseBridgeVlanShow } from '../../../../platform/linux/bridge-vlan-tool.js';
import { keepFiltering } from '../../../../platform/linux/bridge-vlan-store.js';
import { fakeBridgeHost } from './fake-bridge-host.js';
import { type FakeHost, FIXTURES, fixture, type LinuxFixture, linuxHost } from './fake-host.js';

const SESSION = JSON.parse(fixture('bridge-vlan/session.json')) as Array<{ step: string; stdout: string }>;
const recorded = (n: number): string => SESSION.find((s) => Number(s.step.split('-')[0]) === n)!.stdout;

const bridgeHost = (filtering = '1'): FakeHost => fakeBridgeHost(filtering, path.join(FIXTURES, 'bridge-vlan', 'bridge-standin.mjs'));

/** Moves the kernel to recorded step `n`'s `bridge -j vlan show`. */
const kernelAt = (host: FakeHost, n: number): void => host.write('bridge.state', String(n));
const bridgeCalls = (host: FakeHost): string[] =>
  fs.existsSync(path.join(host.dir, 'bridge.log'))
    ? fs
        .readFileSync(path.join(host.dir, 'bridge.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as string[]).join(' '))
        .filter((l) => l !== '-j vlan show')
    : [];

describe('linux platform: 802.1Q bridge (recorded bridge -j vlan show)', () => {
  let f: LinuxFixture | undefined;
  afterEach(() => {
    f?.cleanup();
    f = undefined;
  });

  it('parses the recorded tables, with and without -s', () => {
    const t = parseBridgeVlanShow(recorded(10));
    expect(t.get('lan2')).toEqual([
      { vid: 1, pvid: true, untagged: true },
      { vid: 10, pvid: false, untagged: false },
      { vid: 20, pvid: false, untagged: false },
    ]);
    expect(parseBridgeVlanShow(recorded(12)).get('lan1')).toEqual([{ vid: 10, pvid: true, untagged: true }]);
  });

  it('serves VLAN, VLANPort and the ports PVID from the kernel table; Max* constants', async () => {
    const host = bridgeHost();
    kernelAt(host, 10);
    f = linuxHost({ manageInterfaces: ['*'] }, host);
    const all = await f.byPath();
    expect(all.get('Device.Bridging.')).toMatchObject({ MaxQBridgeEntries: 64, MaxVLANEntries: 4094 });
    const br = [...all.entries()].find(([, v]) => v.Name === 'br-lan' && v.Standard !== undefined)![0];
    expect(all.get(br)).toMatchObject({ Standard: '802.1Q-2011' });
    const vlans = [...all.entries()].filter(([p]) => p.startsWith(`${br}VLAN.`)).map(([, v]) => v.VLANID);
    expect(vlans).toEqual([1, 10, 20]);
    const members = [...all.entries()].filter(([p]) => p.startsWith(`${br}VLANPort.`)).map(([, v]) => v);
    // br-lan (self) 1 and 10, lan1 10, lan2 1, 10, 20, lan3 20: seven memberships.
    expect(members).toHaveLength(7);
    const ports = new Map([...all.entries()].filter(([p, v]) => /Port\.\d+\.$/.test(p) && p.startsWith(br) && v.Name !== undefined).map(([p, v]) => [v.Name as string, { path: p, v }]));
    expect(ports.get('lan1')!.v).toMatchObject({
      PVID: 10,
      AcceptableFrameTypes: 'AdmitAll',
      IngressFiltering: true,
      PriorityTagging: false,
      DefaultUserPriority: 0,
      PriorityRegeneration: '0,1,2,3,4,5,6,7',
    });
    expect(ports.get('lan3')!.v).toMatchObject({ PVID: 20 });
    const lan2Untagged = members.find((m) => m.Port === ports.get('lan2')!.path.slice(0, -1) && m.VLAN === `${br}VLAN.1`);
    expect(lan2Untagged).toMatchObject({ Untagged: true, Enable: true });
    // After step 20 (vlan_default_pvid 0) lan2 has no PVID: it admits only tagged frames.
    kernelAt(host, 31);
    f.advance(5);
    const lan2 = await f.model.bindingAt('Device.Bridging.Bridge.{i}.Port.{i}.')!.get([Number(br.split('.')[3]), Number(ports.get('lan2')!.path.split('.')[5])], {});
    expect(lan2).toMatchObject({ AcceptableFrameTypes: 'AdmitOnlyVLANTagged' });
    expect(lan2.PVID).toBeUndefined();
  });

  it('writes the recorded bridge vlan commands; bad VIDs and foreign ports are refused before bridge runs', async () => {
    const host = bridgeHost();
    f = linuxHost({ manageInterfaces: ['*'] }, host);
    const all = await f.byPath();
    const br = Number([...all.entries()].find(([, v]) => v.Name === 'br-lan' && v.Standard !== undefined)![0].split('.')[3]);
    const portNo = (name: string): number => Number([...all.entries()].find(([p, v]) => p.startsWith(`Device.Bridging.Bridge.${br}.Port.`) && v.Name === name)![0].split('.')[5]);
    const port = f.model.bindingAt('Device.Bridging.Bridge.{i}.Port.{i}.')!;
    const vlan = f.model.bindingAt('Device.Bridging.Bridge.{i}.VLAN.{i}.')!;
    const member = f.model.bindingAt('Device.Bridging.Bridge.{i}.VLANPort.{i}.')!;
    const code = async (p: Promise<unknown> | unknown): Promise<number | undefined> => {
      try {
        await p;
        return undefined;
      } catch (e) {
        return (e as { code?: number }).code;
      }
    };
    for (const bad of [0, 4095]) expect(await code(vlan.add!([br], { VLANID: bad }, {}))).toBe(ErrorCode.InvalidValue);
    expect(await code(port.set!([br, portNo('lan1')], { PVID: 4095 }, {}))).toBe(ErrorCode.InvalidValue);
    expect(await code(port.set!([br, portNo('lan1')], { AcceptableFrameTypes: 'AdmitOnlyPrioUntagged' }, {}))).toBe(ErrorCode.InvalidValue);
    expect(await code(member.add!([br], { VLAN: `Device.Bridging.Bridge.${br}.VLAN.1`, Port: `Device.Bridging.Bridge.${br + 1}.Port.2` }, {}))).toBe(ErrorCode.InvalidValue);
    expect(await code(f.model.bindingAt('Device.Bridging.Bridge.{i}.')!.set!([br], { Standard: '802.1Q-2005' }, {}))).toBe(ErrorCode.InvalidValue);
    expect(bridgeCalls(host)).toEqual([]);

    // Steps 03 (PVID 10 on lan1: a new untagged access VLAN), 04 (lan2 joins VLAN 10 tagged), 09 (VLAN 10 on the bridge itself).
    await port.set!([br, portNo('lan1')], { PVID: 10 }, {});
    kernelAt(host, 10); // the recorded table after steps 03-09
    const vids = await Promise.all((await vlan.list!([br], {})).map(async (n) => (await vlan.get([br, n], {})).VLANID));
    expect(vids).toEqual([1, 10, 20]);
    // The kernel's own refusal (no recording of this VID on the bridge: the stand-in fails like a refused command) fails the Add with nothing kept.
    expect(await code(vlan.add!([br], { VLANID: 30 }, {}))).toBe(ErrorCode.RequestDenied);
    // VLAN 20 exists already: 7025.
    expect(await code(vlan.add!([br], { VLANID: 20 }, {}))).toBe(ErrorCode.DuplicateUniqueKey);
    expect(bridgeCalls(host)).toEqual(['vlan add dev lan1 vid 10 pvid untagged', 'vlan add dev br-lan vid 30 self']);
  });

  it('VLANPort Delete is `bridge vlan del` (step 07); Standard is vlan_filtering (the argv of step 23); no VLAN rows or Adds without filtering', async () => {
    const host = bridgeHost();
    f = linuxHost({ manageInterfaces: ['*'] }, host);
    const all = await f.byPath();
    const brPath = [...all.entries()].find(([, v]) => v.Name === 'br-lan' && v.Standard !== undefined)![0];
    const br = Number(brPath.split('.')[3]);
    const lan1 = [...all.entries()].find(([p, v]) => p.startsWith(`${brPath}Port.`) && v.Name === 'lan1')![0].slice(0, -1);
    const member = f.model.bindingAt('Device.Bridging.Bridge.{i}.VLANPort.{i}.')!;
    const rows = await Promise.all((await member.list!([br], {})).map(async (n) => [n, await member.get([br, n], {})] as const));
    const [n] = rows.find(([, v]) => v.Port === lan1)!;
    const snap = member.snapshot!([br, n]);
    await member.delete!([br, n], {});
    expect(bridgeCalls(host)).toEqual(['vlan del dev lan1 vid 1']);
    // A rolled-back Delete adds the membership back with its flags (that command has no recording: the stand-in refuses it).
    await Promise.resolve(member.restore!([br, n], snap)).catch(() => undefined);
    expect(bridgeCalls(host)).toEqual(['vlan del dev lan1 vid 1', 'vlan add dev lan1 vid 1 pvid untagged']);
    // The fake `ip` answers reads only: the Set fails after `ip` was asked.
    await expect(Promise.resolve(f.model.bindingAt('Device.Bridging.Bridge.{i}.')!.set!([br], { Standard: '802.1D-2004' }, {}))).rejects.toBeDefined();
    const step23 = SESSION.find((s) => s.step.startsWith('23-')) as unknown as { argv: string[] };
    expect(host.ipCalls()).toContain(step23.argv.slice(1).join(' '));
  });

  it('a bridge without vlan_filtering (802.1D) has no VLAN rows and refuses VLANs and PVIDs with 7012', async () => {
    const host = bridgeHost('0');
    f = linuxHost({ manageInterfaces: ['*'] }, host);
    const all = await f.byPath();
    const brPath = [...all.entries()].find(([, v]) => v.Name === 'br-lan' && v.Standard !== undefined)![0];
    expect(all.get(brPath)).toMatchObject({ Standard: '802.1D-2004' });
    expect([...all.keys()].some((p) => p.startsWith(`${brPath}VLAN`))).toBe(false);
    const br = Number(brPath.split('.')[3]);
    await expect(f.model.bindingAt('Device.Bridging.Bridge.{i}.VLAN.{i}.')!.add!([br], { VLANID: 10 }, {})).rejects.toMatchObject({ code: ErrorCode.InvalidValue });
    const lan1 = Number([...all.entries()].find(([p, v]) => p.startsWith(`${brPath}Port.`) && v.Name === 'lan1')![0].split('.')[5]);
    expect(all.get(`${brPath}Port.${lan1}.`)).toMatchObject({ IngressFiltering: false, AcceptableFrameTypes: 'AdmitAll' });
    await expect(f.model.bindingAt('Device.Bridging.Bridge.{i}.Port.{i}.')!.set!([br, lan1], { PVID: 10 }, {})).rejects.toMatchObject({ code: ErrorCode.InvalidValue });
    expect(bridgeCalls(host)).toEqual([]);
  });

  it('without a working `bridge`: the bridge and its ports are served, no VLAN rows, one warning', async () => {
    const host = bridgeHost();
    host.remove('bin/bridge');
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {}, child: () => log } as unknown as LinuxOptions['log'];
    f = linuxHost({ manageInterfaces: ['*'], log }, host);
    const all = await f.byPath();
    const brPath = [...all.entries()].find(([, v]) => v.Name === 'br-lan' && v.Standard !== undefined)![0];
    expect(all.get(brPath)).toMatchObject({ Standard: '802.1Q-2011' });
    expect([...all.keys()].some((p) => p.startsWith(`${brPath}VLAN`))).toBe(false);
    const lan1 = [...all.entries()].find(([p, v]) => p.startsWith(`${brPath}Port.`) && v.Name === 'lan1')![1];
    expect(lan1).toMatchObject({ Name: 'lan1', IngressFiltering: true });
    expect(lan1.PVID).toBeUndefined();
    expect(warnings.filter((w) => /bridge VLAN table unreadable/.test(w))).toHaveLength(1);
  });

  it('keeps what a Controller set and puts it back after a reboot', async () => {
    const host = bridgeHost();
    const store = new DataStore();
    f = linuxHost({ manageInterfaces: ['*'], store }, host);
    const all = await f.byPath();
    const br = Number([...all.entries()].find(([, v]) => v.Name === 'br-lan' && v.Standard !== undefined)![0].split('.')[3]);
    const portNo = Number([...all.entries()].find(([p, v]) => p.startsWith(`Device.Bridging.Bridge.${br}.Port.`) && v.Name === 'lan1')![0].split('.')[5]);
    kernelAt(host, 10); // what the kernel holds once step 03 ran (the state after it is recorded at step 10)
    await f.model.bindingAt('Device.Bridging.Bridge.{i}.Port.{i}.')!.set!([br, portNo], { PVID: 10 }, {});
    // A reboot: the kernel is back at its defaults (step 02); a new agent on the same store.
    kernelAt(host, 2);
    fs.writeFileSync(path.join(host.dir, 'bridge.log'), '');
    const model = new DataModel(Schema.load());
    const again = registerLinuxPlatform(model, host.options({ manageInterfaces: ['*'], store }));
    try {
      await again.stateLoaded();
      // lan1 gets VLAN 10 as PVID untagged back (step 03) and loses VLAN 1 (step 07).
      expect(bridgeCalls(host)).toEqual(['vlan add dev lan1 vid 10 pvid untagged', 'vlan del dev lan1 vid 1']);
    } finally {
      again.stop();
    }
  });

  it('puts a kept Standard back at start: the argv of recorded step 25 (vlan_filtering 1) on a bridge that came up without it', async () => {
    const host = bridgeHost('0');
    const store = new DataStore();
    keepFiltering(store, 'br-lan', '1');
    const model = new DataModel(Schema.load());
    const p = registerLinuxPlatform(model, host.options({ manageInterfaces: ['br-lan'], store }));
    try {
      await p.stateLoaded();
      const step25 = SESSION.find((s) => s.step.startsWith('25-')) as unknown as { argv: string[] };
      expect(host.ipCalls()).toContain(step25.argv.slice(1).join(' '));
    } finally {
      p.stop();
      host.cleanup();
    }
  });
});

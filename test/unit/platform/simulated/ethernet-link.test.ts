import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const LINK = 'Device.Ethernet.Link.';

describe('simulated platform: Device.Ethernet.Link (the layer under the IP interfaces)', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it("stacks IP.Interface.1 on br-lan's Link, the Link on the bridge's management port", async () => {
    sim = simulated();
    sim.advance(600);
    expect(await sim.values('Device.Ethernet.')).toMatchObject({ InterfaceNumberOfEntries: 5, LinkNumberOfEntries: 2 });
    const [lan, wan] = await Promise.all([1, 2].map((n) => sim.values(`${LINK}${n}.`)));
    expect(lan).toMatchObject({ Name: 'br-lan', Status: 'Up', LowerLayers: 'Device.Bridging.Bridge.1.Port.1', MTU: 1500 });
    expect(lan.MACAddress).toMatch(/^0a:5f:1e(:[0-9a-f]{2}){3}$/); // the simulation's locally administered OUI
    // The WAN port's Link has the port's MAC and waits for a cable like the port.
    const port = await sim.values(String(wan.LowerLayers) + '.');
    expect(port).toMatchObject({ Name: 'wan', Upstream: true, Status: 'Down' });
    expect(wan).toMatchObject({ Name: 'wan', Status: 'LowerLayerDown', MACAddress: port.MACAddress });
    expect((await sim.values('Device.Bridging.Bridge.1.Port.1.')).ManagementPort).toBe(true);
    // References name rows that exist, without the trailing ".".
    expect((await sim.values('Device.IP.Interface.1.')).LowerLayers).toBe('Device.Ethernet.Link.1');
    expect((await sim.values('Device.IP.Interface.2.')).LowerLayers).toBe('Device.Cellular.Interface.1');
    for (const ref of ['Device.Ethernet.Link.1', String(lan.LowerLayers), String(wan.LowerLayers)]) {
      expect(await sim.values(`${ref}.`), ref).toBeDefined();
    }
  });

  it("counts what br-lan routes: the household's downloads are its Sent, the cellular session's Received", async () => {
    sim = simulated();
    // Hour by hour the two wobble differently; over days they carry the same average rate.
    sim.advance(10 * 86_400);
    const link = await sim.values(`${LINK}1.Stats.`);
    const cell = await sim.values('Device.Cellular.Interface.1.Stats.');
    const ratio = Number(link.BytesSent) / Number(cell.BytesReceived);
    expect(ratio).toBeGreaterThan(0.97);
    expect(ratio).toBeLessThan(1.03);
    expect(Number(link.BytesSent)).toBeGreaterThan(Number(link.BytesReceived));
    sim.advance(60);
    expect(BigInt(String((await sim.values(`${LINK}1.Stats.`)).BytesSent))).toBeGreaterThan(BigInt(String(link.BytesSent)));
    // Nothing crosses the Ethernet WAN while the modem is the uplink.
    const wan = await sim.values(`${LINK}2.Stats.`);
    expect([wan.BytesSent, wan.BytesReceived, wan.PacketsSent, wan.ErrorsReceived]).toEqual(['0', '0', '0', 0]);
  });

  it('follows the layer below, and IP.Interface.1 follows it', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set('Device.Bridging.Bridge.1.Port.1.', { Enable: false });
    sim.advance(5);
    expect(await sim.values(`${LINK}1.`)).toMatchObject({ Status: 'LowerLayerDown', LastChange: 5 });
    expect((await sim.values('Device.IP.Interface.1.')).Status).toBe('LowerLayerDown');
    await sim.set('Device.Bridging.Bridge.1.Port.1.', { Enable: true });
    expect((await sim.values('Device.IP.Interface.1.')).Status).toBe('Up');
    // A disabled Link is Down and its counters stand still.
    await sim.set(`${LINK}1.`, { Enable: false });
    const frozen = await sim.values(`${LINK}1.Stats.`);
    sim.advance(300);
    expect(await sim.values(`${LINK}1.Stats.`)).toEqual(frozen);
    expect(await sim.values(`${LINK}1.`)).toMatchObject({ Status: 'Down', LastChange: 300 });
  });

  it('takes an MTU and a MAC, and refuses re-stacking, a multicast or duplicate MAC and an MTU out of range', async () => {
    sim = simulated();
    await sim.set(`${LINK}1.`, { MTU: 1492, MACAddress: '02:AB:CD:00:00:01', NoARP: false, LowerLayers: 'Device.Bridging.Bridge.1.Port.1.' });
    expect(await sim.values(`${LINK}1.`)).toMatchObject({ MTU: 1492, MACAddress: '02:ab:cd:00:00:01', LowerLayers: 'Device.Bridging.Bridge.1.Port.1' });
    for (const [param, value] of [
      ['LowerLayers', 'Device.Ethernet.Interface.1'],
      ['MACAddress', '01:00:5e:00:00:01'],
      ['MTU', 20],
      ['MTU', 9216],
    ] as const) {
      const e = await refusal(() => sim.set(`${LINK}1.`, { [param]: value }));
      expect(e.paramErrors[0], `${param} = ${value}`).toMatchObject({ param, code: ErrorCode.InvalidValue });
    }
    // MACAddress is a unique key of the table.
    const wanMac = (await sim.values(`${LINK}2.`)).MACAddress;
    expect((await refusal(() => sim.set(`${LINK}1.`, { MACAddress: wanMac }))).code).toBe(ErrorCode.DuplicateUniqueKey);
  });

  it('adds a Link over a LAN port or a bridge port, following it, and deletes it; its own two are kept (7024)', async () => {
    sim = simulated();
    sim.advance(600);
    // lan1 (Ethernet.Interface.1), up with its cable: the Link takes its MAC and its Status.
    const n = await sim.add(LINK, { Enable: true, LowerLayers: 'Device.Ethernet.Interface.1.' });
    expect(n).toBe(3);
    const port = await sim.values('Device.Ethernet.Interface.1.');
    expect(await sim.values(`${LINK}3.`)).toMatchObject({ Name: 'link3', Enable: true, Status: 'Up', LowerLayers: 'Device.Ethernet.Interface.1', MACAddress: port.MACAddress, LastChange: 0 });
    expect(await sim.values('Device.Ethernet.')).toMatchObject({ LinkNumberOfEntries: 3 });
    // Its lower layer disabled: LowerLayerDown; the Link disabled: Down.
    await sim.set('Device.Ethernet.Interface.1.', { Enable: false });
    expect((await sim.values(`${LINK}3.`)).Status).toBe('LowerLayerDown');
    await sim.set(`${LINK}3.`, { Enable: false });
    sim.advance(7);
    expect(await sim.values(`${LINK}3.`)).toMatchObject({ Status: 'Down', LastChange: 7 });
    // Re-stacked on a bridge port: that port's interface's MAC (Port.3 is lan2's).
    await sim.set(`${LINK}3.`, { LowerLayers: 'Device.Bridging.Bridge.1.Port.3', Enable: true });
    const lan2 = await sim.values(String((await sim.values('Device.Bridging.Bridge.1.Port.3.')).LowerLayers) + '.');
    expect(await sim.values(`${LINK}3.`)).toMatchObject({ Status: 'Up', MACAddress: lan2.MACAddress });
    // Its counters: nothing is routed over it.
    expect((await sim.values(`${LINK}3.Stats.`)).BytesSent).toBe('0');
    await sim.del(`${LINK}3.`);
    expect(await sim.instances(LINK)).toEqual([1, 2]);
    for (const own of [1, 2]) expect((await refusal(() => sim.del(`${LINK}${own}.`))).code).toBe(ErrorCode.DeleteFailure);
  });

  it('refuses a Link over what is not an interface or bridge port, over nothing that exists, or over what another Link holds', async () => {
    sim = simulated();
    for (const lower of ['Device.IP.Interface.1', 'Device.Ethernet.Interface.99', 'Device.Bridging.Bridge.7.Port.1', 'Device.Bridging.Bridge.1.Port.1', 'Device.Ethernet.Interface.5']) {
      const e = await refusal(() => sim.add(LINK, { LowerLayers: lower }));
      expect(e.paramErrors[0], lower).toMatchObject({ param: 'LowerLayers', code: ErrorCode.InvalidValue });
    }
    // A refused Add used up no number.
    expect(await sim.add(LINK, {})).toBe(3);
    expect(await sim.values(`${LINK}3.`)).toMatchObject({ Enable: false, Status: 'Down', LowerLayers: '', MACAddress: '' });
    // No MAC address yet is no clash of the MACAddress unique key; a lower layer's twice is.
    expect(await sim.add(LINK, {})).toBe(4);
    await sim.set(`${LINK}3.`, { LowerLayers: 'Device.Ethernet.Interface.2' });
    expect((await refusal(() => sim.set(`${LINK}4.`, { LowerLayers: 'Device.Ethernet.Interface.2' }))).paramErrors[0]).toMatchObject({ param: 'LowerLayers' });
  });

  it('serves every Link value as its schema types it', async () => {
    for (const t of [0, 3600]) {
      sim = simulated(11);
      sim.advance(t);
      const objects = (await sim.readAll()).filter((o) => o.path.startsWith(LINK));
      expect(expectSchemaTyped(objects)).toBe(2 * (11 + 15));
      sim.stop();
    }
    sim = simulated();
  });
});

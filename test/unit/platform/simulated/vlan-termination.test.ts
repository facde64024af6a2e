import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const VLAN = 'Device.Ethernet.VLANTermination.';

describe('simulated platform: Device.Ethernet.VLANTermination (VLANTermination:1)', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('ships none; an added row over br-lan is Up, named after its Link and VLAN, and counts a part of the Link', async () => {
    sim = simulated();
    sim.advance(600);
    expect(await sim.values('Device.Ethernet.')).toMatchObject({ VLANTerminationNumberOfEntries: 0 });
    const n = await sim.add(VLAN, { Enable: true, LowerLayers: 'Device.Ethernet.Link.1.', VLANID: 100 });
    const row = await sim.values(`${VLAN}${n}.`);
    expect(row).toMatchObject({ Enable: true, Status: 'Up', Name: 'br-lan.100', LowerLayers: 'Device.Ethernet.Link.1', VLANID: 100, TPID: 33024, Alias: `cpe-${n}`, LastChange: 0 });
    const before = await sim.values(`${VLAN}${n}.Stats.`);
    sim.advance(3600);
    const after = await sim.values(`${VLAN}${n}.Stats.`);
    const link = await sim.values('Device.Ethernet.Link.1.Stats.');
    expect(Number(after.BytesSent)).toBeGreaterThan(Number(before.BytesSent));
    expect(Number(after.BytesSent)).toBeLessThan(Number(link.BytesSent));
    expect((await sim.values(`${VLAN}${n}.`)).LastChange).toBe(3600);
    // Disabled: Down, and its counters stand still.
    await sim.set(`${VLAN}${n}.`, { Enable: false });
    const stopped = await sim.values(`${VLAN}${n}.Stats.`);
    sim.advance(3600);
    expect(await sim.values(`${VLAN}${n}.Stats.`)).toEqual(stopped);
    expect((await sim.values(`${VLAN}${n}.`)).Status).toBe('Down');
    // Every value the table serves has its schema type.
    expectSchemaTyped((await sim.readAll()).filter((o) => o.path.startsWith(VLAN)));
  });

  it('a tagged WAN over the Ethernet WAN port waits for its cable; an IP interface may stack on it', async () => {
    sim = simulated();
    const n = await sim.add(VLAN, { Enable: true, LowerLayers: 'Device.Ethernet.Link.2', VLANID: 7, TPID: 34984 });
    expect(await sim.values(`${VLAN}${n}.`)).toMatchObject({ Status: 'LowerLayerDown', Name: 'wan.7', TPID: 34984 });
    sim.advance(60);
    expect((await sim.values(`${VLAN}${n}.Stats.`)).BytesReceived).toBe('0');
    const ip = await sim.add('Device.IP.Interface.', { Enable: true, LowerLayers: `${VLAN}${n}` });
    expect(await sim.values(`Device.IP.Interface.${ip}.`)).toMatchObject({ LowerLayers: `${VLAN}${n}`, Status: 'LowerLayerDown' });
  });

  it('refuses VLAN IDs 0 and 4095, a TPID other than 802.1Q/802.1ad, a lower layer that is no Link, and a VLAN ID twice on one Link', async () => {
    sim = simulated();
    const n = await sim.add(VLAN, { LowerLayers: 'Device.Ethernet.Link.1', VLANID: 10 });
    const cases: Array<[Record<string, string | number | boolean>, string]> = [
      [{ VLANID: 0 }, 'VLANID'],
      [{ VLANID: 4095 }, 'VLANID'],
      [{ TPID: 0x9100 }, 'TPID'],
      [{ LowerLayers: 'Device.Ethernet.Interface.1' }, 'LowerLayers'],
      [{ LowerLayers: 'Device.IP.Interface.1' }, 'LowerLayers'],
      [{ LowerLayers: 'Device.Ethernet.Link.9' }, 'LowerLayers'],
      [{ LowerLayers: 'Device.Ethernet.Link.1', VLANID: 10 }, 'VLANID'],
    ];
    for (const [params, param] of cases) {
      const e = await refusal(() => sim.add(VLAN, params));
      expect(e.code, JSON.stringify(params)).toBe(ErrorCode.InvalidValue);
      if (e.paramErrors.length > 0) expect(e.paramErrors[0]?.param).toBe(param);
    }
    // A Set that would clash is refused and changes nothing; the same ID on the other Link is fine.
    const m = await sim.add(VLAN, { LowerLayers: 'Device.Ethernet.Link.2', VLANID: 10 });
    const e = await refusal(() => sim.set(`${VLAN}${m}.`, { LowerLayers: 'Device.Ethernet.Link.1' }));
    expect(e.paramErrors[0]).toMatchObject({ param: 'VLANID', code: ErrorCode.InvalidValue });
    expect((await sim.values(`${VLAN}${m}.`)).LowerLayers).toBe('Device.Ethernet.Link.2');
    expect(await sim.instances(VLAN)).toEqual([n, m]);
    await sim.del(`${VLAN}${n}.`);
    expect(await sim.instances(VLAN)).toEqual([m]);
  });

  it('rows on no Link yet each have a Name of their own (Name is a unique key)', async () => {
    sim = simulated();
    const a = await sim.add(VLAN, {});
    const b = await sim.add(VLAN, {});
    expect([(await sim.values(`${VLAN}${a}.`)).Name, (await sim.values(`${VLAN}${b}.`)).Name]).toEqual([`vlanterm${a}`, `vlanterm${b}`]);
    expect((await sim.values(`${VLAN}${a}.`)).Status).toBe('Down');
  });

  it('keeps its rows in the store: a restarted gateway has them', async () => {
    const store = new DataStore();
    sim = simulated(42, { store });
    const n = await sim.add(VLAN, { Enable: true, LowerLayers: 'Device.Ethernet.Link.1', VLANID: 300 });
    sim.stop();
    sim = simulated(42, { store });
    expect(await sim.values(`${VLAN}${n}.`)).toMatchObject({ Name: 'br-lan.300', VLANID: 300, Enable: true });
  });
});

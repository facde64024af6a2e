/**
 * Device.Ethernet.RMONStats.{i}. of the simulated gateway: one row per Ethernet port, counting
 * what the port receives from the same traffic model as its Interface Stats.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const RMON = 'Device.Ethernet.RMONStats.';
const HISTOGRAM = ['Packets64Bytes', 'Packets65to127Bytes', 'Packets128to255Bytes', 'Packets256to511Bytes', 'Packets512to1023Bytes', 'Packets1024to1518Bytes'];

describe('simulated platform: Device.Ethernet.RMONStats', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it("counts each port's received frames: Interface Stats' received counters, errors included, and a histogram that adds up", async () => {
    sim = simulated();
    sim.advance(3600);
    expect(await sim.values('Device.Ethernet.')).toMatchObject({ InterfaceNumberOfEntries: 5, RMONStatsNumberOfEntries: 5 });
    const row = await sim.values(`${RMON}1.`);
    const stats = await sim.values('Device.Ethernet.Interface.1.Stats.');
    expect(row).toMatchObject({ Enable: true, Status: 'Enabled', Name: (await sim.values('Device.Ethernet.Interface.1.')).Name, Interface: 'Device.Ethernet.Interface.1', VLANID: 0 });
    expect(row.Bytes).toBe(stats.BytesReceived);
    expect(BigInt(String(row.Packets))).toBe(BigInt(String(stats.PacketsReceived)) + BigInt(Number(stats.ErrorsReceived)));
    expect(row.BroadcastPackets).toBe(stats.BroadcastPacketsReceived);
    expect(row.CRCErroredPackets).toBe(Number(stats.ErrorsReceived));
    expect(HISTOGRAM.reduce((sum, p) => sum + BigInt(String(row[p])), 0n)).toBe(BigInt(String(row.Packets)));
    expect(BigInt(String(row.Packets))).toBeGreaterThan(0n);
  });

  it('a disabled row reports nothing; enabled again it counts from then; its Interface is fixed (7012)', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set(`${RMON}1.`, { Enable: false });
    const off = await sim.values(`${RMON}1.`);
    expect(off).toMatchObject({ Status: 'Disabled' });
    expect(off).not.toHaveProperty('Bytes'); // a Get reads the schema default, 0
    sim.advance(600);
    await sim.set(`${RMON}1.`, { Enable: true });
    expect(await sim.values(`${RMON}1.`)).toMatchObject({ Status: 'Enabled', Bytes: '0', Packets: '0' });
    sim.advance(600);
    expect(BigInt(String((await sim.values(`${RMON}1.`)).Bytes))).toBeGreaterThan(0n);
    const e = await refusal(() => sim.set(`${RMON}1.`, { Interface: 'Device.Ethernet.Interface.2' }));
    expect(e.paramErrors[0]).toMatchObject({ param: 'Interface', code: ErrorCode.InvalidValue });
  });

  it('serves every RMONStats value as its schema types it', async () => {
    sim = simulated();
    sim.advance(86_400);
    const objects = (await sim.readAll()).filter((o) => o.path.startsWith(RMON));
    expect(objects).toHaveLength(5);
    expect(expectSchemaTyped(objects)).toBe(5 * 22);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { MAX_ACCESS_POINTS } from '../../../../platform/simulated/cellular-access-point.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const schema = Schema.load();
const AP = 'Device.Cellular.AccessPoint.';
const MODEM = 'Device.Cellular.Interface.1';

/** The platform registered first and the store loaded afterwards, as the agent does. */
function boot(dir: string): SimFixture {
  const store = new DataStore(dir);
  const model = new DataModel(schema);
  model.onCommit(() => store.flush());
  const sim = simulated(42, { store, model });
  store.load((why) => {
    throw new Error(why);
  });
  return sim;
}

describe('simulated platform: Device.Cellular.AccessPoint.{i}. as a table', () => {
  const sims: SimFixture[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const s of sims.splice(0)) s.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = (dir?: string): SimFixture => {
    const s = dir ? boot(dir) : simulated();
    sims.push(s);
    return s;
  };
  const wan = async (sim: SimFixture) => (await sim.values('Device.IP.Interface.2.')).Status;

  it('switches the data session to an added APN, and loses it when the enabled APN is deleted', async () => {
    const sim = start();
    sim.advance(60);
    expect(await wan(sim)).toBe('Up');
    const n = await sim.add(AP, { APN: 'fwa.simnet', Username: 'fwa', Password: 'secret', Proxy: '192.0.2.8', ProxyPort: 3128 });
    expect(n).toBe(2);
    expect(await sim.values(`${AP}2.`)).toMatchObject({ Enable: false, APN: 'fwa.simnet', Interface: MODEM, Proxy: '192.0.2.8', ProxyPort: 3128 });
    expect((await sim.values('Device.Cellular.')).AccessPointNumberOfEntries).toBe(2);

    // One data session per modem: a second enabled APN on it is refused until the first is off.
    expect((await refusal(() => sim.set(`${AP}2.`, { Enable: true }))).code).toBe(ErrorCode.InvalidValue);
    await sim.set(`${AP}1.`, { Enable: false });
    expect(await wan(sim)).toBe('LowerLayerDown');
    await sim.set(`${AP}2.`, { Enable: true });
    sim.advance(1);
    expect(await wan(sim)).toBe('LowerLayerDown'); // the PDU session takes a moment
    sim.advance(3);
    expect(await wan(sim)).toBe('Up');

    await sim.del(`${AP}2.`);
    expect(await sim.instances(AP)).toEqual([1]);
    sim.advance(10);
    expect(await wan(sim)).toBe('LowerLayerDown');
    await sim.del(`${AP}1.`); // the last one may go too (minEntries 0)
    expect(await sim.instances(AP)).toEqual([]);
    // A new row gets a new number (R-ARC.8 style), never 1 again.
    expect(await sim.add(AP, { APN: 'internet', Enable: true })).toBe(3);
    sim.advance(4);
    expect(await wan(sim)).toBe('Up');
  });

  it('refuses APNs, proxies, credentials and references the modem cannot take', async () => {
    const sim = start();
    for (const params of <Array<Record<string, Value>>>[
      { APN: 'internet.gprs' },
      { APN: '-bad' },
      { Interface: 'Device.Cellular.Interface.2' },
      { Interface: 'Device.IP.Interface.2' },
      { Proxy: 'proxy.example' },
      { Username: 'a\nb' },
      { APN: 'ims', Enable: true },
    ]) {
      expect((await refusal(() => sim.add(AP, params))).code, JSON.stringify(params)).toBe(ErrorCode.InvalidValue);
    }
    expect(await sim.instances(AP)).toEqual([1]);
    // The functional unique key (APN, Interface): the same APN twice on the modem is 7025.
    expect((await refusal(() => sim.add(AP, { APN: 'internet' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    for (let i = (await sim.instances(AP)).length; i < MAX_ACCESS_POINTS; i++) await sim.add(AP, { APN: `apn${i}` });
    expect((await refusal(() => sim.add(AP, { APN: 'one.more' }))).code).toBe(ErrorCode.ResourcesExceeded);
  });

  it('keeps added, changed and deleted rows across a restart, and an emptied table stays empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-sim-apn-'));
    dirs.push(dir);
    const a = start(dir);
    await a.set(`${AP}1.`, { APN: 'fwa.simnet' });
    await a.add(AP, { APN: 'ims', Type: 'ims' });
    a.stop();
    const b = start(dir);
    expect(await b.instances(AP)).toEqual([1, 2]);
    expect(await b.values(`${AP}1.`)).toMatchObject({ APN: 'fwa.simnet', Enable: true, Alias: 'cpe-apn-internet' });
    expect(await b.values(`${AP}2.`)).toMatchObject({ APN: 'ims', Type: 'ims', Enable: false });
    await b.del(`${AP}1.`);
    await b.del(`${AP}2.`);
    b.stop();
    const c = start(dir);
    expect(await c.instances(AP)).toEqual([]);
    expect(await c.add(AP, { APN: 'internet' })).toBe(3);
  });
});

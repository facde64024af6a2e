/**
 * The simulated gateway's APN table behind a real agent over a real WebSocket: a Controller adds,
 * switches and deletes APNs (TR-181 CellularInterfaceBase:2 requires AccessPoint createDelete),
 * the data session follows, bad values get TR-369 errors, and the table survives a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../datamodel/UspError.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, get, trySet, tryAdd } from '../peers/controller-steps.js';
import { getObjects, responseOf } from '../peers/get-objects.js';
import { supportedObjects, unmet, type ProfileRequirement } from '../peers/supported-items.js';
import type { TestController } from '../peers/TestController.js';

const AP = 'Device.Cellular.AccessPoint.';

/** TR-181 2.19 CellularInterfaceBase:2 (tr-181-2-19-0-cellular.xml), item by item. */
const CELLULAR_INTERFACE_BASE_2: ProfileRequirement = {
  'Device.Cellular.': { access: 'present', params: { InterfaceNumberOfEntries: 'readOnly', AccessPointNumberOfEntries: 'readOnly' } },
  'Device.Cellular.Interface.{i}.': { access: 'present', params: { Enable: 'readWrite', Status: 'readOnly', NetworkInUse: 'readOnly', CurrentAccessTechnology: 'readOnly' } },
  'Device.Cellular.AccessPoint.{i}.': { access: 'createDelete', params: { Enable: 'readWrite', Interface: 'readWrite', APN: 'readWrite' } },
};

/** CellularInterfaceExtended:2, which extends CellularInterfaceBase:2 with these. */
const CELLULAR_INTERFACE_EXTENDED_2: ProfileRequirement = {
  'Device.Cellular.': { access: 'present', params: { RoamingEnabled: 'readWrite', RoamingStatus: 'readOnly' } },
  'Device.Cellular.Interface.{i}.': {
    access: 'present',
    params: {
      Alias: 'writeOnceReadOnly',
      Name: 'readOnly',
      LastChange: 'readOnly',
      IMEI: 'readOnly',
      SupportedAccessTechnologies: 'readOnly',
      PreferredAccessTechnology: 'readWrite',
      NetworkRequested: 'readOnly',
      AvailableNetworks: 'readOnly',
    },
  },
};

/** Polls a Get until `want` holds (the modem takes ~20 s after boot to bring a session up). */
async function until(c: TestController, path: string, want: (v: string) => boolean, timeoutMs = 40_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get(c, path);
    if (want(v)) return v;
    if (Date.now() > end) throw new Error(`${path} still ${v} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('simulated gateway: APNs a Controller adds, switches and deletes', () => {
  let dataDir: string;
  let f: AgentFixture | undefined;
  /** The rows the tests add, by their instance paths. */
  let fwa = '';
  let ims = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'usp-apn-'));
    f = await startAgent({ dataDir });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves every item of CellularInterfaceBase:2 and CellularInterfaceExtended:2 with the required access', async () => {
    const served = await supportedObjects(f!.controller, ['Device.Cellular.']);
    expect(unmet(CELLULAR_INTERFACE_BASE_2, served)).toEqual([]);
    expect(unmet(CELLULAR_INTERFACE_EXTENDED_2, served)).toEqual([]);
    expect(served.get('Device.Cellular.AccessPoint.{i}.')?.supportedParams?.map((p) => p.paramName)).toEqual([
      'Enable',
      'Alias',
      'APN',
      'Username',
      'Password',
      'Proxy',
      'ProxyPort',
      'Interface',
      'IPVersion',
      'Type',
    ]);
  });

  it('refuses a bad APN, a bad Interface reference, a second enabled APN on the modem and a duplicate APN', async () => {
    const c = f!.controller;
    const refused = async (params: Record<string, string>) => {
      const r = await tryAdd(c, AP, params);
      if (r.ok) throw new Error(`Add ${JSON.stringify(params)} was accepted as ${r.value}`);
      return [r.errCode, r.paramErrCode];
    };
    expect(await refused({ APN: 'internet.gprs' })).toEqual([ErrorCode.InvalidValue, ErrorCode.InvalidValue]);
    // A reference to no existing row fails the agent's own check of the required setting first (7021).
    expect(await refused({ APN: 'ims', Interface: 'Device.Cellular.Interface.2' })).toEqual([ErrorCode.RequiredParamFailed, ErrorCode.InvalidValue]);
    // An existing row that is no Cellular.Interface is the modem's refusal (7012).
    expect(await refused({ APN: 'ims', Interface: 'Device.IP.Interface.2' })).toEqual([ErrorCode.InvalidValue, ErrorCode.InvalidValue]);
    expect(await refused({ APN: 'ims', Enable: 'true' })).toEqual([ErrorCode.InvalidValue, ErrorCode.InvalidValue]);
    expect((await refused({ APN: 'internet' }))[0]).toBe(ErrorCode.DuplicateUniqueKey);
    expect(await get(c, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('1');
  });

  it('brings the data session up on the APN enabled instead, and down when it is deleted', async () => {
    const c = f!.controller;
    fwa = await add(c, AP, { APN: 'fwa.simnet', Username: 'fwa', Password: 's3cret', Type: 'default' });
    // Switching: one Set, the old APN disabled before the new one is enabled.
    const m = await c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: `${AP}1.`, paramSettings: [{ param: 'Enable', value: 'false', required: true }] },
          { objPath: fwa, paramSettings: [{ param: 'Enable', value: 'true', required: true }] },
        ],
      },
    });
    expect(responseOf(m).respType).toBe('setResp');
    expect(await until(c, 'Device.IP.Interface.2.Status', (v) => v === 'Up')).toBe('Up');
    const v = await getObjects(c, [fwa]);
    expect(v[fwa]).toMatchObject({ Enable: 'true', APN: 'fwa.simnet', Interface: 'Device.Cellular.Interface.1', Password: '' });

    // Enabling the first again while the second is enabled is refused; deleting the enabled one is not.
    const again = await trySet(c, `${AP}1.`, { Enable: 'true' });
    expect(again.ok ? 0 : again.paramErrCode).toBe(ErrorCode.InvalidValue);
    const del = responseOf(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [fwa] } }));
    expect(del.respType).toBe('deleteResp');
    expect(await get(c, 'Device.IP.Interface.2.Status')).toBe('LowerLayerDown');
    expect(await get(c, 'Device.Cellular.Interface.1.Status')).toBe('Up'); // still registered with the cell
    ims = await add(c, AP, { APN: 'ims', Type: 'ims' });
  });

  it('keeps the table as the Controller left it across a restart on the same data directory', async () => {
    const { port } = f!;
    await f!.close();
    f = await startAgent({ dataDir, port });
    const c = f.controller;
    const v = await getObjects(c, ['Device.Cellular.', `${AP}*.`]);
    expect(v['Device.Cellular.'].AccessPointNumberOfEntries).toBe('2');
    expect(v[`${AP}1.`]).toMatchObject({ APN: 'internet', Enable: 'false' });
    expect(v[ims]).toMatchObject({ APN: 'ims', Type: 'ims', Enable: 'false' });
    expect(v[fwa]).toBeUndefined();
    // The last ones may go (minEntries 0); the table stays empty after the next restart.
    const del = responseOf(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [`${AP}1.`, ims] } }));
    expect(del.respType).toBe('deleteResp');
    await f.close();
    f = await startAgent({ dataDir, port });
    expect(await get(f.controller, 'Device.Cellular.AccessPointNumberOfEntries')).toBe('0');
    // Instance numbers are not reused (the counter is kept with the table).
    const again = await add(f.controller, AP, { APN: 'internet', Enable: 'true' });
    expect(Number(/\.(\d+)\.$/.exec(again)![1])).toBeGreaterThan(Number(/\.(\d+)\.$/.exec(ims)![1]));
  });
});

/**
 * TP-469 section 2 access-control cases over a real WebSocket, against the real agent:
 * controller-1 holds the agent's built-in full-access Role.1 (plus one row the factory defaults
 * add to it: nothing on Device.WiFi.SSID.4.), controller-2 an operator Role.2
 * whose Permission rows give read access to everything, write access to subscriptions and to
 * its own BootParameter rows, and nothing at all on one SSID row.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import type { UspMsg } from '../../agent/codec/types.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { AGENT_EID, CONTROLLER_EID, startAgent, testDefaults, testSchema, type AgentFixture } from '../peers/agent-fixture.js';
import { TestController, asError, asResponse } from '../peers/TestController.js';
import { roleDefaults, type PermissionRows } from '../../bench/limited-role.js';

const C2 = 'proto::operator-2';
const ROLE = 'Device.LocalAgent.ControllerTrust.Role';

/** Role.2 "Operator": its Permission rows. */
const OPERATOR: PermissionRows = [
  [1, 'Device.', 'r---', 'r---', 'r---', 'r---'],
  [2, 'Device.LocalAgent.Subscription.', 'rw--', 'rw--', 'rw--', '----'],
  [3, 'Device.LocalAgent.Controller.2.BootParameter.', 'rw--', 'rw--', 'rw--', '----'],
  [4, 'Device.WiFi.SSID.2.', '----', '----', '----', '----'],
  [5, 'Device.WiFi.SSID.3.', 'r---', 'r---', '----', '----'],
  [6, 'Device.LocalAgent.Subscription.*.NotifRetry', 'r---', '----', '----', '----'],
];

const operatorRole = (): DefaultsFile => roleDefaults(2, 'Operator', OPERATOR);

let f: AgentFixture;
let c1: TestController;
let c2: TestController;

beforeAll(async () => {
  f = await startAgent({
    extra: {
      ...operatorRole(),
      'Device.LocalAgent.Controller.2.EndpointID': C2,
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': `${ROLE}.2`,
      // The integrator's policy on top of the built-in Role.1: nothing on SSID.4.
      [`${ROLE}.1.Permission.2.Enable`]: true,
      [`${ROLE}.1.Permission.2.Order`]: 2,
      [`${ROLE}.1.Permission.2.Targets`]: 'Device.WiFi.SSID.4.',
    },
  });
  c1 = f.controller;
  c2 = await TestController.connect(f.url, C2, AGENT_EID);
});
afterAll(async () => {
  await c2?.close();
  await f?.close();
});

const settings = (params: Record<string, string>, required: boolean) => Object.entries(params).map(([param, value]) => ({ param, value, required }));
async function get(c: TestController, paths: string[], maxDepth = 0) {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: paths, maxDepth } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return r.getResp.reqPathResults;
}
const resolved = (rs: Awaited<ReturnType<typeof get>>) => rs.flatMap((r) => r.resolvedPathResults ?? []).map((x) => x.resolvedPath);
async function set(c: TestController, objPath: string, params: Record<string, string>, allowPartial = false, required = true): Promise<UspMsg> {
  return c.send({ reqType: 'set', set: { allowPartial, updateObjs: [{ objPath, paramSettings: settings(params, required) }] } });
}
async function add(c: TestController, objPath: string, params: Record<string, string>, allowPartial = false, required = true): Promise<UspMsg> {
  return c.send({ reqType: 'add', add: { allowPartial, createObjs: [{ objPath, paramSettings: settings(params, required) }] } });
}
async function del(c: TestController, paths: string[], allowPartial = false): Promise<UspMsg> {
  return c.send({ reqType: 'delete', delete: { allowPartial, objPaths: paths } });
}
async function count(path: string): Promise<number> {
  const [r] = await get(c1, [path]);
  return r.resolvedPathResults?.length ?? 0;
}

describe('TP-469 2.21: Get leaves out instances the role may not read', () => {
  it('a row without any read right, or without InstantiatedObj r, is not in the response of a table, wildcard or subtree Get', async () => {
    expect(resolved(await get(c1, ['Device.WiFi.SSID.']))).toEqual(expect.arrayContaining(['Device.WiFi.SSID.2.', 'Device.WiFi.SSID.3.']));
    for (const path of ['Device.WiFi.SSID.', 'Device.WiFi.SSID.*.', 'Device.WiFi.SSID.*.Name', 'Device.WiFi.']) {
      const [r] = await get(c2, [path]);
      expect(r.errCode ?? 0).toBe(0);
      const seen = resolved([r]);
      expect(seen.some((p) => p.startsWith('Device.WiFi.SSID.1.'))).toBe(true);
      expect(seen.filter((p) => p.startsWith('Device.WiFi.SSID.2.') || p.startsWith('Device.WiFi.SSID.3.'))).toEqual([]);
    }
    // Named directly, a row the role may not read at all does not exist for it.
    expect((await get(c2, ['Device.WiFi.SSID.2.']))[0].errCode).toBe(7026);
    expect((await get(c2, ['Device.WiFi.SSID.2.Name']))[0].errCode).toBe(7026);
    // Found by a search on its key, it is not found.
    const [name] = await get(c1, ['Device.WiFi.SSID.2.Name']);
    const byKey = await get(c2, [`Device.WiFi.SSID.[Name=="${name.resolvedPathResults![0].resultParams.Name}"].`]);
    expect(byKey[0].errCode ?? 0).toBe(0);
    expect(resolved(byKey)).toEqual([]);
  });
});

describe('TP-469 2.24/2.26: a refusal for lack of permission carries 7006 as its main code', () => {
  it('Set of a parameter without Param w: Error 7006 (allow_partial=false), oper_failure 7006 (true)', async () => {
    const e = asError(await set(c2, 'Device.WiFi.SSID.1.', { SSID: 'not-mine' }));
    expect(e.errCode).toBe(7006);
    expect(e.paramErrs).toEqual([expect.objectContaining({ paramPath: 'Device.WiFi.SSID.1.SSID', errCode: 7006 })]);
    const r = asResponse(await set(c2, 'Device.WiFi.SSID.1.', { SSID: 'not-mine' }, true));
    if (r.respType !== 'setResp') throw new Error(r.respType);
    expect(r.setResp.updatedObjResults[0].operStatus).toMatchObject({ operStatus: 'operFailure', operFailure: { errCode: 7006 } });
  });

  it('Add with a required parameter it may not write, Add without Obj w, Delete without InstantiatedObj w: 7006', async () => {
    const table = asError(await add(c2, 'Device.LocalAgent.Controller.', { EndpointID: 'proto::sneaky' }));
    expect(table.errCode).toBe(7006);
    const param = asError(await add(c2, 'Device.LocalAgent.Subscription.', { ID: 'retry', NotifRetry: 'true' }));
    expect(param.errCode).toBe(7006);
    expect(param.paramErrs).toEqual([expect.objectContaining({ paramPath: 'Device.LocalAgent.Subscription.NotifRetry', errCode: 7006 })]);
    const partial = asResponse(await add(c2, 'Device.LocalAgent.Subscription.', { ID: 'retry', NotifRetry: 'true' }, true));
    if (partial.respType !== 'addResp') throw new Error(partial.respType);
    expect(partial.addResp.createdObjResults[0].operStatus).toMatchObject({ operStatus: 'operFailure', operFailure: { errCode: 7006 } });
    const d = asError(await del(c2, ['Device.LocalAgent.Controller.1.']));
    expect(d.errCode).toBe(7006);
    const dp = asResponse(await del(c2, ['Device.LocalAgent.Controller.1.'], true));
    if (dp.respType !== 'deleteResp') throw new Error(dp.respType);
    expect(dp.deleteResp.deletedObjResults[0].operStatus).toMatchObject({ operStatus: 'operFailure', operFailure: { errCode: 7006 } });
  });

  it('Operate without CommandEvent x: cmd_failure 7006, and the command does not run', async () => {
    const r = asResponse(await c2.send({ reqType: 'operate', operate: { command: 'Device.Reboot()', commandKey: 'tp469', sendResp: true, inputArgs: {} } }));
    if (r.respType !== 'operateResp') throw new Error(r.respType);
    expect(r.operateResp.operationResults).toEqual([{ executedCommand: 'Device.Reboot()', operationResp: 'cmdFailure', cmdFailure: { errCode: 7006, errMsg: expect.any(String) } }]);
    expect((await get(c1, ['Device.LocalAgent.EndpointID']))[0].resolvedPathResults![0].resultParams.EndpointID).toBe(AGENT_EID);
  });
});

describe('TP-469 2.23: Add with allow_partial on a search path gives one result per matched object', () => {
  it('success where the role may add, 7006 where it may not; with allow_partial=false nothing is created', async () => {
    const before1 = await count('Device.LocalAgent.Controller.1.BootParameter.');
    const before2 = await count('Device.LocalAgent.Controller.2.BootParameter.');
    const e = asError(await add(c2, 'Device.LocalAgent.Controller.*.BootParameter.', { ParameterName: 'Device.DeviceInfo.UpTime' }));
    expect(e.errCode).toBe(7006);
    expect(await count('Device.LocalAgent.Controller.2.BootParameter.')).toBe(before2);

    const r = asResponse(await add(c2, 'Device.LocalAgent.Controller.*.BootParameter.', { ParameterName: 'Device.DeviceInfo.UpTime' }, true));
    if (r.respType !== 'addResp') throw new Error(r.respType);
    const results = r.addResp.createdObjResults;
    expect(results).toHaveLength(2);
    expect(results.every((x) => x.requestedPath === 'Device.LocalAgent.Controller.*.BootParameter.')).toBe(true);
    const failed = results.filter((x) => x.operStatus.operStatus === 'operFailure');
    const ok = results.filter((x) => x.operStatus.operStatus === 'operSuccess');
    expect(failed.map((x) => x.operStatus)).toEqual([{ operStatus: 'operFailure', operFailure: { errCode: 7006, errMsg: expect.stringContaining('Device.LocalAgent.Controller.1.BootParameter.') } }]);
    expect(ok.map((x) => x.operStatus.operStatus === 'operSuccess' && x.operStatus.operSuccess.instantiatedPath)).toEqual([
      expect.stringMatching(/^Device\.LocalAgent\.Controller\.2\.BootParameter\.\d+\.$/),
    ]);
    expect(await count('Device.LocalAgent.Controller.1.BootParameter.')).toBe(before1);
    expect(await count('Device.LocalAgent.Controller.2.BootParameter.')).toBe(before2 + 1);
  });
});

describe('roles mean what their rows say; the built-in Role.1 is read-only', () => {
  it('Role.1 is shipped as Role and Permission rows a controller can read', async () => {
    const [r] = await get(c1, [`${ROLE}.1.`]);
    const rows = Object.fromEntries(r.resolvedPathResults!.map((x) => [x.resolvedPath, x.resultParams]));
    expect(rows[`${ROLE}.1.`]).toMatchObject({ Name: 'Full Access', Enable: 'true', PermissionNumberOfEntries: '2' });
    expect(rows[`${ROLE}.1.Permission.1.`]).toMatchObject({ Enable: 'true', Order: '1', Targets: 'Device.', Param: 'rw-n', Obj: 'rw-n', InstantiatedObj: 'rw-n', CommandEvent: 'r-xn' });
    expect(rows[`${ROLE}.1.Permission.2.`]).toMatchObject({ Enable: 'true', Order: '2', Targets: 'Device.WiFi.SSID.4.', Param: '----' });
  });

  it('Role.1 grants what its rows say (TP-469 2.21 for its holder): the row the defaults added hides SSID.4', async () => {
    const seen = resolved(await get(c1, ['Device.WiFi.SSID.*.Name']));
    expect(seen).toContain('Device.WiFi.SSID.1.');
    expect(seen).not.toContain('Device.WiFi.SSID.4.');
    expect((await get(c1, ['Device.WiFi.SSID.4.']))[0].errCode).toBe(7026);
    expect(asError(await set(c1, 'Device.WiFi.SSID.4.', { SSID: 'x' })).errCode).toBe(7016);
  });

  it('writes to Role.1 or its rows are refused with 7006 and change nothing', async () => {
    const perm = `${ROLE}.1.Permission.1.`;
    const s1 = asError(await set(c1, perm, { Param: '----' }));
    expect(s1.errCode).toBe(7006);
    expect(s1.paramErrs).toEqual([expect.objectContaining({ paramPath: `${perm}Param`, errCode: 7006 })]);
    expect(asError(await set(c1, `${ROLE}.1.`, { Enable: 'false' })).errCode).toBe(7006);
    expect(asError(await add(c1, `${ROLE}.1.Permission.`, { Order: '9', Targets: 'Device.', Param: '----' })).errCode).toBe(7006);
    expect(asError(await del(c1, [perm])).errCode).toBe(7006);
    expect(asError(await del(c1, [`${ROLE}.1.`])).errCode).toBe(7006);
    const [r] = await get(c1, [`${perm}Param`, `${ROLE}.1.Enable`]);
    expect(r.resolvedPathResults![0].resultParams.Param).toBe('rw-n');
    expect(await count(`${ROLE}.1.Permission.`)).toBe(2);
    // Still full access: controller-1 can read ControllerTrust and write elsewhere.
    expect(asResponse(await set(c1, 'Device.WiFi.SSID.1.', { SSID: 'still-mine' })).respType).toBe('setResp');
  });

  it('other roles are writable, and writes to them take effect on the next request', async () => {
    expect((await get(c2, ['Device.WiFi.SSID.2.']))[0].errCode).toBe(7026);
    expect(asResponse(await set(c1, `${ROLE}.2.Permission.[Order==4].`, { Enable: 'false' })).respType).toBe('setResp');
    expect((await get(c2, ['Device.WiFi.SSID.2.']))[0].errCode ?? 0).toBe(0);
    expect(asResponse(await set(c1, `${ROLE}.2.Permission.[Order==4].`, { Enable: 'true' })).respType).toBe('setResp');
    expect((await get(c2, ['Device.WiFi.SSID.2.']))[0].errCode).toBe(7026);
  });

  it('TP-469 2.23 on the Role table: an Add under every role creates under Role.2 and refuses Role.1 (7006)', async () => {
    const r = asResponse(await add(c1, `${ROLE}.*.Permission.`, { Order: '50', Targets: 'Device.Time.', Param: 'r---' }, true));
    if (r.respType !== 'addResp') throw new Error(r.respType);
    const st = r.addResp.createdObjResults.map((x) => x.operStatus);
    expect(st).toHaveLength(2);
    expect(st).toContainEqual({ operStatus: 'operFailure', operFailure: { errCode: 7006, errMsg: expect.stringContaining(`${ROLE}.1.Permission.`) } });
    expect(st).toContainEqual(
      expect.objectContaining({
        operStatus: 'operSuccess',
        operSuccess: expect.objectContaining({ instantiatedPath: expect.stringMatching(/^Device\.LocalAgent\.ControllerTrust\.Role\.2\.Permission\.\d+\.$/) }),
      }),
    );
  });
});

describe('saved state from before Role.1 had rows of its own', () => {
  it('gets the built-in rows back at start, so the controllers assigned to Role.1 keep full access', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-role1-'));
    try {
      const first = await startAgent({ dataDir });
      const { url, port } = first;
      await first.close();
      // The old layout: Role.1 with Name and Enable only, full access by its number alone.
      const file = join(dataDir, 'state.json');
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { rows: Record<string, unknown>; tables: Record<string, unknown> };
      for (const k of Object.keys(doc.rows)) if (k.startsWith(`${ROLE}.1.Permission.`)) delete doc.rows[k];
      delete doc.tables[`${ROLE}.1.Permission.`];
      writeFileSync(file, JSON.stringify(doc));
      // The saved state wins over the defaults, the port included.
      const agent = await Agent.start({ defaults: testDefaults(port), dataDir, platform: 'simulated', log: silentLogger, seed: 42, schema: testSchema() });
      const c = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
      try {
        const [r] = await get(c, ['Device.DeviceInfo.SerialNumber']);
        expect(r.errCode ?? 0).toBe(0);
        const [p] = await get(c, [`${ROLE}.1.Permission.1.Targets`]);
        expect(p.resolvedPathResults![0].resultParams.Targets).toBe('Device.');
      } finally {
        await c.close();
        await agent.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * TR-106 enumerationRef over a real WebSocket: a controller cannot Set or Add a value outside the
 * list the referenced parameter holds (Device.LocalAgent.MTP.{i}.Protocol must be one of
 * Device.LocalAgent.SupportedProtocols): 7012 naming the allowed values, nothing changed. The
 * factory defaults make the same check (startup.test.ts, apply-defaults.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { asError, asResponse } from '../peers/TestController.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgent();
});
afterAll(async () => {
  await f.close();
});

const settings = (params: Record<string, string>, required: boolean) => Object.entries(params).map(([param, value]) => ({ param, value, required }));
const set = (objPath: string, params: Record<string, string>, allowPartial = false, required = true) =>
  f.controller.send({ reqType: 'set', set: { allowPartial, updateObjs: [{ objPath, paramSettings: settings(params, required) }] } });
const add = (objPath: string, params: Record<string, string>) => f.controller.send({ reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath, paramSettings: settings(params, true) }] } });
async function value(path: string): Promise<string | undefined> {
  const r = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return r.getResp.reqPathResults[0].resolvedPathResults?.[0]?.resultParams[path.slice(path.lastIndexOf('.') + 1)];
}
const ALLOWED = /"Websocket" is not one of Device\.LocalAgent\.SupportedProtocols \("WebSocket", "MQTT", "UDS"\)/;

describe('enumerationRef values (TR-106): Set and Add refuse what the referenced list does not hold', () => {
  it('Set MTP.1.Protocol "Websocket" (wrong case): 7012 naming SupportedProtocols and its values; the MTP keeps serving', async () => {
    expect(await value('Device.LocalAgent.SupportedProtocols')).toBe('WebSocket,MQTT,UDS');
    const e = asError(await set('Device.LocalAgent.MTP.1.', { Protocol: 'Websocket' }));
    expect(e.errCode).toBe(7021);
    expect(e.paramErrs).toEqual([expect.objectContaining({ paramPath: 'Device.LocalAgent.MTP.1.Protocol', errCode: 7012, errMsg: expect.stringMatching(ALLOWED) })]);
    // Not required, allow_partial: a parameter error, the object updated without it.
    const r = asResponse(await set('Device.LocalAgent.MTP.1.', { Protocol: 'Websocket' }, true, false));
    if (r.respType !== 'setResp') throw new Error(r.respType);
    const st = r.setResp.updatedObjResults[0].operStatus;
    if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
    expect(st.operSuccess.updatedInstResults?.[0]?.paramErrs).toEqual([expect.objectContaining({ param: 'Protocol', errCode: 7012 })]);
    expect(st.operSuccess.updatedInstResults?.[0]?.updatedParams).toEqual({});
    // Still WebSocket, and this connection (that MTP) still answers.
    expect(await value('Device.LocalAgent.MTP.1.Protocol')).toBe('WebSocket');
  });

  it('Add of a Controller MTP row with Protocol "Websocket": 7012 naming the values, no row made; "UDS" is taken', async () => {
    const rows = await value('Device.LocalAgent.Controller.1.MTPNumberOfEntries');
    const e = asError(await add('Device.LocalAgent.Controller.1.MTP.', { Protocol: 'Websocket', Enable: 'false' }));
    expect(e.errCode).toBe(7021);
    expect(e.paramErrs).toEqual([expect.objectContaining({ paramPath: 'Device.LocalAgent.Controller.1.MTP.Protocol', errCode: 7012, errMsg: expect.stringMatching(ALLOWED) })]);
    expect(await value('Device.LocalAgent.Controller.1.MTPNumberOfEntries')).toBe(rows);
    const ok = asResponse(await add('Device.LocalAgent.Controller.1.MTP.', { Protocol: 'UDS', Enable: 'false' }));
    if (ok.respType !== 'addResp') throw new Error(ok.respType);
    const st = ok.addResp.createdObjResults[0].operStatus;
    if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
    expect(await value(`${st.operSuccess.instantiatedPath}Protocol`)).toBe('UDS');
  });

  it('a list-valued enumerationRef is checked item by item, naming the item (WiFi.Radio.{i}.OperatingStandards)', async () => {
    const supported = await value('Device.WiFi.Radio.1.SupportedStandards');
    const e = asError(await set('Device.WiFi.Radio.1.', { OperatingStandards: 'n,be' }));
    expect(e.paramErrs).toEqual([
      expect.objectContaining({
        paramPath: 'Device.WiFi.Radio.1.OperatingStandards',
        errCode: 7012,
        errMsg: expect.stringContaining(
          `"be" is not one of Device.WiFi.Radio.1.SupportedStandards (${supported!
            .split(',')
            .map((s) => JSON.stringify(s))
            .join(', ')})`,
        ),
      }),
    ]);
  });
});

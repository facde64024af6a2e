/**
 * GetSupportedDM reads the supported model only (TR-369 "The GetSupportedDM Message"): a fleet
 * gateway answering one builds none of the areas it defers until first use (issue 14), and tells
 * exactly what a gateway that built them all tells, the tables' add/delete access included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GetSupportedDMReq } from '../../../../agent/codec/types.js';
import { handleGetSupportedDM } from '../../../../agent/handlers/handle-get-supported-dm.js';
import type { HandlerContext } from '../../../../agent/handlers/HandlerContext.js';
import { OperationRunner } from '../../../../agent/operate/OperationRunner.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import { type SimFixture, simulated } from './fixture.js';

const schema = Schema.load();
const running: SimFixture[] = [];

interface Gateway extends SimFixture {
  h: HandlerContext;
}

/** `n` gateways of one fleet, each with the agent's operation runner (Device.LocalAgent.Request) beside the platform. */
function fleet(n: number): Gateway[] {
  const share = new SharedSupportedModel();
  return Array.from({ length: n }, () => {
    const model = new DataModel(schema, { share });
    const gw = simulated(5, { model });
    const h: HandlerContext = { model, req: {}, log: silentLogger, operations: new OperationRunner(model, silentLogger) };
    model.seal();
    running.push(gw);
    return { ...gw, h };
  });
}

afterEach(() => {
  for (const gw of running.splice(0)) gw.stop();
});

const WHOLE: GetSupportedDMReq = { objPaths: ['Device.'], firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true };

/** The supported objects answered for each requested path. */
const supportedDM = async (gw: Gateway, req: GetSupportedDMReq) => (await handleGetSupportedDM(gw.h, req)).reqObjResults.map((r) => r.supportedObjs ?? []);

describe('GetSupportedDM on a fleet gateway', () => {
  it('builds no deferred area, and answers what the gateway that built them answers', async () => {
    const [builder, gw] = fleet(2);
    const deferred = gw.model.pendingGroups();
    expect(deferred.length).toBeGreaterThan(3);
    const answer = await supportedDM(gw, WHOLE);
    expect(gw.model.pendingGroups()).toEqual(deferred);
    expect(answer).toEqual(await supportedDM(builder, WHOLE));
    const access = (path: string) => answer[0]!.find((o) => o.supportedObjPath === path)?.access;
    // Tables of deferred areas that a Controller may add rows to and delete rows from.
    expect(access('Device.NAT.PortMapping.{i}.')).toBe('OBJ_ADD_DELETE');
    expect(access('Device.Bridging.Bridge.{i}.')).toBe('OBJ_ADD_DELETE');
    expect(access('Device.Hosts.Host.{i}.')).toBe('OBJ_READ_ONLY');
  });

  it('builds no deferred area for a table path, a parameter path or a first-level request', async () => {
    const [, gw] = fleet(2);
    const deferred = gw.model.pendingGroups();
    const [table, param, first] = await supportedDM(gw, { ...WHOLE, objPaths: ['Device.NAT.PortMapping.', 'Device.WiFi.SSID.{i}.SSID', 'Device.Bridging.'], firstLevelOnly: true });
    expect(gw.model.pendingGroups()).toEqual(deferred);
    expect(table![0]!.access).toBe('OBJ_ADD_DELETE');
    expect(param![0]!.supportedParams![0]!.access).toBe('PARAM_READ_WRITE');
    expect(first!.find((o) => o.supportedObjPath === 'Device.Bridging.Bridge.{i}.')?.access).toBe('OBJ_ADD_DELETE');
  });
});

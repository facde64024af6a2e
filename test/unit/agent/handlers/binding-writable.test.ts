/**
 * A parameter TR-181 makes writable but the device's binding cannot change is served read-only
 * (ObjectBinding.writable): GetSupportedDM says PARAM_READ_ONLY, a Set of it answers 7013, and a
 * TriggerConfigSettings naming it is refused. So neither a Controller nor the profile report
 * counts on a write the device cannot make. Checked against the real schema, with the agent's
 * own decorators (the stored Alias) in between.
 */
import { describe, expect, it } from 'vitest';
import { holdAgentParams } from '../../../../agent/baseline/agent-held.js';
import type { GetSupportedDMReq } from '../../../../agent/codec/types.js';
import { handleGetSupportedDM } from '../../../../agent/handlers/handle-get-supported-dm.js';
import type { HandlerContext } from '../../../../agent/handlers/HandlerContext.js';
import { validateSettings } from '../../../../agent/handlers/param-settings.js';
import { checkTriggerConfigSettings } from '../../../../agent/notify/trigger-config.js';
import { OperationRunner } from '../../../../agent/operate/OperationRunner.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';

const schema = Schema.load();
const RADIO = 'Device.WiFi.Radio.{i}.';
const ETH = 'Device.Ethernet.Interface.{i}.';

/** A device whose Radio takes only Channel, and whose Ethernet ports take no Set at all. */
function bindings(): Array<[string, ObjectBinding]> {
  return [
    [
      RADIO,
      {
        params: ['Enable', 'Status', 'Channel', 'TransmitPower', 'AutoChannelEnable'],
        writable: ['Channel'],
        list: () => [1],
        get: () => ({ Enable: true, Status: 'Up', Channel: 36, TransmitPower: 100, AutoChannelEnable: false }),
        set: () => undefined,
      },
    ],
    [ETH, { params: ['Enable', 'Name', 'MaxBitRate'], list: () => [1], get: () => ({ Enable: true, Name: 'eth0', MaxBitRate: 1000 }) }],
  ];
}

function device(share?: SharedSupportedModel): { model: DataModel; h: HandlerContext } {
  const model = new DataModel(schema, share ? { share } : {});
  holdAgentParams(model, new DataStore());
  for (const [path, b] of bindings()) model.register(path, b);
  const operations = new OperationRunner(model, silentLogger);
  model.seal();
  return { model, h: { model, req: {}, log: silentLogger, operations } };
}

const REQ: GetSupportedDMReq = { objPaths: [RADIO, ETH], firstLevelOnly: true, returnCommands: false, returnEvents: false, returnParams: true, returnUniqueKeySets: false };

async function access(h: HandlerContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of (await handleGetSupportedDM(h, REQ)).reqObjResults) {
    for (const o of r.supportedObjs ?? []) for (const p of o.supportedParams ?? []) out[`${o.supportedObjPath}${p.paramName}`] = p.access;
  }
  return out;
}

describe('parameters a binding cannot change', () => {
  it('GetSupportedDM reports them read-only; what the binding writes, and the Alias the agent holds, stay read-write', async () => {
    const a = await access(device().h);
    expect(a[`${RADIO}Channel`]).toBe('PARAM_READ_WRITE');
    expect(a[`${RADIO}TransmitPower`]).toBe('PARAM_READ_ONLY');
    expect(a[`${RADIO}Enable`]).toBe('PARAM_READ_ONLY');
    expect(a[`${RADIO}Status`]).toBe('PARAM_READ_ONLY');
    // No set at all: nothing of the binding's own is writable; the stored Alias is.
    expect(a[`${ETH}Enable`]).toBe('PARAM_READ_ONLY');
    expect(a[`${ETH}MaxBitRate`]).toBe('PARAM_READ_ONLY');
    expect(a[`${ETH}Alias`]).toBe('PARAM_READ_WRITE');
    expect(a[`${RADIO}Alias`]).toBe('PARAM_READ_WRITE');
  });

  it('a Set of one answers 7013 naming the device; a Set of a writable one passes', () => {
    const { model } = device();
    const set = (path: string, param: string, value: string) => validateSettings(model.requireNode(path), [{ param, value, required: false }], 'set', () => '');
    const refused = set(RADIO, 'TransmitPower', '50').paramErrors;
    expect(refused.map((e) => e.code)).toEqual([7013]);
    expect(refused[0]!.message).toMatch(/not writable on this device/);
    expect(set(ETH, 'Enable', 'false').paramErrors.map((e) => e.code)).toEqual([7013]);
    expect(set(RADIO, 'Channel', '40').paramErrors).toEqual([]);
    expect(set(ETH, 'Alias', 'uplink').paramErrors).toEqual([]);
  });

  it('a TriggerConfigSettings naming one is refused (7012), as for a read-only one', () => {
    const { model } = device();
    expect(() => checkTriggerConfigSettings(model, 'Device.WiFi.Radio.1.TransmitPower=10')).toThrow(expect.objectContaining({ code: 7012 }));
    expect(() => checkTriggerConfigSettings(model, 'Device.WiFi.Radio.1.Channel=40')).not.toThrow();
  });

  it("a fleet's gateways answer what the gateway that built the shared model answers", async () => {
    const share = new SharedSupportedModel();
    const builder = device(share);
    const gw = device(share);
    expect(await access(gw.h)).toEqual(await access(builder.h));
    expect((await access(gw.h))[`${RADIO}TransmitPower`]).toBe('PARAM_READ_ONLY');
  });
});

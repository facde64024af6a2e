/**
 * The download policy end to end: an agent configured like a live platform
 * (Device.LocalAgent.X_<VENDOR>_AllowLocalDownloads false in its factory defaults) refuses a
 * FirmwareImage.{i}.Download() from loopback with cmd_failure 7004 (as for a bad URL), before
 * anything is fetched; the simulated gateway's default allows it. Controllers cannot lift it.
 * InstallDU() of a software package follows the same policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request, StringMap } from '../../agent/codec/types.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add } from '../peers/controller-steps.js';
import { asResponse, type TestController } from '../peers/TestController.js';
import { simImage, startImageServer, type ImageServer } from '../unit/agent/firmware/image-server.js';

const PREFIX = 'X_TEST-EXAMPLE-COM_';
const SETTING = `Device.LocalAgent.${PREFIX}AllowLocalDownloads`;
const FW = 'Device.DeviceInfo.FirmwareImage.';

let server: ImageServer;
let live: AgentFixture;
let sim: AgentFixture;
beforeAll(async () => {
  server = await startImageServer();
  server.routes.set('/fw.img', { body: simImage('3.3.0', { size: 20_000 }) });
  live = await startAgent({ vendorPrefix: PREFIX, extra: { [SETTING]: false } });
  sim = await startAgent({ vendorPrefix: PREFIX });
  // Download() is asynchronous: its failure arrives as an OperationComplete notification.
  const r = asResponse(
    await live.controller.send({
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [
          {
            objPath: 'Device.LocalAgent.Subscription.',
            paramSettings: [
              { param: 'ID', value: 'dl-oc', required: true },
              { param: 'Enable', value: 'true', required: true },
              { param: 'NotifType', value: 'OperationComplete', required: true },
              { param: 'ReferenceList', value: FW, required: true },
            ],
          },
        ],
      },
    }),
  );
  if (r.respType !== 'addResp') throw new Error(r.respType);
}, 20_000);
afterAll(async () => {
  await live?.close();
  await sim?.close();
  await server?.close();
});

async function get(c: TestController, path: string): Promise<string | undefined> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  return r.getResp.reqPathResults[0]!.resolvedPathResults?.[0]?.resultParams[leaf];
}

async function download(c: TestController, url: string, commandKey: string) {
  const inputArgs: StringMap = { URL: url, AutoActivate: 'false' };
  const req: Request = { reqType: 'operate', operate: { command: `${FW}2.Download()`, commandKey, sendResp: true, inputArgs } };
  const r = asResponse(await c.send(req));
  if (r.respType !== 'operateResp') throw new Error(r.respType);
  return r.operateResp.operationResults[0]!;
}

describe('download policy', () => {
  it('the setting is in the data model: false as configured, true by default on the simulated gateway', async () => {
    expect(await get(live.controller, SETTING)).toBe('false');
    expect(await get(sim.controller, SETTING)).toBe('true');
  });

  it('a live-policy agent refuses a loopback URL with 7004 and fetches nothing', async () => {
    const before = server.requests.length;
    for (const [i, url] of [server.url('/fw.img'), server.url('/fw.img').replace('127.0.0.1', 'localhost')].entries()) {
      const key = `refused-${i}`;
      const r = await download(live.controller, url, key);
      // Download() is asynchronous: the refusal comes as the OperationComplete, or directly as cmd_failure.
      const failure = r.operationResp === 'cmdFailure' ? r.cmdFailure : undefined;
      if (failure) {
        expect(failure.errCode).toBe(7004);
        expect(failure.errMsg).toMatch(/refused: .* loopback address/);
      } else {
        const done = await waitOperComplete(live.controller, key);
        expect(done).toMatchObject({ operationResp: 'cmdFailure', cmdFailure: { errCode: 7004, errMsg: expect.stringMatching(/refused: .* loopback address/) } });
      }
    }
    expect(server.requests.length).toBe(before);
    expect(await get(live.controller, `${FW}2.Status`)).not.toBe('Downloading');
  });

  it('controllers cannot lift the policy (the setting is read-only over USP)', async () => {
    const r = await live.controller.send({
      reqType: 'set',
      set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.', paramSettings: [{ param: `${PREFIX}AllowLocalDownloads`, value: 'true', required: true }] }] },
    });
    expect(r.body.msgBody).toBe('error');
    expect(await get(live.controller, SETTING)).toBe('false');
  });

  it('the simulated gateway by default downloads from loopback (its tests serve images there)', async () => {
    const before = server.requests.length;
    const r = await download(sim.controller, server.url('/fw.img'), 'allowed');
    expect(r.operationResp === 'cmdFailure' ? r.cmdFailure : undefined).toBeUndefined();
    await expect.poll(() => server.requests.length).toBeGreaterThan(before);
  });
});

describe('download policy for software packages', () => {
  it('InstallDU() from loopback on a live-policy agent fails with 7004 and fetches nothing', async () => {
    await add(live.controller, 'Device.LocalAgent.Subscription.', { ID: 'sm-oc', Enable: 'true', NotifType: 'OperationComplete', ReferenceList: 'Device.SoftwareModules.' });
    const before = server.requests.length;
    const op = asResponse(
      await live.controller.send({
        reqType: 'operate',
        operate: { command: 'Device.SoftwareModules.InstallDU()', commandKey: 'sm-refused', sendResp: true, inputArgs: { URL: server.url('/app-1.0.tar.gz') } },
      }),
    );
    if (op.respType !== 'operateResp') throw new Error(op.respType);
    expect(await waitOperComplete(live.controller, 'sm-refused')).toMatchObject({
      operationResp: 'cmdFailure',
      cmdFailure: { errCode: 7004, errMsg: expect.stringMatching(/refused: .* loopback address/) },
    });
    expect(server.requests.length).toBe(before);
  });
});

async function waitOperComplete(c: TestController, commandKey: string) {
  await expect
    .poll(() =>
      c.unsolicited.some(
        (m) =>
          m.body.msgBody === 'request' && m.body.request.reqType === 'notify' && m.body.request.notify.notification === 'operComplete' && m.body.request.notify.operComplete.commandKey === commandKey,
      ),
    )
    .toBe(true);
  const m = c.unsolicited.find(
    (u) => u.body.msgBody === 'request' && u.body.request.reqType === 'notify' && u.body.request.notify.notification === 'operComplete' && u.body.request.notify.operComplete.commandKey === commandKey,
  )!;
  if (m.body.msgBody !== 'request' || m.body.request.reqType !== 'notify' || m.body.request.notify.notification !== 'operComplete') throw new Error();
  return m.body.request.notify.operComplete;
}

/**
 * Resource bounds per request, against a real agent over real WebSockets: a Get naming too many
 * paths, or one whose answer would not fit in a USP Record, is refused with Error 7005 naming the
 * limit, and another controller connected at the same time keeps being answered. One large Get
 * is built in slices that let the event loop (timers, other links) run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request, UspMsg } from '../../agent/codec/types.js';
import { handleGet } from '../../agent/handlers/handle-get.js';
import { DEFAULT_MAX_RESPONSE_SIZE, MAX_PATHS_PER_REQUEST } from '../../agent/request-limits.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { AGENT_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { TestController, asError, asResponse } from '../peers/TestController.js';

let f: AgentFixture;
let other: TestController;
beforeAll(async () => {
  // Unknown controllers get Role.1 (full access), so a second controller needs no Controller row.
  f = await startAgent({ extra: { 'Device.LocalAgent.ControllerTrust.UntrustedRole': 'Device.LocalAgent.ControllerTrust.Role.1' } });
  other = await TestController.connect(f.url, 'proto::second-controller', AGENT_EID);
}, 20_000);
afterAll(async () => {
  await other?.close();
  await f?.close();
});

const get = (paths: string[], maxDepth = 0): Request => ({ reqType: 'get', get: { paramPaths: paths, maxDepth } });

/**
 * Gets from the second controller until `done` settles; every one must be answered. Returns how
 * many answers arrived while `done` was still pending.
 */
async function keepAsking(done: Promise<unknown>): Promise<number> {
  let settled = false;
  void done.finally(() => {
    settled = true;
  });
  let answeredMeanwhile = 0;
  do {
    const r = asResponse(await other.send(get(['Device.LocalAgent.EndpointID'])));
    if (r.respType !== 'getResp') throw new Error(r.respType);
    expect(r.getResp.reqPathResults[0]!.resolvedPathResults?.[0]?.resultParams).toEqual({ EndpointID: AGENT_EID });
    if (!settled) answeredMeanwhile++;
  } while (!settled);
  return answeredMeanwhile;
}

describe('request bounds', () => {
  it(`a Get of 10,000 copies of Device. is refused with 7005 (at most ${MAX_PATHS_PER_REQUEST} paths) while another controller is answered`, async () => {
    const big = f.controller.send(get(Array.from({ length: 10_000 }, () => 'Device.')));
    // Refused before any path is resolved, so the other controller's answers (each checked) may all come after it.
    const [reply] = await Promise.all([big, keepAsking(big)]);
    const e = asError(reply);
    expect(e.errCode).toBe(7005);
    expect(e.errMsg).toContain(String(MAX_PATHS_PER_REQUEST));
  });

  it('a Get of 1,000 copies of Device. (a response of tens of MB) is refused with 7005 naming the Record limit', async () => {
    const big = f.controller.send(get(Array.from({ length: 1000 }, () => 'Device.')));
    const [reply, answered] = await Promise.all([big, keepAsking(big)]);
    const e = asError(reply);
    expect(e.errCode).toBe(7005);
    expect(e.errMsg).toContain(String(DEFAULT_MAX_RESPONSE_SIZE));
    expect(answered).toBeGreaterThan(0);
    // The agent is fine afterwards: a normal Get of the whole model still works.
    const ok = asResponse(await f.controller.send(get(['Device.DeviceInfo.'])));
    expect(ok.respType).toBe('getResp');
  });

  it.each([
    [
      'GetSupportedDM',
      {
        reqType: 'getSupportedDm',
        getSupportedDm: { objPaths: Array.from({ length: 1000 }, () => 'Device.'), firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true },
      },
    ],
    ['GetInstances', { reqType: 'getInstances', getInstances: { objPaths: Array.from({ length: 1000 }, () => 'Device.'), firstLevelOnly: false } }],
  ] as [string, Request][])('a %s of 1,000 copies of Device. is refused with 7005 while the other controller is answered meanwhile', async (_name, req) => {
    const big = f.controller.send(req, 60_000);
    const [reply, answered] = await Promise.all([big, keepAsking(big)]);
    const e = asError(reply);
    expect(e.errCode).toBe(7005);
    expect(e.errMsg).toContain(String(DEFAULT_MAX_RESPONSE_SIZE));
    expect(answered).toBeGreaterThan(0);
  });

  it('a Set naming more paths than the limit is refused whole with 7005', async () => {
    const paramSettings = Array.from({ length: MAX_PATHS_PER_REQUEST }, () => ({ param: 'SSID', value: 'x', required: true }));
    const e = asError(await f.controller.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: 'Device.WiFi.SSID.1.', paramSettings }] } }));
    expect(e.errCode).toBe(7005);
    const r = asResponse(await f.controller.send(get(['Device.WiFi.SSID.1.SSID'])));
    if (r.respType !== 'getResp') throw new Error(r.respType);
    expect(r.getResp.reqPathResults[0]!.resolvedPathResults?.[0]?.resultParams.SSID).not.toBe('x');
  });

  it('a long Get yields to the event loop between requested paths (other work runs before it is done)', async () => {
    let ranBefore = false;
    setImmediate(() => {
      ranBefore = true;
    });
    const h = { model: f.agent.model, operations: f.agent.operations, log: silentLogger, req: { controllerId: 'proto::internal' } };
    const resp = await handleGet(h, { paramPaths: Array.from({ length: 200 }, () => 'Device.LocalAgent.EndpointID'), maxDepth: 0 });
    expect(resp.reqPathResults).toHaveLength(200);
    expect(ranBefore).toBe(true);
  });
});

describe('requests in flight are shared fairly between controllers', () => {
  it("one controller pipelining 2,000 Sets cannot make another controller's Get fail with 7005", async () => {
    const setSsid = (v: string): Request => ({
      reqType: 'set',
      set: { allowPartial: false, updateObjs: [{ objPath: 'Device.WiFi.SSID.1.', paramSettings: [{ param: 'SSID', value: v, required: true }] }] },
    });
    const answers: UspMsg[] = [];
    let flooding = true;
    let sent = 0;
    let saturated!: () => void;
    const full = new Promise<void>((r) => {
      saturated = r;
    });
    const pending: Promise<void>[] = [];
    // The flooding controller keeps its pipeline full: 2,000 at once, and a new Set for every answer.
    const sendOne = (): void => {
      sent++;
      pending.push(
        f.controller.send(setSsid(`flood-${sent}`), 60_000).then((m) => {
          answers.push(m);
          if (m.body.msgBody === 'error') saturated();
          if (flooding) sendOne();
        }),
      );
    };
    for (let i = 0; i < 2000; i++) sendOne();
    await full;
    const gets = await Promise.all(Array.from({ length: 20 }, () => other.send(get(['Device.LocalAgent.EndpointID']), 60_000)));
    flooding = false;
    for (const g of gets) {
      if (g.body.msgBody === 'error') throw new Error(`the second controller got Error ${g.body.error.errCode}: ${g.body.error.errMsg}`);
      const r = asResponse(g);
      if (r.respType !== 'getResp') throw new Error(r.respType);
      expect(r.getResp.reqPathResults[0]!.errCode ?? 0).toBe(0);
    }
    while (pending.length < sent || answers.length < sent) await Promise.all(pending);
    // The flooding controller is answered every time: a SetResp or, past its own share, Error 7005.
    for (const m of answers) {
      if (m.body.msgBody === 'error') expect(m.body.error.errCode).toBe(7005);
      else expect(asResponse(m).respType).toBe('setResp');
    }
  }, 90_000);
});

/**
 * Controller rows the agent makes for unknown Endpoint IDs (TR-369 "Determine Role"; TP-469 2.9)
 * are bounded and expire (agent/UnknownControllerRows.ts): a real agent in-process with small
 * bounds and a clock the test moves, real WebSocket controllers. The configured controller
 * watches the Controller table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { TestController, asResponse } from '../peers/TestController.js';

const GET_EID = { reqType: 'get' as const, get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } };
const LIMITS = { maxRows: 3, minIdleToEvictMs: 10_000, expireAfterMs: 60_000 };

let f: AgentFixture;
let now = 1_000_000;
const peers: TestController[] = [];

beforeAll(async () => {
  f = await startAgent({ captureLogs: true, agent: { unknownControllers: { ...LIMITS, now: () => now } } });
});
afterAll(async () => {
  for (const p of peers) await p.close();
  await f.close();
});

/** Connects as `eid` and sends one Get (answered: unknown controllers are served with UntrustedRole). */
async function visit(eid: string): Promise<void> {
  const c = await TestController.connect(f.url, eid, AGENT_EID);
  peers.push(c);
  const m = await c.send(GET_EID);
  expect(m.body.msgBody).toBe('response');
  await c.close();
}

/** The Endpoint IDs of the Controller table, as the configured controller reads them. */
async function controllerEids(): Promise<string[]> {
  const r = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.Controller.*.EndpointID'], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return (r.getResp.reqPathResults[0].resolvedPathResults ?? []).map((x) => x.resultParams.EndpointID).sort();
}

describe('Controller rows made for unknown endpoints', () => {
  it('are made up to the bound; a further newcomer is served without a row, logged once', async () => {
    for (const n of [1, 2, 3]) await visit(`proto::unknown-${n}`);
    expect(await controllerEids()).toEqual(['proto::controller-1', 'proto::unknown-1', 'proto::unknown-2', 'proto::unknown-3']);
    await visit('proto::unknown-4');
    await visit('proto::unknown-4');
    expect(await controllerEids()).not.toContain('proto::unknown-4');
    expect(f.logs.filter((l) => l.includes('served without a Controller row') && l.includes('proto::unknown-4'))).toHaveLength(1);
  });

  it('a newcomer evicts the least recently active row once that row is idle long enough', async () => {
    now += 5_000;
    await visit('proto::unknown-2');
    await visit('proto::unknown-3');
    now += 5_000; // unknown-1 idle 10 s, the others 5 s
    await visit('proto::unknown-5');
    expect(await controllerEids()).toEqual(['proto::controller-1', 'proto::unknown-2', 'proto::unknown-3', 'proto::unknown-5']);
  });

  it('rows idle past their expiry are deleted; configured controllers never are', async () => {
    now += LIMITS.expireAfterMs;
    await visit('proto::unknown-6');
    expect(await controllerEids()).toEqual(['proto::controller-1', 'proto::unknown-6']);
  });

  it('a row whose role an operator raised is a configured controller: never evicted nor expired', async () => {
    const path = 'Device.LocalAgent.Controller.[EndpointID=="proto::unknown-6"].';
    const set = await f.controller.send({
      reqType: 'set',
      set: { allowPartial: false, updateObjs: [{ objPath: path, paramSettings: [{ param: 'AssignedRole', value: 'Device.LocalAgent.ControllerTrust.Role.1', required: true }] }] },
    });
    expect(set.body.msgBody).toBe('response');
    now += 2 * LIMITS.expireAfterMs;
    for (const n of [7, 8, 9]) await visit(`proto::unknown-${n}`);
    expect(await controllerEids()).toEqual(['proto::controller-1', 'proto::unknown-6', 'proto::unknown-7', 'proto::unknown-8', 'proto::unknown-9']);
  });
});

describe("expiry by the agent's own sweep", () => {
  let g: AgentFixture;
  let clock = 5_000_000;
  beforeAll(async () => {
    // UntrustedRole = full access here, so the unknown controller can subscribe.
    g = await startAgent({
      extra: { 'Device.LocalAgent.ControllerTrust.UntrustedRole': 'Device.LocalAgent.ControllerTrust.Role.1' },
      agent: { unknownControllers: { expireAfterMs: 4_000, now: () => clock } },
    });
  });
  afterAll(async () => {
    await g.close();
  });

  const values = async (path: string): Promise<string[]> => {
    const r = asResponse(await g.controller.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
    if (r.respType !== 'getResp') throw new Error(r.respType);
    return (r.getResp.reqPathResults[0].resolvedPathResults ?? []).flatMap((x) => Object.values(x.resultParams));
  };

  it('deletes an idle row with the Subscriptions it is the Recipient of, without any newcomer', async () => {
    const eid = 'proto::subscriber';
    const c = await TestController.connect(g.url, eid, AGENT_EID);
    const settings = { NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.EndpointID', ID: 'sub-of-unknown', Enable: 'true' };
    const add = asResponse(
      await c.send({
        reqType: 'add',
        add: { allowPartial: false, createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: Object.entries(settings).map(([param, value]) => ({ param, value, required: true })) }] },
      }),
    );
    expect(add.respType).toBe('addResp');
    await c.close();
    const row = await values(`Device.LocalAgent.Controller.[EndpointID=="${eid}"].Alias`);
    expect(row).toHaveLength(1);
    expect(await values('Device.LocalAgent.Subscription.*.ID')).toContain('sub-of-unknown');
    clock += 4_000;
    await expect.poll(() => values('Device.LocalAgent.Controller.*.EndpointID'), { timeout: 5_000, interval: 100 }).toEqual(['proto::controller-1']);
    expect(await values('Device.LocalAgent.Subscription.*.ID')).not.toContain('sub-of-unknown');
  });
});

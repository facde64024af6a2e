/**
 * One conformance suite, run unchanged over every MTP (issue "Transports and identity"): a real
 * agent configured for exactly one MTP through its factory defaults, and a ControllerLink that
 * speaks USP over that MTP only. Test names carry the TR-369 requirement IDs and TP-469 test
 * numbers they check. Kinds run one after another, one agent per kind for all its cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMsg, requestMsg, responseMsg } from '../../agent/codec/msg.js';
import type { ErrorBody, NotifyReq, Response, UspMsg } from '../../agent/codec/types.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { MTP_KINDS, startAgentWith, type AgentUnderTest, type ControllerLink, type MtpKind, type ReceivedNotify } from '../peers/controller-link.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const RECIPIENT = 'Device.LocalAgent.Controller.1';
/** R-NOT.0a: a notification goes out within 10 s of the state change. */
const R_NOT_0A_MS = 10_000;

function resp(m: UspMsg): Response {
  if (m.body.msgBody !== 'response') throw new Error(`expected a response, got ${JSON.stringify(m.body)}`);
  return m.body.response;
}
function err(m: UspMsg): ErrorBody {
  if (m.body.msgBody !== 'error') throw new Error(`expected an Error, got ${JSON.stringify(m.body)}`);
  return m.body.error;
}
function as<K extends Response['respType']>(r: Response, k: K): Extract<Response, { respType: K }> {
  if (r.respType !== k) throw new Error(`expected ${k}, got ${JSON.stringify(r)}`);
  return r as Extract<Response, { respType: K }>;
}
const settings = (params: Record<string, string>) => Object.entries(params).map(([param, value]) => ({ param, value, required: true }));

/** Protobuf wire helpers for a Msg the codec would refuse to build. */
const pb = {
  tag: (field: number, wire: number) => Uint8Array.of((field << 3) | wire),
  len(field: number, body: Uint8Array): Uint8Array {
    return cat(pb.tag(field, 2), Uint8Array.of(body.length), body);
  },
  str(field: number, s: string): Uint8Array {
    return pb.len(field, new TextEncoder().encode(s));
  },
  vint(field: number, v: number): Uint8Array {
    return cat(pb.tag(field, 0), Uint8Array.of(v));
  },
};
function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The Connect record each MTP sends when its link comes up (R-MTP.6); none is asserted for the WebSocket server. */
const CONNECT_RECORD: Record<MtpKind, string | undefined> = {
  'websocket-server': undefined,
  'websocket-client': 'websocketConnect',
  mqtt5: 'mqttConnect',
  mqtt311: 'mqttConnect',
  uds: 'udsConnect',
};

describe.each(MTP_KINDS)('over %s', (kind) => {
  let t: AgentUnderTest;
  let c: ControllerLink;
  let startedAt = 0;

  beforeAll(async () => {
    startedAt = Date.now();
    t = await startAgentWith(kind, {
      extra: {
        // NotifRetry back-off m = 1 s, k = 1000: an unacknowledged Notify is resent every 1 s.
        'Device.LocalAgent.Controller.1.USPNotifRetryMinimumWaitInterval': 1,
        'Device.LocalAgent.Controller.1.USPNotifRetryIntervalMultiplier': 1000,
      },
    });
    c = t.link;
  }, 20_000);
  afterAll(async () => {
    await t?.stop();
    console.log(`[mtp-suite] ${kind}: ${Date.now() - startedAt} ms`);
  });

  async function get(paths: string[], maxDepth = 0) {
    return as(resp(await c.send({ reqType: 'get', get: { paramPaths: paths, maxDepth } })), 'getResp').getResp.reqPathResults;
  }
  async function add(params: Record<string, string>) {
    const r = as(resp(await c.send({ reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: settings(params) }] } })), 'addResp');
    const st = r.addResp.createdObjResults[0]!.operStatus;
    if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
    return st.operSuccess;
  }
  async function set(objPath: string, params: Record<string, string>) {
    return as(resp(await c.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: settings(params) }] } })), 'setResp');
  }

  it('the agent runs only this MTP; its Connect record came first (R-MTP.6)', async () => {
    expect(t.agent.webSocketServers).toHaveLength(kind === 'websocket-server' ? 1 : 0);
    expect(t.agent.controllerLinks).toHaveLength(1);
    const want = CONNECT_RECORD[kind];
    if (want) expect(c.records[0]).toMatchObject({ toId: CONTROLLER_EID, fromId: AGENT_EID, body: { kind: want } });
    if (kind === 'mqtt5' || kind === 'mqtt311') {
      expect(c.records[0]!.body).toEqual({ kind: 'mqttConnect', version: kind === 'mqtt5' ? 'V5' : 'V3_1_1', subscribedTopic: `/usp-conf/${kind}/agent` });
    }
  });

  it('TP-469 1.80: GetSupportedProtocol answers 1.3,1.4', async () => {
    const r = resp(await c.send({ reqType: 'getSupportedProtocol', getSupportedProtocol: { controllerSupportedProtocolVersions: '1.4' } }));
    expect(r).toEqual({ respType: 'getSupportedProtocolResp', getSupportedProtocolResp: { agentSupportedProtocolVersions: '1.3,1.4' } });
  });

  it('R-GET.2/3, TP-469 1.39: Get of a parameter gives its object; of an object, one result per object with relative keys', async () => {
    const [param] = await get(['Device.LocalAgent.EndpointID']);
    expect(param!.errCode ?? 0).toBe(0);
    expect(param!.resolvedPathResults).toEqual([{ resolvedPath: 'Device.LocalAgent.', resultParams: { EndpointID: AGENT_EID } }]);
    const [obj] = await get(['Device.LocalAgent.Controller.1.']);
    expect(obj!.errCode ?? 0).toBe(0);
    const results = obj!.resolvedPathResults!;
    const ctrl = results.find((x) => x.resolvedPath === 'Device.LocalAgent.Controller.1.');
    expect(ctrl?.resultParams).toMatchObject({ EndpointID: CONTROLLER_EID, Enable: 'true', AssignedRole: 'Device.LocalAgent.ControllerTrust.Role.1' });
    for (const r of results) {
      expect(r.resolvedPath.startsWith('Device.LocalAgent.Controller.1.')).toBe(true);
      // Relative keys, and every sub-object is its own result: no key names a path.
      for (const key of Object.keys(r.resultParams)) expect(key).not.toContain('.');
    }
  });

  it('R-SET.3: SetResp echoes the updated parameters', async () => {
    const r = await set('Device.LocalAgent.Controller.1.', { ProvisioningCode: `set-${kind}` });
    const st = r.setResp.updatedObjResults[0]!.operStatus;
    if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
    expect(st.operSuccess.updatedInstResults).toEqual([expect.objectContaining({ affectedPath: 'Device.LocalAgent.Controller.1.', updatedParams: { ProvisioningCode: `set-${kind}` } })]);
    const [after] = await get(['Device.LocalAgent.Controller.1.ProvisioningCode']);
    expect(after!.resolvedPathResults![0]!.resultParams).toEqual({ ProvisioningCode: `set-${kind}` });
  });

  let subPath = '';
  it('TP-469 1.81: Add of a Subscription returns every unique key, Recipient filled by the agent', async () => {
    const ok = await add({ ID: 'conf-sub', NotifType: 'ObjectCreation', ReferenceList: 'Device.LocalAgent.Request.', Enable: 'true' });
    expect(ok.instantiatedPath).toMatch(/^Device\.LocalAgent\.Subscription\.\d+\.$/);
    expect(ok.uniqueKeys).toMatchObject({ ID: 'conf-sub', Recipient: RECIPIENT, Alias: expect.stringMatching(/^cpe-\d+$/) });
    subPath = ok.instantiatedPath;
  });

  it('GetInstances lists the Subscription with its unique keys (R-GIN.1)', async () => {
    const r = as(resp(await c.send({ reqType: 'getInstances', getInstances: { objPaths: ['Device.LocalAgent.Subscription.'], firstLevelOnly: true } })), 'getInstancesResp');
    const [res] = r.getInstancesResp.reqPathResults;
    expect(res!.errCode ?? 0).toBe(0);
    const row = res!.currInsts!.find((i) => i.instantiatedObjPath === subPath);
    expect(row?.uniqueKeys).toMatchObject({ ID: 'conf-sub', Recipient: RECIPIENT });
  });

  it('R-DEL.2: Delete of the Subscription reports it affected; it is gone', async () => {
    const r = as(resp(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [subPath] } })), 'deleteResp');
    expect(r.deleteResp.deletedObjResults[0]!.operStatus).toEqual({ operStatus: 'operSuccess', operSuccess: { affectedPaths: [subPath], unaffectedPathErrs: [] } });
    const [gone] = await get([subPath]);
    expect(gone!.errCode).toBe(7026);
  });

  it('TP-469 1.99: GetSupportedDM of Device.LocalAgent.Subscription.{i}. gives its unique key sets', async () => {
    const r = as(
      resp(
        await c.send({
          reqType: 'getSupportedDm',
          getSupportedDm: { objPaths: ['Device.LocalAgent.Subscription.{i}.'], firstLevelOnly: true, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true },
        }),
      ),
      'getSupportedDmResp',
    );
    const [res] = r.getSupportedDmResp.reqObjResults;
    expect(res!.errCode ?? 0).toBe(0);
    const obj = res!.supportedObjs![0]!;
    expect(obj).toMatchObject({ supportedObjPath: 'Device.LocalAgent.Subscription.{i}.', access: 'OBJ_ADD_DELETE', isMultiInstance: true });
    expect(obj.uniqueKeySets).toEqual([{ keyNames: ['Alias'] }, { keyNames: ['Recipient', 'ID'] }]);
    expect(obj.supportedParams!.map((p) => p.paramName)).toEqual(expect.arrayContaining(['ID', 'Recipient', 'NotifType', 'ReferenceList', 'NotifRetry']));
  });

  it('R-OPR.0/2: async Operate Device.ScheduleTimer() makes a Request row; OperationComplete arrives over this MTP', async () => {
    await add({ ID: 'conf-oc', NotifType: 'OperationComplete', ReferenceList: 'Device.ScheduleTimer()', Enable: 'true' });
    const from = c.notifications().length;
    const commandKey = `ck-${kind}`;
    const r = as(resp(await c.send({ reqType: 'operate', operate: { command: 'Device.ScheduleTimer()', commandKey, sendResp: true, inputArgs: { DelaySeconds: '1' } } })), 'operateResp');
    const res = r.operateResp.operationResults[0]!;
    expect(res.executedCommand).toBe('Device.ScheduleTimer()');
    if (res.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(res));
    expect(res.reqObjPath).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    const [row] = await get([res.reqObjPath]);
    expect(row!.resolvedPathResults![0]!.resultParams).toMatchObject({ Command: 'Device.ScheduleTimer()', CommandKey: commandKey, Originator: CONTROLLER_EID, Status: 'Active' });
    const done = await c.waitForNotification((ns) => ns.slice(from).find((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === commandKey), 4000);
    expect(done.notify).toMatchObject({ subscriptionId: 'conf-oc', sendResp: false, operComplete: { objPath: 'Device.', commandName: 'ScheduleTimer()', commandKey, operationResp: 'reqOutputArgs' } });
    await sleep(50);
    expect((await get([res.reqObjPath]))[0]!.errCode).toBe(7026);
  });

  it('R-NOT.0a: a ValueChange Notify follows a Set, within 10 s', async () => {
    await add({ ID: 'conf-vc', NotifType: 'ValueChange', ReferenceList: 'Device.LocalAgent.Controller.1.ControllerCode', Enable: 'true' });
    const from = c.notifications().length;
    const t0 = Date.now();
    await set('Device.LocalAgent.Controller.1.', { ControllerCode: `vc-${kind}` });
    const n = await c.waitForNotification((ns) => ns.slice(from).find((x) => x.notify.subscriptionId === 'conf-vc'), R_NOT_0A_MS);
    // The requirement's bound, not a speed target (Set → Notify latency is a bench figure).
    expect(n.at - t0).toBeLessThan(R_NOT_0A_MS);
    expect(n.notify).toMatchObject({ notification: 'valueChange', sendResp: false, valueChange: { paramPath: 'Device.LocalAgent.Controller.1.ControllerCode', paramValue: `vc-${kind}` } });
  });

  it('R-NOT.3, TP-469 1.54: NotifRetry resends with the same msg_id, survives a dropped link, stops once acknowledged; nothing lost while down', async () => {
    if (!c.reconnect) throw new Error(`the ${kind} link cannot reconnect`);
    const param = 'Device.LocalAgent.Controller.1.ProvisioningCode';
    await add({ ID: 'conf-retry', NotifType: 'ValueChange', ReferenceList: param, NotifRetry: 'true', Enable: 'true' });
    const from = c.notifications().length;
    const mine = (): ReceivedNotify[] => c.notifications(from).filter((n) => n.notify.subscriptionId === 'conf-retry');
    const valueOf = (n: NotifyReq) => (n.notification === 'valueChange' ? n.valueChange.paramValue : undefined);

    // 1. Sent with send_resp=true, not acknowledged: resent (m = 1 s, k = 1000) with the same msg_id.
    await set('Device.LocalAgent.Controller.1.', { ProvisioningCode: 'retry-1' });
    const first = await c.waitForNotification(() => mine()[0]);
    expect(first.notify).toMatchObject({ sendResp: true, valueChange: { paramPath: param, paramValue: 'retry-1' } });
    const again = await c.waitForNotification(() => mine()[1], 2500);
    expect(again.msgId).toBe(first.msgId);
    expect(again.at - first.at).toBeGreaterThanOrEqual(800);

    // 2. The link drops; meanwhile the value changes again (the agent itself, no controller there).
    let downAt = 0;
    await c.reconnect({
      whileDown: async () => {
        const node = t.agent.model.requireNode('Device.LocalAgent.Controller.{i}.');
        await Transaction.run(t.agent.model, {}, (tx) => tx.set({ node, keys: [1] }, { ProvisioningCode: 'retry-2' }));
        // A change for conf-vc (NotifRetry=false) waits in the queue too.
        await Transaction.run(t.agent.model, {}, (tx) => tx.set({ node, keys: [1] }, { ControllerCode: `vc-down-${kind}` }));
        await sleep(1200); // a retry of the first comes due while the link is down
        downAt = mine().length;
      },
    });

    // 3. Both arrive over the link that came back: the first under its original msg_id.
    const resentFirst = await c.waitForNotification(
      () =>
        mine()
          .slice(downAt)
          .find((n) => n.msgId === first.msgId),
      4000,
    );
    const second = await c.waitForNotification(() => mine().find((n) => valueOf(n.notify) === 'retry-2'), 4000);
    expect(resentFirst.notify).toEqual(first.notify);
    expect(second.msgId).not.toBe(first.msgId);
    expect(second.notify).toMatchObject({ sendResp: true, valueChange: { paramPath: param, paramValue: 'retry-2' } });
    const queued = () => c.notifications(from).filter((n) => n.notify.subscriptionId === 'conf-vc' && valueOf(n.notify) === `vc-down-${kind}`);
    await c.waitForNotification(() => queued()[0], 4000);

    // 4. Acknowledged with NotifyResp: nothing pending, nothing resent afterwards.
    for (const n of [first, second]) c.sendMsg(responseMsg(n.msgId, { respType: 'notifyResp', notifyResp: { subscriptionId: 'conf-retry' } }));
    await expect.poll(() => t.agent.notifications.delivery.pendingFor(CONTROLLER_EID), { timeout: 2000 }).toBe(0);
    const countAtAck = mine().length;
    await sleep(2300);
    expect(mine().length).toBe(countAtAck);

    // None lost, none duplicated beyond resends of the same msg_id with the same content.
    const byId = new Map<string, NotifyReq[]>();
    for (const n of mine()) byId.set(n.msgId, [...(byId.get(n.msgId) ?? []), n.notify]);
    expect([...byId.keys()].sort()).toEqual([first.msgId, second.msgId].sort());
    for (const copies of byId.values()) for (const n of copies) expect(n).toEqual(copies[0]);
    // Without NotifRetry: delivered once when the link came back, never repeated.
    expect(queued()).toHaveLength(1);
    expect(queued()[0]!.notify.sendResp).toBe(false);
  }, 25_000);

  it('R-GET.0: an unknown path gives 7026 for that path only', async () => {
    const r = await get(['Device.Nope.', 'Device.LocalAgent.EndpointID', 'Device.LocalAgent.Controller.99.']);
    expect(r.map((x) => x.errCode ?? 0)).toEqual([7026, 0, 7026]);
    expect(r[1]!.resolvedPathResults).toEqual([{ resolvedPath: 'Device.LocalAgent.', resultParams: { EndpointID: AGENT_EID } }]);
  });

  it('R-ENC.5: a malformed Msg inside a valid Record gets Error 7004; the link keeps working', async () => {
    const header = (msgId: string) => pb.len(1, cat(pb.str(1, msgId), pb.vint(2, 1)));
    // A Request with two members of its oneof (get and set).
    const twoMembers = c.nextMsgId('two-members');
    c.sendPayload(cat(header(twoMembers), pb.len(2, pb.len(1, cat(pb.len(1, pb.str(1, 'Device.LocalAgent.EndpointID')), pb.len(4, pb.vint(1, 1)))))));
    expect(err(await c.waitForMsg(twoMembers, 3000)).errCode).toBe(7004);
    // A body that announces 5 bytes and carries 1.
    const truncated = c.nextMsgId('truncated');
    c.sendPayload(cat(header(truncated), pb.len(2, pb.len(1, Uint8Array.of(0x0a, 0x05, 0x01)))));
    expect(err(await c.waitForMsg(truncated, 3000)).errCode).toBe(7004);
    const [ok] = await get(['Device.LocalAgent.EndpointID']);
    expect(ok!.errCode ?? 0).toBe(0);
  });

  it('R-E2E.1: a Record for another to_id is dropped unanswered; the link keeps working', async () => {
    const msgId = c.nextMsgId('other-to-id');
    const count = c.records.length;
    c.sendPayload(encodeMsg(requestMsg(msgId, { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } })), { toId: 'proto::someone-else' });
    await expect(c.waitForMsg(msgId, 400)).rejects.toThrow(/timed out/);
    expect(c.records.length).toBe(count);
    const [ok] = await get(['Device.LocalAgent.EndpointID']);
    expect(ok!.errCode ?? 0).toBe(0);
  });

  // MQTT topics exist only on the MQTT kinds: the case is defined there alone (not shown as skipped elsewhere).
  if (kind === 'mqtt5' || kind === 'mqtt311')
    it("R-MQTT.22/25/26/27: answers on the request's reply-to topic, Notifies on the Controller MTP Topic, each PUBLISH with the agent's reply-to", () => {
      const agentTopic = `/usp-conf/${kind}/agent`;
      const suffix = `/reply-to=${agentTopic.replaceAll('/', '%2F')}`;
      const seen = c.publishes ?? [];
      const answers = seen.filter((p) => p.msg && p.msg.body.msgBody !== 'request');
      const notifies = seen.filter((p) => p.msg?.body.msgBody === 'request');
      expect(answers.length).toBeGreaterThan(10);
      expect(notifies.length).toBeGreaterThan(3);
      const where = (base: string) => (kind === 'mqtt5' ? base : `${base}${suffix}`);
      expect(answers.filter((p) => p.topic !== where(`/usp-conf/${kind}/replies`)).map((p) => p.topic)).toEqual([]);
      expect([...new Set(notifies.map((p) => p.topic))]).toEqual([where(`/usp-conf/${kind}/controller`)]);
      if (kind === 'mqtt5') {
        expect(seen.filter((p) => p.responseTopic !== agentTopic || p.contentType !== 'usp.msg')).toEqual([]);
      }
    });

  it("R-MSG.0a: every Record the agent sent decodes, is a Msg or this MTP's Connect record, from the agent to this controller", () => {
    expect(c.garbage).toEqual([]);
    expect(c.records.filter((r) => r.toId !== CONTROLLER_EID || r.fromId !== AGENT_EID)).toEqual([]);
    expect(c.records.filter((r) => r.body.kind !== 'noSessionContext' && r.body.kind !== CONNECT_RECORD[kind])).toEqual([]);
  });
});

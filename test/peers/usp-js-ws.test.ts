/**
 * SELF-CHECK OF THE usp-js WEBSOCKET ADAPTER (test/peers/usp-js-ws.ts) — NOT AN AGENT TEST.
 *
 * The "agent" here is a hand-written fake: a bare `ws` server that decodes
 * what usp-js sends with protobufjs + the BBF's official USP 1.4 protos
 * (vendored in vendor/bbf/usp, not our agent/codec) and answers with hand-built
 * responses. It checks:
 *   - the adapter's framing/handshake: `v1.usp` subprotocol, `?eid=` query,
 *     one usp-js Record per binary frame, Records' to_id/from_id/version,
 *     inbound binary frames fed back to usp-js, non-Msg Records (WebSocketConnect,
 *     Disconnect) kept away from usp-js;
 *   - a few usp-js behaviours ("usp-js probe" tests) that interop tests
 *     against the real agent will rely on (how errors surface, Notify/NotifyResp).
 * Nothing here exercises our agent. It stays a test of its own because the
 * interop tests (test/integration/usp-js.test.ts) trust this adapter and these
 * usp-js behaviours: when one of those fails, this file says whether the peer
 * or the agent moved.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { connectUspJs, type UspJsWsConnection } from './usp-js-ws.js';

const PROTO_DIR = fileURLToPath(new URL('../../vendor/bbf/usp', import.meta.url));
const root = protobuf.loadSync([`${PROTO_DIR}/usp-record-1-4.proto`, `${PROTO_DIR}/usp-msg-1-4.proto`]);
const RecordT = root.lookupType('usp_record.Record');
const MsgT = root.lookupType('usp.Msg');
const TO_OBJ = { longs: String, enums: String, bytes: String, oneofs: true } as const;

const CONTROLLER_EID = 'proto::usp-js-selfcheck-controller';
const AGENT_EID = 'os::000000-FAKE-AGENT';

/** What the fake sends: plain objects in protobufjs `fromObject` form. */
type Obj = Record<string, unknown>;

interface ParamSetting {
  param: string;
  value: string;
  required: boolean;
}

/**
 * A decoded usp.Msg (protobufjs `toObject` form) as far as these tests read it. Each request
 * member is there only in a Msg of that type: reading another one fails the test, as it should.
 */
interface WireMsg {
  header: { msgId: string; msgType?: string };
  body: {
    request: {
      get: { paramPaths: string[] };
      getSupportedProtocol: { controllerSupportedProtocolVersions: string };
      set: { allowPartial: boolean; updateObjs: Array<{ objPath: string; paramSettings: ParamSetting[] }> };
      add: { allowPartial: boolean; createObjs: Array<{ objPath: string; paramSettings: ParamSetting[] }> };
      delete: { allowPartial: boolean; objPaths: string[] };
    };
    response: { notifyResp: { subscriptionId: string } };
  };
}

interface Inbound {
  isBinary: boolean;
  record: Obj;
  msg?: WireMsg;
}

type Handler = (msg: WireMsg, fake: FakeAgent) => Obj | undefined;

function encodeRecord(fields: Obj): Buffer {
  return Buffer.from(RecordT.encode(RecordT.fromObject({ version: '1.4', toId: CONTROLLER_EID, fromId: AGENT_EID, ...fields })).finish());
}

function encodeMsgRecord(msg: Obj): Buffer {
  const payload = MsgT.encode(MsgT.fromObject(msg)).finish();
  return encodeRecord({ noSessionContext: { payload } });
}

function resp(req: WireMsg, msgType: string, body: Obj): Obj {
  return { header: { msgId: req.header.msgId, msgType }, body: { response: body } };
}

class FakeAgent {
  wss!: WebSocketServer;
  url = '';
  socket?: WebSocket;
  upgrade?: IncomingMessage;
  inbound: Inbound[] = [];
  handler: Handler = () => undefined;
  onConnect: (ws: WebSocket) => void = () => undefined;
  private waiters: Array<() => void> = [];

  async start(): Promise<void> {
    this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: '/usp',
      handleProtocols: (protocols) => (protocols.has('v1.usp') ? 'v1.usp' : false),
    });
    await new Promise<void>((r) => this.wss.once('listening', () => r()));
    this.url = `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/usp`;
    this.wss.on('connection', (ws, req) => {
      this.socket = ws;
      this.upgrade = req;
      ws.on('message', (data, isBinary) => {
        const buf = data as Buffer;
        const rec = RecordT.decode(buf);
        const record = RecordT.toObject(rec, TO_OBJ);
        const payload = (rec as { noSessionContext?: { payload?: Uint8Array } }).noSessionContext?.payload;
        const msg = payload ? (MsgT.toObject(MsgT.decode(payload), TO_OBJ) as WireMsg) : undefined;
        this.inbound.push({ isBinary, record, msg });
        if (msg) {
          const reply = this.handler(msg, this);
          if (reply) ws.send(encodeMsgRecord(reply), { binary: true });
        }
        this.waiters.splice(0).forEach((w) => w());
      });
      this.onConnect(ws);
    });
  }

  send(buf: Buffer): void {
    this.socket!.send(buf, { binary: true });
  }

  async waitFor(pred: () => boolean, ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error('waitFor timed out');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

describe('usp-js WebSocket adapter self-check (fake agent, not our agent)', () => {
  let fake: FakeAgent;
  let conn: UspJsWsConnection | undefined;

  beforeEach(async () => {
    fake = new FakeAgent();
    await fake.start();
    conn = undefined;
  });
  afterEach(async () => {
    await conn?.close();
    await fake.stop();
  });

  const connect = async (): Promise<UspJsWsConnection> => {
    conn = await connectUspJs({ url: fake.url, controllerEndpointId: CONTROLLER_EID, agentEndpointId: AGENT_EID });
    return conn;
  };

  it('handshake: v1.usp subprotocol and ?eid=<controller EID>; ignores a WebSocketConnectRecord', async () => {
    fake.onConnect = () => fake.send(encodeRecord({ websocketConnect: {} }));
    const c = await connect();
    expect(c.ws.protocol).toBe('v1.usp');
    expect(fake.upgrade!.headers['sec-websocket-protocol']).toBe('v1.usp');
    const eid = new URL(fake.upgrade!.url!, 'http://x').searchParams.get('eid');
    expect(eid).toBe(CONTROLLER_EID);
    expect(new URL(fake.upgrade!.url!, 'http://x').pathname).toBe('/usp');
    await fake.waitFor(() => c.nonMsgRecords.length === 1);
    expect(c.nonMsgRecords[0]).toMatchObject({ kind: 'websocketConnect', toId: CONTROLLER_EID, fromId: AGENT_EID });
    expect(c.errors).toEqual([]);
  });

  it('supportedProto(): one binary Record frame out, GetSupportedProtocolResp in', async () => {
    fake.handler = (msg) =>
      msg.header.msgType === 'GET_SUPPORTED_PROTO' ? resp(msg, 'GET_SUPPORTED_PROTO_RESP', { getSupportedProtocolResp: { agentSupportedProtocolVersions: '1.3,1.4' } }) : undefined;
    const c = await connect();
    await expect(c.device.supportedProto('1.4')).resolves.toEqual(['1.3', '1.4']);

    expect(fake.inbound).toHaveLength(1);
    const [{ isBinary, record, msg }] = fake.inbound;
    expect(isBinary).toBe(true);
    expect(record).toMatchObject({ version: '1.4', toId: AGENT_EID, fromId: CONTROLLER_EID, recordType: 'noSessionContext' });
    expect(msg!.header.msgId).toMatch(/^GET_SUPPORTED_PROTO@/);
    expect(msg!.body.request.getSupportedProtocol.controllerSupportedProtocolVersions).toBe('1.4');
    expect(c.errors).toEqual([]);
  });

  it("get('Device.DeviceInfo.SerialNumber') resolves with the value", async () => {
    fake.handler = (msg) =>
      msg.header.msgType === 'GET'
        ? resp(msg, 'GET_RESP', {
            getResp: {
              reqPathResults: msg.body.request.get.paramPaths.map((p: string) => ({
                requestedPath: p,
                resolvedPathResults: [{ resolvedPath: 'Device.DeviceInfo.', resultParams: { SerialNumber: 'SN-0001' } }],
              })),
            },
          })
        : undefined;
    const c = await connect();
    await expect(c.device.get('Device.DeviceInfo.SerialNumber')).resolves.toBe('SN-0001');
    expect(fake.inbound[0]!.msg!.body.request.get.paramPaths).toEqual(['Device.DeviceInfo.SerialNumber']);
    // An object path yields a nested object relative to the requested path.
    await expect(c.device.get('Device.DeviceInfo.')).resolves.toEqual({ SerialNumber: 'SN-0001' });
    await expect(c.device.getNested('Device.DeviceInfo.SerialNumber')).resolves.toEqual({
      __query__: 'Device.DeviceInfo.SerialNumber',
      result: 'SN-0001',
    });
    expect(c.errors).toEqual([]);
  });

  it('frames sent by the agent right at connect reach handlers registered right after the await', async () => {
    fake.onConnect = () =>
      fake.send(
        encodeMsgRecord({
          header: { msgId: 'boot-1', msgType: 'NOTIFY' },
          body: { request: { notify: { subscriptionId: 'boot-sub', sendResp: false, event: { objPath: 'Device.', eventName: 'Boot!', params: { Cause: 'LocalReboot' } } } } },
        }),
      );
    const c = await connect();
    const seen: unknown[] = [];
    c.device.on('boot-sub', (msg) => seen.push(msg));
    await fake.waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ objPath: 'Device.', eventName: 'Boot!', params: { Cause: 'LocalReboot' } });
    // sendResp=false: usp-js must not answer.
    expect(fake.inbound).toHaveLength(0);
  });

  it('a DisconnectRecord is kept away from usp-js (which would throw) and recorded', async () => {
    const c = await connect();
    fake.send(encodeRecord({ disconnect: { reason: 'bye', reasonCode: 7003 } }));
    await fake.waitFor(() => c.nonMsgRecords.length === 1);
    expect(c.nonMsgRecords[0]).toMatchObject({ kind: 'disconnect', record: { disconnect: { reason: 'bye', reasonCode: 7003 } } });
    expect(c.errors).toEqual([]);
  });

  it('connect fails if the server does not select the v1.usp subprotocol', async () => {
    const plain = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
    await new Promise<void>((r) => plain.once('listening', () => r()));
    try {
      const url = `ws://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
      await expect(connectUspJs({ url, controllerEndpointId: CONTROLLER_EID, agentEndpointId: AGENT_EID })).rejects.toThrow(/subprotocol/);
    } finally {
      await new Promise<void>((r) => plain.close(() => r()));
    }
  });

  it('close() closes the socket with a normal closure', async () => {
    const c = await connect();
    const code = new Promise<number>((r) => fake.socket!.once('close', (cc) => r(cc)));
    await c.close();
    expect(await code).toBe(1000);
    await c.close(); // idempotent
  });

  describe('usp-js probes (library behaviour, via the adapter)', () => {
    it('GetResp per-path error rejects the whole get() with the RequestedPathResult object', async () => {
      fake.handler = (msg) =>
        resp(msg, 'GET_RESP', {
          getResp: {
            reqPathResults: [
              { requestedPath: 'Device.DeviceInfo.SerialNumber', resolvedPathResults: [{ resolvedPath: 'Device.DeviceInfo.', resultParams: { SerialNumber: 'SN' } }] },
              { requestedPath: 'Device.Nope.', errCode: 7026, errMsg: 'Invalid path' },
            ],
          },
        });
      const c = await connect();
      await expect(c.device.get(['Device.DeviceInfo.SerialNumber', 'Device.Nope.'])).rejects.toEqual({
        requestedPath: 'Device.Nope.',
        errCode: 7026,
        errMsg: 'Invalid path',
      });
    });

    // msg_type ERROR is enum value 0. Canonical proto3 encoders (protobuf-c, Go, C++) omit it on
    // the wire; protobufjs writes it when the field was set explicitly. usp-js behaves differently:
    it('a USP Error whose header omits msg_type (=0) rejects with the Error body { errCode, errMsg, paramErrs }', async () => {
      fake.handler = (msg) => ({
        header: { msgId: msg.header.msgId },
        body: { error: { errCode: 7004, errMsg: 'Invalid arguments', paramErrs: [{ paramPath: 'Device.X.Y', errCode: 7010, errMsg: 'bad' }] } },
      });
      const c = await connect();
      await expect(c.device.set('Device.X.Y', '1')).rejects.toEqual({
        errCode: 7004,
        errMsg: 'Invalid arguments',
        paramErrs: [{ paramPath: 'Device.X.Y', errCode: 7010, errMsg: 'bad' }],
      });
      await expect(c.device.get('Device.X.')).rejects.toMatchObject({ errCode: 7004 });
    });

    it('a USP Error with msg_type=ERROR explicitly on the wire is never matched: the call only ends by .options({ timeout })', async () => {
      fake.handler = (msg) => ({ header: { msgId: msg.header.msgId, msgType: 'ERROR' }, body: { error: { errCode: 7004, errMsg: 'Invalid arguments' } } });
      const c = await connect();
      await expect(c.device.options({ timeout: 300 }).get('Device.X.')).rejects.toBe('timeout of 300ms reached');
      expect(fake.inbound[0]!.msg!.header.msgType).toBe('GET');
    });

    it('a USP Error without err_msg is NOT treated as an error by usp-js (get resolves null)', async () => {
      fake.handler = (msg) => ({ header: { msgId: msg.header.msgId }, body: { error: { errCode: 7000 } } });
      const c = await connect();
      await expect(c.device.get('Device.X.')).resolves.toBeNull();
    });

    it('set/add/del success shapes and default allow_partial / required flags', async () => {
      fake.handler = (msg) => {
        const req = msg.body.request;
        switch (msg.header.msgType) {
          case 'SET':
            return resp(msg, 'SET_RESP', {
              setResp: {
                updatedObjResults: [
                  {
                    requestedPath: 'Device.X.1.',
                    operStatus: { operSuccess: { updatedInstResults: [{ affectedPath: 'Device.X.1.', updatedParams: { A: '1' } }] } },
                  },
                ],
              },
            });
          case 'ADD':
            return resp(msg, 'ADD_RESP', {
              addResp: {
                createdObjResults: [{ requestedPath: 'Device.X.', operStatus: { operSuccess: { instantiatedPath: 'Device.X.2.', uniqueKeys: { Alias: 'cpe-2' } } } }],
              },
            });
          case 'DELETE':
            return resp(msg, 'DELETE_RESP', {
              deleteResp: {
                deletedObjResults: [{ requestedPath: req.delete.objPaths[0], operStatus: { operSuccess: { affectedPaths: ['Device.X.2.'] } } }],
              },
            });
          default:
            return undefined;
        }
      };
      const c = await connect();
      await expect(c.device.set('Device.X.1.', { A: '1' })).resolves.toEqual([{ affectedPath: 'Device.X.1.', updatedParams: { A: '1' } }]);
      await expect(c.device.add('Device.X.', { A: '2' })).resolves.toBe('Device.X.2.');
      await expect(c.device.del('Device.X.2.')).resolves.toEqual(['Device.X.2.']);
      const [set, add, del] = fake.inbound.map((i) => i.msg!.body.request);
      expect(set.set).toEqual({ allowPartial: true, updateObjs: [{ objPath: 'Device.X.1.', paramSettings: [{ param: 'A', value: '1', required: true }] }] });
      expect(add.add).toEqual({ allowPartial: true, createObjs: [{ objPath: 'Device.X.', paramSettings: [{ param: 'A', value: '2', required: true }] }] });
      expect(del.delete).toEqual({ allowPartial: true, objPaths: ['Device.X.2.'] });
    });

    it('SetResp oper_failure rejects with the OperationFailure object', async () => {
      fake.handler = (msg) =>
        resp(msg, 'SET_RESP', {
          setResp: {
            updatedObjResults: [
              {
                requestedPath: 'Device.X.1.',
                operStatus: {
                  operFailure: { errCode: 7200, errMsg: 'not writable', updatedInstFailures: [{ affectedPath: 'Device.X.1.', paramErrs: [{ param: 'A', errCode: 7200, errMsg: 'ro' }] }] },
                },
              },
            ],
          },
        });
      const c = await connect();
      await expect(c.device.set('Device.X.1.A', '1')).rejects.toMatchObject({ errCode: 7200, errMsg: 'not writable' });
    });

    it('subscribe(): Adds a Subscription, routes Notify by subscription_id, sends NotifyResp when send_resp', async () => {
      fake.handler = (msg) => {
        if (msg.header.msgType === 'ADD')
          return resp(msg, 'ADD_RESP', {
            addResp: {
              createdObjResults: [{ requestedPath: 'Device.LocalAgent.Subscription.', operStatus: { operSuccess: { instantiatedPath: 'Device.LocalAgent.Subscription.3.', uniqueKeys: {} } } }],
            },
          });
        if (msg.header.msgType === 'DELETE')
          return resp(msg, 'DELETE_RESP', {
            deleteResp: { deletedObjResults: [{ requestedPath: 'Device.LocalAgent.Subscription.3.', operStatus: { operSuccess: { affectedPaths: ['Device.LocalAgent.Subscription.3.'] } } }] },
          });
        return undefined;
      };
      const c = await connect();
      const seen: unknown[] = [];
      const clear = await c.device.subscribe({ id: 'vc1', notif: 'ValueChange', reference: 'Device.DeviceInfo.ProvisioningCode' }, (m) => seen.push(m));
      const add = fake.inbound[0]!.msg!.body.request.add;
      const params = Object.fromEntries(add.createObjs[0].paramSettings.map((p) => [p.param, p.value]));
      expect(add.createObjs[0].objPath).toBe('Device.LocalAgent.Subscription.');
      expect(params).toEqual({ Enable: 'true', ID: 'NOTIFY@vc1', NotifType: 'ValueChange', NotifRetry: 'true', ReferenceList: 'Device.DeviceInfo.ProvisioningCode', Persistent: 'false' });

      fake.send(
        encodeMsgRecord({
          header: { msgId: 'agent-notify-7', msgType: 'NOTIFY' },
          body: { request: { notify: { subscriptionId: 'NOTIFY@vc1', sendResp: true, valueChange: { paramPath: 'Device.DeviceInfo.ProvisioningCode', paramValue: 'abc' } } } },
        }),
      );
      await fake.waitFor(() => fake.inbound.length === 2);
      expect(seen).toEqual([{ paramPath: 'Device.DeviceInfo.ProvisioningCode', paramValue: 'abc' }]);
      const notifyResp = fake.inbound[1]!.msg!;
      expect(notifyResp.header).toEqual({ msgId: 'agent-notify-7', msgType: 'NOTIFY_RESP' });
      expect(notifyResp.body.response.notifyResp).toEqual({ subscriptionId: 'NOTIFY@vc1' });

      await clear();
      expect(fake.inbound[2]!.msg!.body.request.delete.objPaths).toEqual(['Device.LocalAgent.Subscription.3.']);
    });
  });
});

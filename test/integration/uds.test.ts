/**
 * The UNIX domain socket MTP end to end (TR-369 §"UNIX Domain Socket Binding", USP 1.3; TR-181
 * UDSAgent:1, UDSController:1): a real agent configured through Device.UnixDomainSockets and
 * Device.LocalAgent.{MTP,Controller.{i}.MTP}.{i}.UDS in its factory defaults. A test controller
 * dials the agent's Listen socket; a USP Broker stand-in listens on the socket the agent's
 * Connect row dials. Records are built and read with the project's codec.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, USP_VERSION, type DecodedRecord } from '../../agent/codec/record.js';
import type { Request, Response, UspMsg } from '../../agent/codec/types.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { DEFAULT_MAX_FRAME_SIZE, errorFrame } from '../../mtp/uds/uds-framing.js';
import { AGENT_EID, CONTROLLER_EID, testDefaults, testSchema } from '../peers/agent-fixture.js';
import { freePort } from '../peers/TestController.js';
import { UdsTestListener, UdsTestPeer, leaveStaleSocket, waitFor } from '../peers/UdsTestPeer.js';

const BROKER_EID = 'proto::usp-broker';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Factory defaults: the usual test agent plus a Listen socket served through LocalAgent.MTP.2. */
function udsDefaults(listenPath: string, extra: DefaultsFile = {}): Promise<DefaultsFile> {
  return freePort().then((port) =>
    testDefaults(port, {
      'Device.UnixDomainSockets.UnixDomainSocket.1.Mode': 'Listen',
      'Device.UnixDomainSockets.UnixDomainSocket.1.Path': listenPath,
      'Device.LocalAgent.MTP.2.Enable': true,
      'Device.LocalAgent.MTP.2.Protocol': 'UDS',
      'Device.LocalAgent.MTP.2.UDS.UnixDomainSocketRef': 'Device.UnixDomainSockets.UnixDomainSocket.1',
      ...extra,
    }),
  );
}

async function startAgent(defaults: DefaultsFile, dataDir: string): Promise<Agent> {
  return Agent.start({ defaults, dataDir, platform: 'simulated', log: silentLogger, seed: 42, schema: testSchema() });
}

/** A USP endpoint on a UDS link, speaking through the project's codec. */
class UdsController {
  private seq = 0;
  constructor(
    readonly peer: UdsTestPeer,
    readonly endpointId: string,
  ) {}

  /** Every Record received, decoded. */
  get received(): DecodedRecord[] {
    return this.peer.records.map((r) => decodeRecord(r));
  }

  /** Messages in the no-session-context Records received. */
  get messages(): UspMsg[] {
    return this.received.flatMap((r) => (r.body.kind === 'noSessionContext' ? [decodeMsg(r.body.payload)] : []));
  }

  recordFor(msg: UspMsg): Uint8Array {
    return encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: this.endpointId }, encodeMsg(msg)));
  }

  /** Sends a request without waiting; returns its msg_id. */
  post(request: Request): string {
    const msgId = `uds-${++this.seq}`;
    this.peer.sendRecord(this.recordFor(requestMsg(msgId, request)));
    return msgId;
  }

  async answer(msgId: string, timeoutMs = 3000): Promise<UspMsg> {
    await waitFor(() => this.messages.some((m) => m.header.msgId === msgId), timeoutMs, `the answer to ${msgId}`);
    return this.messages.find((m) => m.header.msgId === msgId)!;
  }

  async send(request: Request): Promise<Response> {
    const m = await this.answer(this.post(request));
    if (m.body.msgBody !== 'response') throw new Error(`expected a response, got ${JSON.stringify(m.body)}`);
    return m.body.response;
  }

  async get(path: string): Promise<Record<string, string>> {
    const r = await this.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });
    if (r.respType !== 'getResp') throw new Error(r.respType);
    const [res] = r.getResp.reqPathResults;
    expect(res!.errCode ?? 0).toBe(0);
    return Object.assign({}, ...res!.resolvedPathResults!.map((x) => Object.fromEntries(Object.entries(x.resultParams).map(([k, v]) => [x.resolvedPath + k, v]))));
  }
}

/** Dials the agent, hands over the Handshake and waits for the Connect record. */
async function connectController(path: string, eid = CONTROLLER_EID): Promise<UdsController> {
  const peer = await UdsTestPeer.connect(path);
  peer.handshake(eid);
  await peer.waitForRecords(1);
  return new UdsController(peer, eid);
}

/** The framing header of a frame whose TLVs are `length` bytes long. */
function frameHeader(length: number): Uint8Array {
  const h = Uint8Array.of(0x5f, 0x55, 0x53, 0x50, 0, 0, 0, 0);
  new DataView(h.buffer).setUint32(4, length);
  return h;
}

describe('agent as UDS server (Mode Listen)', () => {
  let dir: string;
  let path: string;
  let agent: Agent;
  const open: UdsTestPeer[] = [];
  const track = (c: UdsController): UdsController => {
    open.push(c.peer);
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'usp-uds-'));
    path = join(dir, 'agent.sock');
    // The socket a crashed agent left behind is replaced at start.
    await leaveStaleSocket(path);
    expect(statSync(path).isSocket()).toBe(true);
    agent = await startAgent(await udsDefaults(path), join(dir, 'data'));
  });
  afterEach(() => {
    for (const p of open.splice(0)) p.socket.destroy();
  });
  afterAll(async () => {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exchanges Handshakes, then sends a UDSConnectRecord', async () => {
    const peer = await UdsTestPeer.connect(path);
    open.push(peer);
    peer.handshake(CONTROLLER_EID);
    const [connect] = await peer.waitForRecords(1);
    expect(peer.tlvs.map((t) => t.type)).toEqual(['handshake', 'record']);
    expect(peer.handshakes).toEqual([AGENT_EID]);
    expect(decodeRecord(connect!)).toMatchObject({ version: USP_VERSION, toId: CONTROLLER_EID, fromId: AGENT_EID, body: { kind: 'udsConnect' } });
  });

  it('answers a Get and a Set over the socket', async () => {
    const c = track(await connectController(path));
    expect(await c.get('Device.LocalAgent.EndpointID')).toEqual({ 'Device.LocalAgent.EndpointID': AGENT_EID });
    const set = await c.send({
      reqType: 'set',
      set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.Controller.1.', paramSettings: [{ param: 'ProvisioningCode', value: 'over-uds', required: true }] }] },
    });
    expect(set.respType).toBe('setResp');
    expect(await c.get('Device.LocalAgent.Controller.1.ProvisioningCode')).toEqual({ 'Device.LocalAgent.Controller.1.ProvisioningCode': 'over-uds' });
    // Every Record the agent sent on this link is addressed to the handshaken peer.
    expect(c.received.every((r) => r.toId === CONTROLLER_EID && r.fromId === AGENT_EID)).toBe(true);
  });

  it('serves its UDS configuration (UDSAgent:1) and lists UDS among its protocols', async () => {
    const c = track(await connectController(path));
    const sockets = await c.get('Device.UnixDomainSockets.');
    expect(sockets).toMatchObject({
      'Device.UnixDomainSockets.UnixDomainSocketNumberOfEntries': '1',
      'Device.UnixDomainSockets.UnixDomainSocket.1.Mode': 'Listen',
      'Device.UnixDomainSockets.UnixDomainSocket.1.Path': path,
    });
    expect(await c.get('Device.LocalAgent.MTP.2.UDS.UnixDomainSocketRef')).toEqual({ 'Device.LocalAgent.MTP.2.UDS.UnixDomainSocketRef': 'Device.UnixDomainSockets.UnixDomainSocket.1' });
    const protocols = (await c.get('Device.LocalAgent.SupportedProtocols'))['Device.LocalAgent.SupportedProtocols']!;
    expect(protocols.split(',')).toContain('UDS');
  });

  it('ignores Records sent before the handshake', async () => {
    const peer = await UdsTestPeer.connect(path);
    open.push(peer);
    const c = new UdsController(peer, CONTROLLER_EID);
    const early = c.post({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
    await sleep(200);
    expect(peer.tlvs).toEqual([]);
    peer.handshake(CONTROLLER_EID);
    const late = c.post({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
    await c.answer(late);
    await sleep(100);
    expect(c.received.map((r) => r.body.kind)).toEqual(['udsConnect', 'noSessionContext']);
    expect(c.messages.map((m) => m.header.msgId)).toEqual([late]);
    expect(early).not.toBe(late);
  });

  it('answers a garbage frame with an Error TLV and closes; the agent keeps serving', async () => {
    const c = track(await connectController(path));
    c.peer.write(new TextEncoder().encode('this is not a USP frame'));
    await c.peer.waitForClose();
    expect(c.peer.errors).toHaveLength(1);
    expect(c.peer.errors[0]).toMatch(/_USP|MAGIC/);
    const again = track(await connectController(path));
    expect(await again.get('Device.LocalAgent.EndpointID')).toEqual({ 'Device.LocalAgent.EndpointID': AGENT_EID });
  });

  it('refuses a frame over 1 MiB from its header, before the body arrives', async () => {
    const c = track(await connectController(path));
    c.peer.write(frameHeader(DEFAULT_MAX_FRAME_SIZE + 1));
    await c.peer.waitForClose();
    expect(c.peer.errors[0]).toMatch(/1048577.*1048576/);
  });

  it('closes the link when the peer sends an Error TLV', async () => {
    const c = track(await connectController(path));
    c.peer.write(errorFrame('controller going away'));
    await c.peer.waitForClose();
    expect(c.peer.errors).toEqual([]);
  });

  it('answers a handshaken peer whose records carry another from_id with nothing', async () => {
    const c = track(await connectController(path, 'proto::someone'));
    const impostor = new UdsController(c.peer, CONTROLLER_EID);
    const id = impostor.post({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
    await expect(impostor.answer(id, 300)).rejects.toThrow(/timed out/);
  });
});

describe('agent as UDS client (Mode Connect) to a USP Broker', () => {
  let dir: string;
  let broker: UdsTestListener;
  let agent: Agent | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'usp-uds-'));
  });
  afterAll(async () => {
    await agent?.stop();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dials the Broker, exchanges Handshakes, sends a UDSConnectRecord and answers a Get', async () => {
    const brokerPath = join(dir, 'broker.sock');
    broker = await UdsTestListener.listen(brokerPath);
    // The TR-369 Broker/USP Service set-up: the socket is named by the agent's MTP row and by
    // the row of the controller (the Broker) behind it; it is dialled once.
    agent = await startAgent(
      await udsDefaults(join(dir, 'agent.sock'), {
        'Device.UnixDomainSockets.UnixDomainSocket.2.Mode': 'Connect',
        'Device.UnixDomainSockets.UnixDomainSocket.2.Path': brokerPath,
        'Device.LocalAgent.MTP.3.Enable': true,
        'Device.LocalAgent.MTP.3.Protocol': 'UDS',
        'Device.LocalAgent.MTP.3.UDS.UnixDomainSocketRef': 'Device.UnixDomainSockets.UnixDomainSocket.2',
        'Device.LocalAgent.Controller.2.EndpointID': BROKER_EID,
        'Device.LocalAgent.Controller.2.Enable': true,
        'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
        'Device.LocalAgent.Controller.2.MTP.1.Enable': true,
        'Device.LocalAgent.Controller.2.MTP.1.Protocol': 'UDS',
        'Device.LocalAgent.Controller.2.MTP.1.UDS.UnixDomainSocketRef': 'Device.UnixDomainSockets.UnixDomainSocket.2',
      }),
      join(dir, 'data'),
    );
    const peer = await broker.nextPeer(0);
    await waitFor(() => peer.handshakes.length === 1, 3000, "the agent's Handshake");
    expect(peer.handshakes).toEqual([AGENT_EID]);
    expect(peer.records).toEqual([]); // nothing before the Broker's Handshake
    peer.handshake(BROKER_EID);
    const [connect] = await peer.waitForRecords(1);
    expect(decodeRecord(connect!)).toMatchObject({ toId: BROKER_EID, fromId: AGENT_EID, body: { kind: 'udsConnect' } });
    const c = new UdsController(peer, BROKER_EID);
    expect(await c.get('Device.LocalAgent.EndpointID')).toEqual({ 'Device.LocalAgent.EndpointID': AGENT_EID });
    await sleep(100);
    expect(broker.peers).toHaveLength(1);
  });

  it('redials within 1–5 s after the Broker drops the link', async () => {
    const first = await broker.nextPeer(0);
    first.socket.destroy();
    const t0 = Date.now();
    const second = await broker.nextPeer(1, 6000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    await waitFor(() => second.handshakes.length === 1, 2000, 'the Handshake on the new link');
    second.handshake(BROKER_EID);
    await second.waitForRecords(1);
    const c = new UdsController(second, BROKER_EID);
    expect(await c.get('Device.LocalAgent.EndpointID')).toEqual({ 'Device.LocalAgent.EndpointID': AGENT_EID });
  }, 10_000);
});

/**
 * The agent dialling a controller over wss (TR-369 "Check Cert" with the agent as TLS client):
 * the server certificate must chain to the agent's trust anchors and name either
 * the URL host, a local name, or the target controller's Endpoint ID; an Endpoint ID naming
 * another controller refuses the link; and the certificate feeds ControllerTrust, so a Credential
 * naming its CA gives the controller its Role as InheritedRole. Real TLS with the test PKI, a
 * real `ws` controller and the real agent.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, websocketConnectRecord, type DecodedRecord } from '../../agent/codec/record.js';
import type { Request, UspMsg } from '../../agent/codec/types.js';
import { createLogger, silentLogger } from '../../datamodel/Logger.js';
import { webSocketUrl } from '../../mtp/websocket/client-handshake.js';
import { controllerServerIdentity } from '../../mtp/websocket/server-identity.js';
import { WebSocketClientMtp } from '../../mtp/websocket/WebSocketClientMtp.js';
import { testDefaults, testSchema } from '../peers/agent-fixture.js';
import { waitUntil } from '../peers/controller-link.js';
import { TestController, freePort } from '../peers/TestController.js';
import { TEST_AGENT_EID, TEST_CONTROLLER_1_EID, TEST_CONTROLLER_2_EID, testPki, type TestCert, type TestPki } from '../peers/test-pki.js';

const TRUST = 'Device.LocalAgent.ControllerTrust.';

/** A controller's wss endpoint presenting `cert`: collects Records, sends requests over the agent's link. */
class WssController {
  readonly records: DecodedRecord[] = [];
  private socket?: WebSocket;
  private seq = 0;
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (p) => (p.has('v1.usp') ? 'v1.usp' : false) });

  constructor(cert: TestCert) {
    this.http = createHttpsServer({ cert: cert.cert, key: cert.key }, (_q, res) => res.writeHead(426).end());
    this.http.on('upgrade', (req, sock, head) =>
      this.wss.handleUpgrade(req, sock, head, (ws) => {
        this.socket = ws;
        ws.on('message', (d: Buffer) => this.records.push(decodeRecord(new Uint8Array(d))));
      }),
    );
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', () => r()));
    return (this.http.address() as { port: number }).port;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Sends `request` from `fromId` over the agent's connection; resolves with the answer. */
  async send(request: Request, fromId = TEST_CONTROLLER_1_EID): Promise<UspMsg> {
    const msgId = `wss-${++this.seq}`;
    this.socket!.send(encodeRecord(noSessionContextRecord({ toId: TEST_AGENT_EID, fromId }, encodeMsg(requestMsg(msgId, request)))));
    let found: UspMsg | undefined;
    await waitUntil(
      () => {
        for (const r of this.records) {
          if (r.body.kind !== 'noSessionContext') continue;
          const m = decodeMsg(r.body.payload);
          if (m.header.msgId === msgId) {
            found = m;
            return true;
          }
        }
        return false;
      },
      3000,
      `the answer to ${msgId}`,
    );
    return found!;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => {
      this.http.close(() => r());
      this.http.closeAllConnections();
    });
  }
}

let pki: TestPki;
beforeAll(() => {
  pki = testPki();
}, 60_000);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function controllerWith(cert: TestCert): Promise<{ fc: WssController; port: number }> {
  const fc = new WssController(cert);
  cleanups.push(() => fc.close());
  return { fc, port: await fc.listen() };
}

function dial(port: number, controllerEid: string, lines: string[] = []): WebSocketClientMtp {
  const connect = encodeRecord(websocketConnectRecord({ toId: controllerEid, fromId: TEST_AGENT_EID }));
  const client = new WebSocketClientMtp({
    url: webSocketUrl({ host: '127.0.0.1', port, path: '/usp', encrypt: true }),
    agentEndpointId: TEST_AGENT_EID,
    controllerEndpointId: controllerEid,
    retryMinimumWaitInterval: 30,
    tls: { ca: pki.ca.cert, cert: pki.agent.cert, key: pki.agent.key },
    connectRecord: () => connect,
    onRecord: () => undefined,
    log: createLogger('debug', 'test', (_l, line) => {
      lines.push(line);
    }),
  });
  cleanups.push(() => client.stop());
  return client;
}

describe('which server certificates the agent accepts when it dials (R-MTP.1, "Check Cert")', () => {
  it("a certificate carrying the target controller's Endpoint ID, without naming the host", async () => {
    // controller-1's certificate has only urn:bbf:usp:id:proto::controller-1, no IP or DNS name.
    const { fc, port } = await controllerWith(pki.controller1);
    const client = dial(port, TEST_CONTROLLER_1_EID);
    await client.start();
    await waitUntil(() => client.connectionFor(TEST_CONTROLLER_1_EID) !== undefined, 3000, 'the link');
    // The agent's side opens before its first Record reaches the controller: wait for that Record.
    await waitUntil(() => fc.records.length > 0, 3000, 'the first Record at the controller');
    expect(fc.records[0]?.body.kind).toBe('websocketConnect');
    const conn = client.connectionFor(TEST_CONTROLLER_1_EID)!;
    expect(conn.peerCertificate?.subject).toContain('CN=controller-1');
    expect(conn.peerCertificate?.issuer).toContain('USP Agent Test CA');
  });

  it('the same certificate is refused at the handshake when the agent dials another controller', async () => {
    const { fc, port } = await controllerWith(pki.controller1);
    const client = dial(port, TEST_CONTROLLER_2_EID);
    await client.start();
    await waitUntil(() => client.currentRetryCount === 1, 3000, 'the refused handshake');
    expect(fc.connected).toBe(false);
    expect(fc.records).toHaveLength(0);
  });

  it('a certificate that names the host but carries another Endpoint ID: the link is closed, nothing is sent', async () => {
    // The agent certificate names 127.0.0.1 and urn:bbf:usp:id:proto::agent-under-test.
    const { fc, port } = await controllerWith(pki.agent);
    const lines: string[] = [];
    const client = dial(port, TEST_CONTROLLER_1_EID, lines);
    await client.start();
    await waitUntil(() => client.currentRetryCount === 1, 3000, 'the refused link');
    expect(lines.some((l) => l.includes('controller certificate names another Endpoint ID'))).toBe(true);
    expect(fc.records).toHaveLength(0);
    expect(client.connectionFor(TEST_CONTROLLER_1_EID)).toBeUndefined();
  });

  it('local names (*.local, *.home.arpa) need not match the certificate; other names must', () => {
    const check = controllerServerIdentity(TEST_CONTROLLER_1_EID);
    const cert = { subject: { CN: 'x' }, subjectaltname: 'DNS:acs.example.com' } as unknown as PeerCertificate;
    expect(check('acs.example.com', cert)).toBeUndefined();
    expect(check('gateway-acs.home.arpa', cert)).toBeUndefined();
    expect(check('printer.local', cert)).toBeUndefined();
    expect(check('other.example.com', cert)).toBeInstanceOf(Error);
    const withEid = { subject: { CN: 'x' }, subjectaltname: `URI:urn:bbf:usp:id:${TEST_CONTROLLER_1_EID}` } as unknown as PeerCertificate;
    expect(check('other.example.com', withEid)).toBeUndefined();
    expect(controllerServerIdentity(TEST_CONTROLLER_2_EID)('other.example.com', withEid)).toBeInstanceOf(Error);
  });
});

describe("the dialled controller's certificate feeds ControllerTrust (InheritedRole, R-SEC.25)", () => {
  let agent: Agent;
  let admin: TestController;
  let fc: WssController;

  beforeAll(async () => {
    const c = new WssController(pki.controller1);
    const port = await c.listen();
    fc = c;
    const serverPort = await freePort();
    const P = 'Device.LocalAgent.Controller.1.MTP.1.';
    agent = await Agent.start({
      defaults: testDefaults(serverPort, {
        // controller-1 (dialled over wss) has no assigned role; controller-2 administers over ws.
        'Device.LocalAgent.Controller.1.AssignedRole': '',
        [`${P}Enable`]: true,
        [`${P}Protocol`]: 'WebSocket',
        [`${P}WebSocket.Host`]: '127.0.0.1',
        [`${P}WebSocket.Port`]: port,
        [`${P}WebSocket.Path`]: '/usp',
        [`${P}WebSocket.EnableEncryption`]: true,
        'Device.LocalAgent.Controller.2.EndpointID': TEST_CONTROLLER_2_EID,
        'Device.LocalAgent.Controller.2.Enable': true,
        'Device.LocalAgent.Controller.2.AssignedRole': `${TRUST}Role.1`,
        [`${TRUST}Role.2.Name`]: 'Reader',
        [`${TRUST}Role.2.Enable`]: true,
        [`${TRUST}Role.2.Permission.1.Enable`]: true,
        [`${TRUST}Role.2.Permission.1.Order`]: 1,
        [`${TRUST}Role.2.Permission.1.Targets`]: 'Device.LocalAgent.',
        [`${TRUST}Role.2.Permission.1.Param`]: 'r---',
        [`${TRUST}Role.2.Permission.1.Obj`]: 'r---',
        [`${TRUST}Role.2.Permission.1.InstantiatedObj`]: 'r---',
      }),
      platform: 'none',
      log: silentLogger,
      schema: testSchema(),
      tls: { cert: pki.agent.certFile, key: pki.agent.keyFile, ca: pki.ca.certFile },
    });
    admin = await TestController.connect(`ws://127.0.0.1:${serverPort}/usp`, TEST_CONTROLLER_2_EID, TEST_AGENT_EID);
    await waitUntil(() => fc.connected, 5000, 'the agent to dial controller-1');
  }, 30_000);
  afterAll(async () => {
    await admin?.close();
    await agent?.stop();
    await fc?.close();
  });

  async function read(c: { send(r: Request): Promise<UspMsg> }, path: string): Promise<string | number> {
    const m = await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });
    if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(JSON.stringify(m.body));
    const [res] = m.body.response.getResp.reqPathResults;
    return res.errCode || res.resolvedPathResults![0].resultParams[path.slice(path.lastIndexOf('.') + 1)];
  }
  async function ok(m: Promise<UspMsg>): Promise<void> {
    const r = await m;
    expect(r.body.msgBody).toBe('response');
  }

  it('without a Credential the controller has only its (empty) AssignedRole', async () => {
    expect(await read(fc, 'Device.LocalAgent.EndpointID')).toBe(7026);
    expect(await read(admin, 'Device.LocalAgent.Controller.1.InheritedRole')).toBe('');
  });

  it('a Credential (MTP-and-USP) naming the CA of its server certificate gives it that Role', async () => {
    await ok(
      admin.send({ reqType: 'operate', operate: { command: 'Device.LocalAgent.AddCertificate()', commandKey: 'k', sendResp: true, inputArgs: { Certificate: pki.ca.cert, Alias: 'test-ca' } } }),
    );
    const rows = await admin.send({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.Certificate.[Alias=="test-ca"].Alias'], maxDepth: 0 } });
    if (rows.body.msgBody !== 'response' || rows.body.response.respType !== 'getResp') throw new Error('no certificate row');
    const certRow = rows.body.response.getResp.reqPathResults[0].resolvedPathResults![0].resolvedPath.slice(0, -1);
    await ok(
      admin.send({
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: `${TRUST}Credential.`,
              paramSettings: [
                { param: 'Enable', value: 'true', required: true },
                { param: 'Role', value: `${TRUST}Role.2`, required: true },
                { param: 'Credential', value: certRow, required: true },
                { param: 'AllowedUses', value: 'MTP-and-USP', required: true },
              ],
            },
          ],
        },
      }),
    );
    expect(await read(fc, 'Device.LocalAgent.EndpointID')).toBe(TEST_AGENT_EID);
    expect(await read(fc, 'Device.LocalAgent.Controller.2.AssignedRole')).toBe(`${TRUST}Role.1`);
    expect(await read(fc, 'Device.MQTT.Capabilities.ProtocolVersionsSupported')).toBe(7026);
    expect(await read(admin, 'Device.LocalAgent.Controller.1.InheritedRole')).toBe(`${TRUST}Role.2`);
  });
});

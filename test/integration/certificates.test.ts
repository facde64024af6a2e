/**
 * Device.LocalAgent certificates and certificate trust against the real agent over mutual TLS
 * (TR-181 LocalAgent:1 Certificate, AddCertificate(), GetFingerprint(); Controllers:1 Credential,
 * InheritedRole, AddMyCertificate(); ControllerTrust:1 Credential; TR-369 R-SEC.21/25; TP-469
 * 9.2): adding a certificate grants nothing; a Credential naming the CA that validated a
 * controller's certificate gives it that Credential's Role as InheritedRole, for the current
 * connection only; Controller.{i}.Credential pins a controller's certificates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import { decodeMsg, encodeMsg, requestMsg } from '../../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../../agent/codec/record.js';
import type { OperationResult, Request, UspMsg } from '../../agent/codec/types.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { createLogger } from '../../datamodel/Logger.js';
import { freePort } from '../peers/TestController.js';
import { AGENT_EID, testDefaults, testSchema } from '../peers/agent-fixture.js';
import { TEST_CONTROLLER_1_EID as C1, TEST_CONTROLLER_2_EID as C2, testPki, type TestCert } from '../peers/test-pki.js';
import { cmdFailureCode, operateOne, outputArgs } from '../peers/operate.js';

const pki = testPki();
const LA = 'Device.LocalAgent.';
const ROLE = 'Device.LocalAgent.ControllerTrust.Role';
const TRUST = 'Device.LocalAgent.ControllerTrust.';

// ---- the agent over mutual TLS, with a log we can read -----------------------------------------

interface TlsAgent {
  agent: Agent;
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

/** Role.2 "Reader": reads Device.LocalAgent except ControllerTrust, writes nothing. */
const READER_ROLE: DefaultsFile = {
  [`${ROLE}.2.Name`]: 'Reader',
  [`${ROLE}.2.Enable`]: true,
  [`${ROLE}.2.Permission.1.Enable`]: true,
  [`${ROLE}.2.Permission.1.Order`]: 1,
  [`${ROLE}.2.Permission.1.Targets`]: LA,
  [`${ROLE}.2.Permission.1.Param`]: 'r---',
  [`${ROLE}.2.Permission.1.Obj`]: 'r---',
  [`${ROLE}.2.Permission.1.InstantiatedObj`]: 'r---',
  [`${ROLE}.2.Permission.1.CommandEvent`]: 'r---',
  [`${ROLE}.2.Permission.2.Enable`]: true,
  [`${ROLE}.2.Permission.2.Order`]: 2,
  [`${ROLE}.2.Permission.2.Targets`]: TRUST,
  [`${ROLE}.2.Permission.2.Param`]: '----',
  [`${ROLE}.2.Permission.2.Obj`]: '----',
  [`${ROLE}.2.Permission.2.InstantiatedObj`]: '----',
  [`${ROLE}.2.Permission.2.CommandEvent`]: '----',
};

async function startTlsAgent(dataDir: string): Promise<TlsAgent> {
  const port = await freePort();
  const logs: string[] = [];
  const log = createLogger('debug', 'agent', (_lvl, line) => {
    logs.push(line);
  });
  const defaults = testDefaults(port, {
    'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': true,
    // Unknown controllers get nothing of their own: what they can do comes from certificates.
    [`${TRUST}UntrustedRole`]: '',
    ...READER_ROLE,
  });
  const agent = await Agent.start({
    defaults,
    dataDir,
    platform: 'none',
    log,
    schema: testSchema(),
    tls: { cert: pki.agent.certFile, key: pki.agent.keyFile, ca: pki.ca.certFile },
  });
  const bound = agent.webSocketServers[0]?.port ?? port;
  return { agent, url: `wss://127.0.0.1:${bound}/usp`, logs, stop: () => agent.stop() };
}

// ---- a wss controller with its own certificate --------------------------------------------------

class WssController {
  private seq = 0;
  private readonly waiting = new Map<string, (m: UspMsg) => void>();

  private constructor(
    readonly ws: WebSocket,
    readonly eid: string,
  ) {
    ws.on('message', (data: Buffer, binary) => {
      if (!binary) return;
      const rec = decodeRecord(new Uint8Array(data));
      if (rec.body.kind !== 'noSessionContext') return;
      const msg = decodeMsg(rec.body.payload);
      this.waiting.get(msg.header.msgId)?.(msg);
    });
  }

  /** `query`: send `eid` in the URL too (a certificate without an Endpoint ID needs it). */
  static async connect(url: string, client: TestCert, eid: string, query = false): Promise<WssController> {
    const ws = new WebSocket(query ? `${url}?eid=${encodeURIComponent(eid)}` : url, 'v1.usp', { ca: pki.ca.cert, cert: client.cert, key: client.key });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WssController(ws, eid);
  }

  /** The answer to `request`, or undefined when none comes within `timeoutMs` (a dropped Record). */
  async trySend(request: Request, timeoutMs = 3000): Promise<UspMsg | undefined> {
    const msgId = `cert-${++this.seq}`;
    const answer = new Promise<UspMsg | undefined>((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(msgId);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(msgId, (m) => {
        clearTimeout(t);
        this.waiting.delete(msgId);
        resolve(m);
      });
    });
    this.ws.send(encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: this.eid }, encodeMsg(requestMsg(msgId, request)))), { binary: true });
    return answer;
  }

  async send(request: Request): Promise<UspMsg> {
    const m = await this.trySend(request);
    if (!m) throw new Error(`no answer from the agent to ${this.eid}`);
    return m;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => {
      this.ws.once('close', () => r());
      this.ws.close();
    });
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function response(m: UspMsg) {
  if (m.body.msgBody !== 'response') throw new Error(`expected a response, got ${JSON.stringify(m.body)}`);
  return m.body.response;
}
const getReq = (path: string): Request => ({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });

/** One parameter's value, or the Get error code. */
async function value(c: WssController, path: string): Promise<string | { err: number }> {
  const r = response(await c.send(getReq(path)));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const [res] = r.getResp.reqPathResults;
  if (res.errCode) return { err: res.errCode };
  if (res.resolvedPathResults!.length === 0) return { err: 0 };
  return res.resolvedPathResults![0].resultParams[path.slice(path.lastIndexOf('.') + 1)];
}

/** Every parameter of each object matching `path`, by object path. */
async function objects(c: WssController, path: string): Promise<Record<string, Record<string, string>>> {
  const r = response(await c.send(getReq(path)));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return Object.fromEntries((r.getResp.reqPathResults[0].resolvedPathResults ?? []).map((x) => [x.resolvedPath, x.resultParams]));
}

const operate = (c: WssController, command: string, inputArgs: Record<string, string> = {}): Promise<OperationResult> => operateOne(c, command, inputArgs, 'cert-test');
const failure = cmdFailureCode;
const outputs = outputArgs;

/** Sets parameters of one object; undefined on success, else the (first parameter's) error code. */
async function set(c: WssController, objPath: string, params: Record<string, string>): Promise<number | undefined> {
  const m = await c.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, v]) => ({ param, value: v, required: true })) }] } });
  if (m.body.msgBody === 'error') return m.body.error.paramErrs?.[0]?.errCode ?? m.body.error.errCode;
  return undefined;
}

async function add(c: WssController, objPath: string, params: Record<string, string>): Promise<string> {
  const r = response(
    await c.send({ reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath, paramSettings: Object.entries(params).map(([param, v]) => ({ param, value: v, required: true })) }] } }),
  );
  if (r.respType !== 'addResp') throw new Error(r.respType);
  const st = r.addResp.createdObjResults[0].operStatus;
  if (st.operStatus !== 'operSuccess') throw new Error(JSON.stringify(st));
  return st.operSuccess.instantiatedPath;
}

/** The Certificate row (path with the trailing dot) holding `cert`, found by its SerialNumber. */
async function certificateRow(c: WssController, cert: TestCert): Promise<string> {
  const serial = opensslField(cert.cert, '-serial');
  const rows = await objects(c, `${LA}Certificate.[SerialNumber=="${serial}"].`);
  const paths = Object.keys(rows);
  expect(paths).toHaveLength(1);
  return paths[0];
}

function opensslField(pem: string, flag: string): string {
  const out = execFileSync('openssl', ['x509', '-noout', flag], { input: pem, encoding: 'utf8' }).trim();
  return out.slice(out.indexOf('=') + 1);
}

const noSlash = (p: string): string => p.replace(/\.$/, '');
const count = (logs: string[], text: string): number => logs.filter((l) => l.includes(text)).length;

// ---- the tests ---------------------------------------------------------------------------------

let dataDir: string;
let f: TlsAgent;
let c1: WssController;
const peers: WssController[] = [];

async function connect(client: TestCert, eid: string, query = false): Promise<WssController> {
  const c = await WssController.connect(f.url, client, eid, query);
  peers.push(c);
  return c;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-certs-'));
  f = await startTlsAgent(dataDir);
  c1 = await connect(pki.controller1, C1);
});
afterAll(async () => {
  for (const p of peers) await p.close();
  await f?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Device.LocalAgent.Certificate and AddCertificate()', () => {
  it('lists the fingerprint algorithms of the schema', async () => {
    expect(await value(c1, `${LA}SupportedFingerprintAlgorithms`)).toBe('SHA-1,SHA-224,SHA-256,SHA-384,SHA-512');
    expect(await value(c1, `${LA}CertificateNumberOfEntries`)).toBe('0');
  });

  it('adds a row with SerialNumber and Issuer from the PEM, and nothing else of it', async () => {
    expect(outputs(await operate(c1, `${LA}AddCertificate()`, { Certificate: pki.ca.cert, Alias: 'test-ca' }))).toEqual({});
    const rows = await objects(c1, `${LA}Certificate.`);
    expect(Object.values(rows)).toEqual([
      {
        Alias: 'test-ca',
        Enable: 'true',
        SerialNumber: opensslField(pki.ca.cert, '-serial'),
        Issuer: 'CN=USP Agent Test CA',
      },
    ]);
    expect(await value(c1, `${LA}CertificateNumberOfEntries`)).toBe('1');
    // Without an Alias the agent makes one.
    expect(outputs(await operate(c1, `${LA}AddCertificate()`, { Certificate: pki.multiUri.cert }))).toEqual({});
    const row = await certificateRow(c1, pki.multiUri);
    expect(await value(c1, `${row}Alias`)).toMatch(/^cpe-\d+$/);
  });

  it('refuses the same SerialNumber+Issuer or the same Alias again (7025), and leaves the table as it was', async () => {
    const dup = await operate(c1, `${LA}AddCertificate()`, { Certificate: pki.ca.cert, Alias: 'again' });
    expect(failure(dup)).toBe(7025);
    expect(dup.operationResp === 'cmdFailure' && dup.cmdFailure.errMsg).toMatch(/SerialNumber\+Issuer/);
    expect(failure(await operate(c1, `${LA}AddCertificate()`, { Certificate: pki.controller2.cert, Alias: 'test-ca' }))).toBe(7025);
    expect(await value(c1, `${LA}CertificateNumberOfEntries`)).toBe('2');
  });

  it('refuses what is not one PEM certificate (7027)', async () => {
    expect(failure(await operate(c1, `${LA}AddCertificate()`, { Certificate: 'hello' }))).toBe(7027);
    expect(failure(await operate(c1, `${LA}AddCertificate()`, { Certificate: pki.controller2.key }))).toBe(7027);
    expect(failure(await operate(c1, `${LA}AddCertificate()`, { Certificate: `${pki.controller2.cert}${pki.controller1.cert}` }))).toBe(7027);
    expect(failure(await operate(c1, `${LA}AddCertificate()`, { Alias: 'no-pem' }))).toBe(7027);
    expect(await value(c1, `${LA}CertificateNumberOfEntries`)).toBe('2');
  });

  it('refuses an Alias for the new row that does not start with a letter (7027, the Alias rule of TP-469 1.88), and adds nothing', async () => {
    for (const alias of ['1-ca', '-ca']) {
      const r = await operate(c1, `${LA}AddCertificate()`, { Certificate: pki.controller2.cert, Alias: alias });
      expect(failure(r), alias).toBe(7027);
      expect(r.operationResp === 'cmdFailure' && r.cmdFailure.errMsg).toMatch(/Alias.*must start with a letter/);
    }
    expect(await value(c1, `${LA}CertificateNumberOfEntries`)).toBe('2');
  });

  it('GetFingerprint() equals openssl x509 -fingerprint of the same PEM', async () => {
    const row = await certificateRow(c1, pki.ca);
    for (const [alg, flag] of [
      ['SHA-256', '-sha256'],
      ['SHA-1', '-sha1'],
      ['SHA-224', '-sha224'],
      ['SHA-384', '-sha384'],
      ['SHA-512', '-sha512'],
    ]) {
      const fp = outputs(await operate(c1, `${row}GetFingerprint()`, { FingerprintAlgorithm: alg })).Fingerprint;
      const expected = execFileSync('openssl', ['x509', '-noout', '-fingerprint', flag], { input: pki.ca.cert, encoding: 'utf8' }).trim();
      expect(fp, alg).toBe(expected.slice(expected.indexOf('=') + 1).replace(/:/g, ''));
    }
    expect(failure(await operate(c1, `${row}GetFingerprint()`, { FingerprintAlgorithm: 'MD5' }))).toBe(7027);
    expect(failure(await operate(c1, `${row}GetFingerprint()`))).toBe(7027);
  });

  it('is readOnly for controllers: no Add, no Delete message (Delete() is the way)', async () => {
    const m = await c1.send({ reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath: `${LA}Certificate.`, paramSettings: [] }] } });
    expect(m.body.msgBody === 'error' && m.body.error.errCode).toBe(7019);
    const row = await certificateRow(c1, pki.ca);
    const d = await c1.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [row] } });
    expect(d.body.msgBody === 'error' && d.body.error.errCode).toBe(7024);
    expect(await value(c1, `${LA}CertificateNumberOfEntries`)).toBe('2');
  });
});

describe('ControllerTrust.Credential: InheritedRole from the CA that validated the certificate', () => {
  let c2Row: string;

  it('a certificate in the table grants nothing by itself (TP-469 9.2)', async () => {
    const c2 = await connect(pki.controller2, C2);
    expect(await value(c2, `${LA}EndpointID`)).toEqual({ err: 7026 });
    c2Row = noSlash(Object.keys(await objects(c1, `${LA}Controller.[EndpointID=="${C2}"].`))[0]);
    expect(await value(c1, `${c2Row}.AssignedRole`)).toBe('');
    expect(await value(c1, `${c2Row}.InheritedRole`)).toBe('');
  });

  it("a Credential naming the CA gives its Role as InheritedRole, with exactly that role's rights", async () => {
    const ca = noSlash(await certificateRow(c1, pki.ca));
    await add(c1, `${TRUST}Credential.`, { Alias: 'test-ca', Enable: 'true', Role: `${ROLE}.2`, Credential: ca, AllowedUses: 'MTP-and-USP' });
    const c2 = await connect(pki.controller2, C2);
    expect(await value(c2, `${LA}EndpointID`)).toBe(AGENT_EID);
    expect(await value(c1, `${c2Row}.InheritedRole`)).toBe(`${ROLE}.2`);
    expect(await value(c1, `${c2Row}.AssignedRole`)).toBe('');
    // Outside the role: ControllerTrust is absent, and nothing is writable.
    expect(await value(c2, `${TRUST}UntrustedRole`)).toEqual({ err: 7026 });
    expect(Object.keys(await objects(c2, LA)).some((p) => p.startsWith(TRUST))).toBe(false);
    expect(await set(c2, LA, { MaxSubscriptionChangeAdoptionTime: '60' })).toBe(7006);
    // Controller-1 (full access, Role.1) is unaffected: its own certificate gives it Role.2 too.
    expect(await value(c1, `${TRUST}UntrustedRole`)).toBe('');
  });

  it('MTP-only credentials authorise the connection but give no Role', async () => {
    expect(await set(c1, `${TRUST}Credential.1.`, { AllowedUses: 'MTP-only' })).toBeUndefined();
    const c2 = await connect(pki.controller2, C2);
    expect(await value(c2, `${LA}EndpointID`)).toEqual({ err: 7026 });
    expect(await value(c1, `${c2Row}.InheritedRole`)).toBe('');
    expect(await set(c1, `${TRUST}Credential.1.`, { AllowedUses: 'MTP-and-USP' })).toBeUndefined();
  });

  it('InheritedRole belongs to the current connection: decided again on reconnect', async () => {
    const withRole = await connect(pki.controller2, C2);
    expect(await value(withRole, `${LA}EndpointID`)).toBe(AGENT_EID);
    expect(await value(c1, `${c2Row}.InheritedRole`)).toBe(`${ROLE}.2`);
    expect(await set(c1, `${TRUST}Credential.1.`, { Enable: 'false' })).toBeUndefined();
    const without = await connect(pki.controller2, C2);
    expect(await value(without, `${LA}EndpointID`)).toEqual({ err: 7026 });
    expect(await value(c1, `${c2Row}.InheritedRole`)).toBe('');
    expect(await set(c1, `${TRUST}Credential.1.`, { Enable: 'true' })).toBeUndefined();
  });
});

describe('a certificate that names no Endpoint ID proves none (R-SEC.0a; DIGEST §6.3)', () => {
  // Credential.1 (the test CA, Role.2 Reader, MTP-and-USP) is enabled here, as the describe above left it.

  it('cannot speak for a controller that holds an AssignedRole: its Records are dropped', async () => {
    const dropped = count(f.logs, 'record dropped: certificate not accepted');
    // While controller-1 is connected with its own certificate, the claim cannot even replace it.
    await expect(WssController.connect(f.url, pki.noSan, C1, true)).rejects.toThrow(/409/);
    await c1.close();
    const thief = await connect(pki.noSan, C1, true);
    expect(await thief.trySend(getReq(`${TRUST}UntrustedRole`), 500)).toBeUndefined();
    expect(count(f.logs, 'record dropped: certificate not accepted')).toBe(dropped + 1);
    expect(f.logs.filter((l) => l.includes('record dropped: certificate not accepted')).at(-1)).toContain('names no Endpoint ID');
    await thief.close();
    c1 = await connect(pki.controller1, C1);
  });

  it('with no eid beside it, the upgrade is refused with 400', async () => {
    await expect(WssController.connect(f.url, pki.noSan, 'proto::nobody')).rejects.toThrow(/400/);
  });

  it('earns only the Role a CA Credential gives, for an Endpoint ID whose row holds no AssignedRole', async () => {
    const eid = 'proto::no-san';
    const c = await connect(pki.noSan, eid, true);
    expect(await value(c, `${LA}EndpointID`)).toBe(AGENT_EID);
    expect(await set(c, LA, { MaxSubscriptionChangeAdoptionTime: '60' })).toBe(7006);
    const row = noSlash(Object.keys(await objects(c1, `${LA}Controller.[EndpointID=="${eid}"].`))[0]);
    expect(await value(c1, `${row}.AssignedRole`)).toBe('');
    // Once that row is given rights of its own, the certificate no longer proves enough.
    expect(await set(c1, `${row}.`, { AssignedRole: `${ROLE}.1` })).toBeUndefined();
    const again = await connect(pki.noSan, eid, true);
    expect(await again.trySend(getReq(`${LA}EndpointID`), 500)).toBeUndefined();
  });

  it('speaks for a controller whose Credential pins that very certificate', async () => {
    const eid = 'proto::pinned-no-san';
    expect(outputs(await operate(c1, `${LA}AddCertificate()`, { Certificate: pki.noSan.cert, Alias: 'no-san' }))).toEqual({});
    const cert = noSlash(await certificateRow(c1, pki.noSan));
    await add(c1, `${LA}Controller.`, { EndpointID: eid, Enable: 'true', AssignedRole: `${ROLE}.1`, Credential: cert });
    const c = await connect(pki.noSan, eid, true);
    expect(await value(c, `${TRUST}UntrustedRole`)).toBe('');
    // Leave the Certificate table as the next tests expect it.
    expect(outputs(await operate(c1, `${cert}.Delete()`))).toEqual({});
  });
});

describe('Controller.{i}.Credential pins certificates; AddMyCertificate()', () => {
  let c2Row: string;

  it('a connection presenting another certificate for a pinned controller is refused', async () => {
    c2Row = noSlash(Object.keys(await objects(c1, `${LA}Controller.[EndpointID=="${C2}"].`))[0]);
    // Controller-2 may now do anything, so it can call AddMyCertificate() below.
    expect(await set(c1, `${c2Row}.`, { AssignedRole: `${ROLE}.1` })).toBeUndefined();
    // The multiUri certificate also names controller-2 (its first USP URN).
    const pinned = noSlash(await certificateRow(c1, pki.multiUri));
    expect(await set(c1, `${c2Row}.`, { Credential: pinned })).toBeUndefined();
    const dropped = count(f.logs, 'record dropped: certificate not accepted');
    const wrong = await connect(pki.controller2, C2);
    expect(await wrong.trySend(getReq(`${LA}EndpointID`), 500)).toBeUndefined();
    expect(count(f.logs, 'record dropped: certificate not accepted')).toBe(dropped + 1);
    const right = await connect(pki.multiUri, C2);
    expect(await value(right, `${LA}EndpointID`)).toBe(AGENT_EID);
  });

  it('AddMyCertificate() adds a certificate for the calling controller only', async () => {
    const me = await connect(pki.multiUri, C2);
    expect(failure(await operate(c1, `${c2Row}.AddMyCertificate()`, { Certificate: pki.controller2.cert }))).toBe(7006);
    // A certificate naming another Endpoint ID could never identify controller-2.
    expect(failure(await operate(me, `${c2Row}.AddMyCertificate()`, { Certificate: pki.controller1.cert }))).toBe(7027);
    // The new row's Alias follows the Alias rule (TP-469 1.88): refused, nothing added.
    expect(failure(await operate(me, `${c2Row}.AddMyCertificate()`, { Certificate: pki.controller2.cert, Alias: '2-renewed' }))).toBe(7027);
    expect(outputs(await operate(me, `${c2Row}.AddMyCertificate()`, { Certificate: pki.controller2.cert, Alias: 'c2-renewed' }))).toEqual({});
    const added = noSlash(await certificateRow(c1, pki.controller2));
    expect(await value(c1, `${added}.Alias`)).toBe('c2-renewed');
    expect(String(await value(c1, `${c2Row}.Credential`)).split(',')).toEqual([noSlash(await certificateRow(c1, pki.multiUri)), added]);
    // Its other certificate works again.
    const renewed = await connect(pki.controller2, C2);
    expect(await value(renewed, `${LA}EndpointID`)).toBe(AGENT_EID);
  });

  it('Certificate.{i}.Delete() removes the row and every reference to it', async () => {
    const multi = noSlash(await certificateRow(c1, pki.multiUri));
    expect(outputs(await operate(c1, `${multi}.Delete()`))).toEqual({});
    expect(await objects(c1, `${multi}.`)).toEqual({});
    expect(await value(c1, `${c2Row}.Credential`)).toBe(noSlash(await certificateRow(c1, pki.controller2)));
    // Now pinned to controller-2's own certificate only.
    const unpinned = await connect(pki.multiUri, C2);
    expect(await unpinned.trySend(getReq(`${LA}EndpointID`), 500)).toBeUndefined();
    const ca = noSlash(await certificateRow(c1, pki.ca));
    expect(outputs(await operate(c1, `${ca}.Delete()`))).toEqual({});
    expect(await value(c1, `${TRUST}Credential.1.Credential`)).toBe('');
    expect(await value(c1, `${LA}CertificateNumberOfEntries`)).toBe('1');
  });
});

describe('after a restart', () => {
  it('keeps the Certificate rows with their certificates, and forgets InheritedRole (R-SEC.21)', async () => {
    for (const p of peers.splice(0)) await p.close();
    // Trust the CA again, so controller-2 inherits Role.2 before the restart.
    c1 = await connect(pki.controller1, C1);
    expect(outputs(await operate(c1, `${LA}AddCertificate()`, { Certificate: pki.ca.cert, Alias: 'ca-again' }))).toEqual({});
    expect(await set(c1, `${TRUST}Credential.1.`, { Credential: noSlash(await certificateRow(c1, pki.ca)) })).toBeUndefined();
    const c2Row = noSlash(Object.keys(await objects(c1, `${LA}Controller.[EndpointID=="${C2}"].`))[0]);
    expect(await set(c1, `${c2Row}.`, { AssignedRole: '' })).toBeUndefined();
    const c2 = await connect(pki.controller2, C2);
    expect(await value(c2, `${LA}EndpointID`)).toBe(AGENT_EID);
    expect(await value(c1, `${c2Row}.InheritedRole`)).toBe(`${ROLE}.2`);
    const fingerprint = outputs(await operate(c1, `${noSlash(await certificateRow(c1, pki.ca))}.GetFingerprint()`, { FingerprintAlgorithm: 'SHA-256' })).Fingerprint;

    for (const p of peers.splice(0)) await p.close();
    await f.stop();
    f = await startTlsAgent(dataDir);
    c1 = await connect(pki.controller1, C1);
    expect(await value(c1, `${c2Row}.InheritedRole`)).toBe('');
    const row = noSlash(await certificateRow(c1, pki.ca));
    expect(outputs(await operate(c1, `${row}.GetFingerprint()`, { FingerprintAlgorithm: 'SHA-256' })).Fingerprint).toBe(fingerprint);
    const again = await connect(pki.controller2, C2);
    expect(await value(again, `${LA}EndpointID`)).toBe(AGENT_EID);
    expect(await value(c1, `${c2Row}.InheritedRole`)).toBe(`${ROLE}.2`);
  });
});

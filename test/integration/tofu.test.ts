/**
 * Trust on first use on the agent's wss server (TR-181 ControllerTrust.TOFUAllowed and
 * TOFUInactivityTimer; TR-369 "Check Cert" step 4 and "Determine Role"): with TOFU allowed, a
 * controller presenting a self-signed certificate (or one from an unknown CA) that carries its
 * Endpoint ID is accepted, gets UntrustedRole, and has that certificate pinned to its Controller
 * row, so a different certificate claiming the same Endpoint ID is refused afterwards. Expired or
 * missing certificates are refused as without TOFU; a TOFU connection with no USP Record for
 * TOFUInactivityTimer seconds is torn down; turning TOFUAllowed off refuses the next handshake.
 */
import { X509Certificate } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request, UspMsg } from '../../agent/codec/types.js';
import { createBootstrapCertificate } from '../../mtp/tls/bootstrap-cert.js';
import { AGENT_EID } from '../peers/agent-fixture.js';
import { waitUntil } from '../peers/controller-link.js';
import { TEST_CONTROLLER_1_EID as C1, testPki, type TestCert } from '../peers/test-pki.js';
import { endpointIdIn, openWss, peer, pkiFiles, startTlsAgent, type TlsAgent, type WssPeer } from '../peers/wss-agent.js';

const TRUST = 'Device.LocalAgent.ControllerTrust.';
const TOFU_EID = 'proto::tofu-controller';
const pki = testPki();
const count = (logs: string[], text: string): number => logs.filter((l) => l.includes(text)).length;

/** A self-signed certificate carrying `eid`, as a controller without a PKI would make one. */
async function selfSigned(eid: string): Promise<TestCert> {
  const { cert, key } = await createBootstrapCertificate(eid, new Date());
  return { cert, key, certFile: '', keyFile: '' };
}

let f: TlsAgent;
let admin: WssPeer;
let first: TestCert;

/** A parameter as the CA-verified admin (controller-1, Role.1) reads it. */
async function adminRead(path: string): Promise<string | undefined> {
  const [res] = await adminGet([path]);
  return res?.resolvedPathResults?.[0]?.resultParams[path.slice(path.lastIndexOf('.') + 1)];
}
async function adminGet(paths: string[]) {
  const m = await adminSend({ reqType: 'get', get: { paramPaths: paths, maxDepth: 0 } });
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(JSON.stringify(m.body));
  return m.body.response.getResp.reqPathResults;
}
async function adminSend(request: Request): Promise<UspMsg> {
  const m = await admin.send(request);
  if (!m) throw new Error('the admin got no answer');
  return m;
}
async function adminSet(objPath: string, param: string, value: string): Promise<void> {
  const m = await adminSend({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: [{ param, value, required: true }] }] } });
  expect(m.body.msgBody).toBe('response');
}

beforeAll(async () => {
  first = await selfSigned(TOFU_EID);
  f = await startTlsAgent({
    tls: pkiFiles,
    extra: {
      [`${TRUST}TOFUAllowed`]: true,
      [`${TRUST}TOFUInactivityTimer`]: 1,
      // Controllers accepted on first use may read Device.LocalAgent. and nothing else.
      [`${TRUST}UntrustedRole`]: `${TRUST}Role.2`,
      [`${TRUST}Role.2.Name`]: 'Untrusted',
      [`${TRUST}Role.2.Enable`]: true,
      [`${TRUST}Role.2.Permission.1.Enable`]: true,
      [`${TRUST}Role.2.Permission.1.Order`]: 1,
      [`${TRUST}Role.2.Permission.1.Targets`]: 'Device.LocalAgent.',
      [`${TRUST}Role.2.Permission.1.Param`]: 'r---',
      [`${TRUST}Role.2.Permission.1.Obj`]: 'r---',
      [`${TRUST}Role.2.Permission.1.InstantiatedObj`]: 'r---',
    },
  });
  admin = await peer(f.url, pki.controller1, C1, C1);
}, 30_000);
afterAll(async () => {
  await admin?.close();
  await f?.close();
});

describe('TOFUAllowed: a self-signed controller certificate', () => {
  it('is accepted; the controller gets UntrustedRole and its certificate pinned as its Credential', async () => {
    const p = await peer(f.url, first, TOFU_EID);
    try {
      expect(count(f.logs, 'client certificate trusted on first use')).toBeGreaterThanOrEqual(1);
      expect(endpointIdIn(await p.get())).toBe(AGENT_EID);
      // UntrustedRole (Role.2) may not write.
      const set = await p.send({
        reqType: 'set',
        set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.', paramSettings: [{ param: 'MaxSubscriptionChangeAdoptionTime', value: '9', required: true }] }] },
      });
      expect(set?.body.msgBody === 'error' ? set.body.error.paramErrs?.[0]?.errCode : set?.body.msgBody).toBe(7006);
      expect(await adminRead('Device.LocalAgent.MaxSubscriptionChangeAdoptionTime')).not.toBe('9');
      const row = `Device.LocalAgent.Controller.[EndpointID=="${TOFU_EID}"].`;
      expect(await adminRead(`${row}AssignedRole`)).toBe(`${TRUST}Role.2`);
      const credential = await adminRead(`${row}Credential`);
      expect(credential).toMatch(/^Device\.LocalAgent\.Certificate\.\d+$/);
      const fingerprint = await adminSend({
        reqType: 'operate',
        operate: { command: `${credential}.GetFingerprint()`, commandKey: 'fp', sendResp: true, inputArgs: { FingerprintAlgorithm: 'SHA-256' } },
      });
      if (fingerprint.body.msgBody !== 'response' || fingerprint.body.response.respType !== 'operateResp') throw new Error(JSON.stringify(fingerprint.body));
      const out = fingerprint.body.response.operateResp.operationResults[0];
      expect(out.operationResp === 'reqOutputArgs' ? out.reqOutputArgs.outputArgs.Fingerprint.replace(/:/g, '').toUpperCase() : out).toBe(
        new X509Certificate(first.cert).fingerprint256.replace(/:/g, '').toUpperCase(),
      );
    } finally {
      await p.close();
    }
  });

  it('another self-signed certificate claiming the same Endpoint ID is refused; the pinned one still works', async () => {
    const impostor = await peer(f.url, await selfSigned(TOFU_EID), TOFU_EID);
    try {
      expect(await impostor.get(TOFU_EID, 600)).toBeUndefined();
      expect(count(f.logs, 'certificate not accepted for this controller')).toBeGreaterThanOrEqual(1);
    } finally {
      await impostor.close();
    }
    const p = await peer(f.url, first, TOFU_EID);
    try {
      expect(endpointIdIn(await p.get())).toBe(AGENT_EID);
    } finally {
      await p.close();
    }
  });

  it('an unknown-CA certificate naming a pinned controller passes TLS on first use, but its Records are dropped', async () => {
    // Controller-1 is known with full access: TOFU would hand an impostor its role unless it is
    // pinned to its real certificate, as an operator enabling TOFU should do first.
    const ok = await adminSend({
      reqType: 'operate',
      operate: { command: 'Device.LocalAgent.Controller.1.AddMyCertificate()', commandKey: 'pin', sendResp: true, inputArgs: { Certificate: pki.controller1.cert } },
    });
    expect(ok.body.msgBody).toBe('response');
    const trusted = count(f.logs, 'client certificate trusted on first use');
    // pki.foreign carries controller-1's Endpoint ID, signed by a CA the agent does not know.
    const foreign = await peer(f.url, pki.foreign, C1);
    try {
      expect(count(f.logs, 'client certificate trusted on first use')).toBe(trusted + 1);
      expect(await foreign.get(C1, 600)).toBeUndefined();
    } finally {
      await foreign.close();
      // R-WS.4 replaced the admin's connection with the newer one: reconnect it.
      await admin.close();
      admin = await peer(f.url, pki.controller1, C1, C1);
    }
    expect(endpointIdIn(await admin.get())).toBe(AGENT_EID);
  });
});

describe('what TOFU does not cover', () => {
  for (const [what, cert, reason] of [
    ['expired', pki.expired, /CERT_HAS_EXPIRED/],
    ['missing', undefined, /no client certificate/],
  ] as const) {
    it(`a ${what} certificate is refused right after the handshake`, async () => {
      const before = count(f.logs, 'tls handshake refused');
      const err = await openWss(f.url, cert, { eid: C1 }).then(
        (ws) => {
          ws.terminate();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(err).toBeDefined();
      await waitUntil(() => count(f.logs, 'tls handshake refused') > before, 2000, 'the refusal log');
      expect(f.logs.filter((l) => l.includes('tls handshake refused')).at(-1)).toMatch(reason);
    });
  }
});

describe('TOFUInactivityTimer and turning TOFU off', () => {
  it('a TOFU connection with no USP Record for TOFUInactivityTimer (1 s) is torn down; a CA-verified one is not', async () => {
    const ws = await openWss(f.url, first, { eid: TOFU_EID });
    const opened = Date.now();
    const closedAt = await new Promise<number>((resolve) => ws.once('close', () => resolve(Date.now())));
    expect(closedAt - opened).toBeGreaterThanOrEqual(900);
    expect(closedAt - opened).toBeLessThan(3000);
    expect(count(f.logs, 'TOFU inactivity timer expired')).toBeGreaterThanOrEqual(1);
    expect(admin.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('TOFUAllowed applies live: off refuses self-signed certificates at the handshake, on accepts them again', async () => {
    const restarted = async (): Promise<void> => {
      // The change restarts the wss server (mtp-reconfigure): the admin reconnects to the new one.
      await waitUntil(() => admin.ws.readyState === WebSocket.CLOSED, 3000, 'the server restart');
      await waitUntil(() => count(f.logs, 'websocket server listening') > listening, 3000, 'the new server');
      listening = count(f.logs, 'websocket server listening');
      admin = await peer(f.url, pki.controller1, C1, C1);
    };
    let listening = count(f.logs, 'websocket server listening');
    await adminSet(TRUST, 'TOFUAllowed', 'false');
    await restarted();
    const before = count(f.logs, 'tls handshake refused');
    const err = await openWss(f.url, first, { eid: TOFU_EID }).then(
      (ws) => {
        ws.terminate();
        return undefined;
      },
      (e: Error) => e,
    );
    expect(err).toBeDefined();
    await waitUntil(() => count(f.logs, 'tls handshake refused') > before, 2000, 'the refusal log');
    expect(f.logs.filter((l) => l.includes('tls handshake refused')).at(-1)).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(endpointIdIn(await admin.get())).toBe(AGENT_EID);

    await adminSet(TRUST, 'TOFUAllowed', 'true');
    await restarted();
    const p = await peer(f.url, first, TOFU_EID);
    try {
      expect(endpointIdIn(await p.get())).toBe(AGENT_EID);
    } finally {
      await p.close();
    }
  });
});

describe('a controller made on first use that is evicted (agent/UnknownControllerRows.ts)', () => {
  it('leaves with the certificate pinned to it: evictions cannot fill the Certificate table', async () => {
    let now = 1_000_000;
    const g = await startTlsAgent({
      tls: pkiFiles,
      extra: { [`${TRUST}TOFUAllowed`]: true, [`${TRUST}UntrustedRole`]: '' },
      agent: { unknownControllers: { maxRows: 1, minIdleToEvictMs: 1_000, now: () => now } },
    });
    const boss = await peer(g.url, pki.controller1, C1, C1);
    const read = async (path: string): Promise<string[]> => {
      const m = await boss.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });
      if (m?.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(JSON.stringify(m?.body));
      return (m.body.response.getResp.reqPathResults[0].resolvedPathResults ?? []).flatMap((r) => Object.values(r.resultParams));
    };
    try {
      for (const eid of ['proto::tofu-a', 'proto::tofu-b']) {
        const p = await peer(g.url, await selfSigned(eid), eid);
        // UntrustedRole is empty: the Get is answered with a permission error, but answered.
        expect(await p.get()).toBeDefined();
        await p.close();
        expect(await read('Device.LocalAgent.Controller.*.EndpointID')).toEqual([C1, eid]);
        expect(await read('Device.LocalAgent.CertificateNumberOfEntries')).toEqual(['1']);
        now += 1_000;
      }
    } finally {
      await boss.close();
      await g.close();
    }
  });
});

/**
 * Mutual TLS on the agent's WebSocket server (TR-369 R-MTP.1/3, R-SEC.0a/10, R-WS.24):
 * the real agent with EnableEncryption=true and the test PKI; real wss clients with their own
 * certificates. Refusals must happen at the TLS handshake, the certificate's Endpoint ID must name
 * the connection, and the agent must keep serving the good controller throughout.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_CERT_FILE } from '../../mtp/tls/bootstrap-cert.js';
import { endpointIdFromCert } from '../../mtp/tls/endpoint-id-from-cert.js';
import { AGENT_EID } from '../peers/agent-fixture.js';
import { TEST_CONTROLLER_1_EID as C1, TEST_CONTROLLER_2_EID as C2, testPki, type TestCert } from '../peers/test-pki.js';
import { endpointIdIn, openWss, peer, pkiFiles, startTlsAgent, type TlsAgent, WssPeer } from '../peers/wss-agent.js';

const pki = testPki();

/** A raw TLS connection: resolves on secureConnect with the elapsed time, rejects with the error. */
function tlsHandshake(port: number, opts: ConnectionOptions): Promise<{ ms: number; socket: TLSSocket }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: pki.ca.cert, ...opts });
    socket.once('secureConnect', () => resolve({ ms: performance.now() - t0, socket }));
    socket.once('error', reject);
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
const count = (logs: string[], text: string): number => logs.filter((l) => l.includes(text)).length;

// ---- the agent with the test PKI ---------------------------------------------------------------

describe('WebSocket server with mutual TLS (EnableEncryption=true)', () => {
  let f: TlsAgent;
  let main: WssPeer;
  beforeAll(async () => {
    f = await startTlsAgent({ tls: pkiFiles });
    main = await peer(f.url, pki.controller1, C1, C1);
  });
  afterAll(async () => {
    await main?.close();
    await f?.close();
  });

  it('serves controller-1 over wss with a valid certificate and answers its Get', async () => {
    expect(f.agent.webSocketServers).toHaveLength(1);
    expect(endpointIdIn(await main.get())).toBe(AGENT_EID);
    expect(f.logs.some((l) => l.includes('controller connected') && l.includes(`eid="${C1}"`) && l.includes('identity="certificate"'))).toBe(true);
  });

  it('presents the agent certificate carrying the agent Endpoint ID, over TLS 1.2 or later', async () => {
    const { socket } = await tlsHandshake(f.port, { cert: pki.controller2.cert, key: pki.controller2.key });
    try {
      expect(endpointIdFromCert(socket.getPeerX509Certificate()!)).toBe(AGENT_EID);
      expect(['TLSv1.2', 'TLSv1.3']).toContain(socket.getProtocol());
      expect(socket.getProtocol()).toBe('TLSv1.3'); // Node's default maximum: preferred
    } finally {
      socket.destroy();
    }
  });

  it('names the connection from the certificate: a Record whose from_id differs is dropped', async () => {
    const dropped = count(f.logs, 'from_id differs from the connection identity');
    expect(await main.get(C2, 500)).toBeUndefined();
    expect(count(f.logs, 'from_id differs from the connection identity')).toBe(dropped + 1);
    expect(endpointIdIn(await main.get())).toBe(AGENT_EID);
  });

  it('takes the identity from the certificate when the client sends no eid', async () => {
    const p = await peer(f.url, pki.controller2, C2);
    try {
      expect(endpointIdIn(await p.get())).toBe(AGENT_EID);
      expect(await p.get(C1, 500)).toBeUndefined();
    } finally {
      await p.close();
    }
  });

  it('refuses the upgrade with 403 when the eid parameter differs from the certificate', async () => {
    const refused = count(f.logs, 'websocket upgrade refused');
    await expect(openWss(f.url, pki.controller1, { eid: C2 })).rejects.toThrow(/403/);
    const line = f.logs.filter((l) => l.includes('websocket upgrade refused')).at(-1)!;
    expect(count(f.logs, 'websocket upgrade refused')).toBe(refused + 1);
    expect(line).toMatch(/status=403/);
    expect(line).toContain(C2);
    expect(line).toContain(C1);
  });

  // Node verifies a client certificate right after the handshake and closes the socket before
  // any application data (the client sees a hang-up); a missing one OpenSSL refuses with alert 116.
  const refusedAtHandshake: Array<[string, TestCert | undefined, RegExp, RegExp]> = [
    ['from an unknown CA', pki.foreign, /socket hang up|ECONNRESET/, /reason="(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)"/],
    ['expired', pki.expired, /socket hang up|ECONNRESET/, /reason="CERT_HAS_EXPIRED"/],
    ['not yet valid', pki.notYetValid, /socket hang up|ECONNRESET/, /reason="CERT_NOT_YET_VALID"/],
    ['missing (no client certificate)', undefined, /certificate required/, /code="ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE"/],
  ];
  for (const [what, client, clientError, agentLog] of refusedAtHandshake) {
    it(`refuses a client certificate ${what} at the TLS handshake`, async () => {
      const before = count(f.logs, 'tls handshake refused');
      const connected = count(f.logs, 'controller connected');
      const upgrades = count(f.logs, 'websocket upgrade refused');
      const err = await openWss(f.url, client, { eid: C1 }).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      expect(err, 'the connection must not open').toBeDefined();
      expect(`${err!.message} ${err!.code ?? ''}`).toMatch(clientError);
      await waitFor(() => count(f.logs, 'tls handshake refused') > before);
      const line = f.logs.filter((l) => l.includes('tls handshake refused')).at(-1)!;
      console.log(`[websocket-tls] ${what}: client saw "${err!.message.trim()}"; agent logged ${line.replace(/^.*tls handshake refused"/, '')}`);
      expect(line).toMatch(agentLog);
      // Refused by TLS itself: no HTTP upgrade was ever seen, no connection made.
      expect(count(f.logs, 'websocket upgrade refused')).toBe(upgrades);
      expect(count(f.logs, 'controller connected')).toBe(connected);
      expect(endpointIdIn(await main.get())).toBe(AGENT_EID);
    });
  }

  it('refuses a TLS 1.1 client', async () => {
    const before = count(f.logs, 'tls handshake refused');
    // OpenSSL 3 disables TLS 1.1 at the default security level; SECLEVEL=0 lets this client offer it.
    const err = await tlsHandshake(f.port, { cert: pki.controller2.cert, key: pki.controller2.key, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }).then(
      ({ socket }) => {
        socket.destroy();
        return undefined;
      },
      (e: Error & { code?: string }) => e,
    );
    expect(err, 'a TLS 1.1 handshake must fail').toBeDefined();
    const reachedServer = await waitFor(() => count(f.logs, 'tls handshake refused') > before, 1000).then(
      () => true,
      () => false,
    );
    console.log(
      `[websocket-tls] TLS 1.1 client: "${err!.message}" (${err!.code ?? ''}); ${reachedServer ? `agent logged ${f.logs.at(-1)!.replace(/^.*tls handshake refused"/, '')}` : 'refused by the client library before reaching the agent'}`,
    );
    expect(reachedServer, 'the agent itself must refuse TLS 1.1').toBe(true);
    expect(endpointIdIn(await main.get())).toBe(AGENT_EID);
  });

  it('measures the handshake time (median of 20; logged, not asserted)', async () => {
    const tlsMs: number[] = [];
    const wssMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { ms, socket } = await tlsHandshake(f.port, { cert: pki.controller2.cert, key: pki.controller2.key });
      tlsMs.push(ms);
      socket.destroy();
      const t0 = performance.now();
      const ws = await openWss(f.url, pki.controller2, { eid: C2 });
      wssMs.push(performance.now() - t0);
      await new WssPeer(ws, C2).close();
    }
    console.log(
      `[websocket-tls] mutual-TLS handshake (P-256 certificates, TLS 1.3, loopback): median ${median(tlsMs).toFixed(2)} ms to secureConnect; ` +
        `median ${median(wssMs).toFixed(2)} ms to an open wss (TLS + client-certificate check + HTTP upgrade); n=20`,
    );
    expect(tlsMs).toHaveLength(20);
  });

  it('kept serving controller-1 on its first connection throughout', async () => {
    expect(main.ws.readyState).toBe(WebSocket.OPEN);
    expect(endpointIdIn(await main.get())).toBe(AGENT_EID);
  });
});

// ---- configuration cases -----------------------------------------------------------------------

describe('TLS configuration of the WebSocket server', () => {
  it('without a CA refuses to start the TLS MTP and says why', async () => {
    const f = await startTlsAgent({ tls: { cert: pki.agent.certFile, key: pki.agent.keyFile } });
    try {
      expect(f.agent.webSocketServers).toHaveLength(0);
      expect(f.logs.some((l) => l.startsWith('level=error') && l.includes('no CA was given'))).toBe(true);
    } finally {
      await f.close();
    }
  });

  it('with EnableEncryption=false keeps serving plain ws, even with certificates given', async () => {
    const f = await startTlsAgent({ tls: pkiFiles, extra: { 'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': false } });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${f.port}/usp?eid=${encodeURIComponent(C1)}`, 'v1.usp');
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const p = new WssPeer(ws, C1);
      expect(endpointIdIn(await p.get())).toBe(AGENT_EID);
      await p.close();
    } finally {
      await f.close();
    }
  });

  it('without --cert uses a bootstrap certificate in the data directory, reused on the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-tls-bootstrap-'));
    try {
      let f = await startTlsAgent({ tls: { ca: pki.ca.certFile }, dataDir });
      const certPem = readFileSync(join(dataDir, BOOTSTRAP_CERT_FILE), 'utf8');
      const fingerprint = new X509Certificate(certPem).fingerprint256;
      // A controller that pinned the bootstrap certificate checks the Endpoint ID instead of a host name.
      const pinned: ConnectionOptions = {
        ca: certPem,
        checkServerIdentity: (_host, cert) => (endpointIdFromCert({ subjectAltName: cert.subjectaltname }) === AGENT_EID ? undefined : new Error('wrong agent')),
      };
      const p = new WssPeer(await openWss(f.url, pki.controller1, { eid: C1, tls: pinned }), C1);
      expect(endpointIdIn(await p.get())).toBe(AGENT_EID);
      await p.close();
      await f.close();
      f = await startTlsAgent({ tls: { ca: pki.ca.certFile }, dataDir });
      try {
        expect(new X509Certificate(readFileSync(join(dataDir, BOOTSTRAP_CERT_FILE))).fingerprint256).toBe(fingerprint);
        const { socket } = await tlsHandshake(f.port, { ...pinned, cert: pki.controller1.cert, key: pki.controller1.key });
        expect(socket.getPeerX509Certificate()!.fingerprint256).toBe(fingerprint);
        socket.destroy();
      } finally {
        await f.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

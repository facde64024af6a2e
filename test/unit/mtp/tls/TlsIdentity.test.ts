import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TlsIdentityError, isValidAt, loadTlsIdentity, readCaFile, splitPemCertificates, validityAt } from '../../../../mtp/tls/TlsIdentity.js';
import { TEST_AGENT_EID, testPki } from '../../../peers/test-pki.js';

const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'usp-tls-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof TlsIdentityError ? e.code : `not a TlsIdentityError: ${String(e)}`;
  }
  return undefined;
}

describe('loadTlsIdentity', () => {
  it('loads cert, key and a CA bundle of several certificates, and reads the agent Endpoint ID', () => {
    const bundle = file('bundle.pem', `${pki.ca.cert}\n${pki.foreignCa.cert}`);
    const id = loadTlsIdentity({ cert: pki.agent.certFile, key: pki.agent.keyFile, ca: bundle });
    expect(id.endpointId).toBe(TEST_AGENT_EID);
    expect(id.origin).toBe('files');
    expect(id.trustAnchors).toHaveLength(2);
    expect(splitPemCertificates(id.caPem!)).toHaveLength(2);
    expect(id.chain).toHaveLength(1);
  });

  it('takes a chain file leaf first', () => {
    const chain = file('chain.pem', `${pki.agent.cert}${pki.ca.cert}`);
    const id = loadTlsIdentity({ cert: chain, key: pki.agent.keyFile });
    expect(id.chain.map((c) => c.subject)).toEqual([new X509Certificate(pki.agent.cert).subject, new X509Certificate(pki.ca.cert).subject]);
    expect(id.endpointId).toBe(TEST_AGENT_EID);
    expect(id.caPem).toBeUndefined();
    expect(id.trustAnchors).toEqual([]);
  });

  it('names what is wrong', () => {
    expect(code(() => loadTlsIdentity({ cert: join(dir, 'missing.pem'), key: pki.agent.keyFile }))).toBe('TLS_ERR_READ');
    expect(code(() => loadTlsIdentity({ cert: pki.agent.keyFile, key: pki.agent.keyFile }))).toBe('TLS_ERR_NO_CERT');
    const bad = file('bad.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(code(() => loadTlsIdentity({ cert: bad, key: pki.agent.keyFile }))).toBe('TLS_ERR_BAD_CERT');
    expect(code(() => loadTlsIdentity({ cert: pki.agent.certFile, key: pki.agent.certFile }))).toBe('TLS_ERR_BAD_KEY');
    expect(code(() => loadTlsIdentity({ cert: pki.agent.certFile, key: pki.controller1.keyFile }))).toBe('TLS_ERR_KEY_MISMATCH');
    expect(code(() => readCaFile(pki.agent.keyFile))).toBe('TLS_ERR_NO_CERT');
    try {
      loadTlsIdentity({ cert: pki.agent.certFile, key: pki.controller1.keyFile });
    } catch (e) {
      expect((e as Error).message).toContain(pki.controller1.keyFile);
    }
  });
});

describe('validity against a clock', () => {
  const now = new Date();
  it('tells in date, expired and not yet valid apart', () => {
    expect(validityAt(new X509Certificate(pki.controller1.cert), now)).toBe('valid');
    expect(isValidAt(new X509Certificate(pki.controller1.cert), now)).toBe(true);
    expect(validityAt(new X509Certificate(pki.expired.cert), now)).toBe('expired');
    expect(validityAt(new X509Certificate(pki.notYetValid.cert), now)).toBe('not-yet-valid');
  });
  it('uses the clock it is given', () => {
    const expired = new X509Certificate(pki.expired.cert);
    expect(validityAt(expired, new Date('2020-06-01T00:00:00Z'))).toBe('valid');
    expect(validityAt(expired, new Date('2019-12-31T23:59:59Z'))).toBe('not-yet-valid');
    expect(validityAt(expired, new Date('2021-01-01T00:00:01Z'))).toBe('expired');
  });
});

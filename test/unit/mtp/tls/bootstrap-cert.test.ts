import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOTSTRAP_CERT_FILE, BOOTSTRAP_KEY_FILE, ensureBootstrapIdentity } from '../../../../mtp/tls/bootstrap-cert.js';
import { endpointIdFromCert } from '../../../../mtp/tls/endpoint-id-from-cert.js';
import { testPki } from '../../../peers/test-pki.js';

const EID = 'proto::agent-under-test';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'usp-bootstrap-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ensureBootstrapIdentity', () => {
  it('makes a self-signed RSA-2048 certificate whose SAN URI carries the Endpoint ID', async () => {
    const now = new Date('2030-06-01T00:00:00Z');
    const r = await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir, now: () => now });
    expect(r.created).toBe(true);
    expect(r.certPath).toBe(join(dir, BOOTSTRAP_CERT_FILE));
    const cert = new X509Certificate(readFileSync(join(dir, BOOTSTRAP_CERT_FILE)));
    expect(cert.subjectAltName).toBe(`URI:urn:bbf:usp:id:${EID}`);
    expect(endpointIdFromCert(cert)).toBe(EID);
    expect(r.identity.endpointId).toBe(EID);
    expect(r.identity.origin).toBe('bootstrap');
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(join(dir, BOOTSTRAP_KEY_FILE))))).toBe(true);
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2040);
    expect(statSync(join(dir, BOOTSTRAP_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('reuses the files on the next start', async () => {
    const first = await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir });
    const pem = readFileSync(join(dir, BOOTSTRAP_CERT_FILE), 'utf8');
    const second = await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir });
    expect(second.created).toBe(false);
    expect(second.identity.certificate.fingerprint256).toBe(first.identity.certificate.fingerprint256);
    expect(readFileSync(join(dir, BOOTSTRAP_CERT_FILE), 'utf8')).toBe(pem);
  });

  it('tightens a key file left readable by others when reusing it', async () => {
    await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir });
    chmodSync(join(dir, BOOTSTRAP_KEY_FILE), 0o644);
    expect((await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir })).created).toBe(false);
    expect(statSync(join(dir, BOOTSTRAP_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('replaces a certificate naming another Endpoint ID', async () => {
    const first = await ensureBootstrapIdentity({ endpointId: 'proto::old-name', dataDir: dir });
    const second = await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir });
    expect(second.created).toBe(true);
    expect(second.identity.endpointId).toBe(EID);
    expect(second.identity.certificate.fingerprint256).not.toBe(first.identity.certificate.fingerprint256);
  });

  it('replaces an expired certificate, and unreadable files', async () => {
    await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir, now: () => new Date('2000-01-01T00:00:00Z') });
    expect((await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir })).created).toBe(true);
    writeFileSync(join(dir, BOOTSTRAP_KEY_FILE), 'garbage');
    expect((await ensureBootstrapIdentity({ endpointId: EID, dataDir: dir })).created).toBe(true);
  });

  it('without a data directory makes one in memory, carrying a given CA', async () => {
    const pki = testPki();
    const r = await ensureBootstrapIdentity({ endpointId: EID, caPem: pki.ca.cert });
    expect(r.created).toBe(true);
    expect(r.certPath).toBeUndefined();
    expect(r.identity.trustAnchors.map((c) => c.subject)).toEqual([new X509Certificate(pki.ca.cert).subject]);
  });
});

/**
 * What Device.LocalAgent.Certificate.{i} shows of a certificate and GetFingerprint() returns
 * (TR-181 LocalAgent:1), checked against the `openssl` CLI on the test PKI, and the issuer checks
 * ControllerTrust.Credential relies on.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FINGERPRINT_ALGORITHMS, certificateChain, fingerprintOf, isFingerprintAlgorithm, issuedBy, issuerOf, parseCertificatePem, sameCertificate } from '../../../../agent/certificates/x509.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { testPki } from '../../../peers/test-pki.js';

const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), 'usp-x509-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { cwd: dir, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
/** "SHA256 Fingerprint=AB:CD:..." → "ABCD...". */
function opensslFingerprint(pem: string, alg: string): string {
  const out = openssl(['x509', '-noout', '-fingerprint', `-${alg}`], pem);
  return out
    .slice(out.indexOf('=') + 1)
    .trim()
    .replace(/:/g, '')
    .toUpperCase();
}
function uspCode(f: () => unknown): number | string {
  try {
    f();
  } catch (e) {
    return e instanceof UspError ? e.code : `not a UspError: ${String(e)}`;
  }
  return 'no error';
}

describe('parseCertificatePem', () => {
  it('takes SerialNumber as openssl prints it and the issuer DN', () => {
    for (const c of [pki.ca, pki.controller1, pki.agent]) {
      const p = parseCertificatePem(c.cert);
      expect(p.serialNumber).toBe(
        openssl(['x509', '-noout', '-serial'], c.cert)
          .trim()
          .replace(/^serial=/, ''),
      );
      expect(p.issuer).toBe('CN=USP Agent Test CA');
      expect(sameCertificate(p.certificate, new X509Certificate(c.cert))).toBe(true);
    }
  });

  it('writes a multi-RDN issuer most specific first (RFC 4514 order)', () => {
    openssl([
      'req',
      '-x509',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'multi.key',
      '-out',
      'multi.pem',
      '-days',
      '2',
      '-subj',
      '/C=US/O=Example Org/CN=Multi RDN CA',
    ]);
    const p = parseCertificatePem(readFileSync(join(dir, 'multi.pem'), 'utf8'));
    expect(p.issuer).toBe('CN=Multi RDN CA,O=Example Org,C=US');
    expect(issuerOf(p.certificate)).toBe(p.issuer);
  });

  it('accepts text around the PEM block and keeps only the block', () => {
    const p = parseCertificatePem(`Bag Attributes\n${pki.controller1.cert}\ntrailing words\n`);
    expect(p.pem.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(p.pem.trim().endsWith('-----END CERTIFICATE-----')).toBe(true);
  });

  it('refuses anything but one parsable certificate with 7027', () => {
    expect(uspCode(() => parseCertificatePem(''))).toBe(ErrorCode.InvalidCommandArgs);
    expect(uspCode(() => parseCertificatePem('not a certificate'))).toBe(ErrorCode.InvalidCommandArgs);
    expect(uspCode(() => parseCertificatePem(pki.controller1.key))).toBe(ErrorCode.InvalidCommandArgs);
    expect(uspCode(() => parseCertificatePem(`${pki.controller1.cert}${pki.ca.cert}`))).toBe(ErrorCode.InvalidCommandArgs);
    const broken = pki.controller1.cert.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    expect(uspCode(() => parseCertificatePem(broken))).toBe(ErrorCode.InvalidCommandArgs);
  });
});

describe('fingerprintOf', () => {
  it('equals openssl x509 -fingerprint for every supported algorithm', () => {
    const cert = parseCertificatePem(pki.controller1.cert).certificate;
    const opensslName: Record<string, string> = { 'SHA-1': 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
    for (const alg of FINGERPRINT_ALGORITHMS) {
      const fp = fingerprintOf(cert, alg);
      expect(fp, alg).toBe(opensslFingerprint(pki.controller1.cert, opensslName[alg]));
      expect(fp).toMatch(/^[0-9A-F]+$/);
    }
    expect(fingerprintOf(cert, 'SHA-256')).toBe(cert.fingerprint256.replace(/:/g, ''));
    expect(fingerprintOf(cert, 'SHA-512')).toHaveLength(128);
  });

  it('knows exactly the schema enumeration', () => {
    expect(FINGERPRINT_ALGORITHMS).toEqual(['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512']);
    expect(isFingerprintAlgorithm('SHA-256')).toBe(true);
    expect(isFingerprintAlgorithm('MD5')).toBe(false);
    expect(isFingerprintAlgorithm('sha-256')).toBe(false);
  });
});

describe('issuedBy and certificateChain', () => {
  const ca = new X509Certificate(pki.ca.cert);
  const foreignCa = new X509Certificate(pki.foreignCa.cert);

  it('recognises the CA that signed a certificate, and only it', () => {
    expect(issuedBy(new X509Certificate(pki.controller1.cert), ca)).toBe(true);
    expect(issuedBy(new X509Certificate(pki.controller1.cert), foreignCa)).toBe(false);
    expect(issuedBy(new X509Certificate(pki.foreign.cert), ca)).toBe(false);
    expect(issuedBy(new X509Certificate(pki.foreign.cert), foreignCa)).toBe(true);
    expect(issuedBy(ca, ca)).toBe(true); // self-signed
  });

  it('is not fooled by a same-named CA with another key', () => {
    openssl([
      'req',
      '-x509',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'impostor.key',
      '-out',
      'impostor.pem',
      '-days',
      '2',
      '-subj',
      '/CN=USP Agent Test CA',
    ]);
    const impostor = new X509Certificate(readFileSync(join(dir, 'impostor.pem')));
    expect(issuedBy(new X509Certificate(pki.controller1.cert), impostor)).toBe(false);
  });

  it('a certificate parsed on its own has a chain of one', () => {
    const leaf = new X509Certificate(pki.controller1.cert);
    expect(certificateChain(leaf)).toHaveLength(1);
  });
});

import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { endpointIdFromCert, parseSubjectAltName } from '../../../../mtp/tls/endpoint-id-from-cert.js';
import { TEST_CONTROLLER_1_EID, TEST_CONTROLLER_2_EID, TEST_FQDN_HOST, testPki } from '../../../peers/test-pki.js';

const san = (s: string | undefined) => ({ subjectAltName: s });

describe('parseSubjectAltName', () => {
  it("splits Node's comma-separated form, keeping colons inside values", () => {
    expect(parseSubjectAltName('DNS:a.example, URI:urn:bbf:usp:id:proto::x, IP Address:127.0.0.1')).toEqual([
      { type: 'DNS', value: 'a.example' },
      { type: 'URI', value: 'urn:bbf:usp:id:proto::x' },
      { type: 'IP Address', value: '127.0.0.1' },
    ]);
  });

  it('decodes JSON-quoted values, so a comma inside one cannot forge another entry', () => {
    const forged = 'URI:"urn:bbf:usp:id:proto::a\\u002c URI:urn:bbf:usp:id:proto::admin", DNS:b.example';
    expect(parseSubjectAltName(forged)).toEqual([
      { type: 'URI', value: 'urn:bbf:usp:id:proto::a, URI:urn:bbf:usp:id:proto::admin' },
      { type: 'DNS', value: 'b.example' },
    ]);
    expect(endpointIdFromCert(san(forged))).toBe('proto::a, URI:urn:bbf:usp:id:proto::admin');
  });

  it('is empty for no SAN, and stops at malformed quoting', () => {
    expect(parseSubjectAltName(undefined)).toEqual([]);
    expect(parseSubjectAltName('')).toEqual([]);
    expect(parseSubjectAltName('DNS:a, URI:"unterminated')).toEqual([{ type: 'DNS', value: 'a' }]);
  });
});

describe('endpointIdFromCert on SAN strings', () => {
  it('takes the first urn:bbf:usp:id URI, skipping other URIs and an empty URN', () => {
    expect(endpointIdFromCert(san('URI:https://x.example/, URI:urn:bbf:usp:id:, URI:urn:bbf:usp:id:oui:00256D:a, URI:urn:bbf:usp:id:proto::b'))).toBe('oui:00256D:a');
  });

  it('prefers a URN over dNSNames', () => {
    expect(endpointIdFromCert(san('DNS:c.example, URI:urn:bbf:usp:id:proto::x'), 'fqdn::c.example')).toBe('proto::x');
  });

  it('maps a dNSName to an fqdn:: Endpoint ID, matching the claim case-insensitively', () => {
    expect(endpointIdFromCert(san('DNS:a.example, DNS:B.example'))).toBe('fqdn::a.example');
    expect(endpointIdFromCert(san('DNS:a.example, DNS:B.example'), 'fqdn::b.example')).toBe('fqdn::b.example');
    expect(endpointIdFromCert(san('DNS:a.example'), 'fqdn::other.example')).toBe('fqdn::a.example');
    expect(endpointIdFromCert(san('DNS:a.example'), 'proto::x')).toBe('fqdn::a.example');
  });

  it('never takes a wildcard dNSName (fqdn instance-ids have none)', () => {
    expect(endpointIdFromCert(san('DNS:*.example.com'), 'fqdn::*.example.com')).toBeUndefined();
  });

  it('is undefined without a usable name', () => {
    expect(endpointIdFromCert(san(undefined))).toBeUndefined();
    expect(endpointIdFromCert(san('IP Address:10.0.0.1, email:a@b.c'), 'proto::x')).toBeUndefined();
  });
});

describe('endpointIdFromCert on real certificates (test PKI)', () => {
  const pki = testPki();
  const x509 = (pem: string) => new X509Certificate(pem);

  it('reads the URI SAN', () => {
    expect(endpointIdFromCert(x509(pki.controller1.cert))).toBe(TEST_CONTROLLER_1_EID);
    expect(endpointIdFromCert(x509(pki.agent.cert))).toBe('proto::agent-under-test');
  });

  it('uses the first URN of several', () => {
    expect(endpointIdFromCert(x509(pki.multiUri.cert))).toBe(TEST_CONTROLLER_2_EID);
  });

  it('reads an fqdn dNSName', () => {
    expect(endpointIdFromCert(x509(pki.fqdn.cert))).toBe(`fqdn::${TEST_FQDN_HOST}`);
    expect(endpointIdFromCert(x509(pki.fqdn.cert), `fqdn::${TEST_FQDN_HOST.toUpperCase()}`)).toBe(`fqdn::${TEST_FQDN_HOST.toUpperCase()}`);
  });

  it('is undefined without a SAN', () => {
    expect(endpointIdFromCert(x509(pki.noSan.cert), 'proto::x')).toBeUndefined();
  });
});

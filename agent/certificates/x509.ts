/**
 * X.509 facts the agent keeps about a certificate (TR-181 LocalAgent:1 Device.LocalAgent.
 * Certificate.{i}; RFC 5280): SerialNumber and Issuer as the table shows them, fingerprints for
 * GetFingerprint(), and the chain and issuer checks ControllerTrust needs (TR-369 R-SEC.25).
 * Parsing is node:crypto's; nothing here touches the data model.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { splitPemCertificates } from '../../mtp/tls/TlsIdentity.js';

/** Device.LocalAgent.SupportedFingerprintAlgorithms, in the schema's order. */
export const FINGERPRINT_ALGORITHMS = ['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'] as const;
export type FingerprintAlgorithm = (typeof FINGERPRINT_ALGORITHMS)[number];

const NODE_HASH: Readonly<Record<FingerprintAlgorithm, string>> = {
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** Certificate.{i}.Issuer is at most 256 characters (TR-181). */
const ISSUER_MAX = 256;
/** Bound on walking issuer links; real chains are 2 to 4 long. */
const MAX_CHAIN = 10;

export interface ParsedCertificate {
  certificate: X509Certificate;
  /** The one PEM block, normalised (what the agent stores). */
  pem: string;
  serialNumber: string;
  issuer: string;
}

/**
 * One PEM certificate (the AddCertificate()/AddMyCertificate() `Certificate` argument) →
 * its parsed form. Anything else (no PEM block, several, or one node:crypto cannot parse)
 * fails with 7027 Invalid command arguments, naming what was wrong.
 */
export function parseCertificatePem(text: string): ParsedCertificate {
  const blocks = splitPemCertificates(text);
  if (blocks.length === 0) throw new UspError(ErrorCode.InvalidCommandArgs, 'Certificate: no PEM certificate (-----BEGIN CERTIFICATE-----) found');
  if (blocks.length > 1) throw new UspError(ErrorCode.InvalidCommandArgs, `Certificate: expected one PEM certificate, found ${blocks.length}`);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(blocks[0]);
  } catch (e) {
    throw new UspError(ErrorCode.InvalidCommandArgs, `Certificate: not a valid X.509 certificate (${e instanceof Error ? e.message : String(e)})`);
  }
  return { certificate, pem: `${blocks[0]}\n`, serialNumber: serialNumberOf(certificate), issuer: issuerOf(certificate) };
}

/** The serial number as `openssl x509 -serial` prints it: upper-case hex, no separators. */
export function serialNumberOf(cert: X509Certificate): string {
  return cert.serialNumber.toUpperCase();
}

/**
 * The issuer DN in RFC 4514 order (most specific RDN first, comma-separated), e.g.
 * "CN=USP Agent Test CA,O=Example,C=US"; cut to the 256 characters TR-181 allows.
 */
export function issuerOf(cert: X509Certificate): string {
  return cert.issuer.split('\n').filter(Boolean).reverse().join(',').slice(0, ISSUER_MAX);
}

/** Hash of the DER certificate as hexBinary (upper case), as GetFingerprint() returns it. */
export function fingerprintOf(cert: X509Certificate, algorithm: FingerprintAlgorithm): string {
  return createHash(NODE_HASH[algorithm]).update(cert.raw).digest('hex').toUpperCase();
}

export function isFingerprintAlgorithm(s: string): s is FingerprintAlgorithm {
  return (FINGERPRINT_ALGORITHMS as readonly string[]).includes(s);
}

/** Byte-for-byte the same certificate. */
export function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return a.raw.equals(b.raw);
}

/** Whether `ca` issued `cert`: names match and `ca`'s key verifies `cert`'s signature. */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false; // a key type node:crypto cannot use for verification: not a match
  }
}

/**
 * The peer's chain leaf first, as the TLS layer completed it (node:crypto links each certificate
 * of a verified peer to its issuer, up to the trust anchor); stops at a self-signed certificate.
 */
export function certificateChain(leaf: X509Certificate): X509Certificate[] {
  const chain = [leaf];
  let cur = leaf;
  while (chain.length < MAX_CHAIN) {
    const next = cur.issuerCertificate;
    if (!next || sameCertificate(next, cur)) break;
    chain.push(next);
    cur = next;
  }
  return chain;
}

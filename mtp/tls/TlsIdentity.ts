/**
 * The agent's TLS identity for MTPs (TR-369 R-MTP.1, R-SEC.10): its certificate
 * (with any intermediates), private key, and the CA certificates that controller certificates
 * must chain to. Loaded and checked once, eagerly, so a wrong file stops the start with a
 * message naming it rather than failing later at the first handshake.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { endpointIdFromCert } from './endpoint-id-from-cert.js';

export interface TlsIdentity {
  /** The agent's certificate followed by any intermediates (PEM), as the TLS server sends them. */
  readonly certPem: string;
  /** The private key of the first certificate (unencrypted PEM). */
  readonly keyPem: string;
  /** Trust anchors for peer certificates (PEM, one or more); undefined when none was given. */
  readonly caPem?: string;
  /** The agent's own (leaf) certificate. */
  readonly certificate: X509Certificate;
  readonly chain: readonly X509Certificate[];
  readonly trustAnchors: readonly X509Certificate[];
  /** The Endpoint ID in the agent certificate's SAN (R-SEC.10); undefined when it names none. */
  readonly endpointId?: string;
  /** Given by the operator (--cert/--key), or the self-signed bootstrap certificate. */
  readonly origin: 'files' | 'bootstrap';
}

/** Documented failure codes, so callers and logs can tell the cases apart. */
export type TlsIdentityErrorCode =
  | 'TLS_ERR_READ' // a file could not be read
  | 'TLS_ERR_NO_CERT' // no PEM certificate in the file
  | 'TLS_ERR_BAD_CERT' // a PEM block that is not a parsable X.509 certificate
  | 'TLS_ERR_BAD_KEY' // not an unencrypted PEM private key
  | 'TLS_ERR_KEY_MISMATCH'; // the key does not belong to the first certificate

export class TlsIdentityError extends Error {
  constructor(
    readonly code: TlsIdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TlsIdentityError';
  }
}

const PEM_CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM certificate blocks of a file, in order (a chain or a CA bundle). */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(PEM_CERT_RE) ?? [];
}

function parseCertificates(pem: string, what: string): X509Certificate[] {
  const blocks = splitPemCertificates(pem);
  if (blocks.length === 0) throw new TlsIdentityError('TLS_ERR_NO_CERT', `${what}: no PEM certificate found`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new TlsIdentityError('TLS_ERR_BAD_CERT', `${what}: certificate ${i + 1} is not valid X.509 (${(e as Error).message})`);
    }
  });
}

function parseKey(pem: string, what: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new TlsIdentityError('TLS_ERR_BAD_KEY', `${what}: not an unencrypted PEM private key (${(e as Error).message})`);
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new TlsIdentityError('TLS_ERR_READ', `${what} ${path}: ${(e as Error).message}`);
  }
}

/** Builds an identity from PEM text; `names` label the sources in error messages. */
export function tlsIdentityFromPem(pem: { cert: string; key: string; ca?: string }, origin: TlsIdentity['origin'] = 'files', names: { cert?: string; key?: string; ca?: string } = {}): TlsIdentity {
  const certName = names.cert ?? 'certificate';
  const chain = parseCertificates(pem.cert, certName);
  const key = parseKey(pem.key, names.key ?? 'private key');
  if (!chain[0].checkPrivateKey(key)) {
    throw new TlsIdentityError('TLS_ERR_KEY_MISMATCH', `${names.key ?? 'private key'} does not belong to ${certName}`);
  }
  const trustAnchors = pem.ca === undefined ? [] : parseCertificates(pem.ca, names.ca ?? 'CA file');
  return {
    certPem: splitPemCertificates(pem.cert).join('\n') + '\n',
    keyPem: pem.key,
    caPem: pem.ca === undefined ? undefined : splitPemCertificates(pem.ca).join('\n') + '\n',
    certificate: chain[0],
    chain,
    trustAnchors,
    endpointId: endpointIdFromCert(chain[0]),
    origin,
  };
}

/**
 * Loads `--cert` (one certificate, or a chain leaf first), `--key` and optional `--ca` (one or
 * more trust anchors) PEM files. Throws TlsIdentityError naming the file at fault.
 */
export function loadTlsIdentity(files: { cert: string; key: string; ca?: string }): TlsIdentity {
  return tlsIdentityFromPem(
    {
      cert: readText(files.cert, 'certificate file'),
      key: readText(files.key, 'key file'),
      ca: files.ca === undefined ? undefined : readText(files.ca, 'CA file'),
    },
    'files',
    { cert: files.cert, key: files.key, ca: files.ca },
  );
}

/** Reads and checks a CA bundle (for a bootstrap identity that still trusts a given CA). */
export function readCaFile(path: string): string {
  const pem = readText(path, 'CA file');
  parseCertificates(pem, path);
  return pem;
}

export type Validity = 'valid' | 'not-yet-valid' | 'expired';

/** notBefore as a Date (Node 20's X509Certificate has only the string form). */
export function certNotBefore(cert: X509Certificate): Date {
  return new Date(cert.validFrom);
}
/** notAfter as a Date. */
export function certNotAfter(cert: X509Certificate): Date {
  return new Date(cert.validTo);
}

/** Whether `now` lies in the certificate's validity period (R-MTP.3), given an injectable clock. */
export function validityAt(cert: X509Certificate, now: Date): Validity {
  if (now.getTime() < certNotBefore(cert).getTime()) return 'not-yet-valid';
  if (now.getTime() > certNotAfter(cert).getTime()) return 'expired';
  return 'valid';
}

export function isValidAt(cert: X509Certificate, now: Date): boolean {
  return validityAt(cert, now) === 'valid';
}

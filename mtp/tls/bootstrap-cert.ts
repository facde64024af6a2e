/**
 * The bootstrap identity: a self-signed certificate carrying the agent's Endpoint ID as a SAN
 * URI `urn:bbf:usp:id:<EndpointID>` (R-SEC.10), for an agent started with TLS on and no
 * operator certificate. Kept in the data directory and reused while it is in date and names
 * the current Endpoint ID, so controllers that pinned it (TOFU, stored Credential) still match.
 *
 * Key type: RSA-2048 with SHA-256. node-forge (1.x) signs X.509 with RSA keys only, it has
 * no ECDSA, so P-256 is not available here. The key pair itself comes from node:crypto.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import type { Logger } from '../../datamodel/Logger.js';
import { USP_EID_URN_PREFIX } from './endpoint-id-from-cert.js';
import { tlsIdentityFromPem, validityAt, type TlsIdentity } from './TlsIdentity.js';

export const BOOTSTRAP_CERT_FILE = 'bootstrap-cert.pem';
export const BOOTSTRAP_KEY_FILE = 'bootstrap-key.pem';
export const BOOTSTRAP_VALIDITY_YEARS = 10;
/** notBefore is back-dated so a peer whose clock lags a little still accepts the certificate. */
const BACKDATE_MS = 24 * 3600 * 1000;
/** X.520 upper bound of commonName. */
const CN_MAX = 64;

export interface BootstrapOptions {
  endpointId: string;
  /** Where the files live; undefined: a fresh certificate in memory only (not persisted). */
  dataDir?: string;
  /** Trust anchors for controller certificates, copied into the identity. */
  caPem?: string;
  now?: () => Date;
  log?: Logger;
}

export interface BootstrapResult {
  identity: TlsIdentity;
  /** False when the files in the data directory were reused. */
  created: boolean;
  certPath?: string;
  keyPath?: string;
}

/** Reuses `<dataDir>/bootstrap-cert.pem` + `bootstrap-key.pem` when they fit, else makes new ones. */
export async function ensureBootstrapIdentity(opts: BootstrapOptions): Promise<BootstrapResult> {
  const now = (opts.now ?? (() => new Date()))();
  if (opts.dataDir === undefined) {
    const pem = await createBootstrapCertificate(opts.endpointId, now);
    return { identity: tlsIdentityFromPem({ ...pem, ca: opts.caPem }, 'bootstrap'), created: true };
  }
  const certPath = join(opts.dataDir, BOOTSTRAP_CERT_FILE);
  const keyPath = join(opts.dataDir, BOOTSTRAP_KEY_FILE);
  const reused = tryReuse(certPath, keyPath, opts.endpointId, now, opts.caPem);
  if (typeof reused !== 'string') {
    // A key left group- or world-readable (copied in by hand) is tightened, not trusted as is.
    if ((statSync(keyPath).mode & 0o077) !== 0) chmodSync(keyPath, 0o600);
    return { identity: reused, created: false, certPath, keyPath };
  }
  if (reused !== 'absent') opts.log?.warn('bootstrap certificate replaced', { why: reused, cert: certPath });
  const pem = await createBootstrapCertificate(opts.endpointId, now);
  mkdirSync(opts.dataDir, { recursive: true });
  writeAtomically(keyPath, pem.key, 0o600);
  writeAtomically(certPath, pem.cert, 0o644);
  opts.log?.info('bootstrap certificate created', { cert: certPath, endpointId: opts.endpointId });
  return { identity: tlsIdentityFromPem({ ...pem, ca: opts.caPem }, 'bootstrap'), created: true, certPath, keyPath };
}

/** The identity from existing files, or why they cannot be reused. */
function tryReuse(certPath: string, keyPath: string, endpointId: string, now: Date, caPem?: string): TlsIdentity | string {
  if (!existsSync(certPath) || !existsSync(keyPath)) return 'absent';
  let id: TlsIdentity;
  try {
    id = tlsIdentityFromPem({ cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), ca: caPem }, 'bootstrap');
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
  if (id.endpointId !== endpointId) return `names ${id.endpointId ?? 'no Endpoint ID'}, not ${endpointId}`;
  const validity = validityAt(id.certificate, now);
  return validity === 'valid' ? id : validity;
}

/** A new self-signed RSA-2048 certificate (PEM) whose SAN URI carries the Endpoint ID. */
export async function createBootstrapCertificate(endpointId: string, now: Date): Promise<{ cert: string; key: string }> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const { pki, md } = forge;
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(publicKey);
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // a positive INTEGER (RFC 5280 §4.1.2.2)
  serial[0] |= 0x01; // and no leading zero byte to be stripped
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + BOOTSTRAP_VALIDITY_YEARS);
  cert.validity.notAfter = notAfter;
  const name = [{ name: 'commonName', value: endpointId.slice(0, CN_MAX) }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    // No keyUsage: OpenSSL refuses a self-signed certificate as its own issuer when keyUsage
    // lacks keyCertSign, which would break controllers that pin it as a trust anchor (TOFU).
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 6, value: USP_EID_URN_PREFIX + endpointId }] },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(pki.privateKeyFromPem(privateKey), md.sha256.create());
  return { cert: pki.certificateToPem(cert), key: privateKey };
}

function writeAtomically(path: string, data: string, mode: number): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, data, { mode, flag: 'wx' });
  renameSync(tmp, path);
}

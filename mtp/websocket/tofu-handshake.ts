/**
 * Trust on first use for the WebSocket server MTP (TR-181 ControllerTrust.TOFUAllowed,
 * TOFUInactivityTimer; TR-369 "Check Cert" step 4): with TOFU on, a client certificate that TLS
 * could not verify only because its issuer is unknown (self-signed, or an unknown CA) is accepted
 * when it is in date and names an Endpoint ID. Anything else an unverified handshake carries
 * (expired, not yet valid, bad signature, no certificate) is refused, as without TOFU.
 *
 * Node can only refuse unverified client certificates for a whole server (rejectUnauthorized),
 * so a server that may use TOFU verifies with it off and refuses here, right after the
 * handshake and before any HTTP byte is read: the client sees the same hang-up as Node's own
 * refusal. Whether TOFU is allowed is asked at every handshake, so turning it off applies at once.
 */
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { endpointIdFromCert } from '../tls/endpoint-id-from-cert.js';

/** The agent's TOFU policy, read per handshake (ControllerTrust.TOFUAllowed / TOFUInactivityTimer). */
export interface TofuPolicy {
  allowed(): boolean;
  /** TOFUInactivityTimer in ms: a TOFU connection with no USP Record for this long is torn down; 0 = never. */
  inactivityMs(): number;
}

/** Verification failures that only say "issuer unknown": the cases TOFU exists for. */
const UNKNOWN_ISSUER = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

export type TofuVerdict = { ok: true; cert: X509Certificate } | { ok: false; reason: string };

/** The verdict on an unverified TLS client (`socket.authorized` is false). */
export function tofuVerdict(socket: TLSSocket, policy: TofuPolicy, now = Date.now()): TofuVerdict {
  const reason = String(socket.authorizationError ?? 'unverified');
  const cert = socket.getPeerX509Certificate();
  if (!cert) return { ok: false, reason: 'no client certificate' };
  if (!UNKNOWN_ISSUER.has(reason)) return { ok: false, reason };
  if (!policy.allowed()) return { ok: false, reason: `${reason} (TOFUAllowed is false)` };
  // OpenSSL reports the first failure only: a self-signed certificate's dates are checked here.
  if (now < Date.parse(cert.validFrom)) return { ok: false, reason: 'CERT_NOT_YET_VALID' };
  if (now > Date.parse(cert.validTo)) return { ok: false, reason: 'CERT_HAS_EXPIRED' };
  if (!endpointIdFromCert(cert)) return { ok: false, reason: `${reason} (no Endpoint ID in the certificate to trust)` };
  return { ok: true, cert };
}

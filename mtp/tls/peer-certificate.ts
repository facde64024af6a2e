/**
 * The certificate the far end of a TLS socket presented, once the TLS layer verified it against
 * the trust anchors: a WebSocket controller's client or server certificate, or an MQTT broker's.
 * On the server side Node links it to its issuers (`issuerCertificate`); ControllerTrust walks
 * that chain, and also matches the leaf's own issuer, to find the validating CA (R-SEC.25).
 * Undefined without TLS or verification.
 */
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

export function verifiedPeerCertificate(socket: unknown): X509Certificate | undefined {
  const sock = socket as Partial<TLSSocket> | undefined;
  if (!sock?.authorized || typeof sock.getPeerX509Certificate !== 'function') return undefined;
  return sock.getPeerX509Certificate();
}

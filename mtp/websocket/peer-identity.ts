/**
 * Who a WebSocket peer is (TR-369 R-WS.10b, R-SEC.0a): the Endpoint ID in its
 * TLS client certificate when it has one, which is authoritative; otherwise the `eid` query
 * parameter (or the deprecated `bbf-usp-protocol; eid=` extension) it claims. A connection with
 * neither has no identity and is refused at the upgrade: every Record must be judged against one
 * established Endpoint ID, never against the from_id it happens to carry.
 */
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { endpointIdFromCert } from '../tls/endpoint-id-from-cert.js';

/** Where the connection's Endpoint ID came from (logged with each connection). */
export type PeerSource = 'certificate' | 'eid';

export type PeerIdentity =
  | { ok: true; endpointId: string; source: PeerSource }
  /** `why` is for the log only: it holds peer-supplied text, so it never goes on the wire. */
  | { ok: false; status: 400 | 403; why: string };

/** Why a peer that named no Endpoint ID is refused (400: the request lacks what R-WS.10b requires). */
const NO_IDENTITY = { ok: false, status: 400, why: 'no eid query parameter (R-WS.10b) and no Endpoint ID in a client certificate' } as const;

/** The Endpoint ID the client claims in the upgrade request, if any. */
export function claimedEndpointId(url: URL, req: IncomingMessage): string | undefined {
  return url.searchParams.get('eid') || extensionEid(req.headers['sec-websocket-extensions']) || undefined;
}

/**
 * Decides the connection identity. A certificate naming an Endpoint ID wins over the claim; if
 * both exist and differ the upgrade is refused (403), as a Record from that claim would be
 * dropped anyway (R-SEC.0a) and the mismatch points at a misconfigured or hostile peer. Neither
 * a claim nor a certificate naming an Endpoint ID: refused with 400.
 * @param cert the client certificate TLS verified, or one accepted on first use; never an
 *   unverified one, which must not lend its name to the connection.
 */
export function peerIdentity(url: URL, req: IncomingMessage, requireClientCert: boolean, cert: X509Certificate | undefined): PeerIdentity {
  const claimed = claimedEndpointId(url, req);
  const sock = req.socket as Partial<TLSSocket>;
  const byClaim: PeerIdentity = claimed ? { ok: true, endpointId: claimed, source: 'eid' } : NO_IDENTITY;
  if (typeof sock.getPeerX509Certificate !== 'function') return byClaim;
  if (!cert) {
    if (requireClientCert) return { ok: false, status: 403, why: 'no verified client certificate' };
    return byClaim;
  }
  // A certificate that names no Endpoint ID proves none: the claim stands only where the agent's
  // ControllerTrust vouches for it (a pinned Credential, a CA's Role), decided per Record.
  const fromCert = endpointIdFromCert(cert, claimed);
  if (!fromCert) return byClaim;
  if (claimed && claimed !== fromCert) {
    return { ok: false, status: 403, why: `eid ${JSON.stringify(claimed)} differs from the certificate's ${fromCert}` };
  }
  return { ok: true, endpointId: fromCert, source: 'certificate' };
}

/** The deprecated `bbf-usp-protocol; eid="..."` extension some older controllers still send. */
function extensionEid(header: string | undefined): string | undefined {
  const m = header && /bbf-usp-protocol\s*;\s*eid="?([^";,]+)"?/.exec(header);
  return m ? m[1] : undefined;
}

/**
 * The contract between message transfer protocols and the agent: MTPs move USP Records as
 * bytes and know the peer's transport identity; they never decode a Msg.
 */
import type { X509Certificate } from 'node:crypto';

/** One live link to a peer (a WebSocket, an MQTT reply topic, a UDS connection). */
export interface MtpConnection {
  /** The protocol name as in Device.LocalAgent.MTP.{i}.Protocol. */
  readonly protocol: 'WebSocket' | 'MQTT' | 'UDS' | 'CoAP';
  /**
   * The peer's Endpoint ID as the transport established it (certificate SAN, or the `eid`
   * query parameter on a plain WebSocket); undefined when the transport does not say.
   */
  readonly peerEndpointId?: string;
  /**
   * How `peerEndpointId` was established: the peer's certificate names it ('certificate'), the
   * agent dialled that controller ('dialled'), or it is only the peer's word ('claimed': the
   * WebSocket `eid` query parameter, a UDS Handshake). A claim next to a certificate that names
   * no Endpoint ID is checked against ControllerTrust before any Record is served (R-SEC.0a).
   */
  readonly identity?: 'certificate' | 'dialled' | 'claimed';
  /**
   * The peer's verified TLS certificate, linked to its issuers up to the trust anchor
   * (`issuerCertificate`), for ControllerTrust (pinned credentials, InheritedRole); undefined
   * without TLS or when the transport does not say.
   */
  readonly peerCertificate?: X509Certificate;
  /**
   * Whose certificate `peerCertificate` is: the controller's own (WebSocket, either direction),
   * or the MQTT broker's, which speaks for the controllers behind it only as a Trusted Broker
   * (a ControllerTrust.Credential with AllowedUses MTP-and-broker names its CA). Default 'peer'.
   */
  readonly certificateHolder?: 'peer' | 'broker';
  /**
   * The certificate was accepted under ControllerTrust.TOFUAllowed, not by a trusted CA: the
   * agent pins it to the controller on first use (TR-369 "Determine Role").
   */
  readonly trustedOnFirstUse?: boolean;
  /**
   * Sends one Record; false when the link is gone or its send buffer is full. `more`: other
   * Records to this peer are being prepared (pipelined requests), so the MTP may hold this one
   * briefly to write them together; without it the Record goes out at once.
   */
  send(record: Uint8Array, more?: boolean): boolean;
  /** Closes the link (WebSocket status code per R-WS.16, e.g. 1003 for an unparsable record). */
  close(code?: number, reason?: string): void;
  readonly open: boolean;
}

export type RecordHandler = (record: Uint8Array, conn: MtpConnection) => void;

export interface Mtp {
  start(): Promise<void>;
  /** Stops accepting, closes links; resolves when the transport is fully down. */
  stop(): Promise<void>;
}

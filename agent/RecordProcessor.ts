/**
 * The receive pipeline: decode the Record, check addressing (R-E2E.1, R-ARC.2,
 * R-SEC.0a) and the connection's certificate against the controller's pinned Credential, decode
 * the Msg, drop duplicate in-flight msg_ids (R-MSG.4), dispatch, and answer over the same
 * connection with the same record type (R-MSG.0a). Bad input is dropped and logged, or answered
 * with a coded Error, and never takes the process down.
 */
import type { AccessView } from '../datamodel/access/AccessView.js';
import type { Logger } from '../datamodel/Logger.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { MtpConnection } from '../mtp/Mtp.js';
import { MsgDecodeError, RecordDecodeError } from './codec/errors.js';
import { encodeMsgRecord } from './codec/fast-encode.js';
import { decodeMsg, errorMsg } from './codec/msg.js';
import { decodeRecord, disconnectRecord, encodeRecord, type DecodedRecord } from './codec/record.js';
import type { UspMsg } from './codec/types.js';
import type { ControllerDirectory } from './ControllerDirectory.js';
import { dispatchRequest } from './dispatch-request.js';
import { InFlight } from './InFlight.js';
import { DEFAULT_MAX_RESPONSE_SIZE, ResponseTooLargeError } from './request-limits.js';
import type { OperationRunner } from './operate/OperationRunner.js';

/** Requests in flight: bounded per controller and in all (InFlight.ts); more get Error 7005. */
export { DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT_PER_CONTROLLER } from './InFlight.js';

export interface RecordProcessorDeps {
  model: DataModel;
  operations: OperationRunner;
  controllers: ControllerDirectory;
  log: Logger;
  /** The agent's own Endpoint ID (Device.LocalAgent.EndpointID). */
  endpointId: () => string;
  maxInFlight?: number;
  /** Requests one controller may have in flight; default DEFAULT_MAX_IN_FLIGHT_PER_CONTROLLER. */
  maxInFlightPerController?: number;
  /** Largest Record a response may fill; default DEFAULT_MAX_RESPONSE_SIZE (request-limits.ts). */
  maxResponseSize?: number;
  /** Responses (NotifyResp) go to the notification engine. */
  onResponse?: (fromId: string, msg: UspMsg) => void;
  /**
   * An Endpoint ID bound to particular connections (the local control socket, agent/control/):
   * its Records count only on a connection `holds` accepts, and there they carry `access`
   * whatever the controller's row says. On any other connection they are dropped, so no MTP
   * can claim the identity.
   */
  boundIdentity?: BoundIdentity;
}

/** See RecordProcessorDeps.boundIdentity. */
export interface BoundIdentity {
  endpointId: string;
  holds(conn: MtpConnection): boolean;
  access: AccessView;
}

export class RecordProcessor {
  private readonly inFlight: InFlight;

  constructor(private readonly deps: RecordProcessorDeps) {
    this.inFlight = new InFlight(deps.maxInFlight, deps.maxInFlightPerController);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Resolves when no request is in flight, or after `timeoutMs` (shutdown answers what it can). */
  async drain(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  }

  /** Entry point for every MTP; never throws. */
  onRecord = (bytes: Uint8Array, conn: MtpConnection): void => {
    try {
      this.process(bytes, conn)?.catch((e: unknown) => this.failed(e));
    } catch (e) {
      this.failed(e);
    }
  };

  // A method, not a closure per processor (issue 14); the rare failure pays for its arrow.
  private failed(e: unknown): void {
    this.deps.log.error('record processing failed', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }

  /**
   * Checks a Record and routes it. Not an async function: a Record is checked synchronously,
   * and only the work that waits (answering a request, a certificate check) makes a promise,
   * returned so onRecord can log its failure.
   */
  private process(bytes: Uint8Array, conn: MtpConnection): Promise<void> | undefined {
    const { log } = this.deps;
    const own = this.deps.endpointId();
    let rec;
    try {
      rec = decodeRecord(bytes);
    } catch (e) {
      if (!(e instanceof RecordDecodeError)) throw e;
      log.warn('record dropped', { code: e.code, reason: e.message, bytes: bytes.length });
      this.answerBadRecord(e, conn, own);
      // R-WS.16: a WebSocket carrying a record that cannot be processed is closed with 1003 (after
      // the Error, which the close frame follows). Other MTPs drop the record and carry on.
      if (conn.protocol === 'WebSocket') conn.close(1003, 'USP record could not be processed');
      return;
    }
    if (rec.toId !== own) {
      log.warn('record dropped: not addressed to this agent', { to: rec.toId });
      return;
    }
    if (rec.fromId === own || rec.fromId === '') {
      log.warn('record dropped: from_id is the agent itself or empty');
      return;
    }
    // A link that establishes identities (WebSocket, UDS) serves none before it has one (R-WS.10b).
    if (conn.identity && !conn.peerEndpointId) {
      log.warn('record dropped: the connection has no established identity', { from: rec.fromId });
      return;
    }
    if (conn.peerEndpointId && conn.peerEndpointId !== rec.fromId) {
      log.warn('record dropped: from_id differs from the connection identity', { from: rec.fromId, peer: conn.peerEndpointId });
      return;
    }
    const bound = this.deps.boundIdentity;
    const local = bound !== undefined && rec.fromId === bound.endpointId;
    if (local && !bound.holds(conn)) {
      log.warn('record dropped: this Endpoint ID is reserved for the local control socket', { from: rec.fromId, protocol: conn.protocol });
      return;
    }
    return conn.peerCertificate ? this.routeChecked(rec, conn, own, local) : this.route(rec, conn, own, local);
  }

  /** route() once the connection's certificate is accepted for the controller (its pinned Credential). */
  private async routeChecked(rec: DecodedRecord, conn: MtpConnection, own: string, local: boolean): Promise<void> {
    const refused = await this.deps.controllers.refusal(rec.fromId, conn);
    if (refused) {
      this.deps.log.warn('record dropped: certificate not accepted for this controller', { from: rec.fromId, reason: refused });
      return;
    }
    await this.route(rec, conn, own, local);
  }

  /** A Record checked for addressing, by kind: a Msg to process, a session to refuse, or nothing to do. */
  private route(rec: DecodedRecord, conn: MtpConnection, own: string, local: boolean): Promise<void> | undefined {
    const { log } = this.deps;
    switch (rec.body.kind) {
      case 'noSessionContext':
        return this.onPayload(rec.body.payload, rec.fromId, conn, local);
      case 'sessionContext':
        // R-E2E.6a: this agent does not run E2E sessions.
        conn.send(encodeRecord(disconnectRecord({ toId: rec.fromId, fromId: own }, 'Session Context not allowed', ErrorCode.SessionContextNotAllowed)));
        return;
      case 'disconnect':
        log.info('controller sent a Disconnect record', { from: rec.fromId, reason: rec.body.reason });
        return;
      default:
        log.debug('connect record ignored', { kind: rec.body.kind, from: rec.fromId });
    }
  }

  private async onPayload(payload: Uint8Array, fromId: string, conn: MtpConnection, local: boolean): Promise<void> {
    const { log } = this.deps;
    let msg: UspMsg;
    try {
      msg = decodeMsg(payload);
    } catch (e) {
      if (!(e instanceof MsgDecodeError)) throw e;
      log.warn('message rejected', { from: fromId, code: e.code, reason: e.message });
      if (e.msgId) this.reply(conn, fromId, errorMsg(e.msgId, e.code, e.message));
      return;
    }
    const msgId = msg.header.msgId;
    if (msg.body.msgBody !== 'request') {
      if (msg.body.msgBody === 'response') this.deps.onResponse?.(fromId, msg);
      else log.info('controller sent an Error', { from: fromId, msgId, code: msg.body.error.errCode, reason: msg.body.error.errMsg });
      return;
    }
    const admission = this.inFlight.admit(fromId, msgId);
    if (admission === 'duplicate') {
      log.warn('duplicate msg_id ignored', { from: fromId, msgId });
      return;
    }
    if (admission !== 'admitted') {
      const why =
        admission === 'controllerFull'
          ? `too many requests in flight from this controller (at most ${this.inFlight.maxPerController})`
          : `too many requests in flight (at most ${this.inFlight.max} across controllers)`;
      this.reply(conn, fromId, errorMsg(msgId, ErrorCode.ResourcesExceeded, why));
      return;
    }
    try {
      // R-SEC.1: every request is checked against the sender's roles; an unknown sender gets a
      // Controller row with UntrustedRole first (TP-469 2.9).
      let session;
      try {
        const pending = this.deps.controllers.session(fromId, conn);
        session = pending instanceof Promise ? await pending : pending;
        // The socket's file permissions granted these rights, not the row (which a remote controller may edit).
        if (local) session = { ...session, access: this.deps.boundIdentity!.access, refused: undefined };
      } catch (e) {
        // Without the sender's rights nothing may be done for it: a coded Error, never full access.
        log.error('controller permissions could not be determined', { from: fromId, error: e instanceof Error ? e.message : String(e) });
        this.reply(conn, fromId, errorMsg(msgId, ErrorCode.InternalError, 'permissions could not be determined'));
        return;
      }
      if (session.refused) {
        log.warn('request dropped: controller not served', { from: fromId, msgId, reason: session.refused });
        return;
      }
      if (session.created) log.info('unknown controller added with UntrustedRole', { from: fromId, path: session.path });
      if (session.pinError) log.warn('certificate accepted on first use could not be pinned', { from: fromId, reason: session.pinError });
      if (session.createError) log.warn('unknown controller served without a Controller row', { from: fromId, reason: session.createError });
      const h = { model: this.deps.model, operations: this.deps.operations, log, req: { controllerId: fromId, controllerPath: session.path, access: session.access } };
      const out = await dispatchRequest(h, msgId, msg.body.request);
      // Other requests of this controller still in flight: their answers may follow in one write.
      if (out) this.reply(conn, fromId, out, this.inFlight.countFor(fromId) > 1);
    } finally {
      this.inFlight.release(fromId, msgId);
    }
  }

  private reply(conn: MtpConnection, toId: string, msg: UspMsg, more = false): void {
    const addr = { toId, fromId: this.deps.endpointId() };
    let record = encodeMsgRecord(addr, msg);
    const max = this.deps.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE;
    if (record.length > max && msg.body.msgBody === 'response') {
      // The last line of the response bound (request-limits.ts): whatever built it, a response
      // that does not fit in one Record becomes Error 7005 naming the limit.
      const e = new ResponseTooLargeError(`the ${msg.body.response.respType} (${record.length} bytes)`, max);
      this.deps.log.warn('response refused: too large', { to: toId, msgId: msg.header.msgId, bytes: record.length, max });
      record = encodeMsgRecord(addr, errorMsg(msg.header.msgId, e.code, e.message));
    }
    if (!conn.send(record, more)) this.deps.log.warn('response not sent: connection closed', { to: toId });
  }

  /** R-MTP.5: answer a bad Record with an Error only when it was meant for us and carried a request. */
  private answerBadRecord(e: RecordDecodeError, conn: MtpConnection, own: string): void {
    const s = e.salvage;
    if (!s.fromId || s.toId !== own || s.fromId === own || !s.payload) return;
    // The same addressing rule as for good records: never answer an identity the link did not establish.
    if (conn.peerEndpointId && conn.peerEndpointId !== s.fromId) return;
    const bound = this.deps.boundIdentity;
    if (bound && s.fromId === bound.endpointId && !bound.holds(conn)) return;
    let msgId: string | undefined;
    try {
      const m = decodeMsg(s.payload);
      if (m.body.msgBody !== 'request') return;
      msgId = m.header.msgId;
    } catch (err) {
      if (err instanceof UspError) return;
      throw err;
    }
    this.reply(conn, s.fromId, errorMsg(msgId, e.code, e.message));
  }
}

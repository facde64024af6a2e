/**
 * Typed decode failures. Both are UspErrors, so anything above the codec can treat them uniformly;
 * the extra fields carry what the agent needs to answer anyway (TR-369 R-MTP.5 for Records,
 * R-MSG.0 / R-ENC.3 for Messages).
 */
import { type ErrorCode, UspError } from '../../datamodel/UspError.js';

/**
 * Why decoding failed, for callers that treat causes differently: R-ENC.2 wants an unknown enum
 * reported to the MTP as a bad request with no further processing, R-ENC.5 wants a 7004 reply for
 * a oneof violation, R-MSG.1 allows a 7001 reply for an unknown message type.
 */
export type DecodeFailure = 'notParsed' | 'oneof' | 'unknownEnum' | 'missingField' | 'invalidValue' | 'unsupported';

/** What could be salvaged from a Record that failed to decode, to decide whether and how to reply. */
export interface RecordSalvage {
  version?: string;
  toId?: string;
  fromId?: string;
  /** The no_session_context payload, if one was readable. */
  payload?: Uint8Array;
}

/** The Record-level codes decodeRecord reports (R-MTP.5). */
export type RecordErrorCode = ErrorCode.RecordNotParsed | ErrorCode.InvalidRecordValue | ErrorCode.SecureSessionNotSupported;

/**
 * A Record that must not be processed: 7100 (could not be parsed), 7104 (invalid value) or 7102
 * (secure session not supported: TLS12 payload security without an E2E session).
 * R-MTP.5: the agent replies with a USP Error only when from_id is valid, to_id is its own, the
 * payload is a request and its msg_id can be read; `salvage` holds what was readable for that.
 */
export class RecordDecodeError extends UspError {
  readonly reason: DecodeFailure;
  readonly salvage: RecordSalvage;

  constructor(code: RecordErrorCode, reason: DecodeFailure, message: string, salvage: RecordSalvage = {}) {
    super(code, message);
    this.name = 'RecordDecodeError';
    this.reason = reason;
    this.salvage = salvage;
  }
}

/**
 * A Msg that cannot be handled: 7004 (invalid arguments, including oneof violations, R-ENC.3) or
 * 7001 (a request or response type this codec does not know, R-MSG.1). `msgId` is set when it
 * could be read, so the agent can answer with an Error message.
 */
export class MsgDecodeError extends UspError {
  readonly reason: DecodeFailure;
  readonly msgId?: string;

  constructor(code: ErrorCode.InvalidArguments | ErrorCode.MessageNotSupported, reason: DecodeFailure, message: string, msgId?: string) {
    super(code, message);
    this.name = 'MsgDecodeError';
    this.reason = reason;
    this.msgId = msgId;
  }
}

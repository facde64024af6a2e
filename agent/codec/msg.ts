/**
 * USP Msg codec (TR-369 §"Messages", usp-msg.proto): strict decoding into the plain objects of
 * types.ts, encoding of what the agent sends, and builders for the common envelopes.
 *
 * Error codes: a Msg that cannot be parsed, breaks the one-member rule of any oneof (R-ENC.3/5),
 * carries an unknown enum value or lacks header/msg_id/body gives 7004 InvalidArguments. A Request
 * or Response whose only member is one this schema does not know (a newer USP) gives 7001
 * MessageNotSupported (R-MSG.1). Both carry the msg_id when it could be read, so the agent can reply,
 * and a `reason`: an unknown enum ('unknownEnum') is a bad request not to be processed further
 * (R-ENC.2), while the agent should answer a oneof violation ('oneof') with 7004 (R-ENC.5).
 */
import type protobuf from 'protobufjs';
import { ErrorCode, type UspError } from '../../datamodel/UspError.js';
import { MsgDecodeError, type DecodeFailure } from './errors.js';
import { decodeGetMsgFast } from './fast-decode.js';
import { uspTypes } from './loader.js';
import { REQUEST_MSG_TYPE, RESPONSE_MSG_TYPE, type ErrorParam, type Request, type Response, type UspMsg } from './types.js';
import { inspectWire, scanFields, utf8At, WireError } from './wire.js';

/**
 * How protobufjs turns a decoded message into types.ts shapes: enum names, every field present
 * (defaults: true), and a discriminant for each set oneof (oneofs: true).
 */
const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: String, defaults: true, oneofs: true };

/** Oneofs whose emptiness, with unknown fields present, means "a message type newer than ours". */
const EXTENSIBLE_ONEOFS = new Set(['usp.Request', 'usp.Response']);

/**
 * Decodes and validates a serialized USP Msg. Throws MsgDecodeError (a UspError: 7004 or 7001, with
 * msgId when readable); never throws anything else for any input bytes.
 */
export function decodeMsg(bytes: Uint8Array): UspMsg {
  return decodeGetMsgFast(bytes) ?? decodeMsgStrict(bytes);
}

/** decodeMsg without the one-pass Get reader (fast-decode.ts): the reference it is tested against. */
export function decodeMsgStrict(bytes: Uint8Array): UspMsg {
  const { Msg } = uspTypes();
  const fail = (reason: DecodeFailure, message: string, msgId = peekMsgId(bytes)): never => {
    const code = reason === 'unsupported' ? ErrorCode.MessageNotSupported : ErrorCode.InvalidArguments;
    throw new MsgDecodeError(code, reason, message, msgId);
  };

  try {
    const report = inspectWire(Msg, bytes);
    const newer = report.emptyOneofs.find((o) => EXTENSIBLE_ONEOFS.has(o.type) && o.unknownFields.length > 0);
    if (newer) {
      fail('unsupported', `${newer.type} member ${newer.unknownFields.join(', ')} is not supported`);
    }
    const empty = report.emptyOneofs[0];
    if (empty) fail('oneof', `${empty.type}.${empty.oneof} has no member`);
    if (report.unknownEnums.length) fail('unknownEnum', `unknown enum value ${report.unknownEnums[0]}`);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    if (e.fault === 'twoMembers') fail('oneof', `oneof violation: ${e.message}`);
    fail('notParsed', `Msg could not be parsed: ${e.message}`);
  }

  let msg: Partial<UspMsg>;
  try {
    msg = Msg.toObject(Msg.decode(bytes), TO_OBJECT) as Partial<UspMsg>;
  } catch (e) {
    return fail('notParsed', `Msg could not be parsed: ${(e as Error).message}`);
  }
  // With defaults: true an absent sub-message comes back as null.
  if (!msg.header) return fail('missingField', 'Msg.header is missing', undefined);
  if (!msg.header.msgId) return fail('missingField', 'Msg.header.msg_id is missing', undefined);
  if (!msg.body) return fail('missingField', 'Msg.body is missing', msg.header.msgId);
  return msg as UspMsg;
}

/**
 * Encodes a Msg built by the agent. Inputs come from our own code, so a malformed one is a bug and
 * the protobufjs TypeError is left to surface (mapped to 7003 at the edge).
 */
export function encodeMsg(msg: UspMsg): Uint8Array {
  const { Msg } = uspTypes();
  // fromObject maps enum names to numbers and fills maps; oneof discriminants are ignored.
  const pb = Msg.fromObject(msg) as protobuf.Message & { header?: { msgType?: number } };
  // proto3 leaves zero values off the wire; an explicit msg_type=ERROR (0) makes some controllers
  // (usp-js) look for a pending "ERROR" request and never settle the real one.
  if (pb.header && pb.header.msgType === 0) delete pb.header.msgType;
  return Msg.encode(pb).finish();
}

/** A response to request `msgId` (R-MSG.9); msg_type follows the body member. */
export function responseMsg(msgId: string, response: Response): UspMsg {
  return {
    header: { msgId, msgType: RESPONSE_MSG_TYPE[response.respType] },
    body: { msgBody: 'response', response },
  };
}

/** A request the agent originates (Notify, Register, Deregister); msg_type follows the body member. */
export function requestMsg(msgId: string, request: Request): UspMsg {
  return {
    header: { msgId, msgType: REQUEST_MSG_TYPE[request.reqType] },
    body: { msgBody: 'request', request },
  };
}

/** A USP Error message answering `msgId` (TR-369 "Error"). */
export function errorMsg(msgId: string, errCode: number, errMsg: string, paramErrs?: ErrorParam[]): UspMsg {
  const error = paramErrs?.length ? { errCode, errMsg, paramErrs } : { errCode, errMsg };
  return { header: { msgId, msgType: 'ERROR' }, body: { msgBody: 'error', error } };
}

/** A USP Error message from a UspError; its parameter errors become Error.param_errs (full paths). */
export function errorMsgFromUspError(msgId: string, err: UspError): UspMsg {
  const paramErrs = err.paramErrors.map((p) => ({ paramPath: p.param, errCode: p.code, errMsg: p.message }));
  return errorMsg(msgId, err.code, err.message, paramErrs);
}

/**
 * The msg_id read straight from the wire, for answering a Msg that failed to decode; undefined if it
 * cannot be found. Follows merge rules: the last msg_id seen wins.
 */
export function peekMsgId(bytes: Uint8Array): string | undefined {
  let msgId: string | undefined;
  scanFields(bytes, 0, bytes.length, (fieldNo, wireType, from, to) => {
    if (fieldNo !== 1 || wireType !== 2) return;
    scanFields(bytes, from, to, (f, w, idFrom, idTo) => {
      if (f === 1 && w === 2) msgId = utf8At(bytes, idFrom, idTo);
    });
  });
  return msgId || undefined;
}

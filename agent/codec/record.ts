/**
 * USP Record codec (TR-369 §"USP Record", usp-record.proto): defensive decoding of what the MTPs
 * receive and builders for the Records the agent sends.
 *
 * Error codes (R-MTP.5): 7100 RecordNotParsed when the bytes are not a protobuf encoding of a Record
 * (truncation, bad wire types, invalid UTF-8); 7104 InvalidRecordValue when they are, but break a
 * USP rule: no or two record_type members (R-ENC.3), an unknown enum value (R-ENC.2), a missing
 * version/to_id/from_id (R-MTP.4b), a malformed version or an empty payload (R-E2E.26), or a
 * version of another major USP version than 1 (a newer 1.x minor is accepted: receivers cope
 * with higher minors gracefully). 7102 SecureSessionNotSupported for payload_security TLS12 in a
 * NoSessionContext record: TLS inside Records exists only within an E2E session (R-E2E.40-43),
 * which this agent does not run, so the payload could never be read as plaintext.
 */
import type protobuf from 'protobufjs';
import { ErrorCode } from '../../datamodel/UspError.js';
import { RecordDecodeError, type DecodeFailure, type RecordErrorCode, type RecordSalvage } from './errors.js';
import { decodeRecordFast } from './fast-decode.js';
import { uspTypes } from './loader.js';
import { inspectWire, scanFields, utf8At, WireError } from './wire.js';

/** The USP version this agent speaks and puts in every Record it sends. */
export const USP_VERSION = '1.4';

export type PayloadSecurity = 'PLAINTEXT' | 'TLS12';
export type PayloadSarState = 'NONE' | 'BEGIN' | 'INPROCESS' | 'COMPLETE';
export type MqttVersion = 'V3_1_1' | 'V5';
export type StompVersion = 'V1_2';

export type RecordKind = RecordBody['kind'];

/** The record_type member, tagged by its camelCase member name. */
export type RecordBody =
  | { kind: 'noSessionContext'; payload: Uint8Array }
  | { kind: 'sessionContext'; sessionContext: SessionContext }
  | { kind: 'websocketConnect' }
  | { kind: 'mqttConnect'; version: MqttVersion; subscribedTopic: string }
  | { kind: 'stompConnect'; version: StompVersion; subscribedDestination: string }
  | { kind: 'disconnect'; reason: string; reasonCode: number }
  | { kind: 'udsConnect' };

/** E2E session fields; uint64 ids as bigint so sequence arithmetic stays exact. */
export interface SessionContext {
  sessionId: bigint;
  sequenceId: bigint;
  expectedId: bigint;
  retransmitId: bigint;
  payloadSarState: PayloadSarState;
  payloadrecSarState: PayloadSarState;
  payload: Uint8Array[];
}

/** A decoded Record. Byte fields are empty when absent and are views into the input bytes (no copy). */
export interface DecodedRecord {
  /** As received, "1.Minor"; the minor may be newer than USP_VERSION (handled gracefully, not rejected). */
  version: string;
  toId: string;
  fromId: string;
  payloadSecurity: PayloadSecurity;
  macSignature: Uint8Array;
  senderCert: Uint8Array;
  body: RecordBody;
}

/** Input of encodeRecord: version defaults to USP_VERSION, payloadSecurity to PLAINTEXT. */
export interface OutgoingRecord {
  version?: string;
  toId: string;
  fromId: string;
  payloadSecurity?: PayloadSecurity;
  macSignature?: Uint8Array;
  senderCert?: Uint8Array;
  body: RecordBody;
}

/** Who a Record goes to and comes from. */
export interface RecordAddress {
  toId: string;
  fromId: string;
}

const PAYLOAD_SECURITY: readonly PayloadSecurity[] = ['PLAINTEXT', 'TLS12'];
const SAR_STATES: readonly PayloadSarState[] = ['NONE', 'BEGIN', 'INPROCESS', 'COMPLETE'];
const MQTT_VERSIONS: readonly MqttVersion[] = ['V3_1_1', 'V5'];
const STOMP_VERSIONS: readonly StompVersion[] = ['V1_2'];

/** "Major.Minor" with numeric parts; higher versions than ours are accepted. */
const VERSION_RE = /^\d{1,4}\.\d{1,4}$/;

/** The one USP major version; Records of any other are refused (7104). */
const USP_MAJOR = USP_VERSION.split('.')[0]!;

/** The fields the decoded protobufjs message exposes (defaults come from its prototype). */
interface PbRecord {
  version: string;
  toId: string;
  fromId: string;
  payloadSecurity: number;
  macSignature: Uint8Array;
  senderCert: Uint8Array;
  recordType?: string;
  noSessionContext?: { payload: Uint8Array };
  sessionContext?: {
    sessionId: protobuf.Long | number;
    sequenceId: protobuf.Long | number;
    expectedId: protobuf.Long | number;
    retransmitId: protobuf.Long | number;
    payloadSarState: number;
    payloadrecSarState: number;
    payload: Uint8Array[];
  };
  mqttConnect?: { version: number; subscribedTopic: string };
  stompConnect?: { version: number; subscribedDestination: string };
  disconnect?: { reason: string; reasonCode: number };
}

/**
 * Decodes and validates a USP Record. Throws RecordDecodeError (a UspError, 7100 or 7104) carrying
 * whatever ids could be salvaged; never throws anything else for any input bytes. A plain
 * NoSessionContext Record is read in one pass (fast-decode.ts), anything else strictly.
 */
export function decodeRecord(bytes: Uint8Array): DecodedRecord {
  return decodeRecordFast(bytes) ?? decodeRecordStrict(bytes);
}

/** decodeRecord without the one-pass reader: the reference the fast path is tested against. */
export function decodeRecordStrict(bytes: Uint8Array): DecodedRecord {
  const types = uspTypes();
  const fail = (reason: DecodeFailure, message: string, code: RecordErrorCode = reason === 'notParsed' ? ErrorCode.RecordNotParsed : ErrorCode.InvalidRecordValue): never => {
    throw new RecordDecodeError(code, reason, message, salvageRecord(bytes));
  };
  if (bytes.length === 0) fail('notParsed', 'empty Record');

  try {
    const report = inspectWire(types.Record, bytes);
    const empty = report.emptyOneofs[0];
    if (empty) {
      const hint = empty.unknownFields.length ? ` (unknown field ${empty.unknownFields.join(', ')})` : '';
      fail('oneof', `${empty.type}.${empty.oneof} has no known member${hint}`);
    }
    if (report.unknownEnums.length) fail('unknownEnum', `unknown enum value ${report.unknownEnums[0]}`);
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    fail(e.fault === 'twoMembers' ? 'oneof' : 'notParsed', e.message);
  }

  let pb: PbRecord;
  try {
    pb = types.Record.decode(bytes) as unknown as PbRecord;
  } catch (e) {
    return fail('notParsed', `Record could not be parsed: ${(e as Error).message}`);
  }

  if (!pb.version) fail('missingField', 'Record.version is missing');
  if (!VERSION_RE.test(pb.version)) fail('invalidValue', `Record.version "${pb.version}" is not Major.Minor`);
  if (pb.version.split('.')[0] !== USP_MAJOR) {
    fail('unsupported', `USP version ${pb.version} is not supported: this agent speaks USP ${USP_MAJOR}.x (up to ${USP_VERSION})`);
  }
  if (!pb.toId) fail('missingField', 'Record.to_id is missing');
  if (!pb.fromId) fail('missingField', 'Record.from_id is missing');
  const body = toBody(pb);
  if (body.kind === 'noSessionContext' && body.payload.length === 0) {
    fail('missingField', 'no_session_context.payload is empty');
  }
  if (body.kind === 'noSessionContext' && pb.payloadSecurity === 1) {
    fail('unsupported', 'payload_security TLS12 needs an E2E session (SessionContext record), which this agent does not support', ErrorCode.SecureSessionNotSupported);
  }
  return {
    version: pb.version,
    toId: pb.toId,
    fromId: pb.fromId,
    payloadSecurity: PAYLOAD_SECURITY[pb.payloadSecurity]!,
    macSignature: pb.macSignature,
    senderCert: pb.senderCert,
    body,
  };
}

function toBody(pb: PbRecord): RecordBody {
  // The wire pass guaranteed exactly one member and known enum values.
  switch (pb.recordType) {
    case 'noSessionContext':
      return { kind: 'noSessionContext', payload: pb.noSessionContext!.payload };
    case 'sessionContext': {
      const s = pb.sessionContext!;
      return {
        kind: 'sessionContext',
        sessionContext: {
          sessionId: toBigInt(s.sessionId),
          sequenceId: toBigInt(s.sequenceId),
          expectedId: toBigInt(s.expectedId),
          retransmitId: toBigInt(s.retransmitId),
          payloadSarState: SAR_STATES[s.payloadSarState]!,
          payloadrecSarState: SAR_STATES[s.payloadrecSarState]!,
          payload: s.payload,
        },
      };
    }
    case 'websocketConnect':
      return { kind: 'websocketConnect' };
    case 'mqttConnect':
      return { kind: 'mqttConnect', version: MQTT_VERSIONS[pb.mqttConnect!.version]!, subscribedTopic: pb.mqttConnect!.subscribedTopic };
    case 'stompConnect':
      return {
        kind: 'stompConnect',
        version: STOMP_VERSIONS[pb.stompConnect!.version]!,
        subscribedDestination: pb.stompConnect!.subscribedDestination,
      };
    case 'disconnect':
      return { kind: 'disconnect', reason: pb.disconnect!.reason, reasonCode: pb.disconnect!.reasonCode };
    case 'udsConnect':
      return { kind: 'udsConnect' };
    default:
      throw new RecordDecodeError(ErrorCode.InvalidRecordValue, 'oneof', `unexpected record_type ${String(pb.recordType)}`);
  }
}

/** protobufjs yields Long (or number without the long package) for uint64. */
function toBigInt(v: protobuf.Long | number): bigint {
  if (typeof v === 'number') return BigInt(v);
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

/** A uint64 in the { low, high } form protobufjs' writer accepts, so no Long instance is needed. */
function toLongBits(v: bigint): { low: number; high: number; unsigned: boolean } {
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`uint64 out of range: ${v}`);
  return { low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: true };
}

/** Encodes a Record. Inputs come from our own code, so a bad one is a bug and throws plainly. */
export function encodeRecord(rec: OutgoingRecord): Uint8Array {
  const msg: Record<string, unknown> = {
    version: rec.version ?? USP_VERSION,
    toId: rec.toId,
    fromId: rec.fromId,
  };
  // Left out when PLAINTEXT, as proto3 encoders do for defaults.
  if (rec.payloadSecurity === 'TLS12') msg['payloadSecurity'] = 1;
  if (rec.macSignature?.length) msg['macSignature'] = rec.macSignature;
  if (rec.senderCert?.length) msg['senderCert'] = rec.senderCert;
  const b = rec.body;
  switch (b.kind) {
    case 'noSessionContext':
      msg['noSessionContext'] = { payload: b.payload };
      break;
    case 'sessionContext': {
      const s = b.sessionContext;
      msg['sessionContext'] = {
        sessionId: toLongBits(s.sessionId),
        sequenceId: toLongBits(s.sequenceId),
        expectedId: toLongBits(s.expectedId),
        retransmitId: toLongBits(s.retransmitId),
        payloadSarState: SAR_STATES.indexOf(s.payloadSarState),
        payloadrecSarState: SAR_STATES.indexOf(s.payloadrecSarState),
        payload: s.payload,
      };
      break;
    }
    case 'websocketConnect':
      msg['websocketConnect'] = {};
      break;
    case 'mqttConnect':
      msg['mqttConnect'] = { version: MQTT_VERSIONS.indexOf(b.version), subscribedTopic: b.subscribedTopic };
      break;
    case 'stompConnect':
      msg['stompConnect'] = { version: STOMP_VERSIONS.indexOf(b.version), subscribedDestination: b.subscribedDestination };
      break;
    case 'disconnect':
      msg['disconnect'] = { reason: b.reason, reasonCode: b.reasonCode >>> 0 };
      break;
    case 'udsConnect':
      msg['udsConnect'] = {};
      break;
  }
  return uspTypes().Record.encode(msg).finish();
}

/** The usual Record around one serialized Msg (R-MSG.0a: reply in the same record type). */
export function noSessionContextRecord(addr: RecordAddress, payload: Uint8Array): OutgoingRecord {
  return { ...addr, body: { kind: 'noSessionContext', payload } };
}

/** Sent right after a WebSocket connection comes up (R-MTP.6). */
export function websocketConnectRecord(addr: RecordAddress): OutgoingRecord {
  return { ...addr, body: { kind: 'websocketConnect' } };
}

/** Sent after connecting and subscribing to the broker (R-MTP.6); topic is exact, no wildcards. */
export function mqttConnectRecord(addr: RecordAddress, version: MqttVersion, subscribedTopic: string): OutgoingRecord {
  return { ...addr, body: { kind: 'mqttConnect', version, subscribedTopic } };
}

/** Sent after the STOMP connection is up (R-MTP.6). */
export function stompConnectRecord(addr: RecordAddress, subscribedDestination: string): OutgoingRecord {
  return { ...addr, body: { kind: 'stompConnect', version: 'V1_2', subscribedDestination } };
}

/** Sent after the UNIX domain socket handshake (R-MTP.6, USP 1.3). */
export function udsConnectRecord(addr: RecordAddress): OutgoingRecord {
  return { ...addr, body: { kind: 'udsConnect' } };
}

/** Sent before the agent drops an MTP connection or an E2E session (R-MTP.7/9, R-E2E.6a/b). */
export function disconnectRecord(addr: RecordAddress, reason: string, reasonCode: number): OutgoingRecord {
  return { ...addr, body: { kind: 'disconnect', reason, reasonCode } };
}

/**
 * The DisconnectRecord an MTP sends before it closes a link itself (agent stop, MTP restart;
 * R-MTP.7/9). TR-369 has no code for an orderly close, so reason_code is 0 and the reason says it.
 */
export function mtpClosingRecord(addr: RecordAddress): OutgoingRecord {
  return disconnectRecord(addr, 'MTP closing: agent stopping or MTP reconfigured', 0);
}

/** Best-effort ids (and payload) of a Record that failed, read straight from the wire. */
export function salvageRecord(bytes: Uint8Array): RecordSalvage {
  const out: RecordSalvage = {};
  scanFields(bytes, 0, bytes.length, (fieldNo, wireType, from, to) => {
    if (wireType !== 2) return;
    if (fieldNo === 1) out.version = utf8At(bytes, from, to);
    else if (fieldNo === 2) out.toId = utf8At(bytes, from, to);
    else if (fieldNo === 3) out.fromId = utf8At(bytes, from, to);
    else if (fieldNo === 7) {
      scanFields(bytes, from, to, (f, w, pFrom, pTo) => {
        if (f === 2 && w === 2) out.payload = bytes.subarray(pFrom, pTo);
      });
    }
  });
  for (const k of ['version', 'toId', 'fromId'] as const) if (out[k] === undefined) delete out[k];
  return out;
}

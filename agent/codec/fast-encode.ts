/**
 * The Record the agent sends around a Msg (R-MSG.0a: NoSessionContext, as requests come), with a
 * direct writer for the commonest answer, a GetResp: its bytes are exactly those encodeMsg and
 * encodeRecord produce (the unit tests compare both), written in one pass into one buffer instead
 * of through protobufjs' fromObject copy, its queued writer and a second copy into the Record.
 */
import * as w from './ByteWriter.js';
import { encodeMsg } from './msg.js';
import { encodeRecord, noSessionContextRecord, USP_VERSION, type RecordAddress } from './record.js';
import type { GetResp, UspMsg } from './types.js';

/** Header.msg_type GET_RESP. */
const MSG_TYPE_GET_RESP = 2;

/** `msg` serialized inside a NoSessionContext Record from `addr.fromId` to `addr.toId`. */
export function encodeMsgRecord(addr: RecordAddress, msg: UspMsg): Uint8Array {
  const b = msg.body;
  if (b.msgBody === 'response' && b.response.respType === 'getResp' && msg.header.msgType === 'GET_RESP') {
    return encodeGetRespRecord(addr, msg.header.msgId, b.response.getResp);
  }
  return encodeRecord(noSessionContextRecord(addr, encodeMsg(msg)));
}

/** Writes what protobufjs would for a string field set to `v` (String(v); nothing when absent). */
function optionalString(tag: number, v: string | undefined): void {
  if (v != null) w.string(tag, typeof v === 'string' ? v : String(v));
}

/** A GetResp answering `msgId`, in its Record. */
export function encodeGetRespRecord(addr: RecordAddress, msgId: string, resp: GetResp): Buffer {
  w.begin();
  w.string(0x0a, USP_VERSION);
  w.string(0x12, addr.toId);
  w.string(0x1a, addr.fromId);
  const nsc = w.open(0x3a); // no_session_context
  const payload = w.open(0x12); // payload: the Msg
  const header = w.open(0x0a);
  w.string(0x0a, msgId);
  w.varint(0x10);
  w.varint(MSG_TYPE_GET_RESP);
  w.close(header);
  const body = w.open(0x12);
  const response = w.open(0x12);
  const getResp = w.open(0x0a);
  const results = resp.reqPathResults;
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    const rpr = w.open(0x0a); // req_path_results
    optionalString(0x0a, r.requestedPath);
    if (r.errCode != null) w.fixed32(0x15, r.errCode);
    optionalString(0x1a, r.errMsg);
    const resolved = r.resolvedPathResults;
    if (resolved) {
      for (let j = 0; j < resolved.length; j++) {
        const res = resolved[j]!;
        const rp = w.open(0x22); // resolved_path_results
        optionalString(0x0a, res.resolvedPath);
        const params = res.resultParams;
        if (params != null) {
          const keys = Object.keys(params);
          for (let k = 0; k < keys.length; k++) {
            const key = keys[k]!;
            const v = params[key];
            const e = w.open(0x12); // result_params entry
            w.string(0x0a, key);
            w.string(0x12, typeof v === 'string' ? v : String(v));
            w.close(e);
          }
        }
        w.close(rp);
      }
    }
    w.close(rpr);
  }
  w.close(getResp);
  w.close(response);
  w.close(body);
  w.close(payload);
  w.close(nsc);
  return w.finish();
}

/**
 * The Record the agent sends around a Msg (R-MSG.0a: NoSessionContext, as requests come), with a
 * direct writer for the commonest answer, a GetResp: its bytes are exactly those encodeMsg and
 * encodeRecord produce (the unit tests compare both), written in one pass into one buffer instead
 * of through protobufjs' fromObject copy, its queued writer and a second copy into the Record.
 */
import { ByteWriter } from './ByteWriter.js';
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
function optionalString(w: ByteWriter, tag: number, v: string | undefined): void {
  if (v != null) w.string(tag, typeof v === 'string' ? v : String(v));
}

/** A GetResp answering `msgId`, in its Record. */
export function encodeGetRespRecord(addr: RecordAddress, msgId: string, resp: GetResp): Buffer {
  const w = new ByteWriter();
  w.string(0x0a, USP_VERSION);
  w.string(0x12, addr.toId);
  w.string(0x1a, addr.fromId);
  w.varint(0x3a); // no_session_context
  const nsc = w.begin();
  w.varint(0x12); // payload: the Msg
  const payload = w.begin();
  w.varint(0x0a); // header
  const header = w.begin();
  w.string(0x0a, msgId);
  w.varint(0x10);
  w.varint(MSG_TYPE_GET_RESP);
  w.end(header);
  w.varint(0x12); // body
  const body = w.begin();
  w.varint(0x12); // response
  const response = w.begin();
  w.varint(0x0a); // get_resp
  const getResp = w.begin();
  for (const r of resp.reqPathResults) {
    w.varint(0x0a); // req_path_results
    const rpr = w.begin();
    optionalString(w, 0x0a, r.requestedPath);
    if (r.errCode != null) { w.varint(0x15); w.fixed32(r.errCode); }
    optionalString(w, 0x1a, r.errMsg);
    for (const res of r.resolvedPathResults ?? []) {
      w.varint(0x22); // resolved_path_results
      const rp = w.begin();
      optionalString(w, 0x0a, res.resolvedPath);
      const params = res.resultParams;
      if (params != null) {
        for (const k of Object.keys(params)) {
          w.varint(0x12); // result_params entry
          const e = w.begin();
          w.string(0x0a, k);
          const v = params[k];
          w.string(0x12, typeof v === 'string' ? v : String(v));
          w.end(e);
        }
      }
      w.end(rp);
    }
    w.end(rpr);
  }
  w.end(getResp);
  w.end(response);
  w.end(body);
  w.end(payload);
  w.end(nsc);
  return w.finish();
}

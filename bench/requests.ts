/**
 * The USP request Records the bench sends, built with the agent's own codec, and the few reads it
 * makes of the answers (msg_id slot, parameter count, error check).
 */
import { decodeMsg, encodeMsg, requestMsg } from '../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../agent/codec/record.js';
import type { Request, UspMsg } from '../agent/codec/types.js';
import { AGENT_EID, CONTROLLER_EID } from './agent-config.js';

/** Pipelined msg_ids are this prefix and a fixed-width slot number, so every Record has the same size. */
const SLOT_PREFIX = 'bench-';
const SLOT_DIGITS = 6;
const SLOT_PREFIX_BYTES = Buffer.from(SLOT_PREFIX);

export function requestRecord(msgId: string, request: Request): Buffer {
  const msg = encodeMsg(requestMsg(msgId, request));
  return Buffer.from(encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId: CONTROLLER_EID }, msg)));
}

export const getParam = (path: string): Request => ({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } });

export const getSupportedDmAll = (path: string): Request => ({
  reqType: 'getSupportedDm',
  getSupportedDm: { objPaths: [path], firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true },
});

/** `count` Records of the same request, differing only in their fixed-width msg_id (slot i). */
export function slottedRecords(request: Request, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => requestRecord(SLOT_PREFIX + String(i).padStart(SLOT_DIGITS, '0'), request));
}

/** The slot of an answer to a slottedRecords request (a byte search, no decode), or -1. */
export function slotOf(answer: Buffer): number {
  const at = answer.indexOf(SLOT_PREFIX_BYTES);
  if (at < 0 || at + SLOT_PREFIX_BYTES.length + SLOT_DIGITS > answer.length) return -1;
  let n = 0;
  for (let i = at + SLOT_PREFIX_BYTES.length, end = i + SLOT_DIGITS; i < end; i++) {
    const d = answer[i]! - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Decodes an answer Record to its Msg (throws if it is not a plain no-session-context Record). */
export function answerMsg(bytes: Uint8Array): UspMsg {
  const rec = decodeRecord(bytes);
  if (rec.body.kind !== 'noSessionContext') throw new Error(`unexpected ${rec.body.kind} record`);
  return decodeMsg(rec.body.payload);
}

/** Parameters in a GetResp, after checking that every requested path succeeded. */
export function countGetRespParams(msg: UspMsg): number {
  if (msg.body.msgBody !== 'response' || msg.body.response.respType !== 'getResp') throw new Error(`expected a GetResp, got ${JSON.stringify(msg.body).slice(0, 300)}`);
  let n = 0;
  for (const r of msg.body.response.getResp.reqPathResults) {
    if (r.errCode) throw new Error(`Get ${r.requestedPath} failed: ${r.errCode} ${r.errMsg}`);
    for (const res of r.resolvedPathResults ?? []) n += Object.keys(res.resultParams).length;
  }
  return n;
}

/** Objects, parameters, commands and events in a GetSupportedDMResp, after checking for errors. */
export function countSupportedDm(msg: UspMsg): { objects: number; params: number; commands: number; events: number } {
  if (msg.body.msgBody !== 'response' || msg.body.response.respType !== 'getSupportedDmResp') throw new Error(`expected a GetSupportedDMResp, got ${JSON.stringify(msg.body).slice(0, 300)}`);
  const c = { objects: 0, params: 0, commands: 0, events: 0 };
  for (const r of msg.body.response.getSupportedDmResp.reqObjResults) {
    if (r.errCode) throw new Error(`GetSupportedDM ${r.reqObjPath} failed: ${r.errCode} ${r.errMsg}`);
    for (const o of r.supportedObjs ?? []) {
      c.objects++;
      c.params += o.supportedParams?.length ?? 0;
      c.commands += o.supportedCommands?.length ?? 0;
      c.events += o.supportedEvents?.length ?? 0;
    }
  }
  return c;
}

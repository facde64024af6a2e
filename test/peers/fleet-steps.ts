/** Small steps the fleet tests share: gateway number ranges and a GetResp's values by full path. */
import type { UspMsg } from '../../agent/codec/types.js';

/** Gateway numbers first…first+count-1. */
export const range = (first: number, count: number): number[] => Array.from({ length: count }, (_, i) => first + i);

/** Every parameter of a GetResp, keyed by its full path; throws on anything else. */
export function getValues(m: UspMsg): Record<string, string> {
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(`not a GetResp: ${JSON.stringify(m.body).slice(0, 300)}`);
  const out: Record<string, string> = {};
  for (const r of m.body.response.getResp.reqPathResults) {
    for (const res of r.resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
  }
  return out;
}

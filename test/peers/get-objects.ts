/**
 * Reading values the way most tests want them: one Get (every path must succeed) folded into
 * resolved object path → parameter → value.
 */
import { expect } from 'vitest';
import type { UspMsg } from '../../agent/codec/types.js';
import type { TestController } from './TestController.js';

/** The Response in `m`; throws with what came instead. */
export function responseOf(m: UspMsg) {
  if (m.body.msgBody !== 'response') throw new Error(`expected a response, got ${JSON.stringify(m.body)}`);
  return m.body.response;
}

/** Get `paths` (max depth 0) and fold the results by resolved object path. */
export async function getObjects(c: TestController, paths: string[]): Promise<Record<string, Record<string, string>>> {
  const r = responseOf(await c.send({ reqType: 'get', get: { paramPaths: paths, maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const out: Record<string, Record<string, string>> = {};
  for (const p of r.getResp.reqPathResults) {
    expect(p.errCode ?? 0, p.requestedPath).toBe(0);
    for (const o of p.resolvedPathResults ?? []) out[o.resolvedPath] = { ...out[o.resolvedPath], ...o.resultParams };
  }
  return out;
}

/**
 * Checking a TR-181 profile's required items against what a real agent reports in
 * GetSupportedDM: each test writes the profile's objects, parameters and access from the BBF
 * XML, and this says which are missing or served with less access than required.
 */
import type { ObjAccessType, SupportedObjectResult } from '../../agent/codec/types.js';
import { responseOf } from './get-objects.js';
import type { TestController } from './TestController.js';

/** A profile's requirement on one object: its access and its parameters' (TR-181 `requirement`). */
export interface ObjectRequirement {
  access: 'present' | 'create' | 'delete' | 'createDelete';
  params?: Record<string, 'readOnly' | 'readWrite' | 'writeOnceReadOnly'>;
  commands?: readonly string[];
}

export type ProfileRequirement = Record<string, ObjectRequirement>;

/** Every supported object under `roots` (whole subtrees, params and commands), by supported path. */
export async function supportedObjects(c: TestController, roots: string[]): Promise<Map<string, SupportedObjectResult>> {
  const r = responseOf(
    await c.send({
      reqType: 'getSupportedDm',
      getSupportedDm: {
        objPaths: roots,
        firstLevelOnly: false,
        returnCommands: true,
        returnEvents: false,
        returnParams: true,
        returnUniqueKeySets: false,
      },
    }),
  );
  if (r.respType !== 'getSupportedDmResp') throw new Error(r.respType);
  const out = new Map<string, SupportedObjectResult>();
  for (const o of r.getSupportedDmResp.reqObjResults) {
    if (o.errCode) throw new Error(`GetSupportedDM ${o.reqObjPath}: ${o.errCode} ${o.errMsg}`);
    for (const s of o.supportedObjs ?? []) out.set(s.supportedObjPath, s);
  }
  return out;
}

/**
 * What `served` lacks of `profile`: one line per missing object, parameter or command, or access
 * short of the requirement. Empty when the profile is met.
 */
export function unmet(profile: ProfileRequirement, served: Map<string, SupportedObjectResult>): string[] {
  const missing: string[] = [];
  for (const [path, req] of Object.entries(profile)) {
    const obj = served.get(path);
    if (!obj) {
      missing.push(`${path} not served`);
      continue;
    }
    const needs: Record<ObjectRequirement['access'], readonly ObjAccessType[]> = {
      present: [],
      create: ['OBJ_ADD_DELETE', 'OBJ_ADD_ONLY'],
      delete: ['OBJ_ADD_DELETE', 'OBJ_DELETE_ONLY'],
      createDelete: ['OBJ_ADD_DELETE'],
    };
    if (needs[req.access].length > 0 && !needs[req.access].includes(obj.access)) missing.push(`${path} is ${obj.access}, needs ${req.access}`);
    const params = new Map((obj.supportedParams ?? []).map((p) => [p.paramName, p.access]));
    for (const [name, access] of Object.entries(req.params ?? {})) {
      const got = params.get(name);
      if (got === undefined) missing.push(`${path}${name} not served`);
      // A writeOnceReadOnly parameter is writable in USP terms (it can be set once).
      else if (access !== 'readOnly' && got === 'PARAM_READ_ONLY') missing.push(`${path}${name} is read-only, needs ${access}`);
    }
    const commands = new Set((obj.supportedCommands ?? []).map((c) => c.commandName));
    for (const name of req.commands ?? []) if (!commands.has(name)) missing.push(`${path}${name} not served`);
  }
  return missing;
}

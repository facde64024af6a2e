/**
 * Which TR-181 profiles the agent meets, judged from what it serves: the GetSupportedDM answer
 * for `Device.` with parameters, commands and events (TR-369 "The GetSupportedDM Message"),
 * the very source a Controller is told. A profile is met when every object, parameter, command,
 * argument and event it requires (TR-106 Annex A) is served with at least the required access:
 *
 * - object `present`: served; `create` / `delete` / `createDelete`: a table whose GetSupportedDM
 *   access allows adding / deleting / both (OBJ_ADD_ONLY, OBJ_DELETE_ONLY, OBJ_ADD_DELETE);
 *   `notSpecified`: nothing of its own, but the items listed under it are required;
 * - parameter `readOnly`: served; `readWrite` and `writeOnceReadOnly`: served writable
 *   (PARAM_READ_WRITE or PARAM_WRITE_ONLY; TR-369 reports writeOnceReadOnly as read-write);
 * - command / event: served, with every input, output or event argument the profile lists.
 */
import type { ProfileObject, SchemaProfile } from '../../datamodel/schema/profile-types.js';
import type { SupportedObjectResult } from '../codec/types.js';

/** One thing a profile requires that the agent does not serve as required. */
export interface ProfileMiss {
  kind: 'object' | 'table-access' | 'param' | 'param-read-only' | 'command' | 'command-argument' | 'event' | 'event-argument';
  /** Supported path of the object, parameter, command or event ("Device.WiFi.Radio.{i}.Channel"). */
  path: string;
  /** What is wrong, in one line ("served read-only; readWrite required"). */
  detail: string;
}

export interface ProfileResult {
  name: string;
  status?: 'deprecated';
  met: boolean;
  /** Every requirement not met, in the profile's order (empty when met). */
  missing: ProfileMiss[];
  /** How many of the objects the profile names are served at all: 0 means nothing of it is. */
  objectsServed: number;
  objectsNamed: number;
}

export interface ProfileReport {
  /** The TR-181 model the profiles belong to ("Device:2.19"). */
  model: string;
  /** Names of the profiles met, in TR-181 order. */
  met: string[];
  /** Every profile, met or not, in TR-181 order. */
  results: ProfileResult[];
}

interface ServedObject {
  canAdd: boolean;
  canDelete: boolean;
  params: Map<string, boolean>;
  commands: Map<string, { input: Set<string>; output: Set<string> }>;
  events: Map<string, Set<string>>;
}

/** The served model, indexed by supported path. */
export type ServedModel = ReadonlyMap<string, ServedObject>;

/** Indexes a GetSupportedDM answer (every requested path's supportedObjs, concatenated). */
export function servedModel(objects: readonly SupportedObjectResult[]): ServedModel {
  const out = new Map<string, ServedObject>();
  for (const o of objects) {
    out.set(o.supportedObjPath, {
      canAdd: o.access === 'OBJ_ADD_DELETE' || o.access === 'OBJ_ADD_ONLY',
      canDelete: o.access === 'OBJ_ADD_DELETE' || o.access === 'OBJ_DELETE_ONLY',
      params: new Map((o.supportedParams ?? []).map((p) => [p.paramName, p.access !== 'PARAM_READ_ONLY'])),
      commands: new Map((o.supportedCommands ?? []).map((c) => [c.commandName, { input: new Set(c.inputArgNames ?? []), output: new Set(c.outputArgNames ?? []) }])),
      events: new Map((o.supportedEvents ?? []).map((e) => [e.eventName, new Set(e.argNames ?? [])])),
    });
  }
  return out;
}

function checkObject(req: ProfileObject, served: ServedModel, out: ProfileMiss[]): void {
  const o = served.get(req.path);
  const listsItems = req.params.length + req.commands.length + req.events.length > 0;
  if (o === undefined) {
    if (req.requirement !== 'notSpecified' || listsItems) out.push({ kind: 'object', path: req.path, detail: `not served; ${req.requirement} required` });
    return;
  }
  const wantsAdd = req.requirement === 'create' || req.requirement === 'createDelete';
  const wantsDelete = req.requirement === 'delete' || req.requirement === 'createDelete';
  const noAdd = wantsAdd && !o.canAdd;
  const noDelete = wantsDelete && !o.canDelete;
  if (noAdd || noDelete) {
    const what = noAdd && noDelete ? 'can neither add nor delete' : noAdd ? 'cannot add' : 'cannot delete';
    out.push({ kind: 'table-access', path: req.path, detail: `a Controller ${what} rows; ${req.requirement} required` });
  }
  for (const p of req.params) {
    const writable = o.params.get(p.name);
    if (writable === undefined) out.push({ kind: 'param', path: req.path + p.name, detail: `not served; ${p.requirement} required` });
    else if (p.requirement !== 'readOnly' && !writable) out.push({ kind: 'param-read-only', path: req.path + p.name, detail: `served read-only; ${p.requirement} required` });
  }
  for (const c of req.commands) {
    const sc = o.commands.get(c.name);
    if (sc === undefined) {
      out.push({ kind: 'command', path: req.path + c.name, detail: 'not served' });
      continue;
    }
    const lacking = [...c.input.filter((a) => !sc.input.has(a)).map((a) => `input ${a}`), ...c.output.filter((a) => !sc.output.has(a)).map((a) => `output ${a}`)];
    if (lacking.length > 0) out.push({ kind: 'command-argument', path: req.path + c.name, detail: `lacks ${lacking.join(', ')}` });
  }
  for (const e of req.events) {
    const args = o.events.get(e.name);
    if (args === undefined) {
      out.push({ kind: 'event', path: req.path + e.name, detail: 'not served' });
      continue;
    }
    const lacking = e.args.filter((a) => !args.has(a));
    if (lacking.length > 0) out.push({ kind: 'event-argument', path: req.path + e.name, detail: `lacks argument ${lacking.join(', ')}` });
  }
}

/** Judges one profile against the served model. */
export function checkProfile(profile: SchemaProfile, served: ServedModel): ProfileResult {
  const missing: ProfileMiss[] = [];
  for (const req of profile.objects) checkObject(req, served, missing);
  return {
    name: profile.name,
    ...(profile.status && { status: profile.status }),
    met: missing.length === 0,
    missing,
    objectsServed: profile.objects.filter((o) => served.has(o.path)).length,
    objectsNamed: profile.objects.length,
  };
}

/** Judges every profile; linear in the requirements (a few thousand items), so well under a millisecond per profile. */
export function checkProfiles(model: string, profiles: readonly SchemaProfile[], served: ServedModel): ProfileReport {
  const results = profiles.map((p) => checkProfile(p, served));
  return { model, met: results.filter((r) => r.met).map((r) => r.name), results };
}

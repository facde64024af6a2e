/**
 * The audit behind ObjectBinding.writable: for every parameter GetSupportedDM reports
 * PARAM_READ_WRITE on a model, a Set (through the agent's own Set handler, as a Controller's
 * would run) with another valid value for one instance, and what became of it. A parameter a
 * binding refuses by its name whatever the value (7013, 7020, planWrite's "only accepts its
 * current value") must instead be left out of the binding's `writable`, so the device does not
 * claim a write it cannot make.
 *
 * The values come from the schema (enumerations: another one; booleans: the negation; numbers:
 * within range; strings: by TR-181 data type), so a refusal is the device's, not the schema's.
 */
import { handleGetSupportedDM } from '../../../agent/handlers/handle-get-supported-dm.js';
import { handleSet } from '../../../agent/handlers/handle-set.js';
import type { HandlerContext } from '../../../agent/handlers/HandlerContext.js';
import { ResponseBudget } from '../../../agent/request-limits.js';
import { ErrorCode } from '../../../datamodel/UspError.js';
import type { SchemaParam } from '../../../datamodel/schema/types.js';
import type { Syntax } from '../../../datamodel/schema/types.js';
import { type ObjectValues, readSubtree } from '../../../datamodel/tree/read-object.js';
import { formatValue } from '../../../datamodel/value/format-value.js';

export interface SetOutcome {
  /** Concrete path of the parameter set. */
  path: string;
  /** Supported path of the parameter (Device.WiFi.Radio.{i}.Channel). */
  supported: string;
  value: string;
  /** 0: applied. */
  code: number;
  message: string;
}

/** A refusal of the parameter itself, not of its value: what `writable` must not claim. */
export function refusedByName(o: SetOutcome): boolean {
  if (o.code === (ErrorCode.ParamReadOnly as number) || o.code === (ErrorCode.ObjectNotUpdated as number)) return true;
  return BY_NAME.some((re) => re.test(o.message));
}

/**
 * How the platforms word a refusal of the parameter itself (any other value is refused): planWrite's
 * "only accepts its current value", and the Linux and OpenWrt bindings' own phrasings.
 */
const BY_NAME: readonly RegExp[] = [
  /only accepts its current value/i,
  /cannot be changed/i,
  /not writable/i,
  /read-only/i,
  /: fixed: /,
  /delete the row instead/i,
  /delete it and add/i,
  /cannot detach an interface from IPv4/,
  /cannot be switched off/,
  /in use while listed/,
  /a Client is its interface/,
  /applies to one firewall zone/,
  /only static port mappings/,
  /netifd brings a device up and down/,
  /cannot keep it configured but off/,
  /cannot classify requests/,
  /polls its servers \(Unicast\) only/,
  /runs STP only/,
];

/** The access GetSupportedDM reports for every served parameter (by supported path), and the syntax of the writable ones. */
async function supportedParams(h: HandlerContext): Promise<{ access: Map<string, string>; writable: Map<string, SchemaParam> }> {
  const resp = await handleGetSupportedDM(
    h,
    { objPaths: ['Device.'], firstLevelOnly: false, returnCommands: false, returnEvents: false, returnParams: true, returnUniqueKeySets: false },
    new ResponseBudget(Number.MAX_SAFE_INTEGER, 'the writable audit'),
  );
  const access = new Map<string, string>();
  const writable = new Map<string, SchemaParam>();
  for (const o of resp.reqObjResults[0]?.supportedObjs ?? []) {
    const node = h.model.requireNode(o.supportedObjPath);
    for (const p of o.supportedParams ?? []) {
      access.set(`${o.supportedObjPath}${p.paramName}`, p.access);
      const syntax = node.params.get(p.paramName)!;
      // Write-once (an Alias the agent already gave): reported read-write (TP-469), refused by design after the first write.
      if (p.access !== 'PARAM_READ_WRITE' || syntax.access === 'writeOnceReadOnly') continue;
      writable.set(`${o.supportedObjPath}${p.paramName}`, syntax);
    }
  }
  return { access, writable };
}

/**
 * Sets each PARAM_READ_WRITE parameter of the first instance of its object (one Set each,
 * allow_partial false) and returns the outcomes; `skip` leaves parameters out (a Set that would
 * cut the test's own connection). Objects with no instance now are returned as `untested`, with
 * every served parameter's access as GetSupportedDM reports it.
 */
export async function auditWritable(h: HandlerContext, skip: (supported: string) => boolean = () => false): Promise<{ outcomes: SetOutcome[]; untested: string[]; access: Map<string, string> }> {
  const { access, writable: params } = await supportedParams(h);
  const objects: ObjectValues[] = [];
  await readSubtree(h.model, { node: h.model.root, keys: [] }, 0, h.req, objects);
  const firstOf = new Map<string, ObjectValues>();
  for (const o of objects) if (!firstOf.has(o.inst.node.supportedPath)) firstOf.set(o.inst.node.supportedPath, o);
  const outcomes: SetOutcome[] = [];
  const untested: string[] = [];
  for (const [supported, syntax] of params) {
    if (skip(supported)) continue;
    const objPath = supported.slice(0, supported.lastIndexOf('.') + 1);
    const name = supported.slice(objPath.length);
    const obj = firstOf.get(objPath);
    if (!obj) {
      untested.push(supported);
      continue;
    }
    const current = obj.values[name] === undefined ? '' : formatValue(syntax, obj.values[name]!);
    const value = otherValue(syntax, current, (rel) => (obj.values[rel] === undefined ? undefined : String(obj.values[rel])), objects);
    // No other value to try (one enumerated value, an empty reference): nothing is shown by a Set.
    if (value === current) {
      untested.push(supported);
      continue;
    }
    const set = (path: string) => handleSet(h, { allowPartial: false, updateObjs: [{ objPath: path, paramSettings: [{ param: name, value, required: true }] }] });
    let r = await set(obj.path);
    // A row gone or renumbered since the walk (a Set before this one moved it): read again once.
    const gone = (): boolean => 'error' in r && r.error.errCode === (ErrorCode.ObjectDoesNotExist as number);
    if (gone()) {
      const again: ObjectValues[] = [];
      await readSubtree(h.model, { node: h.model.root, keys: [] }, 0, h.req, again);
      const fresh = again.find((o) => o.inst.node.supportedPath === objPath);
      if (fresh) r = await set(fresh.path);
    }
    if (gone()) {
      untested.push(supported);
      continue;
    }
    const failure = 'error' in r ? r.error : undefined;
    const paramErr = failure?.paramErrs?.[0];
    outcomes.push({
      path: `${obj.path}${name}`,
      supported,
      value,
      code: failure ? (paramErr?.errCode ?? failure.errCode) : 0,
      message: failure ? `${failure.errMsg}${paramErr ? ` / ${paramErr.errMsg}` : ''}` : '',
    });
  }
  return { outcomes, untested, access };
}

const BY_DATA_TYPE: Record<string, [string, string]> = {
  IPAddress: ['192.0.2.77', '192.0.2.78'],
  IPv4Address: ['192.0.2.77', '192.0.2.78'],
  IPv6Address: ['2001:db8::77', '2001:db8::78'],
  IPPrefix: ['192.0.2.0/24', '198.51.100.0/24'],
  IPv4Prefix: ['192.0.2.0/24', '198.51.100.0/24'],
  IPv6Prefix: ['2001:db8:1::/64', '2001:db8:2::/64'],
  MACAddress: ['02:00:5e:00:00:77', '02:00:5e:00:00:78'],
  URL: ['http://192.0.2.77/usp', 'http://192.0.2.78/usp'],
  URI: ['http://192.0.2.77/usp', 'http://192.0.2.78/usp'],
  Alias: ['cpe-audit-1', 'cpe-audit-2'],
  UUID: ['3f0c9a2e-5d1b-4c7e-9a60-1b2c3d4e5f60', '3f0c9a2e-5d1b-4c7e-9a60-1b2c3d4e5f61'],
};

/** A value other than `current` the schema allows (as well as this audit can tell). */
export function otherValue(s: Syntax, current: string, sibling: (rel: string) => string | undefined, objects: readonly ObjectValues[]): string {
  const pick = (choices: readonly string[]): string => choices.find((c) => c !== current) ?? current;
  if (s.enumerations) return pick(s.enumerations.filter((e) => !s.list || !current.split(',').includes(e)));
  if (s.enumerationRef && !s.enumerationRef.targetParam.includes('.')) {
    const allowed = (sibling(s.enumerationRef.targetParam) ?? '').split(',').filter(Boolean);
    if (allowed.length > 0) return pick(allowed);
  }
  switch (s.type) {
    case 'boolean':
      return current === 'true' ? 'false' : 'true';
    case 'int':
    case 'unsignedInt':
    case 'long':
    case 'unsignedLong':
      return otherNumber(s, current);
    case 'dateTime':
      return pick(['2026-01-02T03:04:05Z', '2026-01-03T03:04:05Z']);
    case 'hexBinary':
      return pick(['a1b2c3d4', 'a1b2c3d5']);
    case 'base64':
      return pick(['dXNwLWF1ZGl0', 'dXNwLWF1ZGl1']);
    case 'decimal':
      return pick(['1.5', '2.5']);
    default:
  }
  if (s.pathRef || s.instanceRef) return otherReference(s, current, objects);
  const typed = s.dataType ? BY_DATA_TYPE[s.dataType] : undefined;
  if (typed) return pick(typed);
  const max = s.sizes?.find((z) => z.max !== undefined)?.max ?? 64;
  const min = s.sizes?.find((z) => z.min !== undefined)?.min ?? 0;
  // Long enough for a WPA passphrase (8..63), short enough for the smallest sizes.
  const text = pick(['usp-audit-value1', 'usp-audit-value2']).padEnd(min, 'x');
  return text.slice(0, Math.max(max, 1));
}

function otherNumber(s: Syntax, current: string): string {
  const now = Number(current || '0');
  const range = s.ranges?.[0];
  const lo = range?.min !== undefined ? Number(range.min) : s.type.startsWith('unsigned') ? 0 : -1000;
  const hi = range?.max !== undefined ? Number(range.max) : now + 1000;
  const step = range?.step !== undefined ? Number(range.step) : 1;
  for (const c of [now + step, now - step, lo, hi]) if (c !== now && c >= lo && c <= hi) return String(c);
  return current;
}

/** Another row of the table the reference points into (or "" when it points nowhere else). */
function otherReference(s: Syntax, current: string, objects: readonly ObjectValues[]): string {
  const first = current.split(',')[0] ?? '';
  const table = /^(.*\.)\d+\.?$/.exec(first)?.[1];
  if (table) {
    const other = objects.find((o) => o.path.startsWith(table) && /^\d+\.$/.test(o.path.slice(table.length)) && o.path.slice(0, -1) !== first && o.path !== first);
    if (other) return other.path.slice(0, -1);
  }
  const parent = s.pathRef?.targetParent?.split(' ')[0] ?? s.instanceRef?.targetParent;
  if (parent) {
    const prefix = parent.replace(/\{i\}\.$/, '');
    const other = objects.find((o) => o.path.startsWith(prefix) && /^\d+\.$/.test(o.path.slice(prefix.length)));
    if (other && other.path.slice(0, -1) !== first) return other.path.slice(0, -1);
  }
  return current === '' ? current : '';
}

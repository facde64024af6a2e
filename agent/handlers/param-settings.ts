/**
 * Validation of Set and Add parameter settings against the schema and access rules: shared by
 * handle-set and handle-add so both give the same codes (7010 unsupported, 7013 not writable,
 * 7011 wrong type, 7012 bad value, including an Alias that does not start with a letter).
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { InstanceKeys, RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { checkEnumerationRef } from '../../datamodel/tree/enumeration-ref.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { parseValue } from '../../datamodel/value/parse-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError, type ParamError } from '../../datamodel/UspError.js';

export interface Setting {
  param: string;
  value: string;
  required: boolean;
}

/** Validated values grouped by the (single-instance) sub-object they belong to. */
export interface ValidatedSettings {
  /** Relative sub-object path ("" for the object itself, "Security." for a child) → values. */
  byObject: Map<string, { node: ModelNode; values: Record<string, Value> }>;
  paramErrors: ParamError[];
  /** True when a required setting failed: the object fails as a whole (with `requiredCode`). */
  requiredFailed: boolean;
  /**
   * The object's error code when `requiredFailed`: 7006 when a required setting was refused for
   * lack of permission (TP-469 2.24/2.26 expect Permission Denied as the main code), else 7021.
   */
  requiredCode: ErrorCode;
}

export type WriteMode = 'set' | 'add';

/**
 * `current` returns the current value of a writeOnceReadOnly parameter on Set (it may be
 * written only while it is still empty). `writable` says whether the controller holds Param w on
 * a parameter (ControllerTrust); without it the setting fails with 7006 (TR-369 R-SEC.1).
 */
export function validateSettings(
  node: ModelNode,
  settings: readonly Setting[],
  mode: WriteMode,
  current?: (relObject: string, name: string) => Value | undefined,
  writable?: (relObject: string, name: string) => boolean,
): ValidatedSettings {
  const out: ValidatedSettings = { byObject: new Map(), paramErrors: [], requiredFailed: false, requiredCode: ErrorCode.RequiredParamFailed };
  const keyParams = new Set((node.def.uniqueKeys ?? []).flatMap((k) => k.params));
  const fixedKeys = new Set((node.def.uniqueKeys ?? []).filter((k) => !k.functional).flatMap((k) => k.params));
  for (const s of settings) {
    try {
      const { target, rel, name } = locateParam(node, s.param);
      const syntax = target.params.get(name);
      if (!syntax) throw new UspError(ErrorCode.UnsupportedParameter, `unsupported parameter ${s.param}`);
      if (writable && !writable(rel, name)) throw new UspError(ErrorCode.PermissionDenied, `${s.param}: permission denied`);
      if (syntax.access === 'readOnly' || target.derivedCounts.has(name)) {
        throw new UspError(ErrorCode.ParamReadOnly, `${s.param} is not writable`);
      }
      // Writable in TR-181, but this device's binding cannot change it (ObjectBinding.writable).
      // On Add the binding's add takes it as the new row's value.
      if (mode === 'set' && target.fixedParams.has(name)) throw new UspError(ErrorCode.ParamReadOnly, `${s.param} is not writable on this device`);
      // The value (an Alias too: datamodel/value/alias.ts) is checked before write-once-ness,
      // so a bad Alias is 7012 on Set as on Add.
      const value = parseValue(syntax, s.value);
      if (syntax.access === 'writeOnceReadOnly' && mode === 'set') {
        const now = current?.(rel, name);
        if (now !== undefined && now !== '') throw new UspError(ErrorCode.ParamReadOnly, `${s.param} can be written only once`);
      }
      // R-KEY.1: a non-functional unique key never changes after creation (TP-469 1.96). Setting
      // the value it already has is no change; one still empty was never assigned, and may be
      // (as a writeOnceReadOnly Alias may).
      if (mode === 'set' && rel === '' && fixedKeys.has(name)) {
        const now = current?.(rel, name);
        if (now !== undefined && now !== '' && now !== value) throw new UspError(ErrorCode.ParamReadOnly, `${s.param} is a non-functional unique key: it cannot change after creation`);
      }
      let group = out.byObject.get(rel);
      if (!group) {
        group = { node: target, values: {} };
        out.byObject.set(rel, group);
      }
      group.values[name] = value;
    } catch (e) {
      const u = e instanceof UspError ? e : new UspError(ErrorCode.InternalError, String(e));
      out.paramErrors.push({ param: s.param, code: u.code, message: u.message });
      // R-ADD: unique-key parameters count as required whatever the flag says; on Set the
      // non-functional ones too, so a refused key change never leaves a half-updated object.
      if (s.required || (mode === 'add' && keyParams.has(s.param)) || (mode === 'set' && fixedKeys.has(s.param))) {
        out.requiredFailed = true;
        if (u.code === ErrorCode.PermissionDenied) out.requiredCode = ErrorCode.PermissionDenied;
      }
    }
  }
  return out;
}

/** "Name" or "Sub.Obj.Name" → the single-instance sub-object node and the parameter name. */
function locateParam(node: ModelNode, param: string): { target: ModelNode; rel: string; name: string } {
  const parts = param.split('.');
  const name = parts.pop()!;
  let target = node;
  for (const p of parts) {
    const child = target.supportedChild(p);
    if (!child || child.multi) throw new UspError(ErrorCode.UnsupportedParameter, `unsupported parameter ${param}`);
    target = child;
  }
  if (name === '') throw new UspError(ErrorCode.UnsupportedParameter, `unsupported parameter ${param}`);
  return { target, rel: parts.length ? `${parts.join('.')}.` : '', name };
}

/**
 * Strong references (R-ARC.12): each path in the value must name an existing object; key-based
 * addressing is accepted and stored as instance numbers (R-ARC.11). Failures join paramErrors
 * like any other bad value (7012); required ones fail the object.
 */
export async function checkStrongReferences(model: DataModel, ctx: RequestContext, v: ValidatedSettings, settings: readonly Setting[]): Promise<void> {
  for (const [rel, group] of v.byObject) {
    for (const [name, value] of Object.entries(group.values)) {
      const syntax = group.node.params.get(name);
      if (syntax?.pathRef?.refType !== 'strong' || typeof value !== 'string' || value === '') continue;
      try {
        const items: string[] = [];
        for (const item of value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean))
          items.push(await canonicalReference(model, ctx, item));
        group.values[name] = items.join(',');
      } catch (e) {
        const u = e instanceof UspError ? e : new UspError(ErrorCode.InternalError, String(e));
        const param = rel + name;
        delete group.values[name];
        v.paramErrors.push({ param, code: ErrorCode.InvalidValue, message: `${param}: ${u.message}` });
        if (settings.some((s) => s.param === param && s.required)) v.requiredFailed = true;
      }
    }
  }
}

/**
 * TR-106 enumerationRef (e.g. Device.LocalAgent.MTP.{i}.Protocol from SupportedProtocols): a value
 * outside the target's list fails like any other bad value (7012, naming the allowed values);
 * required ones fail the object. `keys` are the instance's (on Add, its parent's: a target inside
 * the new row cannot be read yet and is not checked).
 */
export async function checkEnumerationRefs(model: DataModel, ctx: RequestContext, keys: InstanceKeys, v: ValidatedSettings, settings: readonly Setting[]): Promise<void> {
  for (const [rel, group] of v.byObject) {
    for (const [name, value] of Object.entries(group.values)) {
      const syntax = group.node.params.get(name);
      if (!syntax?.enumerationRef) continue;
      try {
        await checkEnumerationRef(model, group.node, keys, syntax, value, ctx);
      } catch (e) {
        const u = e instanceof UspError ? e : new UspError(ErrorCode.InternalError, String(e));
        const param = rel + name;
        delete group.values[name];
        v.paramErrors.push({ param, code: u.code, message: `${param}: ${u.message}` });
        if (settings.some((s) => s.param === param && s.required)) v.requiredFailed = true;
      }
    }
  }
}

async function canonicalReference(model: DataModel, ctx: RequestContext, ref: string): Promise<string> {
  const text = ref.endsWith('.') ? ref : `${ref}.`;
  const matches = await new PathResolver(model, ctx).resolve(parsePath(text));
  const inst = matches.filter((m) => !m.table);
  if (inst.length !== 1) throw new UspError(ErrorCode.InvalidValue, `reference ${ref} does not name one existing object`);
  // References are written without the trailing dot (TR-106).
  return inst[0].node.pathOf(inst[0].keys).slice(0, -1);
}

/**
 * Typed values → TR-106 strings, the one place values cross into USP (R-ENC.6). Hidden
 * parameters always read as ""; secured ones too unless the controller holds one of
 * ControllerTrust.SecuredRoles (TP-469 2.27). Parameters it may not read are left out (R-GET.4).
 */
import { PERM_R, type AccessView, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import { formatValue } from '../../datamodel/value/format-value.js';
import { defaultValue } from '../../datamodel/value/default-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { StringMap } from '../codec/types.js';

/**
 * `secured`: the requesting controller may see secured values (AccessView.secured). The agent
 * itself (no AccessView) never puts a secured value on the wire either.
 */
export function formatParam(syntax: SchemaParam, v: Value | undefined, secured = false): string {
  if (syntax.hidden || (syntax.secured && !secured)) return '';
  return formatValue(syntax, v ?? defaultValue(syntax));
}

/** Whether the controller may see secured values; false for the agent itself. */
export function seesSecured(access: AccessView | undefined): boolean {
  return access?.secured ?? false;
}

/**
 * The readable served parameters of one object, in schema order, keyed by relative name.
 * `access` undefined: every parameter (the agent itself).
 */
export function formatParams(node: ModelNode, values: Record<string, Value>, access?: InstanceAccess, secured = false): StringMap {
  const out: StringMap = {};
  for (const [name, syntax] of node.params) {
    if (access && (access.param(name) & PERM_R) === 0) continue;
    const v = values[name];
    // Present but undefined: the binding could not read it now (a plugin's failing source,
    // binding.ts getParam); left out rather than shown as its default.
    if (v === undefined && Object.hasOwn(values, name)) continue;
    out[name] = formatParam(syntax, v, secured);
  }
  return out;
}

/**
 * Typed values → TR-106 strings, the one place values cross into USP (R-ENC.6). Secured and
 * hidden parameters read as "" (TR-106; SecuredRoles come with the access-control issue).
 */
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import { formatValue } from '../../datamodel/value/format-value.js';
import { defaultValue } from '../../datamodel/value/default-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { StringMap } from '../codec/types.js';

export function formatParam(syntax: SchemaParam, v: Value | undefined): string {
  if (syntax.secured || syntax.hidden) return '';
  return formatValue(syntax, v ?? defaultValue(syntax));
}

/** All served parameters of one object, in schema order, keyed by relative name. */
export function formatParams(node: ModelNode, values: Record<string, Value>): StringMap {
  const out: StringMap = {};
  for (const [name, syntax] of node.params) out[name] = formatParam(syntax, values[name]);
  return out;
}

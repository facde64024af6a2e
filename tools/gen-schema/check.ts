/**
 * Cross-reference checks on the generated schema. A wrong expansion rule (a prefix applied
 * twice, a deletion that missed, a key naming a deleted parameter) shows up here as a
 * dangling reference long before anything resolves a path at run time.
 */
import { supportedParentPath as parentPath } from '../../datamodel/schema/Schema.js';
import type { SchemaFile } from '../../datamodel/schema/types.js';

/** Returns one message per dangling reference; empty when the schema is consistent. */
export function checkSchema(schema: SchemaFile): string[] {
  const problems: string[] = [];
  const byPath = new Map(schema.objects.map((o) => [o.path, o]));
  if (schema.objects[0]?.path !== 'Device.') problems.push('first object is not Device.');
  for (const o of schema.objects) {
    const names = new Set(o.params.map((p) => p.name));
    const parent = parentPath(o.path);
    const parentObj = parent === undefined ? undefined : byPath.get(parent);
    if (parent !== undefined && parentObj === undefined) problems.push(`${o.path}: parent ${parent} missing`);
    for (const k of o.uniqueKeys ?? []) {
      for (const p of k.params) if (!names.has(p)) problems.push(`${o.path}: unique key parameter ${p} missing`);
    }
    if (o.enableParameter !== undefined && !names.has(o.enableParameter)) {
      problems.push(`${o.path}: enableParameter ${o.enableParameter} missing`);
    }
    if (o.numEntriesParameter !== undefined && !parentObj?.params.some((p) => p.name === o.numEntriesParameter)) {
      problems.push(`${o.path}: numEntriesParameter ${o.numEntriesParameter} missing in ${parent}`);
    }
    if (o.multi !== o.path.endsWith('{i}.')) problems.push(`${o.path}: multi flag wrong`);
  }
  return problems;
}

/**
 * The check every platform's whole-tree test makes: each value has the JS type its schema type
 * says (datamodel/value/Value.ts), is canonical, and lies within the schema's ranges, sizes,
 * enumerations and patterns.
 */
import { expect } from 'vitest';
import type { BaseType } from '../../../datamodel/schema/types.js';
import type { ObjectValues } from '../../../datamodel/tree/read-object.js';
import { formatValue } from '../../../datamodel/value/format-value.js';
import { parseValue } from '../../../datamodel/value/parse-value.js';

/** JS representation of each TR-106 base type. */
export const JS_TYPE: Record<BaseType, 'boolean' | 'number' | 'string'> = {
  boolean: 'boolean',
  int: 'number',
  unsignedInt: 'number',
  long: 'string',
  unsignedLong: 'string',
  decimal: 'string',
  string: 'string',
  dateTime: 'string',
  base64: 'string',
  hexBinary: 'string',
};

/**
 * Asserts the above for every value and returns the parameter count. With `everyServed`, each
 * object must also have a value for every parameter it serves (none silently defaulted).
 */
export function expectSchemaTyped(objects: readonly ObjectValues[], opts: { everyServed?: boolean } = { everyServed: true }): number {
  let params = 0;
  for (const { inst, path, values } of objects) {
    if (opts.everyServed) expect(Object.keys(values).sort(), path).toEqual([...inst.node.params.keys()].sort());
    // An object TR-181 allows 0..1 of (IoTCapability.{i}.LevelControl. of a row of another Class)
    // may be absent: its binding then leaves every value out (undefined, which Get leaves out).
    const def = inst.node.def;
    if (!def.multi && def.minEntries === 0 && Object.values(values).every((v) => v === undefined)) continue;
    for (const [name, v] of Object.entries(values)) {
      const p = inst.node.params.get(name);
      expect(p, `${path}${name} is served`).toBeDefined();
      const where = `${path}${name} = ${JSON.stringify(v)} (${p!.type})`;
      // A list is one comma-joined string whatever its item type.
      expect(typeof v, where).toBe(p!.list ? 'string' : JS_TYPE[p!.type]);
      if (typeof v === 'number') expect(Number.isSafeInteger(v), where).toBe(true);
      expect(parseValue(p!, formatValue(p!, v)), where).toStrictEqual(v);
      params++;
    }
  }
  return params;
}

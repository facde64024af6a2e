/**
 * Tables the simulation derives from the TR-181 schema alone (a parameter's type, an object's
 * defaults), made once per schema object and shared by every simulated gateway of a fleet,
 * which all load the one schema: each gateway kept its own copies before (issue 14).
 */
import type { SchemaParam } from '../../datamodel/schema/types.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { defaultValue } from '../../datamodel/value/default-value.js';
import type { Value } from '../../datamodel/value/Value.js';

const typesBySchema = new WeakMap<readonly SchemaParam[], ReadonlyMap<string, string>>();

/** Parameter name → schema type of the object at `supportedPath` ("Device.WiFi.SSID.{i}.Stats."). */
export function schemaTypes(model: DataModel, supportedPath: string): ReadonlyMap<string, string> {
  const params = model.requireNode(supportedPath).def.params;
  let types = typesBySchema.get(params);
  if (!types) typesBySchema.set(params, (types = new Map(params.map((p) => [p.name, p.type]))));
  return types;
}

/** By schema object, then by the list of names asked for (a module constant of the caller). */
const defaultsBySchema = new WeakMap<readonly SchemaParam[], WeakMap<readonly string[], Readonly<Record<string, Value>>>>();

/**
 * The schema defaults of the parameters `names` of the object at `supportedPath`, frozen:
 * spread it into a row, never change it. `names` should be a module constant, so that every
 * gateway finds the one copy.
 */
export function schemaDefaults(model: DataModel, supportedPath: string, names: readonly string[]): Readonly<Record<string, Value>> {
  const params = model.requireNode(supportedPath).def.params;
  let byNames = defaultsBySchema.get(params);
  if (!byNames) defaultsBySchema.set(params, (byNames = new WeakMap()));
  let defaults = byNames.get(names);
  if (!defaults) {
    const out: Record<string, Value> = {};
    for (const p of params) if (names.includes(p.name)) out[p.name] = defaultValue(p);
    byNames.set(names, (defaults = Object.freeze(out)));
  }
  return defaults;
}

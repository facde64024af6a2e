/**
 * Checks a plugin's vendor definitions (TR-106 §3.3 names, TR-106 base types) and turns them
 * into the schema's shapes, so the data model serves and describes them (GetSupportedDM) like
 * TR-181's own. A definition that is wrong throws a PluginUsageError saying what and how to fix it.
 */
import type { BaseType, SchemaArgument, SchemaCommand, SchemaEvent, SchemaObject, SchemaParam, Syntax } from '../../datamodel/schema/types.js';
import type { VendorCommandDef, VendorEventDef, VendorObjectDef, VendorParamDef } from './plugin-api.js';

/** A mistake in what a plugin asked for: `what` went wrong, `fix` says what to do. */
export class PluginUsageError extends Error {
  constructor(
    readonly what: string,
    readonly fix: string,
  ) {
    super(`${what}; ${fix}`);
  }
}

const BASE_TYPES: readonly BaseType[] = ['string', 'boolean', 'int', 'unsignedInt', 'long', 'unsignedLong', 'dateTime', 'base64', 'hexBinary', 'decimal'];
/** TR-106 names: a letter, then letters, digits, '_' or '-'. */
const NAME = /^[A-Za-z][0-9A-Za-z_-]*$/;

/** `name` (with `suffix`, "()" or "!") must be the agent's vendor prefix and a TR-106 name. */
export function checkVendorName(name: string, prefix: string | undefined, where: string, suffix = ''): void {
  if (prefix === undefined) {
    throw new PluginUsageError(`${where}${name}: a vendor name needs the agent's vendor prefix, and none is configured`, 'start the agent with --vendor-prefix X_<VENDOR>_ (e.g. X_EXAMPLE-COM_)');
  }
  const base = suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : suffix ? '' : name;
  if (!base.startsWith(prefix) || !NAME.test(base.slice(prefix.length))) {
    throw new PluginUsageError(`${where}${name} is not under the vendor prefix ${prefix}`, `name it ${prefix}<Name>${suffix} (TR-106 vendor-specific names; standard names belong to TR-181)`);
  }
}

function syntaxOf(d: VendorParamDef, where: string): Syntax {
  if (!BASE_TYPES.includes(d.type)) throw new PluginUsageError(`${where}${d.name}: type ${JSON.stringify(d.type)} is not a TR-106 base type`, `use one of ${BASE_TYPES.join(', ')}`);
  const s: Syntax = { type: d.type };
  if (d.units !== undefined) s.units = d.units;
  if (d.enumerations !== undefined) {
    if (!Array.isArray(d.enumerations) || d.enumerations.some((e) => typeof e !== 'string'))
      throw new PluginUsageError(`${where}${d.name}: enumerations must be an array of strings`, 'list the allowed values as strings');
    s.enumerations = [...d.enumerations];
  }
  if (d.range !== undefined) {
    if (!['int', 'unsignedInt', 'long', 'unsignedLong', 'decimal'].includes(d.type))
      throw new PluginUsageError(`${where}${d.name}: a range needs a numeric type, not ${d.type}`, 'drop the range or use a numeric type');
    s.ranges = [{ min: d.range.min === undefined ? undefined : String(d.range.min), max: d.range.max === undefined ? undefined : String(d.range.max) }];
  }
  if (d.list) s.list = {};
  return s;
}

/** A parameter definition; `prefix` set: the name must carry it (standard objects). */
export function vendorParam(d: VendorParamDef, where: string, prefix: string | undefined, prefixed: boolean): SchemaParam {
  if (!d || typeof d.name !== 'string') throw new PluginUsageError(`${where}: a parameter definition has no name`, 'give { name, type } for every parameter');
  if (prefixed) checkVendorName(d.name, prefix, where);
  else if (!NAME.test(d.name)) throw new PluginUsageError(`${where}${d.name} is not a TR-106 parameter name`, 'use letters, digits, "_" and "-", starting with a letter');
  const access = d.access ?? 'readOnly';
  if (access !== 'readOnly' && access !== 'readWrite') throw new PluginUsageError(`${where}${d.name}: access ${JSON.stringify(access)}`, 'use readOnly or readWrite');
  return { name: d.name, access, ...syntaxOf(d, where) };
}

function argument(d: VendorParamDef, where: string): SchemaArgument {
  return { ...vendorParam(d, where, undefined, false), name: d.name };
}

/** A vendor object's schema definition, `readWrite` when the binding can add rows. */
export function vendorObject(d: VendorObjectDef, prefix: string | undefined, creatable: boolean): SchemaObject {
  const path = String(d?.path ?? '');
  const names = path.split('.').filter((n) => n !== '' && n !== '{i}');
  const where = path;
  if (!/^Device\.([0-9A-Za-z_-]+\.(\{i\}\.)?)+$/.test(path) || names.length < 2) {
    throw new PluginUsageError(`${path}: not an object path`, 'give a supported path such as Device.X_EXAMPLE-COM_Fan.{i}. (ending in "." or ".{i}.")');
  }
  checkVendorName(names[names.length - 1], prefix, 'object ');
  const multi = path.endsWith('.{i}.');
  const params = (d.params ?? []).map((p) => vendorParam(p, where, prefix, false));
  for (const k of d.uniqueKeys ?? [])
    if (!params.some((p) => p.name === k)) throw new PluginUsageError(`${where}: unique key ${k} is not one of its parameters`, 'name parameters of the object in uniqueKeys');
  return {
    path,
    multi,
    access: multi && creatable ? 'readWrite' : 'readOnly',
    params,
    commands: [],
    events: [],
    ...(multi ? { numEntriesParameter: `${names[names.length - 1]}NumberOfEntries` } : {}),
    ...(d.uniqueKeys?.length ? { uniqueKeys: [{ functional: true, params: [...d.uniqueKeys] }] } : {}),
  };
}

export function vendorCommand(d: VendorCommandDef, where: string, prefix: string | undefined): SchemaCommand {
  checkVendorName(String(d?.name), prefix, where, '()');
  return { name: d.name, async: d.async ?? false, input: (d.input ?? []).map((a) => argument(a, `${where}${d.name} `)), output: (d.output ?? []).map((a) => argument(a, `${where}${d.name} `)) };
}

export function vendorEvent(d: VendorEventDef, where: string, prefix: string | undefined): SchemaEvent {
  checkVendorName(String(d?.name), prefix, where, '!');
  return { name: d.name, args: (d.args ?? []).map((a) => argument(a, `${where}${d.name} `)) };
}

/**
 * Shapes of the generated TR-181 schema (datamodel/schema/tr181-schema.json).
 * The generator (tools/gen-schema.ts) writes exactly these shapes; everything above the
 * datamodel layer reads the schema through them. Paths use supported-model notation:
 * objects end in ".", multi-instance levels are written "{i}".
 */

/** TR-106 base types a parameter or argument can have (after resolving named dataTypes). */
export type BaseType = 'string' | 'boolean' | 'int' | 'unsignedInt' | 'long' | 'unsignedLong' | 'dateTime' | 'base64' | 'hexBinary' | 'decimal';

export type ParamAccess = 'readOnly' | 'readWrite' | 'writeOnceReadOnly';
export type ObjectAccess = 'readOnly' | 'readWrite';

/** One inclusive range facet; bounds are decimal strings so unsignedLong/long stay exact. */
export interface RangeFacet {
  min?: string;
  max?: string;
  step?: string;
}
/** One size facet (string or list length). */
export interface SizeFacet {
  min?: number;
  max?: number;
}

export interface ListFacet {
  minItems?: number;
  maxItems?: number;
  /** Size of the whole comma-separated list text. */
  sizes?: SizeFacet[];
}

export interface PathRefFacet {
  refType?: 'strong' | 'weak';
  targetParent?: string;
  targetType?: 'any' | 'object' | 'row' | 'single' | 'parameter';
}

/** The syntax of a parameter or argument: base type plus all facets merged down the dataType chain. */
export interface Syntax {
  type: BaseType;
  /** Named TR-106/TR-181 dataType, if any (e.g. "IPAddress", "Alias"). */
  dataType?: string;
  list?: ListFacet;
  /** Allowed lengths of a single (non-list) string / item, in characters (hexBinary: bytes). */
  sizes?: SizeFacet[];
  ranges?: RangeFacet[];
  /** Allowed values; absent means any value of the type. */
  enumerations?: string[];
  patterns?: string[];
  units?: string;
  /** Default value (any default type), as a TR-106 string (list defaults are comma-separated). */
  default?: string;
  defaultType?: 'object' | 'factory' | 'implementation' | 'parameter';
  /** secured="true" or hidden="true": read back as "" unless the controller has a SecuredRole. */
  secured?: boolean;
  hidden?: boolean;
  pathRef?: PathRefFacet;
  /** instanceRef / enumerationRef are kept only as flags the value layer may use. */
  instanceRef?: { refType?: 'strong' | 'weak'; targetParent?: string };
  /**
   * The allowed values are those listed by another parameter (e.g. a Supported* list),
   * addressed relative to this one; `nullValue` is the extra value meaning "none".
   */
  enumerationRef?: { targetParam: string; nullValue?: string };
  command?: boolean;
}

export interface SchemaParam extends Syntax {
  /** Relative name, e.g. "EndpointID". */
  name: string;
  access: ParamAccess;
  status?: 'deprecated' | 'obsoleted';
}

export interface SchemaArgument extends Syntax {
  /** Relative name inside the argument list; may be nested, e.g. "Result.{i}.Name". */
  name: string;
  mandatory?: boolean;
}

export interface SchemaCommand {
  /** Relative name with the parentheses, e.g. "Reboot()". */
  name: string;
  async: boolean;
  status?: 'deprecated' | 'obsoleted';
  input: SchemaArgument[];
  output: SchemaArgument[];
}

export interface SchemaEvent {
  /** Relative name with the bang, e.g. "Boot!". */
  name: string;
  status?: 'deprecated' | 'obsoleted';
  args: SchemaArgument[];
}

export interface UniqueKey {
  functional: boolean;
  /** Relative parameter names making up the key. */
  params: string[];
}

export interface SchemaObject {
  /** Full supported path, e.g. "Device.LocalAgent.Controller.{i}.". */
  path: string;
  multi: boolean;
  access: ObjectAccess;
  minEntries?: number;
  /** undefined means unbounded. */
  maxEntries?: number;
  uniqueKeys?: UniqueKey[];
  /** Name of the "...NumberOfEntries" parameter in the parent object. */
  numEntriesParameter?: string;
  enableParameter?: string;
  status?: 'deprecated' | 'obsoleted';
  params: SchemaParam[];
  commands: SchemaCommand[];
  events: SchemaEvent[];
}

/** The whole generated file. */
export interface SchemaFile {
  model: string;
  /** Objects in document order; "Device." first. */
  objects: SchemaObject[];
}

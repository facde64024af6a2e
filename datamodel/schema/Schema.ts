/**
 * The supported TR-181 data model (Device:2.19, USP flavour) at run time: the generated
 * tr181-schema.json, indexed by supported path ("Device.LocalAgent.Controller.{i}.").
 *
 * Loading indexes the file's lines (schema-lines.ts); each object is parsed when first asked
 * for, so the agent parses only what it serves (bench/schema-load.ts measures the load). There is
 * no shared instance: the composition root loads one and passes it down.
 */
import fs from 'node:fs';
import { packageFile } from '../package-root.js';
import { indexSchemaLines, parseObjectLine, type IndexedSchemaFile, type ObjectLine } from './schema-lines.js';
import type { SchemaCommand, SchemaEvent, SchemaFile, SchemaObject, SchemaParam } from './types.js';

/** The generated file, in the source tree (tsc does not copy it; the package ships it there). */
const DEFAULT_LOCATIONS = (): readonly URL[] => [packageFile('datamodel/schema/tr181-schema.json')];

/**
 * The supported path of the parent object: "Device.A.{i}.B." -> "Device.A.{i}.",
 * "Device.A.{i}." -> "Device.", "Device." -> undefined.
 */
export function supportedParentPath(path: string): string | undefined {
  // Index arithmetic rather than split/join: run for every one of the ~800 objects at each start.
  const nameEnd = objectNameEnd(path);
  const dot = path.lastIndexOf('.', nameEnd - 1);
  return dot < 0 ? undefined : path.slice(0, dot + 1);
}

/** The object's own name: "Device.A.{i}." -> "A", "Device.A.B." -> "B", "Device." -> "Device". */
export function supportedObjectName(path: string): string {
  const nameEnd = objectNameEnd(path);
  return path.slice(path.lastIndexOf('.', nameEnd - 1) + 1, nameEnd);
}

/** Where the object's name ends in its supported path (before ".{i}." or the trailing "."). */
function objectNameEnd(path: string): number {
  return path.endsWith('.{i}.') ? path.length - 5 : path.length - 1;
}

interface Entry {
  /** Parsed on first use when the schema was read from the generated file. */
  object?: SchemaObject;
  /** Where the unparsed definition sits in `Schema.source` (generated file only). */
  line?: ObjectLine;
  /** Child object paths in document order (a table counts as one child, "X.{i}."); see Schema.childIndex. */
  childPaths?: string[];
  children?: readonly SchemaObject[];
  /** Built on first lookup: the agent itself never asks, and 809 × 3 maps cost memory on a router. */
  params?: Map<string, SchemaParam>;
  commands?: Map<string, SchemaCommand>;
  events?: Map<string, SchemaEvent>;
}

const NO_CHILDREN: readonly SchemaObject[] = Object.freeze([]);

/** The unparsed generated file an indexed schema reads its definitions from. */
interface Source {
  bytes: Buffer;
  name: string;
}

export class Schema {
  /** Model name and version, e.g. "Device:2.19". */
  readonly model: string;
  /** Every supported object path, in document order ("Device." first). */
  private readonly order: readonly string[];
  private readonly byPath = new Map<string, Entry>();
  private list?: readonly SchemaObject[];
  private readonly source?: Source;
  /** Whether every entry's childPaths is filled in (on the first children() call: the agent's start never asks). */
  private childIndex = false;

  /**
   * An in-memory schema (e.g. the generated one plus the legacy CoAP objects). `Schema.load()`
   * reads the generated file and parses each object only when first asked for.
   */
  constructor(file: SchemaFile);
  constructor(file: IndexedSchemaFile, source: Source);
  constructor(file: SchemaFile | IndexedSchemaFile, source?: Source) {
    this.model = file.model;
    if ('objects' in file) {
      this.list = file.objects;
      this.order = file.objects.map((o) => o.path);
      for (const object of file.objects) this.byPath.set(object.path, { object });
    } else {
      this.source = source;
      this.order = file.lines.map((l) => l.path);
      for (const line of file.lines) this.byPath.set(line.path, { line });
    }
  }

  /**
   * Reads and indexes the generated schema file (default: the one shipped with the package).
   * A file in the generator's one-object-per-line layout is only indexed here; its objects are
   * parsed on first use. Any other JSON layout is parsed whole.
   */
  static load(location?: string | URL): Schema {
    const candidates = location === undefined ? DEFAULT_LOCATIONS() : [location];
    const found = candidates.find((c) => fs.existsSync(c));
    if (found === undefined) {
      throw new Error(`TR-181 schema not found (looked at ${candidates.map(String).join(', ')}); run npm run gen:schema`);
    }
    const bytes = fs.readFileSync(found);
    const indexed = indexSchemaLines(bytes);
    if (indexed) return new Schema(indexed, { bytes, name: String(found) });
    const file = JSON.parse(bytes.toString('utf8')) as SchemaFile;
    if (typeof file.model !== 'string' || !Array.isArray(file.objects)) {
      throw new Error(`${String(found)}: not a generated TR-181 schema file`);
    }
    return new Schema(file);
  }

  /** All objects in document order, "Device." first. Parses every object not parsed yet. */
  objects(): readonly SchemaObject[] {
    this.list ??= this.order.map((p) => this.getObject(p)!);
    return this.list;
  }

  /** Every supported object path in document order, "Device." first, without parsing any object. */
  paths(): readonly string[] {
    return this.order;
  }

  /** The object at a supported path ("Device.WiFi.Radio.{i}."), if the model has one. */
  getObject(supportedPath: string): SchemaObject | undefined {
    const e = this.byPath.get(supportedPath);
    if (!e) return undefined;
    e.object ??= parseObjectLine(this.source!.bytes, e.line!, this.source!.name);
    return e.object;
  }

  /** Immediate child objects (a table counts as one child, "X.{i}."), in document order. */
  children(supportedPath: string): readonly SchemaObject[] {
    const e = this.byPath.get(supportedPath);
    if (!e) return NO_CHILDREN;
    if (!this.childIndex) this.indexChildren();
    const paths = e.childPaths;
    e.children ??= paths === undefined ? NO_CHILDREN : paths.map((p) => this.getObject(p)!);
    return e.children;
  }

  /** Fills in every entry's childPaths, in document order. */
  private indexChildren(): void {
    for (const path of this.order) {
      const parent = supportedParentPath(path);
      const e = parent === undefined ? undefined : this.byPath.get(parent);
      if (e) (e.childPaths ??= []).push(path);
    }
    this.childIndex = true;
  }

  /** A parameter by its object's supported path and relative name ("Alias"). */
  getParam(objPath: string, name: string): SchemaParam | undefined {
    const e = this.byPath.get(objPath);
    if (!e) return undefined;
    e.params ??= new Map(this.getObject(objPath)!.params.map((p) => [p.name, p]));
    return e.params.get(name);
  }

  /** A command by its object's supported path and name with the parentheses ("Reboot()"). */
  getCommand(objPath: string, name: string): SchemaCommand | undefined {
    const e = this.byPath.get(objPath);
    if (!e) return undefined;
    e.commands ??= new Map(this.getObject(objPath)!.commands.map((c) => [c.name, c]));
    return e.commands.get(name);
  }

  /** An event by its object's supported path and name with the bang ("Boot!"). */
  getEvent(objPath: string, name: string): SchemaEvent | undefined {
    const e = this.byPath.get(objPath);
    if (!e) return undefined;
    e.events ??= new Map(this.getObject(objPath)!.events.map((v) => [v.name, v]));
    return e.events.get(name);
  }
}

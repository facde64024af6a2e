/**
 * The supported TR-181 data model (Device:2.19, USP flavour) at run time: the generated
 * tr181-schema.json, indexed by supported path ("Device.LocalAgent.Controller.{i}.").
 *
 * Loading is one JSON.parse plus map building, well inside the agent's start-up budget
 * (see the schema unit test for the measured time). There is no shared instance: the
 * composition root loads one and passes it down.
 */
import fs from 'node:fs';
import { packageFile } from '../package-root.js';
import type { SchemaCommand, SchemaEvent, SchemaFile, SchemaObject, SchemaParam } from './types.js';

/** The generated file, in the source tree (tsc does not copy it; the package ships it there). */
const DEFAULT_LOCATIONS = (): readonly URL[] => [packageFile('datamodel/schema/tr181-schema.json')];

/**
 * The supported path of the parent object: "Device.A.{i}.B." -> "Device.A.{i}.",
 * "Device.A.{i}." -> "Device.", "Device." -> undefined.
 */
export function supportedParentPath(path: string): string | undefined {
  const segments = path.slice(0, -1).split('.');
  if (segments.at(-1) === '{i}') segments.pop();
  segments.pop();
  return segments.length === 0 ? undefined : `${segments.join('.')}.`;
}

interface Entry {
  object: SchemaObject;
  children: SchemaObject[];
  /** Built on first lookup: the agent itself never asks, and 809 × 3 maps cost memory on a router. */
  params?: Map<string, SchemaParam>;
  commands?: Map<string, SchemaCommand>;
  events?: Map<string, SchemaEvent>;
}

const NO_CHILDREN: readonly SchemaObject[] = Object.freeze([]);

export class Schema {
  /** Model name and version, e.g. "Device:2.19". */
  readonly model: string;
  private readonly list: readonly SchemaObject[];
  private readonly byPath = new Map<string, Entry>();

  constructor(file: SchemaFile) {
    this.model = file.model;
    this.list = file.objects;
    for (const object of file.objects) {
      this.byPath.set(object.path, { object, children: [] });
    }
    for (const object of file.objects) {
      const parent = supportedParentPath(object.path);
      if (parent !== undefined) this.byPath.get(parent)?.children.push(object);
    }
  }

  /** Reads and indexes the generated schema file (default: the one shipped with the package). */
  static load(location?: string | URL): Schema {
    const candidates = location === undefined ? DEFAULT_LOCATIONS() : [location];
    const found = candidates.find((c) => fs.existsSync(c));
    if (found === undefined) {
      throw new Error(`TR-181 schema not found (looked at ${candidates.map(String).join(', ')}); run npm run gen:schema`);
    }
    const file = JSON.parse(fs.readFileSync(found, 'utf8')) as SchemaFile;
    if (typeof file.model !== 'string' || !Array.isArray(file.objects)) {
      throw new Error(`${String(found)}: not a generated TR-181 schema file`);
    }
    return new Schema(file);
  }

  /** All objects in document order, "Device." first. */
  objects(): readonly SchemaObject[] {
    return this.list;
  }

  /** The object at a supported path ("Device.WiFi.Radio.{i}."), if the model has one. */
  getObject(supportedPath: string): SchemaObject | undefined {
    return this.byPath.get(supportedPath)?.object;
  }

  /** Immediate child objects (a table counts as one child, "X.{i}."), in document order. */
  children(supportedPath: string): readonly SchemaObject[] {
    return this.byPath.get(supportedPath)?.children ?? NO_CHILDREN;
  }

  /** A parameter by its object's supported path and relative name ("Alias"). */
  getParam(objPath: string, name: string): SchemaParam | undefined {
    const e = this.byPath.get(objPath);
    if (!e) return undefined;
    e.params ??= new Map(e.object.params.map((p) => [p.name, p]));
    return e.params.get(name);
  }

  /** A command by its object's supported path and name with the parentheses ("Reboot()"). */
  getCommand(objPath: string, name: string): SchemaCommand | undefined {
    const e = this.byPath.get(objPath);
    if (!e) return undefined;
    e.commands ??= new Map(e.object.commands.map((c) => [c.name, c]));
    return e.commands.get(name);
  }

  /** An event by its object's supported path and name with the bang ("Boot!"). */
  getEvent(objPath: string, name: string): SchemaEvent | undefined {
    const e = this.byPath.get(objPath);
    if (!e) return undefined;
    e.events ??= new Map(e.object.events.map((v) => [v.name, v]));
    return e.events.get(name);
  }
}

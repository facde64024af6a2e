/**
 * Does a Subscription ReferenceList entry cover a concrete path? (TR-181 Subscription.{i}.
 * ReferenceList.) Plain references (names, instance numbers, "*") are matched segment by segment
 * without touching the model; references with search expressions or reference following are
 * resolved with the shared path resolver at the moment of the change.
 */
import type { ParsedPath } from '../../datamodel/path/Path.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import { formatSegment } from '../../datamodel/path/format-path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { UspError } from '../../datamodel/UspError.js';

export interface Reference {
  text: string;
  parsed: ParsedPath;
  /** Segments of the object part for plain references ("*" for a wildcard); undefined when resolution is needed. */
  plain?: string[];
}

/** Parses a ReferenceList entry; undefined when it is not a valid path (it then matches nothing). */
export function parseReference(text: string): Reference | undefined {
  try {
    const parsed = parsePath(text);
    const needsResolve = parsed.segments.some((s) => s.kind === 'search' || (s.kind === 'name' && s.ref));
    return { text, parsed, plain: needsResolve ? undefined : parsed.segments.map(formatSegment) };
  } catch (e) {
    if (e instanceof UspError) return undefined;
    throw e;
  }
}

/** "Device.A.1.B." → ["Device","A","1","B"]. */
export function splitObjectPath(path: string): string[] {
  return path.split('.').filter((s) => s !== '');
}

/** Segment-wise match of a plain reference's object part against a concrete object path. */
function plainMatch(ref: string[], concrete: string[], mode: 'exact' | 'prefix'): boolean {
  if (mode === 'exact' ? ref.length !== concrete.length : ref.length > concrete.length) return false;
  for (let i = 0; i < ref.length; i++) if (ref[i] !== '*' && ref[i] !== concrete[i]) return false;
  return true;
}

/** Concrete object paths the reference's object part resolves to now (search references). */
async function resolvedObjects(model: DataModel, ref: Reference): Promise<string[]> {
  const objectPart: ParsedPath = { ...ref.parsed, kind: 'object', leaf: undefined };
  try {
    return (await new PathResolver(model, {}).resolve(objectPart)).map((m) => (m.table ? m.node.tablePathOf(m.keys) : m.node.pathOf(m.keys)));
  } catch (e) {
    if (e instanceof UspError) return [];
    throw e;
  }
}

/**
 * Whether `ref` covers the item `leaf` (parameter, command or event name) of object `objectPath`:
 * the reference names that item (possibly through wildcards/search), or is an object path at or
 * above the object.
 */
export async function coversItem(model: DataModel, ref: Reference, objectPath: string, leaf: string): Promise<boolean> {
  const isObjectRef = ref.parsed.kind === 'object';
  if (!isObjectRef && ref.parsed.leaf !== leaf) return false;
  const concrete = splitObjectPath(objectPath);
  if (ref.plain) return plainMatch(ref.plain, concrete, isObjectRef ? 'prefix' : 'exact');
  for (const p of await resolvedObjects(model, ref)) {
    if (isObjectRef ? objectPath.startsWith(p) : p === objectPath) return true;
  }
  return false;
}

/** Whether `ref` names the table `tablePath` ("Device.X." or with wildcards) — ObjectCreation. */
export async function coversTable(model: DataModel, ref: Reference, tablePath: string): Promise<boolean> {
  if (ref.parsed.kind !== 'object') return false;
  if (ref.plain) return plainMatch(ref.plain, splitObjectPath(tablePath), 'exact');
  return (await resolvedObjects(model, ref)).includes(tablePath);
}

/**
 * Whether `ref` covers the deleted instance `instancePath` — ObjectDeletion: the instance itself,
 * a wildcard over its table, or the table path (every instance, including future ones).
 */
export function coversDeletedInstance(ref: Reference, instancePath: string): boolean {
  if (ref.parsed.kind !== 'object' || !ref.plain) return false;
  const concrete = splitObjectPath(instancePath);
  return plainMatch(ref.plain, concrete, 'exact') || plainMatch(ref.plain, concrete.slice(0, -1), 'exact');
}

/**
 * Reads the generated schema file's layout without parsing every object: the generator
 * (tools/gen-schema/emit.ts) writes a header line `{"model":"Device:2.19","objects":[`, then one
 * object per line, each starting `{"path":"<supported path>"`, separated by `,`, and a last line
 * `]}`. Indexing the lines and parsing an object only when it is first asked for keeps start-up
 * short and leaves the definitions of objects the agent never serves unparsed (they stay bytes
 * in the file buffer): the whole file as objects is ~6 MB of heap, and parsing it at once on
 * the router profile's small young generation costs about ten scavenges.
 */
import type { SchemaObject } from './types.js';

/** Where one object's JSON sits in the file. */
export interface ObjectLine {
  /** The object's supported path, read from the start of its line. */
  path: string;
  /** Byte offsets of the object's JSON (the line without its separating comma). */
  start: number;
  end: number;
}

export interface IndexedSchemaFile {
  model: string;
  lines: ObjectLine[];
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;
const HEADER_END = '"objects":[';
const PATH_START = Buffer.from('{"path":"');
const LAST_LINE = ']}';

/**
 * Indexes a file in the generator's layout; undefined when the bytes are laid out otherwise (a
 * hand-written or pretty-printed schema), which the caller then parses whole.
 */
export function indexSchemaLines(bytes: Buffer): IndexedSchemaFile | undefined {
  const headerEnd = bytes.indexOf(NEWLINE);
  if (headerEnd < 0) return undefined;
  const header = bytes.toString('utf8', 0, headerEnd);
  if (!header.startsWith('{"model":') || !header.endsWith(HEADER_END)) return undefined;
  let model: unknown;
  try {
    model = (JSON.parse(`${header}]}`) as { model?: unknown }).model;
  } catch {
    return undefined;
  }
  if (typeof model !== 'string') return undefined;
  const lines: ObjectLine[] = [];
  let start = headerEnd + 1;
  for (;;) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    if (end - start === LAST_LINE.length && bytes.toString('latin1', start, end) === LAST_LINE) break;
    if (!bytes.subarray(start, start + PATH_START.length).equals(PATH_START)) return undefined;
    const pathEnd = bytes.indexOf(QUOTE, start + PATH_START.length);
    if (pathEnd < 0 || pathEnd > end) return undefined;
    const objectEnd = bytes[end - 1] === COMMA ? end - 1 : end;
    lines.push({ path: bytes.toString('utf8', start + PATH_START.length, pathEnd), start, end: objectEnd });
    if (end >= bytes.length) return undefined; // no closing line
    start = end + 1;
  }
  return { model, lines };
}

/** Parses one indexed object; throws, naming the file, when its line does not hold that object. */
export function parseObjectLine(bytes: Buffer, line: ObjectLine, file: string): SchemaObject {
  let object: SchemaObject;
  try {
    object = JSON.parse(bytes.toString('utf8', line.start, line.end)) as SchemaObject;
  } catch (e) {
    throw new Error(`${file}: the definition of ${line.path} is not valid JSON (${e instanceof Error ? e.message : String(e)}); run npm run gen:schema`);
  }
  if (object.path !== line.path || !Array.isArray(object.params)) {
    throw new Error(`${file}: the line of ${line.path} does not hold its definition; run npm run gen:schema`);
  }
  return object;
}

/**
 * A strict, schema-driven pass over protobuf wire bytes, run before protobufjs decodes them.
 *
 * Why: protobufjs is lenient where USP is strict (TR-369 "Encoding", R-ENC.2/3). When two members of
 * a oneof arrive it keeps both properties and reports only the last; it ignores the wire type of a
 * known field (so a mismatch silently misreads the bytes); and it reads strings without checking
 * UTF-8. This pass rejects all of that and records unknown enum values and empty oneofs so the
 * caller can choose the error code.
 *
 * A singular sub-message that occurs twice is rejected too: protobuf says the occurrences merge, but
 * protobufjs keeps only the last one, silently dropping data. No real encoder splits a message, so
 * refusing it is safer than decoding something other than what was sent.
 */
import { isUtf8 } from 'node:buffer';
import protobuf from 'protobufjs';

/** What made the bytes unacceptable: not protobuf at all, or a oneof carrying two members. */
export type WireFault = 'malformed' | 'twoMembers';

export class WireError extends Error {
  readonly fault: WireFault;
  constructor(fault: WireFault, message: string) {
    super(message);
    this.name = 'WireError';
    this.fault = fault;
  }
}

/** A oneof that appeared in a present message with no member; unknownFields hints at a newer peer. */
export interface EmptyOneof {
  /** Full type name without the leading dot, e.g. "usp.Request". */
  readonly type: string;
  readonly oneof: string;
  readonly unknownFields: readonly number[];
}

/** Findings the caller turns into USP error codes. */
export interface WireReport {
  /** "Type.field=value" for each enum value the schema does not define. */
  readonly unknownEnums: string[];
  readonly emptyOneofs: EmptyOneof[];
}

type Kind = 'varint' | 'enum' | 'fixed32' | 'fixed64' | 'string' | 'bytes' | 'message' | 'map';

interface FieldPlan {
  readonly name: string;
  readonly kind: Kind;
  readonly wireType: number;
  readonly repeated: boolean;
  readonly oneof?: string;
  readonly enumValues?: Readonly<Record<number, string>>;
  readonly sub?: TypePlan;
}

interface TypePlan {
  readonly name: string;
  readonly fields: Map<number, FieldPlan>;
  readonly oneofs: readonly string[];
}

const SCALAR: Readonly<Record<string, [Kind, number]>> = {
  double: ['fixed64', 1],
  fixed64: ['fixed64', 1],
  sfixed64: ['fixed64', 1],
  float: ['fixed32', 5],
  fixed32: ['fixed32', 5],
  sfixed32: ['fixed32', 5],
  int32: ['varint', 0],
  int64: ['varint', 0],
  uint32: ['varint', 0],
  uint64: ['varint', 0],
  sint32: ['varint', 0],
  sint64: ['varint', 0],
  bool: ['varint', 0],
  string: ['string', 2],
  bytes: ['bytes', 2],
};

/** USP messages nest only a few levels; this only guards against a schema we did not expect. */
const MAX_DEPTH = 32;

const plans = new WeakMap<protobuf.Type, TypePlan>();

function fieldPlan(name: string, typeName: string, resolved: protobuf.ReflectionObject | null, repeated: boolean, oneof?: string): FieldPlan {
  const scalar = SCALAR[typeName];
  if (scalar) return { name, kind: scalar[0], wireType: scalar[1], repeated, oneof };
  if (resolved instanceof protobuf.Enum) {
    return { name, kind: 'enum', wireType: 0, repeated, oneof, enumValues: resolved.valuesById };
  }
  if (resolved instanceof protobuf.Type) {
    return { name, kind: 'message', wireType: 2, repeated, oneof, sub: planFor(resolved) };
  }
  throw new Error(`codec: field ${name} has unresolved type ${typeName}`);
}

/** The plan for a type, built once from reflection and cached (plans are registered before their fields, so cycles are safe). */
function planFor(type: protobuf.Type): TypePlan {
  const cached = plans.get(type);
  if (cached) return cached;
  const plan: TypePlan = {
    name: type.fullName.replace(/^\./, ''),
    fields: new Map(),
    oneofs: type.oneofsArray.map((o) => o.name),
  };
  plans.set(type, plan);
  for (const f of type.fieldsArray) {
    f.resolve();
    if (f instanceof protobuf.MapField) {
      const entry: TypePlan = { name: `${plan.name}.${f.name}Entry`, fields: new Map(), oneofs: [] };
      entry.fields.set(1, fieldPlan('key', f.keyType, null, false));
      entry.fields.set(2, fieldPlan('value', f.type, f.resolvedType, false));
      plan.fields.set(f.id, { name: f.name, kind: 'map', wireType: 2, repeated: true, sub: entry });
    } else {
      plan.fields.set(f.id, fieldPlan(f.name, f.type, f.resolvedType, f.repeated, f.partOf?.name));
    }
  }
  return plan;
}

/** Reads varints and lengths with bounds checks; positions are absolute in `buf`. */
class Cursor {
  pos: number;
  /** Low 32 bits of the last varint as a signed int (how protobufjs reads int32 and enums). */
  low32 = 0;

  constructor(
    readonly buf: Uint8Array,
    pos: number,
  ) {
    this.pos = pos;
  }

  /** Returns the varint's value (exact up to 2^53, which covers tags and lengths). */
  varint(end: number): number {
    if (this.pos < end && this.buf[this.pos]! < 0x80) {
      // One-byte fast path: most tags, lengths and enum values.
      this.low32 = this.buf[this.pos++]!;
      return this.low32;
    }
    let value = 0;
    let low = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new WireError('malformed', 'truncated varint');
      const b = this.buf[this.pos++]!;
      if (i < 5) low |= (b & 0x7f) << (7 * i);
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) {
        this.low32 = low | 0;
        return value;
      }
    }
    throw new WireError('malformed', 'varint longer than 10 bytes');
  }

  /** Reads a length prefix and returns the end of the delimited value. */
  delimited(end: number): number {
    const len = this.varint(end);
    if (len > end - this.pos) throw new WireError('malformed', 'length runs past the end of the data');
    return this.pos + len;
  }

  skip(wireType: number, end: number): void {
    switch (wireType) {
      case 0:
        this.varint(end);
        return;
      case 1:
        this.advance(8, end);
        return;
      case 2:
        this.pos = this.delimited(end);
        return;
      case 5:
        this.advance(4, end);
        return;
      default:
        throw new WireError('malformed', `wire type ${wireType} is not allowed`);
    }
  }

  private advance(n: number, end: number): void {
    if (n > end - this.pos) throw new WireError('malformed', 'truncated fixed-width value');
    this.pos += n;
  }

  /** Reads a tag (field number << 3 | wire type); rejects field number 0 and tags beyond 32 bits. */
  tag(end: number): number {
    const t = this.varint(end);
    if (t < 8 || t > 0xffffffff) throw new WireError('malformed', `invalid field tag ${t}`);
    return t;
  }
}

/** One message instance being walked. */
interface Node {
  readonly plan: TypePlan;
  /** oneof name -> field number of the member seen. */
  members?: Map<string, number>;
  /** Singular sub-message fields seen, to refuse a second occurrence. */
  singles?: Set<number>;
  unknown?: number[];
}

function walk(node: Node, c: Cursor, end: number, report: WireReport, depth: number): void {
  if (depth > MAX_DEPTH) throw new WireError('malformed', 'nesting too deep');
  const plan = node.plan;
  while (c.pos < end) {
    const t = c.tag(end);
    const fieldNo = t >>> 3;
    const wireType = t & 7;
    const f = plan.fields.get(fieldNo);
    if (!f) {
      (node.unknown ??= []).push(fieldNo);
      c.skip(wireType, end);
      continue;
    }
    if (wireType !== f.wireType) {
      if (wireType === 2 && f.repeated && f.wireType !== 2) {
        walkPacked(f, c, c.delimited(end), plan, report);
        continue;
      }
      throw new WireError('malformed', `${plan.name}.${f.name}: wire type ${wireType}, expected ${f.wireType}`);
    }
    if (f.oneof !== undefined) {
      const members = (node.members ??= new Map<string, number>());
      const prev = members.get(f.oneof);
      if (prev !== undefined && prev !== fieldNo) {
        throw new WireError('twoMembers', `${plan.name}.${f.oneof} carries more than one member`);
      }
      members.set(f.oneof, fieldNo);
    }
    readValue(node, fieldNo, f, c, end, report, depth);
  }
}

function readValue(node: Node, fieldNo: number, f: FieldPlan, c: Cursor, end: number, report: WireReport, depth: number): void {
  switch (f.kind) {
    case 'varint':
      c.varint(end);
      return;
    case 'enum':
      c.varint(end);
      checkEnum(f, c.low32, node.plan, report);
      return;
    case 'fixed32':
      c.skip(5, end);
      return;
    case 'fixed64':
      c.skip(1, end);
      return;
    case 'bytes':
      c.pos = c.delimited(end);
      return;
    case 'string': {
      const stop = c.delimited(end);
      if (!validUtf8(c.buf, c.pos, stop)) {
        throw new WireError('malformed', `${node.plan.name}.${f.name}: string is not valid UTF-8`);
      }
      c.pos = stop;
      return;
    }
    case 'message':
    case 'map': {
      if (!f.repeated) {
        const singles = (node.singles ??= new Set());
        if (singles.has(fieldNo)) {
          throw new WireError('malformed', `${node.plan.name}.${f.name} occurs more than once`);
        }
        singles.add(fieldNo);
      }
      const stop = c.delimited(end);
      const child: Node = { plan: f.sub! };
      walk(child, c, stop, report, depth + 1);
      finish(child, report);
      c.pos = stop;
      return;
    }
  }
}

/** ASCII (nearly every USP string) is checked inline; the native check is called only otherwise. */
function validUtf8(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (buf[i]! >= 0x80) return isUtf8(buf.subarray(from, to));
  }
  return true;
}

function walkPacked(f: FieldPlan, c: Cursor, stop: number, plan: TypePlan, report: WireReport): void {
  while (c.pos < stop) {
    if (f.kind === 'varint' || f.kind === 'enum') {
      c.varint(stop);
      if (f.kind === 'enum') checkEnum(f, c.low32, plan, report);
    } else {
      c.skip(f.wireType, stop);
    }
  }
}

function checkEnum(f: FieldPlan, value: number, plan: TypePlan, report: WireReport): void {
  if (f.enumValues![value] === undefined) report.unknownEnums.push(`${plan.name}.${f.name}=${value}`);
}

/** Records the oneofs of a fully walked message that got no member. */
function finish(node: Node, report: WireReport): void {
  for (const oneof of node.plan.oneofs) {
    if (!node.members?.has(oneof)) {
      report.emptyOneofs.push({ type: node.plan.name, oneof, unknownFields: node.unknown ?? [] });
    }
  }
}

/**
 * Checks `bytes` as an encoding of `type` under USP's rules. Throws WireError for bytes that are not
 * a valid encoding or that put two members in one oneof; returns unknown enums and empty oneofs.
 */
export function inspectWire(type: protobuf.Type, bytes: Uint8Array): WireReport {
  const report: WireReport = { unknownEnums: [], emptyOneofs: [] };
  const root: Node = { plan: planFor(type) };
  walk(root, new Cursor(bytes, 0), bytes.length, report, 0);
  finish(root, report);
  return report;
}

/**
 * Best-effort scan of the top-level fields in bytes[start, end): calls `visit` for each field until
 * the end or the first malformed spot, where it stops quietly. Used to salvage ids for error replies.
 */
export function scanFields(bytes: Uint8Array, start: number, end: number, visit: (fieldNo: number, wireType: number, from: number, to: number) => void): void {
  const c = new Cursor(bytes, start);
  try {
    while (c.pos < end) {
      const t = c.tag(end);
      const fieldNo = t >>> 3;
      const wireType = t & 7;
      if (wireType === 2) {
        const to = c.delimited(end);
        const from = c.pos;
        c.pos = to;
        visit(fieldNo, wireType, from, to);
      } else {
        const from = c.pos;
        c.skip(wireType, end);
        visit(fieldNo, wireType, from, c.pos);
      }
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
  }
}

/** The UTF-8 text of bytes[from, to), or undefined when it is not valid UTF-8. */
export function utf8At(bytes: Uint8Array, from: number, to: number): string | undefined {
  const view = bytes.subarray(from, to);
  return isUtf8(view) ? Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('utf8') : undefined;
}

/**
 * Parameter syntax: base type plus facets, merged down dataType chains and across
 * `<parameter base=...>` modifications (docs/schema.md, "Types").
 *
 * One merge rule serves both: a facet kind that the newer layer states replaces the older
 * one (sizes, ranges and patterns as a set, units, pathRef, ...), except enumerations, which
 * merge by value (new values are appended, `status="deleted"` removes one). That is what a
 * derived dataType narrowing its base needs (IPv4Address: size 15 instead of 45, plus
 * patterns), and what the USP root needs when it deletes the CWMP-only enumeration values of
 * BulkData Protocols.
 */
import type { BaseType, ListFacet, RangeFacet, SizeFacet, Syntax } from '../../datamodel/schema/types.js';
import type { DocumentSet, DmDocument, Resolved } from './documents.js';
import type { XmlElement } from './xml.js';

const BASE_TYPES = new Set<string>(['string', 'boolean', 'int', 'unsignedInt', 'long', 'unsignedLong', 'dateTime', 'base64', 'hexBinary', 'decimal']);

/** Facets as written at one layer; undefined means "this layer does not say". */
interface Facets {
  sizes?: SizeFacet[];
  ranges?: RangeFacet[];
  enums?: { value: string; deleted: boolean }[];
  patterns?: string[];
  units?: string;
  pathRef?: Syntax['pathRef'];
  instanceRef?: Syntax['instanceRef'];
  enumerationRef?: Syntax['enumerationRef'];
}

/** A syntax plus the identity of its type, to tell a facet change from a type change. */
export interface TypedSyntax {
  syntax: Syntax;
  /** Base type name, or "dt:" + the dataType's defining file and name. */
  typeKey: string;
}

function int(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number.parseInt(v, 10);
}

function definedOnly<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function parseFacets(children: readonly XmlElement[]): Facets {
  const f: Facets = {};
  for (const c of children) {
    const a = c.attrs;
    switch (c.tag) {
      case 'size':
        (f.sizes ??= []).push(definedOnly({ min: int(a.minLength), max: int(a.maxLength) }));
        break;
      case 'range':
        (f.ranges ??= []).push(definedOnly({ min: a.minInclusive, max: a.maxInclusive, step: a.step }));
        break;
      case 'enumeration':
        (f.enums ??= []).push({ value: a.value ?? '', deleted: a.status === 'deleted' });
        break;
      case 'pattern':
        (f.patterns ??= []).push(a.value ?? '');
        break;
      case 'units':
        f.units = a.value;
        break;
      case 'pathRef':
        f.pathRef = definedOnly({
          refType: a.refType as 'strong' | 'weak' | undefined,
          targetParent: a.targetParent,
          targetType: a.targetType as NonNullable<Syntax['pathRef']>['targetType'],
        });
        break;
      case 'instanceRef':
        f.instanceRef = definedOnly({ refType: a.refType as 'strong' | 'weak' | undefined, targetParent: a.targetParent });
        break;
      case 'enumerationRef':
        f.enumerationRef = definedOnly({ targetParam: a.targetParam ?? '', nullValue: a.nullValue });
        break;
      default:
        break;
    }
  }
  return f;
}

/** Applies one layer of facets onto `s` (mutates), with the rule in the file comment. */
function mergeFacets(s: Partial<Syntax>, f: Facets): void {
  if (f.sizes) s.sizes = f.sizes.filter((z) => z.min !== undefined || z.max !== undefined);
  if (s.sizes?.length === 0) delete s.sizes;
  if (f.ranges) s.ranges = f.ranges;
  if (f.patterns) s.patterns = f.patterns;
  if (f.units !== undefined) s.units = f.units;
  if (f.pathRef) s.pathRef = f.pathRef;
  if (f.instanceRef) s.instanceRef = f.instanceRef;
  if (f.enumerationRef) s.enumerationRef = f.enumerationRef;
  if (f.enums) {
    const values = [...(s.enumerations ?? [])];
    for (const e of f.enums) {
      const at = values.indexOf(e.value);
      if (e.deleted) {
        if (at >= 0) values.splice(at, 1);
      } else if (at < 0) {
        values.push(e.value);
      }
    }
    if (values.length > 0) s.enumerations = values;
    else delete s.enumerations;
  }
}

function parseList(el: XmlElement): ListFacet {
  const sizes = parseFacets(el.children).sizes;
  return definedOnly({ minItems: int(el.attrs.minItems), maxItems: int(el.attrs.maxItems), sizes });
}

function mergeList(older: ListFacet | undefined, newer: ListFacet): ListFacet {
  return definedOnly({
    minItems: newer.minItems ?? older?.minItems,
    maxItems: newer.maxItems ?? older?.maxItems,
    sizes: newer.sizes ?? older?.sizes,
  });
}

function clone(s: Syntax): Syntax {
  return structuredClone(s);
}

export class SyntaxResolver {
  private readonly chains = new Map<XmlElement, Syntax>();

  constructor(private readonly docs: DocumentSet) {}

  /** A named dataType with everything inherited down its `base=` chain. */
  private dataTypeChain(res: Resolved, seen: Set<XmlElement> = new Set()): Syntax {
    const memo = this.chains.get(res.el);
    if (memo !== undefined) return memo;
    if (seen.has(res.el)) throw new Error(`${res.doc.file}: dataType cycle at ${res.el.attrs.name}`);
    seen.add(res.el);
    const base = res.el.attrs.base;
    const s: Partial<Syntax> = base !== undefined ? clone(this.dataTypeChain(this.docs.resolveDataType(res.doc, base), seen)) : {};
    for (const c of res.el.children) {
      if (c.tag === 'list') s.list = mergeList(s.list, parseList(c));
      else if (BASE_TYPES.has(c.tag)) {
        s.type = c.tag as BaseType;
        mergeFacets(s, parseFacets(c.children));
      }
    }
    // A derived type may put facets straight under <dataType> (IPv4Address).
    mergeFacets(s, parseFacets(res.el.children));
    if (s.type === undefined) throw new Error(`${res.doc.file}: dataType ${res.el.attrs.name} has no base type`);
    const done = s as Syntax;
    this.chains.set(res.el, done);
    return done;
  }

  /**
   * Applies a `<syntax>` element onto an existing syntax (a `base=` modification), or builds
   * a fresh one when `older` is undefined. Changing the type (StatsCounter32 to
   * StatsCounter64) replaces the type and its facets; restating the same type merges facets.
   */
  apply(older: TypedSyntax | undefined, el: XmlElement, doc: DmDocument): TypedSyntax {
    let typeKey: string | undefined;
    let typeBase: Syntax | undefined;
    let facets: Facets = {};
    let list: ListFacet | undefined;
    let dflt: XmlElement | undefined;
    for (const c of el.children) {
      if (c.tag === 'list') list = parseList(c);
      else if (c.tag === 'default') dflt = c;
      else if (c.tag === 'dataType') {
        // <dataType ref="X"> uses X; <dataType base="X"> is an anonymous type derived from X.
        const name = c.attrs.ref ?? c.attrs.base;
        if (name === undefined) throw new Error(`${doc.file}: <dataType> without ref or base in syntax`);
        const res = this.docs.resolveDataType(doc, name);
        typeKey = `dt:${res.doc.file}#${res.el.attrs.name}`;
        typeBase = { ...clone(this.dataTypeChain(res)), dataType: this.docs.publicDataTypeName(res, name) };
        facets = parseFacets(c.children);
      } else if (BASE_TYPES.has(c.tag)) {
        typeKey = c.tag;
        typeBase = { type: c.tag as BaseType };
        facets = parseFacets(c.children);
      }
    }
    if (typeKey === undefined || typeBase === undefined) {
      if (older === undefined) throw new Error(`${doc.file}: <syntax> without a type`);
      typeKey = older.typeKey;
    }
    let s: Syntax;
    if (older !== undefined && older.typeKey === typeKey) {
      s = clone(older.syntax);
      mergeFacets(s, facets);
    } else {
      s = typeBase!;
      mergeFacets(s, facets);
      // A type change keeps what the type does not own.
      if (older !== undefined) {
        const o = older.syntax;
        if (o.list && !s.list) s.list = o.list;
        if (o.default !== undefined) {
          s.default = o.default;
          s.defaultType = o.defaultType;
        }
        if (o.secured) s.secured = true;
        if (o.hidden) s.hidden = true;
        if (o.command) s.command = true;
      }
    }
    if (list !== undefined) s.list = mergeList(s.list, list);
    if (dflt !== undefined) {
      s.default = dflt.attrs.value ?? '';
      s.defaultType = dflt.attrs.type as Syntax['defaultType'];
    }
    if (el.attrs.secured !== undefined) s.secured = el.attrs.secured === 'true';
    if (el.attrs.hidden !== undefined) s.hidden = el.attrs.hidden === 'true';
    if (el.attrs.command !== undefined) s.command = el.attrs.command === 'true';
    for (const k of ['secured', 'hidden', 'command'] as const) if (s[k] === false) delete s[k];
    return { syntax: definedOnly(s), typeKey };
  }
}

/**
 * Parsing and validation of TR-106 lexical values (TR-106 §3.2 "Data Types", and the facets of
 * the DM schema: size, range, enumeration, pattern, list) as sent by a Controller in Set, Add and
 * Operate arguments (TR-369 §6.1 "Data Model Value Encoding").
 *
 * Two error codes, as TR-369 requires:
 *  - 7011 InvalidType: the text is not a value of the base type at all ("abc" for an int, "2" for
 *    a boolean, an odd number of hex digits, a number outside the base type's value space).
 *  - 7012 InvalidValue: it is a value of the type but a schema facet rejects it.
 *
 * Decision: a number outside the *base type's* value space (e.g. unsignedLong
 * 18446744073709551616, int 2147483648) is 7011. The base type bounds are part of what the type
 * is (XML Schema defines unsignedLong as the integers 0..2^64-1); 7012 is kept for the
 * restrictions the data model adds on top of the type (ranges, sizes, enumerations, patterns).
 *
 * Messages name the problem only; the caller prefixes the parameter path.
 */
import { ErrorCode, UspError } from '../UspError.js';
import type { BaseType, RangeFacet, SizeFacet, Syntax } from '../schema/types.js';
import type { Value } from './Value.js';
import { ALIAS_DATA_TYPE, checkAlias } from './alias.js';

/**
 * Parses `text` as a value of `syntax` and checks every facet, and the Alias rule for the Alias
 * data type (alias.ts). Returns the canonical Value
 * (see Value.ts); for list-valued syntaxes, the canonical comma-joined string.
 * @throws UspError 7011 when the text is not of the type, 7012 when a facet rejects it.
 */
export function parseValue(syntax: Syntax, text: string): Value {
  if (syntax.list) return parseList(syntax, text);
  const v = parseLexical(syntax.type, text);
  checkFacets(syntax, v, '');
  if (syntax.dataType === ALIAS_DATA_TYPE) checkAlias(v);
  return v;
}

/**
 * Converts a TR-106 lexical string to the canonical Value of a base type, checking only that
 * it is of the type (no facets). Exported for search literals, which must be converted to the
 * parameter's type but need not satisfy its facets.
 * @throws UspError 7011 when the text is not of the type.
 */
export function parseLexical(type: BaseType, text: string): Value {
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      // xsd:boolean lexical space, case-sensitive: "TRUE" is not a boolean.
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw typeError(`${quote(text)} is not a boolean (expected true, false, 1 or 0)`);
    case 'unsignedInt':
      return parseSmallInt(text, false, 0, 4294967295, type);
    case 'int':
      return parseSmallInt(text, true, -2147483648, 2147483647, type);
    case 'unsignedLong':
      return parseBigInt(text, false, 0n, 18446744073709551615n, type);
    case 'long':
      return parseBigInt(text, true, -9223372036854775808n, 9223372036854775807n, type);
    case 'decimal':
      if (!DECIMAL_RE.test(text)) throw typeError(`${quote(text)} is not a decimal number`);
      return canonicalDecimal(text);
    case 'dateTime':
      return parseDateTime(text);
    case 'hexBinary':
      if (!HEX_RE.test(text)) {
        throw typeError(/^[0-9A-Fa-f]*$/.test(text) ? 'hexBinary must have an even number of hex digits' : 'hexBinary may only contain the hex digits 0-9, a-f, A-F');
      }
      return text;
    case 'base64':
      return parseBase64(text);
    default:
      // Unreachable with a well-formed schema; a bad schema is our bug, hence 7003.
      throw new UspError(ErrorCode.InternalError, `unknown base type ${String(type)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Lists (TR-106 §3.2.3): comma-separated, whitespace around items ignored, "" is the empty list.

function parseList(syntax: Syntax, text: string): string {
  const list = syntax.list!;
  const whole = trimWs(text);
  const raw = whole === '' ? [] : whole.split(',');
  // Type errors first, over the whole list: a list with one non-int item is not a list of
  // ints (7011), even if an earlier item also breaks a range (7012).
  const values: Value[] = new Array<Value>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    try {
      values[i] = parseLexical(syntax.type, trimWs(raw[i]!));
    } catch (e) {
      throw prefixed(e, `list item ${i + 1}: `);
    }
  }
  if (list.minItems !== undefined && values.length < list.minItems) {
    throw valueError(`the list has ${count(values.length, 'items')}, at least ${list.minItems} required`);
  }
  if (list.maxItems !== undefined && values.length > list.maxItems) {
    throw valueError(`the list has ${count(values.length, 'items')}, at most ${list.maxItems} allowed`);
  }
  const parts: string[] = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    checkFacets(syntax, values[i]!, `list item ${i + 1}: `);
    parts[i] = itemText(values[i]!);
  }
  const canonical = parts.join(',');
  // The whole-list size applies to the text we store and report, i.e. the canonical form.
  if (list.sizes && list.sizes.length > 0 && !inSizes(list.sizes, charCount(canonical))) {
    throw valueError(`the list is ${count(charCount(canonical), 'characters')} long, allowed: ${describeSizes(list.sizes, 'characters')}`);
  }
  return canonical;
}

function itemText(v: Value): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v ? 'true' : 'false';
}

/** TR-106 list whitespace: ASCII space, tab, CR, LF (not the wider Unicode set of String.trim). */
function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

// ---------------------------------------------------------------------------------------------
// Facets. Several facets of one kind are a union (any may match); different kinds all apply.

function checkFacets(syntax: Syntax, v: Value, where: string): void {
  const type = syntax.type;
  if (syntax.enumerations && syntax.enumerations.length > 0) {
    if (!compiled(syntax).enums!.has(itemText(v))) {
      throw valueError(`${where}${describeValue(type, v)} is not one of the allowed values${listEnums(syntax.enumerations)}`);
    }
  }
  if (syntax.patterns && syntax.patterns.length > 0) {
    const s = itemText(v);
    if (!compiled(syntax).patterns!.some((re) => re.test(s))) {
      throw valueError(`${where}${describeValue(type, v)} does not match the required pattern`);
    }
  }
  if (syntax.sizes && syntax.sizes.length > 0 && typeof v === 'string') {
    const unit = type === 'string' ? 'characters' : type === 'hexBinary' || type === 'base64' ? 'bytes' : undefined;
    if (unit) {
      const n = type === 'string' ? charCount(v) : type === 'hexBinary' ? v.length / 2 : base64Bytes(v);
      if (!inSizes(syntax.sizes, n)) {
        throw valueError(`${where}the value is ${count(n, unit)} long, allowed: ${describeSizes(syntax.sizes, unit)}`);
      }
    }
  }
  if (syntax.ranges && syntax.ranges.length > 0 && isNumeric(type)) {
    const d = typeof v === 'number' ? String(v) : (v as string);
    if (!syntax.ranges.some((r) => inRange(r, d, type))) {
      throw valueError(`${where}${d} is outside the allowed range ${syntax.ranges.map(describeRange).join(' or ')}`);
    }
  }
}

function isNumeric(type: BaseType): boolean {
  return type === 'int' || type === 'unsignedInt' || type === 'long' || type === 'unsignedLong' || type === 'decimal';
}

function inSizes(sizes: SizeFacet[], n: number): boolean {
  return sizes.some((s) => (s.min === undefined || n >= s.min) && (s.max === undefined || n <= s.max));
}

function describeSizes(sizes: SizeFacet[], unit: string): string {
  return sizes
    .map((s) => {
      if (s.min !== undefined && s.max !== undefined) return s.min === s.max ? `exactly ${count(s.min, unit)}` : `${s.min} to ${count(s.max, unit)}`;
      if (s.max !== undefined) return `at most ${count(s.max, unit)}`;
      return s.min !== undefined ? `at least ${count(s.min, unit)}` : 'any length';
    })
    .join(' or ');
}

/** "1 byte", "2 bytes": `unit` is the plural. */
function count(n: number, unit: string): string {
  return n === 1 ? `1 ${unit.slice(0, -1)}` : `${n} ${unit}`;
}

/**
 * Step semantics (DM schema): valid values are base, base+step, base+2*step… where base is
 * minInclusive, or the base type's minimum when the range has none (0 for decimal).
 */
const TYPE_MIN: Partial<Record<BaseType, string>> = {
  int: '-2147483648',
  unsignedInt: '0',
  long: '-9223372036854775808',
  unsignedLong: '0',
  decimal: '0',
};

function inRange(r: RangeFacet, d: string, type: BaseType): boolean {
  const min = schemaDecimal(r.min);
  const max = schemaDecimal(r.max);
  if (min !== undefined && compareDecimal(d, min) < 0) return false;
  if (max !== undefined && compareDecimal(d, max) > 0) return false;
  const step = schemaDecimal(r.step);
  // A non-positive step is a schema defect; ignore it rather than reject every value.
  if (step !== undefined && step !== '0' && step[0] !== '-') {
    const base = min ?? TYPE_MIN[type] ?? '0';
    const scale = Math.max(fractionDigits(d), fractionDigits(base), fractionDigits(step));
    if ((scaled(d, scale) - scaled(base, scale)) % scaled(step, scale) !== 0n) return false;
  }
  return true;
}

function describeRange(r: RangeFacet): string {
  const step = r.step !== undefined && r.step !== '1' ? ` step ${r.step}` : '';
  if (r.min !== undefined && r.max !== undefined) return `[${r.min}..${r.max}${step}]`;
  if (r.min !== undefined) return `[>= ${r.min}${step}]`;
  return r.max !== undefined ? `[<= ${r.max}${step}]` : `[any${step}]`;
}

/** A range bound from the schema, canonicalised; a malformed bound is ignored (schema defect). */
function schemaDecimal(s: string | undefined): string | undefined {
  return s !== undefined && DECIMAL_RE.test(s) ? canonicalDecimal(s) : undefined;
}

function listEnums(enums: string[]): string {
  const shown = enums
    .slice(0, 12)
    .map((e) => JSON.stringify(e))
    .join(', ');
  return enums.length > 12 ? ` (${shown}, …)` : ` (${shown})`;
}

/** Echo numbers, booleans and dateTimes, never strings or binary: they may be secrets (Password, Key). */
function describeValue(type: BaseType, v: Value): string {
  return type === 'string' || type === 'hexBinary' || type === 'base64' ? 'the value' : itemText(v);
}

// Compiled facets are cached per Syntax object; the schema is immutable data, so the WeakMap
// neither grows without bound nor goes stale.
interface Compiled {
  enums?: Set<string>;
  patterns?: RegExp[];
}
const compiledCache = new WeakMap<Syntax, Compiled>();

function compiled(syntax: Syntax): Compiled {
  let c = compiledCache.get(syntax);
  if (c) return c;
  c = {};
  if (syntax.enumerations) {
    // Enumerations are compared in canonical form, so "01" in a schema matches int 1; an
    // enumeration that is not of the type can never match and is dropped.
    c.enums = new Set();
    for (const e of syntax.enumerations) {
      try {
        c.enums.add(itemText(parseLexical(syntax.type, e)));
      } catch {
        /* never matchable */
      }
    }
  }
  if (syntax.patterns) c.patterns = syntax.patterns.map(compilePattern);
  compiledCache.set(syntax, c);
  return c;
}

/**
 * Translates an XML Schema regular expression (as used by TR-106 patterns) to a JS RegExp.
 * XSD patterns are implicitly anchored to the whole value and treat `^` and `$` as ordinary
 * characters, so we anchor and escape them. `pattern value=""` becomes /^(?:)$/, which admits
 * exactly the empty string, as TR-106 intends.
 */
export function compilePattern(p: string): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      const n = p[++i]!;
      // XSD allows "\-" anywhere; JS unicode mode only inside a class.
      out += !inClass && n === '-' ? '-' : c + n;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') out += p[++i];
    } else {
      out += c === '$' || c === '^' ? '\\' + c : c;
    }
  }
  for (const flags of ['u', '']) {
    try {
      return new RegExp(`^(?:${out})$`, flags);
    } catch {
      /* try the next, more permissive flag set */
    }
  }
  // A pattern we cannot compile is a schema problem, not the Controller's: 7003.
  throw new UspError(ErrorCode.InternalError, `schema pattern ${JSON.stringify(p)} is not a supported regular expression`);
}

/** Length in characters (Unicode code points), as TR-106 sizes count characters, not UTF-16 units. */
function charCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Numbers. Decimal digits only; "-" only for signed types; no "+", no whitespace, no exponent.

const SIGNED_RE = /^-?[0-9]+$/;
const UNSIGNED_RE = /^[0-9]+$/;
/** xsd:decimal without the leading "+": "1", "-1.50", "1.", ".5". */
const DECIMAL_RE = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

function parseSmallInt(text: string, signed: boolean, min: number, max: number, type: BaseType): number {
  if (!(signed ? SIGNED_RE : UNSIGNED_RE).test(text)) throw typeError(`${quote(text)} is not ${article(type)}`);
  // Number() is exact here: anything it could round is far outside the 32-bit bounds.
  const n = Number(text);
  if (n < min || n > max) throw typeError(`${quote(text)} is outside the ${type} range ${min}..${max}`);
  return n === 0 ? 0 : n; // no -0
}

function parseBigInt(text: string, signed: boolean, min: bigint, max: bigint, type: BaseType): string {
  if (!(signed ? SIGNED_RE : UNSIGNED_RE).test(text)) throw typeError(`${quote(text)} is not ${article(type)}`);
  // Count significant digits first so a megabyte of digits never reaches BigInt().
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  while (i < text.length - 1 && text.charCodeAt(i) === 48) i++;
  const b = text.length - i <= 20 ? BigInt(text) : undefined;
  if (b === undefined || b < min || b > max) throw typeError(`${quote(text)} is outside the ${type} range ${min}..${max}`);
  return b.toString();
}

/** Canonical decimal: no leading zeros, no trailing fraction zeros, no "-0", no bare ".". */
export function canonicalDecimal(text: string): string {
  const neg = text.charCodeAt(0) === 45;
  const body = neg ? text.slice(1) : text;
  const dot = body.indexOf('.');
  let int = dot < 0 ? body : body.slice(0, dot);
  let frac = dot < 0 ? '' : body.slice(dot + 1);
  let a = 0;
  while (a < int.length - 1 && int.charCodeAt(a) === 48) a++;
  int = int.slice(a) || '0';
  let b = frac.length;
  while (b > 0 && frac.charCodeAt(b - 1) === 48) b--;
  frac = frac.slice(0, b);
  const s = frac ? `${int}.${frac}` : int;
  return neg && s !== '0' ? `-${s}` : s;
}

/** Total order of two canonical decimal strings (see canonicalDecimal): -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const an = a.charCodeAt(0) === 45;
  const bn = b.charCodeAt(0) === 45;
  if (an !== bn) return an ? -1 : 1;
  const m = compareMagnitude(an ? a.slice(1) : a, bn ? b.slice(1) : b);
  return an ? -m : m;
}

function compareMagnitude(a: string, b: string): number {
  const ad = a.indexOf('.');
  const bd = b.indexOf('.');
  const ai = ad < 0 ? a : a.slice(0, ad);
  const bi = bd < 0 ? b : b.slice(0, bd);
  if (ai.length !== bi.length) return ai.length < bi.length ? -1 : 1;
  if (ai !== bi) return ai < bi ? -1 : 1;
  // Canonical fractions have no trailing zeros, so plain string order is numeric order.
  const af = ad < 0 ? '' : a.slice(ad + 1);
  const bf = bd < 0 ? '' : b.slice(bd + 1);
  return af === bf ? 0 : af < bf ? -1 : 1;
}

function fractionDigits(d: string): number {
  const dot = d.indexOf('.');
  return dot < 0 ? 0 : d.length - dot - 1;
}

/** A canonical decimal times 10^scale, exactly, as a BigInt. */
function scaled(d: string, scale: number): bigint {
  const dot = d.indexOf('.');
  const int = dot < 0 ? d : d.slice(0, dot);
  const frac = dot < 0 ? '' : d.slice(dot + 1);
  return BigInt(int + frac.padEnd(scale, '0'));
}

// ---------------------------------------------------------------------------------------------
// dateTime (TR-106 §3.2.1): YYYY-MM-DDThh:mm:ss[.f+](Z|±hh:mm), canonicalised to UTC "Z".
// A missing time zone is rejected: TR-106 requires UTC unless a parameter says otherwise, and
// an unzoned time cannot be put in UTC without guessing.

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

function parseDateTime(text: string): string {
  const m = DATETIME_RE.exec(text);
  if (!m) throw typeError(`${quote(text)} is not a dateTime (expected YYYY-MM-DDThh:mm:ss[.ffffff] followed by Z or ±hh:mm)`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw typeError(`${quote(text)} is not a valid calendar date and time`);
  }
  if (m[8] === undefined) return text; // already UTC "Z": the common case, no allocation
  const oh = Number(m[9]);
  const om = Number(m[10]);
  if (oh > 14 || om > 59 || (oh === 14 && om > 0)) throw typeError(`${quote(text)} has an invalid time zone offset`);
  const frac = m[7] ?? '';
  const offset = (oh * 60 + om) * (m[8] === '-' ? -1 : 1);
  // Local time minus its offset is UTC; work in whole minutes since 0001-01-01.
  const total = daysFromCivil(y, mo, d) * 1440 + h * 60 + mi - offset;
  const days = Math.floor(total / 1440);
  const mins = total - days * 1440;
  const [uy, um, ud] = civilFromDays(days);
  if (uy < 1 || uy > 9999) throw typeError(`${quote(text)} is outside the years 0001..9999 once converted to UTC`);
  return `${pad(uy, 4)}-${pad(um, 2)}-${pad(ud, 2)}T${pad(Math.floor(mins / 60), 2)}:${pad(mins % 60, 2)}:${m[6]}${frac}Z`;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 0000-03-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe;
}

function civilFromDays(z: number): [number, number, number] {
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// ---------------------------------------------------------------------------------------------
// Binary types.

const HEX_RE = /^(?:[0-9A-Fa-f]{2})*$/;
// RFC 4648 with mandatory padding; the bits a final character leaves unused must be zero
// (XML Schema's canonical base64Binary), so equal bytes always have equal text.
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;
const BASE64_WS_RE = /[ \t\r\n]/g;

/**
 * base64 as XML Schema allows it: whitespace (e.g. PEM-style line breaks) is accepted and
 * dropped from the canonical form.
 */
function parseBase64(text: string): string {
  const s = text.indexOf(' ') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0 && text.indexOf('\t') < 0 ? text : text.replace(BASE64_WS_RE, '');
  if (!BASE64_RE.test(s)) {
    throw typeError(/^[A-Za-z0-9+/=]*$/.test(s) ? 'base64 is not correctly padded to a multiple of 4 characters' : 'base64 may only contain A-Z, a-z, 0-9, +, / and = padding');
  }
  return s;
}

/** Decoded length of canonical base64 text, in bytes. */
function base64Bytes(s: string): number {
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - padding;
}

// ---------------------------------------------------------------------------------------------
// Errors.

function typeError(message: string): UspError {
  return new UspError(ErrorCode.InvalidType, message);
}

function valueError(message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, message);
}

function prefixed(e: unknown, prefix: string): unknown {
  return e instanceof UspError ? new UspError(e.code, prefix + e.message) : e;
}

function article(type: BaseType): string {
  return `${/^[aeiu]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** The offending text, shortened so a huge value cannot flood a response or a log. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * Comparison of a parameter value with a search-expression literal (TR-369 §2.5 "Searching
 * with Expressions", R-ARC.9): `Device.IP.Interface.[Enable==true&&MaxMTUSize>=1500].`.
 *
 *  - The literal is first converted to the parameter's type (`0123` == `123` for an int), then
 *    compared by value, not by text.
 *  - string, dateTime, base64, hexBinary and every list literal must be quoted; numbers and
 *    booleans must not be (`"true"` is not a boolean literal).
 *  - `==` and `!=` apply to every type; `< > <= >=` only to numbers and dateTime (not to the
 *    Unknown Time literal); `~=` ("list contains this exact item") only to list-valued parameters.
 *  - Any other combination, or a literal that cannot be converted to the type, is 7008.
 *
 * `literal` is the decoded literal text: the path parser has already removed the quotes and
 * decoded `%22`/`%25`. Facets are not checked on the literal: `[Status=="Bogus"]` simply
 * matches nothing.
 */
import { ErrorCode, UspError } from '../UspError.js';
import type { BaseType, Syntax } from '../schema/types.js';
import { canonicalDecimal, compareDecimal, parseLexical, parseValue } from './parse-value.js';
import { UNKNOWN_TIME, type Value } from './Value.js';

export type SearchOperator = '==' | '!=' | '~=' | '<' | '>' | '<=' | '>=';

/**
 * Whether `actual` (a canonical Value of `syntax`) satisfies `actual op literal`.
 * @throws UspError 7008 for an operator the type does not support, or a literal that is not
 *   of the type (or wrongly quoted).
 */
export function compareForSearch(syntax: Syntax, actual: Value, op: SearchOperator, literal: string, quoted: boolean): boolean {
  const type = syntax.type;
  if (op === '~=') {
    if (!syntax.list) throw pathError('the ~= operator only applies to list-valued parameters');
    const lit = convertLiteral(type, literal, quoted);
    const items = splitList(actual);
    for (let i = 0; i < items.length; i++) if (equal(type, items[i]!, lit)) return true;
    return false;
  }
  if (syntax.list) {
    if (op !== '==' && op !== '!=') throw pathError(`the ${op} operator does not apply to list-valued parameters`);
    if (!quoted) throw pathError('a list literal must be quoted');
    let lit: string;
    try {
      // Parse as a list of the item type, without the parameter's facets.
      lit = parseValue({ type, list: {} }, literal) as string;
    } catch (e) {
      throw conversionError(e, type);
    }
    return equalLists(type, splitList(actual), splitList(lit)) === (op === '==');
  }
  const lit = convertLiteral(type, literal, quoted);
  if (op === '==') return equal(type, actual, lit);
  if (op === '!=') return !equal(type, actual, lit);
  // Relational operators.
  switch (type) {
    case 'int':
    case 'unsignedInt':
      return relate(op, actualInt(actual) - (lit as number));
    case 'long':
    case 'unsignedLong':
    case 'decimal': {
      const a = actualDecimal(actual);
      return a !== undefined && relate(op, compareDecimal(a, lit as string));
    }
    case 'dateTime': {
      if (lit === UNKNOWN_TIME) throw pathError(`the ${op} operator does not apply to the Unknown Time`);
      const a = actualDateTime(actual);
      // An Unknown Time value is not ordered against real times: it matches no relation.
      return a !== undefined && a !== UNKNOWN_TIME && relate(op, compareDateTime(a, lit as string));
    }
    default:
      throw pathError(`the ${op} operator does not apply to ${type} parameters`);
  }
}

/**
 * Converts a search literal to a Value of `type`, enforcing TR-369 quoting.
 * @throws UspError 7008.
 */
function convertLiteral(type: BaseType, literal: string, quoted: boolean): Value {
  const wantsQuotes = type === 'string' || type === 'dateTime' || type === 'base64' || type === 'hexBinary';
  if (wantsQuotes && !quoted) throw pathError(`a ${type} literal must be quoted`);
  if (!wantsQuotes && quoted) throw pathError(`a ${type} literal must not be quoted`);
  try {
    return parseLexical(type, literal);
  } catch (e) {
    throw conversionError(e, type);
  }
}

function equal(type: BaseType, a: Value, lit: Value): boolean {
  switch (type) {
    case 'boolean':
      return (typeof a === 'boolean' ? a : a === 'true' || a === '1' || a === 1) === lit;
    case 'int':
    case 'unsignedInt':
      return actualInt(a) === lit;
    case 'long':
    case 'unsignedLong':
    case 'decimal': {
      const d = actualDecimal(a);
      return d !== undefined && compareDecimal(d, lit as string) === 0;
    }
    case 'dateTime': {
      const d = actualDateTime(a);
      return d !== undefined && compareDateTime(d, lit as string) === 0;
    }
    case 'hexBinary':
      // Same bytes whatever the case of the hex digits.
      return typeof a === 'string' && a.length === (lit as string).length && a.toLowerCase() === (lit as string).toLowerCase();
    default:
      return a === lit;
  }
}

function equalLists(type: BaseType, a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let item: Value;
    try {
      item = parseLexical(type, b[i]!);
    } catch {
      return false;
    }
    if (!equal(type, a[i]!, item)) return false;
  }
  return true;
}

/** Items of a canonical list value. "" is the empty list. */
function splitList(v: Value): string[] {
  const s = typeof v === 'string' ? v : String(v);
  return s === '' ? [] : s.split(',');
}

function relate(op: SearchOperator, c: number): boolean {
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    default:
      return c >= 0; // '>='
  }
}

const INT_RE = /^-?[0-9]+$/;
const DECIMAL_RE = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** The actual value as a number (NaN, which relates to nothing, if it is not an integer). */
function actualInt(a: Value): number {
  if (typeof a === 'number') return a;
  return typeof a === 'string' && INT_RE.test(a) ? Number(a) : NaN;
}

/** The actual value as a canonical decimal; tolerates a provider that returned a number. */
function actualDecimal(a: Value): string | undefined {
  if (typeof a === 'number') {
    if (Number.isInteger(a)) return BigInt(a).toString();
    const s = String(a); // "1e-7" and NaN fail the test below and match nothing
    return DECIMAL_RE.test(s) ? canonicalDecimal(s) : undefined;
  }
  return typeof a === 'string' && DECIMAL_RE.test(a) ? canonicalDecimal(a) : undefined;
}

/** The actual value as a canonical UTC dateTime, or undefined if it is not one. */
function actualDateTime(a: Value): string | undefined {
  if (typeof a !== 'string') return undefined;
  try {
    return parseLexical('dateTime', a) as string;
  } catch {
    return undefined;
  }
}

/**
 * Order of two canonical UTC dateTimes. The first 19 characters order lexically; fractional
 * seconds (".5" vs ".50" vs none) are compared as numbers.
 */
export function compareDateTime(a: string, b: string): number {
  const head = a.slice(0, 19);
  const other = b.slice(0, 19);
  if (head !== other) return head < other ? -1 : 1;
  const fa = fraction(a);
  const fb = fraction(b);
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** Fraction digits of a canonical dateTime without trailing zeros: string order = numeric order. */
function fraction(dt: string): string {
  if (dt.length <= 20) return '';
  let end = dt.length - 1; // drop the "Z"
  while (end > 20 && dt.charCodeAt(end - 1) === 48) end--;
  return dt.slice(20, end);
}

function pathError(message: string): UspError {
  return new UspError(ErrorCode.InvalidPathSyntax, `invalid search expression: ${message}`);
}

function conversionError(e: unknown, type: BaseType): UspError {
  const why = e instanceof UspError ? e.message : String(e);
  return pathError(`the literal is not a valid ${type}: ${why}`);
}

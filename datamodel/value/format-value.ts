/**
 * The TR-106 string of a Value, for the USP edge (TR-369 §6.1 "Data Model Value Encoding":
 * every parameter value travels as a string).
 *
 * This runs once per returned parameter in a whole-tree Get, so the common cases return the
 * stored string itself or a literal and allocate nothing but the number's string. Values are
 * trusted to be canonical (parse-value.ts made them so); a number where the schema says
 * boolean is tolerated because providers commonly hand back 0/1.
 *
 * Secured parameters (Syntax.secured/hidden) are not blanked here: whether the Controller may
 * read them depends on its role, which only the caller knows.
 */
import { ErrorCode, UspError } from '../UspError.js';
import type { Syntax } from '../schema/types.js';
import type { Value } from './Value.js';

/** TR-106 lexical form of `v` for a parameter of `syntax`. */
export function formatValue(syntax: Syntax, v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (syntax.type === 'boolean') return v !== 0 ? 'true' : 'false';
  // String() of an integer below 1e21 is plain decimal, and prints -0 as "0".
  if (Number.isInteger(v) && v < 1e21 && v > -1e21) return String(v);
  return formatUnusualNumber(v);
}

/** Numbers String() would print in exponent form (1e21, 1e-7), or cannot print at all. */
function formatUnusualNumber(n: number): string {
  if (!Number.isFinite(n)) throw new UspError(ErrorCode.InternalError, `value ${n} is not a finite number`);
  if (Number.isInteger(n)) return BigInt(n).toString();
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // Shift the decimal point of the mantissa: "-1.25e-7" → "-0.000000125".
  const neg = s[0] === '-';
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
}

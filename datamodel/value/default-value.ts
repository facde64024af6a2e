/**
 * The initial value of a parameter or argument that nobody has set (TR-106 §A.2.7 "default":
 * object, factory, implementation and parameter defaults).
 *
 * Choices:
 *  - Any schema default counts, whatever its `defaultType`: each is the value the parameter
 *    has before anyone sets it (an object default on Add, a factory default after reset, an
 *    argument default when the Controller leaves the argument out). The caller decides when a
 *    default applies; this function only says what it is.
 *  - List defaults are written in the DM schema with square brackets ("[]", "[-1]",
 *    "[0,1,2,3,4,5,6,7]" in TR-181 2.19); the brackets are stripped, so "[]" is the empty list,
 *    not a one-item list holding "[]". An unbracketed list default is taken as it is.
 *  - A schema default that is not valid for the syntax (a schema defect) is ignored, so the
 *    agent never starts out holding a value it would refuse from a Controller.
 *  - Without a usable default, the type's zero value: "" for string, base64, hexBinary and
 *    every list (the empty list), false, 0, "0" for long/unsignedLong/decimal, and the
 *    Unknown Time for dateTime.
 *  - When the zero value breaks a facet (e.g. Order is unsignedInt with minInclusive 1, or an
 *    enumerated string that has no "" value), the first valid value the schema itself names:
 *    the first enumeration, else the lower bound (or, if none, the upper bound) of the first
 *    range that yields a valid value. Failing that the zero value is returned as it is; a
 *    provider must then supply a real value.
 */
import type { Syntax } from '../schema/types.js';
import { parseValue } from './parse-value.js';
import { UNKNOWN_TIME, type Value } from './Value.js';

// Memoised per Syntax object: callers fall back to the default on the Get hot path, and the
// schema is immutable data, so the WeakMap neither grows without bound nor goes stale.
const cache = new WeakMap<Syntax, Value>();

/** The default Value of `syntax`, always canonical (see the choices above). */
export function defaultValue(syntax: Syntax): Value {
  let v = cache.get(syntax);
  if (v === undefined) {
    v = computeDefault(syntax);
    cache.set(syntax, v);
  }
  return v;
}

function computeDefault(syntax: Syntax): Value {
  if (syntax.default !== undefined) {
    const v = tryParse(syntax, syntax.list ? unbracket(syntax.default) : syntax.default);
    if (v !== undefined) return v;
  }
  const zero = zeroValue(syntax);
  if (tryParse(syntax, zero.text) !== undefined) return zero.value;
  if (!syntax.list) {
    for (const e of syntax.enumerations ?? []) {
      const v = tryParse(syntax, e);
      if (v !== undefined) return v;
    }
    for (const r of syntax.ranges ?? []) {
      const bound = r.min ?? r.max;
      const v = bound === undefined ? undefined : tryParse(syntax, bound);
      if (v !== undefined) return v;
    }
  }
  return zero.value;
}

function zeroValue(syntax: Syntax): { value: Value; text: string } {
  if (syntax.list) return { value: '', text: '' };
  switch (syntax.type) {
    case 'boolean':
      return { value: false, text: 'false' };
    case 'int':
    case 'unsignedInt':
      return { value: 0, text: '0' };
    case 'long':
    case 'unsignedLong':
    case 'decimal':
      return { value: '0', text: '0' };
    case 'dateTime':
      return { value: UNKNOWN_TIME, text: UNKNOWN_TIME };
    default:
      return { value: '', text: '' };
  }
}

/** "[a,b]" → "a,b": the DM-schema notation for a list default. */
function unbracket(text: string): string {
  return text.length >= 2 && text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}

function tryParse(syntax: Syntax, text: string): Value | undefined {
  try {
    return parseValue(syntax, text);
  } catch {
    return undefined;
  }
}

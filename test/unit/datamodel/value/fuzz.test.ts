import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../bench/prng.js';
import { UspError } from '../../../../datamodel/UspError.js';
import type { BaseType, Syntax } from '../../../../datamodel/schema/types.js';
import { compareForSearch, type SearchOperator } from '../../../../datamodel/value/compare-value.js';
import { defaultValue } from '../../../../datamodel/value/default-value.js';
import { formatValue } from '../../../../datamodel/value/format-value.js';
import { parseValue } from '../../../../datamodel/value/parse-value.js';

// Characters that matter to some type, plus a few awkward ones (NUL, surrogate halves, emoji).
const ALPHABET = [...'0123456789-+.,:TZ tfrueals=/+AQgwxXabcdefABCDEF\t\n', '\u0000', '\ud800', '😀', 'é'];
const TYPES: BaseType[] = ['string', 'boolean', 'int', 'unsignedInt', 'long', 'unsignedLong', 'dateTime', 'base64', 'hexBinary', 'decimal'];
const OPS: SearchOperator[] = ['==', '!=', '~=', '<', '>', '<=', '>='];
/** Valid texts per type: mutating them reaches deeper than random noise, which is nearly always 7011. */
const VALID: Record<BaseType, string[]> = {
  string: ['', 'eth0', 'a,b'],
  boolean: ['true', 'false', '1', '0'],
  int: ['-2147483648', '2147483647', '0', '-5'],
  unsignedInt: ['4294967295', '0', '0100'],
  long: ['-9223372036854775808', '9223372036854775807'],
  unsignedLong: ['18446744073709551615', '9007199254740993'],
  decimal: ['-1.25', '0.5', '100'],
  dateTime: ['2024-02-29T12:34:56Z', '0001-01-01T00:00:00Z', '2023-12-31T22:00:00.25-05:00', '9999-12-31T23:59:59+14:00'],
  base64: ['QUJD', 'QQ==', 'QUI='],
  hexBinary: ['DEADbeef', '00'],
};

function randomText(next: () => number, type: BaseType): string {
  const pick = <T>(a: T[]): T => a[Math.floor(next() * a.length)]!;
  if (next() < 0.5) {
    // Mutate a valid text: replace, insert or delete a few characters, or join two into a list.
    let s = pick(VALID[type]);
    if (next() < 0.2) s = `${s},${pick(VALID[type])}`;
    const n = Math.floor(next() * 3);
    for (let i = 0; i < n; i++) {
      const at = Math.floor(next() * (s.length + 1));
      const r = next();
      s = r < 0.4 ? s.slice(0, at) + pick(ALPHABET) + s.slice(at + 1) : r < 0.8 ? s.slice(0, at) + pick(ALPHABET) + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
    }
    return s;
  }
  let s = '';
  const n = Math.floor(next() * 30);
  for (let i = 0; i < n; i++) s = next() < 0.5 ? s + pick(ALPHABET) : pick(ALPHABET) + s;
  return s;
}

function syntaxes(type: BaseType): Syntax[] {
  return [
    { type },
    { type, list: { minItems: 0, maxItems: 4, sizes: [{ max: 40 }] } },
    { type, ranges: [{ min: '-5', max: '100', step: '5' }], sizes: [{ max: 8 }], patterns: ['', '[0-9a-zA-Z:+=/.-]*'], enumerations: undefined },
  ];
}

describe('fuzz: never anything but a Value or a UspError', () => {
  const next = mulberry32(0x5eed);
  for (const type of TYPES) {
    it(type, () => {
      const seen = { ok: 0, failed: 0 };
      for (const syntax of syntaxes(type)) {
        expect(() => defaultValue(syntax)).not.toThrow();
        for (let i = 0; i < 2000; i++) {
          const text = randomText(next, type);
          let v;
          try {
            v = parseValue(syntax, text);
          } catch (e) {
            if (!(e instanceof UspError)) throw new Error(`${type} ${JSON.stringify(text)} threw ${String(e)}`);
            seen.failed++;
            continue;
          }
          seen.ok++;
          expect(['string', 'number', 'boolean']).toContain(typeof v);
          // Canonical values are stable: parse(format(v)) is v.
          expect(parseValue(syntax, formatValue(syntax, v))).toStrictEqual(v);
          const op = OPS[Math.floor(next() * OPS.length)]!;
          try {
            expect(typeof compareForSearch(syntax, v, op, randomText(next, type), next() < 0.5)).toBe('boolean');
          } catch (e) {
            if (!(e instanceof UspError)) throw e;
          }
        }
      }
      // The generator must reach both outcomes, or the fuzz proves nothing.
      expect(seen.ok).toBeGreaterThan(50);
      expect(seen.failed).toBeGreaterThan(50);
    });
  }
});

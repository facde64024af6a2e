import { describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import type { BaseType, Syntax } from '../../../../datamodel/schema/types.js';
import { formatValue } from '../../../../datamodel/value/format-value.js';
import { parseValue } from '../../../../datamodel/value/parse-value.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const plain = (type: BaseType, extra: Partial<Syntax> = {}): Syntax => ({ type, ...extra });

describe('formatValue', () => {
  it.each<[BaseType, Value, string]>([
    ['boolean', true, 'true'],
    ['boolean', false, 'false'],
    ['boolean', 1, 'true'],
    ['boolean', 0, 'false'], // providers that hand back 0/1
    ['int', -2147483648, '-2147483648'],
    ['int', -0, '0'],
    ['unsignedInt', 4294967295, '4294967295'],
    ['unsignedLong', '18446744073709551615', '18446744073709551615'],
    ['unsignedLong', 1e21, '1000000000000000000000'],
    ['decimal', '-1.25', '-1.25'],
    ['decimal', 1.5, '1.5'],
    ['decimal', 1.25e-7, '0.000000125'],
    ['decimal', -1e-7, '-0.0000001'],
    ['string', 'a,b', 'a,b'],
    ['dateTime', '0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['hexBinary', 'DEAD', 'DEAD'],
  ])('%s %j → %j', (type, v, text) => {
    expect(formatValue(plain(type), v)).toBe(text);
  });

  it('returns the stored string itself', () => {
    const s = 'x'.repeat(100);
    expect(formatValue(plain('string'), s)).toBe(s);
  });

  it('is a non-USP bug (7003) for a non-finite number', () => {
    for (const n of [NaN, Infinity, -Infinity]) {
      expect(() => formatValue(plain('int'), n)).toThrow(UspError);
      try {
        formatValue(plain('int'), n);
      } catch (e) {
        expect((e as UspError).code).toBe(ErrorCode.InternalError);
      }
    }
  });

  it.each<[Syntax, string]>([
    [plain('boolean'), '1'],
    [plain('int'), '-007'],
    [plain('unsignedLong'), '00018446744073709551615'],
    [plain('decimal'), '0010.500'],
    [plain('dateTime'), '2024-01-01T01:00:00.5+01:00'],
    [plain('base64'), 'QU JD'],
    [plain('unsignedInt', { list: {} }), ' 1, 02 ,3'],
  ])('round-trips canonical values: %j %j', (syntax, text) => {
    const v = parseValue(syntax, text);
    expect(parseValue(syntax, formatValue(syntax, v))).toStrictEqual(v);
  });
});

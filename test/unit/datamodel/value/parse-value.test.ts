import { describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import type { BaseType, Syntax } from '../../../../datamodel/schema/types.js';
import { compilePattern, parseValue } from '../../../../datamodel/value/parse-value.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const T = ErrorCode.InvalidType; // 7011
const V = ErrorCode.InvalidValue; // 7012

/** A row: input text, then the canonical Value or the expected error code. */
type Row = [text: string, expected: Value | { code: ErrorCode }];
const err = (code: ErrorCode) => ({ code });

function codeOf(fn: () => unknown): ErrorCode | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof UspError)) throw e;
    return e.code;
  }
}

function runTable(syntax: Syntax, rows: Row[]): void {
  it.each(rows)('%j', (text, expected) => {
    if (typeof expected === 'object') {
      expect(codeOf(() => parseValue(syntax, text))).toBe(expected.code);
    } else {
      expect(parseValue(syntax, text)).toStrictEqual(expected);
    }
  });
}

const plain = (type: BaseType, extra: Partial<Syntax> = {}): Syntax => ({ type, ...extra });

describe('parseValue: boolean', () => {
  runTable(plain('boolean'), [
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    ['2', err(T)],
    ['TRUE', err(T)],
    ['True', err(T)],
    ['yes', err(T)],
    ['', err(T)],
    [' true', err(T)],
    ['01', err(T)],
  ]);
});

describe('parseValue: unsignedInt', () => {
  runTable(plain('unsignedInt'), [
    ['0', 0],
    ['42', 42],
    ['0123', 123],
    ['4294967295', 4294967295],
    ['000004294967295', 4294967295],
    ['4294967296', err(T)],
    ['-1', err(T)],
    ['-0', err(T)],
    ['+1', err(T)],
    [' 1', err(T)],
    ['1 ', err(T)],
    ['abc', err(T)],
    ['', err(T)],
    ['1.0', err(T)],
    ['1e3', err(T)],
    ['0x10', err(T)],
    ['９', err(T)],
  ]);
});

describe('parseValue: int', () => {
  runTable(plain('int'), [
    ['0', 0],
    ['-0', 0],
    ['-2147483648', -2147483648],
    ['2147483647', 2147483647],
    ['-007', -7],
    ['2147483648', err(T)],
    ['-2147483649', err(T)],
    ['+5', err(T)],
    ['--1', err(T)],
    ['-', err(T)],
    ['abc', err(T)],
    ['1'.repeat(400), err(T)],
  ]);
  it('never returns -0', () => {
    expect(Object.is(parseValue(plain('int'), '-0'), 0)).toBe(true);
  });
});

describe('parseValue: unsignedLong (exact beyond 2^53)', () => {
  runTable(plain('unsignedLong'), [
    ['0', '0'],
    ['00', '0'],
    ['9007199254740993', '9007199254740993'],
    ['18446744073709551615', '18446744073709551615'],
    ['0018446744073709551615', '18446744073709551615'],
    // Outside the base type's value space: not an unsignedLong at all (7011, see parse-value.ts).
    ['18446744073709551616', err(T)],
    ['99999999999999999999999999', err(T)],
    ['-1', err(T)],
    ['1.5', err(T)],
    ['+1', err(T)],
    ['0'.repeat(100000) + '1', '1'],
    ['1' + '0'.repeat(100000), err(T)],
  ]);
});

describe('parseValue: long', () => {
  runTable(plain('long'), [
    ['-9223372036854775808', '-9223372036854775808'],
    ['9223372036854775807', '9223372036854775807'],
    ['-0', '0'],
    ['-000123', '-123'],
    ['9223372036854775808', err(T)],
    ['-9223372036854775809', err(T)],
    ['1 2', err(T)],
  ]);
});

describe('parseValue: decimal', () => {
  runTable(plain('decimal'), [
    ['0', '0'],
    ['-0.0', '0'],
    ['1.50', '1.5'],
    ['007.250', '7.25'],
    ['-3', '-3'],
    ['1.', '1'],
    ['.5', '0.5'],
    ['-.5', '-0.5'],
    ['123456789012345678901234567890.000000000000000001', '123456789012345678901234567890.000000000000000001'],
    ['+1', err(T)],
    ['1e5', err(T)],
    ['.', err(T)],
    ['', err(T)],
    ['1,5', err(T)],
    ['NaN', err(T)],
    ['Infinity', err(T)],
  ]);
});

describe('parseValue: dateTime', () => {
  runTable(plain('dateTime'), [
    ['2024-02-29T12:34:56Z', '2024-02-29T12:34:56Z'],
    ['2024-02-29T12:34:56.123456Z', '2024-02-29T12:34:56.123456Z'],
    ['2024-02-29T12:34:56.500Z', '2024-02-29T12:34:56.500Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'], // the Unknown Time
    ['0001-01-01T00:01:20Z', '0001-01-01T00:01:20Z'], // 80 s since boot
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'], // "infinite" time
    ['2024-01-01T01:30:00+01:30', '2024-01-01T00:00:00Z'],
    ['2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00Z'],
    ['2024-01-01T00:00:00-00:00', '2024-01-01T00:00:00Z'],
    ['2023-12-31T22:00:00.25-05:00', '2024-01-01T03:00:00.25Z'], // crosses the year forwards
    ['2024-03-01T00:30:00+01:00', '2024-02-29T23:30:00Z'], // back over a leap day
    ['2100-03-01T00:00:00+14:00', '2100-02-28T10:00:00Z'], // 2100 is not a leap year
    ['0001-01-01T00:00:00+00:00', '0001-01-01T00:00:00Z'],
    ['0001-01-01T00:00:00+01:00', err(T)], // year 0 in UTC
    ['9999-12-31T23:00:00-01:00', err(T)], // year 10000 in UTC
    ['2024-01-01T00:00:00', err(T)], // no time zone
    ['2024-01-01 00:00:00Z', err(T)],
    ['2024-01-01t00:00:00z', err(T)],
    ['2024-1-01T00:00:00Z', err(T)],
    ['2023-02-29T00:00:00Z', err(T)],
    ['2024-04-31T00:00:00Z', err(T)],
    ['2024-13-01T00:00:00Z', err(T)],
    ['2024-00-01T00:00:00Z', err(T)],
    ['0000-01-01T00:00:00Z', err(T)],
    ['2024-01-01T24:00:00Z', err(T)],
    ['2024-01-01T23:60:00Z', err(T)],
    ['2024-01-01T23:59:60Z', err(T)],
    ['2024-01-01T00:00:00.Z', err(T)],
    ['2024-01-01T00:00:00+15:00', err(T)],
    ['2024-01-01T00:00:00+14:01', err(T)],
    ['2024-01-01T00:00:00+0100', err(T)],
    ['2024-01-01T00:00:00+01:60', err(T)],
    ['', err(T)],
    ['now', err(T)],
  ]);
});

describe('parseValue: hexBinary', () => {
  runTable(plain('hexBinary'), [
    ['', ''],
    ['00', '00'],
    ['DEADbeef', 'DEADbeef'],
    ['abc', err(T)],
    ['0g', err(T)],
    ['0x00', err(T)],
    [' 00', err(T)],
  ]);
  describe('sizes count bytes', () => {
    runTable(plain('hexBinary', { sizes: [{ min: 2, max: 3 }] }), [
      ['0001', '0001'],
      ['000102', '000102'],
      ['00', err(V)],
      ['00010203', err(V)],
      ['abc', err(T)],
    ]);
  });
});

describe('parseValue: base64', () => {
  runTable(plain('base64'), [
    ['', ''],
    ['QQ==', 'QQ=='],
    ['QUI=', 'QUI='],
    ['QUJD', 'QUJD'],
    ['QUJD\r\nREVG', 'QUJDREVG'],
    ['QU JD', 'QUJD'],
    ['QQ', err(T)],
    ['QQ=', err(T)],
    ['Q===', err(T)],
    ['QR==', err(T)],
    ['QUJ=', err(T)],
    ['QU*D', err(T)],
    ['=QQ=', err(T)],
    ['QQ==QQ==', err(T)],
  ]);
  describe('sizes count decoded bytes', () => {
    runTable(plain('base64', { sizes: [{ max: 2 }] }), [
      ['QQ==', 'QQ=='],
      ['QUI=', 'QUI='],
      ['QUJD', err(V)],
      ['', ''],
    ]);
  });
});

describe('parseValue: string', () => {
  runTable(plain('string'), [
    ['', ''],
    [' keeps spaces ', ' keeps spaces '],
    ['a,b', 'a,b'],
    ['ünïcødé 😀', 'ünïcødé 😀'],
  ]);
  describe('sizes count characters (code points), several sizes are a union', () => {
    runTable(plain('string', { sizes: [{ max: 2 }, { min: 5, max: 5 }] }), [
      ['', ''],
      ['ab', 'ab'],
      ['😀😀', '😀😀'],
      ['abc', err(V)],
      ['abcd', err(V)],
      ['abcde', 'abcde'],
      ['abcdef', err(V)],
    ]);
  });
  describe('enumerations', () => {
    runTable(plain('string', { enumerations: ['Up', 'Down', 'Unknown'] }), [
      ['Up', 'Up'],
      ['Down', 'Down'],
      ['up', err(V)],
      ['', err(V)],
      [' Up', err(V)],
    ]);
  });
  describe('patterns must match the whole value; the empty pattern admits ""', () => {
    // MACAddress from tr-106-types.xml
    runTable(plain('string', { dataType: 'MACAddress', sizes: [{ max: 17 }], patterns: ['', '([0-9A-Fa-f][0-9A-Fa-f]:){5}([0-9A-Fa-f][0-9A-Fa-f])'] }), [
      ['', ''],
      ['00:11:22:aa:BB:cc', '00:11:22:aa:BB:cc'],
      ['00:11:22:aa:BB:cc:dd', err(V)],
      ['x00:11:22:aa:BB:cc', err(V)],
      ['00:11:22:aa:BB', err(V)],
      [' ', err(V)],
    ]);
  });
  describe('a top-level alternation is anchored as a whole', () => {
    runTable(plain('string', { patterns: ['[0-9]|[1-5][0-9]|6[0-3]'] }), [
      ['7', '7'],
      ['63', '63'],
      ['64', err(V)],
      ['7x', err(V)],
      ['x63', err(V)],
      ['', err(V)],
    ]);
  });
  describe('without the empty pattern "" is rejected', () => {
    runTable(plain('string', { patterns: ['[0-9A-F]{6}'] }), [
      ['A1B2C3', 'A1B2C3'],
      ['', err(V)],
      ['a1b2c3', err(V)],
    ]);
  });
  describe('IPv4Address: entity-expanded pattern', () => {
    const octet = '(25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])';
    runTable(plain('string', { sizes: [{ max: 15 }], patterns: ['', `(${octet}\\.){3}${octet}`] }), [
      ['192.168.1.1', '192.168.1.1'],
      ['', ''],
      ['256.1.1.1', err(V)],
      ['1.1.1', err(V)],
      ['1x1.1.1', err(V)],
    ]);
  });
  it('XSD "$" and "^" are ordinary characters; "\\-" is allowed outside a class', () => {
    expect(compilePattern('a$b').test('a$b')).toBe(true);
    expect(compilePattern('^a').test('^a')).toBe(true);
    expect(compilePattern('[^a]b').test('xb')).toBe(true);
    expect(compilePattern('a\\-b').test('a-b')).toBe(true);
    expect(compilePattern('').test('')).toBe(true);
    expect(compilePattern('').test('x')).toBe(false);
  });
  it("an uncompilable schema pattern is our error (7003), not the Controller's", () => {
    expect(codeOf(() => parseValue(plain('string', { patterns: ['(unclosed'] }), 'x'))).toBe(ErrorCode.InternalError);
  });
  it('facet messages do not echo string values (they may be secrets)', () => {
    try {
      parseValue(plain('string', { sizes: [{ max: 3 }], secured: true }), 'hunter2');
      expect.unreachable();
    } catch (e) {
      expect((e as UspError).message).not.toContain('hunter2');
      expect((e as UspError).message).toMatch(/7 characters/);
    }
  });
});

describe('parseValue: ranges', () => {
  describe('several ranges are a union, step honoured', () => {
    const s = plain('int', { ranges: [{ min: '-10', max: '-2', step: '4' }, { min: '0', max: '100', step: '25' }, { min: '1000' }] });
    runTable(s, [
      ['-10', -10],
      ['-6', -6],
      ['-2', -2],
      ['-8', err(V)],
      ['-1', err(V)],
      ['0', 0],
      ['25', 25],
      ['100', 100],
      ['30', err(V)],
      ['125', err(V)],
      ['1000', 1000],
      ['2147483647', 2147483647],
      ['-11', err(V)],
      ['x', err(T)],
    ]);
  });
  describe('Dbm1000-style step 500 from a negative minimum', () => {
    runTable(plain('int', { ranges: [{ min: '-127000', max: '0', step: '500' }] }), [
      ['-127000', -127000],
      ['-126500', -126500],
      ['0', 0],
      ['-126999', err(V)],
      ['500', err(V)],
    ]);
  });
  describe('step without a minimum counts from the base type minimum', () => {
    runTable(plain('unsignedInt', { ranges: [{ max: '61440', step: '4096' }] }), [
      ['0', 0],
      ['4096', 4096],
      ['61440', 61440],
      ['4095', err(V)],
      ['65536', err(V)],
    ]);
  });
  describe('open-ended ranges (Order: minInclusive 1)', () => {
    runTable(plain('unsignedInt', { dataType: 'Order', ranges: [{ min: '1' }] }), [
      ['1', 1],
      ['4294967295', 4294967295],
      ['0', err(V)],
    ]);
  });
  describe('unsignedLong ranges are exact beyond 2^53', () => {
    runTable(plain('unsignedLong', { ranges: [{ min: '9007199254740993', max: '18446744073709551614' }] }), [
      ['9007199254740993', '9007199254740993'],
      ['9007199254740992', err(V)],
      ['18446744073709551614', '18446744073709551614'],
      ['18446744073709551615', err(V)],
      ['18446744073709551616', err(T)],
    ]);
  });
  describe('decimal ranges and steps', () => {
    runTable(plain('decimal', { ranges: [{ min: '-1.5', max: '2.25', step: '0.25' }] }), [
      ['-1.5', '-1.5'],
      ['-1.25', '-1.25'],
      ['0', '0'],
      ['2.25', '2.25'],
      ['2.250', '2.25'],
      ['2.5', err(V)],
      ['0.1', err(V)],
      ['-1.75', err(V)],
    ]);
  });
});

describe('parseValue: numeric enumerations compare by value', () => {
  runTable(plain('unsignedInt', { enumerations: ['1', '02', '10'] }), [
    ['1', 1],
    ['2', 2],
    ['0010', 10],
    ['3', err(V)],
    ['x', err(T)],
  ]);
});

describe('parseValue: lists', () => {
  describe('list of strings', () => {
    runTable(plain('string', { list: {} }), [
      ['', ''],
      ['   ', ''],
      ['a', 'a'],
      ['a,b', 'a,b'],
      [' a , b ,c ', 'a,b,c'],
      ['a,,b', 'a,,b'],
      ['a b,c', 'a b,c'],
    ]);
  });
  describe('list of unsignedInt: minItems/maxItems, item ranges, whole-list size', () => {
    const s = plain('unsignedInt', { list: { minItems: 1, maxItems: 3, sizes: [{ max: 9 }] }, ranges: [{ max: '1000' }] });
    runTable(s, [
      ['1', '1'],
      ['1, 2 ,3', '1,2,3'],
      ['007,8', '7,8'],
      ['1000,1000', '1000,1000'],
      ['', err(V)],
      ['1,2,3,4', err(V)],
      ['1001', err(V)],
      ['1000,1000,1', err(V)], // 11 characters
      ['1,x', err(T)],
      ['1,,2', err(T)],
      ['-1', err(T)],
      ['1001,x', err(T)], // a type error wins over a facet error
    ]);
  });
  describe('list of booleans canonicalises each item', () => {
    runTable(plain('boolean', { list: {} }), [
      ['1, 0,true', 'true,false,true'],
      ['1,2', err(T)],
    ]);
  });
  describe('list of enumerated strings validates each item', () => {
    runTable(plain('string', { list: { maxItems: 2 }, enumerations: ['TCP', 'UDP'] }), [
      ['TCP', 'TCP'],
      ['TCP, UDP', 'TCP,UDP'],
      ['TCP,SCTP', err(V)],
      ['TCP,UDP,TCP', err(V)],
      ['', ''],
    ]);
  });
  describe('list of dateTime canonicalises to UTC', () => {
    runTable(plain('dateTime', { list: {} }), [['2024-01-01T01:00:00+01:00, 0001-01-01T00:00:00Z', '2024-01-01T00:00:00Z,0001-01-01T00:00:00Z']]);
  });
  it('names the failing item', () => {
    expect(() => parseValue(plain('int', { list: {} }), '1,2,abc')).toThrow(/item 3/);
  });
});

describe('parseValue: error messages', () => {
  it('says what is wrong in plain words', () => {
    expect(() => parseValue(plain('int'), 'abc')).toThrow('"abc" is not an int');
    expect(() => parseValue(plain('boolean'), '2')).toThrow(/not a boolean/);
    expect(() => parseValue(plain('hexBinary'), 'abc')).toThrow(/even number/);
    expect(() => parseValue(plain('unsignedInt', { ranges: [{ min: '1', max: '9' }] }), '10')).toThrow('10 is outside the allowed range [1..9]');
  });
  it('truncates a huge offending text', () => {
    try {
      parseValue(plain('int'), 'x'.repeat(10000));
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(100);
    }
  });
});

describe('the Alias data type (TR-181 Alias; TP-469 1.88): not empty, starts with a letter', () => {
  const alias = plain('string', { dataType: 'Alias', sizes: [{ max: 64 }] });
  it.each([
    ['cpe-1', 'ok'],
    ['a', 'ok'],
    ['Z9', 'ok'],
    ['', V],
    ['1-ca', V],
    ['-ca', V],
    [' ca', V],
    ['é', V],
  ] as const)('%j → %s', (text, want) => {
    expect(codeOf(() => parseValue(alias, text))).toBe(want);
  });
  it('a plain string keeps taking any text', () => {
    expect(codeOf(() => parseValue(plain('string'), '1-ca'))).toBe('ok');
  });
});

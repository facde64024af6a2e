import { describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import type { BaseType, Syntax } from '../../../../datamodel/schema/types.js';
import { compareDateTime, compareForSearch, type SearchOperator } from '../../../../datamodel/value/compare-value.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const P = ErrorCode.InvalidPathSyntax; // 7008

/** actual, op, literal, quoted, expected result (or 7008). */
type Row = [actual: Value, op: SearchOperator, literal: string, quoted: boolean, expected: boolean | ErrorCode];

function outcome(syntax: Syntax, [actual, op, literal, quoted]: Row): boolean | ErrorCode {
  try {
    return compareForSearch(syntax, actual, op, literal, quoted);
  } catch (e) {
    if (!(e instanceof UspError)) throw e;
    return e.code;
  }
}

function runTable(syntax: Syntax, rows: Row[]): void {
  it.each(rows)('%j %s %j (quoted %s) → %s', (...row) => {
    expect(outcome(syntax, row)).toBe(row[4]);
  });
}

const plain = (type: BaseType, extra: Partial<Syntax> = {}): Syntax => ({ type, ...extra });
const RELATIONAL: SearchOperator[] = ['<', '>', '<=', '>='];

describe('compareForSearch: unsignedInt', () => {
  runTable(plain('unsignedInt'), [
    [123, '==', '0123', false, true],
    [123, '==', '123', false, true],
    [123, '!=', '123', false, false],
    [123, '!=', '124', false, true],
    [5, '<', '6', false, true],
    [5, '<', '5', false, false],
    [5, '<=', '5', false, true],
    [5, '>', '4', false, true],
    [5, '>', '5', false, false],
    [5, '>=', '5', false, true],
    [5, '>=', '6', false, false],
    [4294967295, '==', '4294967295', false, true],
    [5, '==', '"5"', false, P],
    [5, '==', '5', true, P], // numbers are not quoted
    [5, '==', 'abc', false, P],
    [5, '<', '-1', false, P],
    [5, '==', '4294967296', false, P],
    [5, '==', '5.0', false, P],
    [5, '~=', '5', false, P],
  ]);
});

describe('compareForSearch: int', () => {
  runTable(plain('int'), [
    [-2147483648, '==', '-2147483648', false, true],
    [-5, '<', '0', false, true],
    [-5, '>', '-6', false, true],
    [0, '==', '-0', false, true],
    [-1, '>=', '-1', false, true],
    [7, '==', '+7', false, P],
  ]);
});

describe('compareForSearch: unsignedLong and long compare exactly beyond 2^53', () => {
  runTable(plain('unsignedLong'), [
    ['9007199254740993', '==', '9007199254740993', false, true],
    ['9007199254740993', '>', '9007199254740992', false, true],
    ['9007199254740993', '<', '9007199254740992', false, false],
    ['18446744073709551615', '>=', '18446744073709551615', false, true],
    ['18446744073709551615', '==', '018446744073709551615', false, true],
    ['10', '>', '9', false, true], // not string order
    ['5', '==', '18446744073709551616', false, P],
    [42, '==', '42', false, true], // a provider that returned a number
  ]);
  runTable(plain('long'), [
    ['-9223372036854775808', '<', '-9223372036854775807', false, true],
    ['-10', '<', '-9', false, true],
    ['-10', '>', '9', false, false],
    ['0', '==', '-0', false, true],
  ]);
});

describe('compareForSearch: decimal', () => {
  runTable(plain('decimal'), [
    ['1.5', '==', '1.50', false, true],
    ['1.5', '<', '1.51', false, true],
    ['1.5', '>', '1.49', false, true],
    ['-0.5', '<', '0', false, true],
    ['10', '>', '9.99', false, true],
    ['2', '<=', '2.0', false, true],
    ['1.5', '==', '1.5e0', false, P],
    ['1.5', '==', '"1.5"', true, P],
  ]);
});

describe('compareForSearch: boolean', () => {
  runTable(plain('boolean'), [
    [true, '==', 'true', false, true],
    [true, '==', '1', false, true],
    [false, '==', '0', false, true],
    [false, '==', 'true', false, false],
    [false, '!=', 'true', false, true],
    [true, '!=', '1', false, false],
    [true, '==', 'true', true, P], // "true" is invalid for a boolean
    [true, '==', 'yes', false, P],
    [true, '==', 'TRUE', false, P],
    ...RELATIONAL.map((op): Row => [true, op, 'false', false, P]),
  ]);
});

describe('compareForSearch: string', () => {
  runTable(plain('string'), [
    ['eth0', '==', 'eth0', true, true],
    ['eth0', '!=', 'eth0', true, false],
    ['eth0', '==', 'ETH0', true, false],
    ['', '==', '', true, true],
    ['a"b', '==', 'a"b', true, true],
    ['eth0', '==', 'eth0', false, P], // strings must be quoted
    ['Up', '==', 'Bogus', true, false], // facets are not applied to literals
    ...RELATIONAL.map((op): Row => ['b', op, 'a', true, P]),
    ['a,b', '~=', 'a', true, P],
  ]);
});

describe('compareForSearch: dateTime', () => {
  const t = '2024-06-01T12:00:00Z';
  runTable(plain('dateTime'), [
    [t, '==', t, true, true],
    [t, '==', '2024-06-01T14:00:00+02:00', true, true],
    [t, '==', '2024-06-01T12:00:00.000Z', true, true],
    [t, '<', '2024-06-01T12:00:00.5Z', true, true],
    ['2024-06-01T12:00:00.5Z', '>', t, true, true],
    ['2024-06-01T12:00:00.5Z', '<', '2024-06-01T12:00:00.25Z', true, false],
    [t, '>', '2024-06-01T11:59:59Z', true, true],
    [t, '>=', t, true, true],
    [t, '<=', '2024-06-01T07:00:00-05:00', true, true],
    [t, '==', t, false, P], // dateTime literals are quoted
    [t, '==', 'yesterday', true, P],
    ['0001-01-01T00:00:00Z', '==', '0001-01-01T00:00:00Z', true, true],
    [t, '!=', '0001-01-01T00:00:00Z', true, true],
    ...RELATIONAL.map((op): Row => [t, op, '0001-01-01T00:00:00Z', true, P]), // no ordering on the Unknown Time
    ...RELATIONAL.map((op): Row => ['0001-01-01T00:00:00Z', op, t, true, false]), // an Unknown Time value matches no relation
    ['0001-01-01T00:01:20Z', '>', '0001-01-01T00:01:00Z', true, true], // time since boot still orders
  ]);
  it('orders fractional seconds numerically', () => {
    expect(compareDateTime('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z')).toBe(0);
    expect(compareDateTime('2024-01-01T00:00:00.1Z', '2024-01-01T00:00:00.09Z')).toBe(1);
    expect(compareDateTime('2024-01-01T00:00:00.9Z', '2024-01-01T00:00:01Z')).toBe(-1);
  });
});

describe('compareForSearch: hexBinary and base64', () => {
  runTable(plain('hexBinary'), [
    ['DEADBEEF', '==', 'deadbeef', true, true],
    ['DEADBEEF', '!=', 'deadbeee', true, true],
    ['00', '==', '000', true, P],
    ['00', '<', '01', true, P],
    ['00', '==', '00', false, P],
  ]);
  runTable(plain('base64'), [
    ['QUJD', '==', 'QUJD', true, true],
    ['QUJD', '==', 'QUJ', true, P],
    ['QUJD', '>', 'QUJD', true, P],
  ]);
});

describe('compareForSearch: lists', () => {
  runTable(plain('string', { list: {} }), [
    ['TCP,UDP', '~=', 'UDP', true, true],
    ['TCP,UDP', '~=', 'UD', true, false],
    ['TCP,UDP', '~=', 'TCP,UDP', true, false],
    ['', '~=', '', true, false],
    ['TCP,UDP', '~=', 'UDP', false, P],
    ['TCP,UDP', '==', 'TCP, UDP', true, true],
    ['TCP,UDP', '==', 'UDP,TCP', true, false],
    ['TCP,UDP', '!=', 'TCP', true, true],
    ['', '==', '', true, true],
    ['TCP,UDP', '==', 'TCP,UDP', false, P],
    ...RELATIONAL.map((op): Row => ['a,b', op, 'a', true, P]),
  ]);
  runTable(plain('unsignedInt', { list: {} }), [
    ['80,443', '~=', '443', false, true],
    ['80,443', '~=', '0443', false, true],
    ['80,443', '~=', '44', false, false],
    ['80,443', '~=', '443', true, P],
    ['80,443', '~=', 'x', false, P],
    ['80,443', '==', '80, 0443', true, true],
    ['80,443', '==', '80,x', true, P],
  ]);
  runTable(plain('boolean', { list: {} }), [
    ['true,false', '~=', '0', false, true],
    ['true', '~=', '0', false, false],
  ]);
});

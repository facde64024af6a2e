import { describe, expect, it } from 'vitest';
import type { BaseType, Syntax } from '../../../../datamodel/schema/types.js';
import { defaultValue } from '../../../../datamodel/value/default-value.js';
import { UNKNOWN_TIME, type Value } from '../../../../datamodel/value/Value.js';

const plain = (type: BaseType, extra: Partial<Syntax> = {}): Syntax => ({ type, ...extra });

describe('defaultValue', () => {
  it.each<[BaseType, Value]>([
    ['string', ''],
    ['boolean', false],
    ['int', 0],
    ['unsignedInt', 0],
    ['long', '0'],
    ['unsignedLong', '0'],
    ['decimal', '0'],
    ['dateTime', UNKNOWN_TIME],
    ['base64', ''],
    ['hexBinary', ''],
  ])('zero value of %s is %j', (type, v) => {
    expect(defaultValue(plain(type))).toStrictEqual(v);
  });

  it('uses the schema default, canonicalised, whatever its type', () => {
    expect(defaultValue(plain('boolean', { default: '1', defaultType: 'object' }))).toBe(true);
    expect(defaultValue(plain('unsignedInt', { default: '0300', defaultType: 'factory' }))).toBe(300);
    expect(defaultValue(plain('string', { default: 'Up', enumerations: ['Up', 'Down'] }))).toBe('Up');
    expect(defaultValue(plain('unsignedInt', { default: '1, 2', list: {} }))).toBe('1,2');
    expect(defaultValue(plain('dateTime', { default: '2024-01-01T01:00:00+01:00' }))).toBe('2024-01-01T00:00:00Z');
    expect(defaultValue(plain('string', { default: '' }))).toBe('');
  });

  it('reads the bracketed list defaults of the DM schema', () => {
    expect(defaultValue(plain('string', { list: {}, default: '[]' }))).toBe('');
    expect(defaultValue(plain('int', { list: {}, ranges: [{ min: '-1', max: '255' }], default: '[-1]' }))).toBe('-1');
    expect(defaultValue(plain('unsignedInt', { list: { minItems: 8, maxItems: 8 }, ranges: [{ min: '0', max: '7' }], default: '[0,1,2,3,4,5,6,7]' }))).toBe('0,1,2,3,4,5,6,7');
    expect(defaultValue(plain('string', { list: {}, enumerations: ['Kern', 'All'], default: '[All]' }))).toBe('All');
    expect(defaultValue(plain('string', { list: {}, default: 'a, b' }))).toBe('a,b');
  });

  it('ignores an invalid schema default', () => {
    expect(defaultValue(plain('int', { default: 'abc' }))).toBe(0);
    expect(defaultValue(plain('int', { default: '500', ranges: [{ min: '0', max: '100' }] }))).toBe(0);
  });

  it('picks the first valid value the schema names when the zero value breaks a facet', () => {
    expect(defaultValue(plain('unsignedInt', { ranges: [{ min: '1' }] }))).toBe(1); // Order
    expect(defaultValue(plain('int', { ranges: [{ max: '-1' }] }))).toBe(-1);
    expect(defaultValue(plain('string', { enumerations: ['None', 'Requested'] }))).toBe('None');
    expect(defaultValue(plain('decimal', { ranges: [{ min: '0.5', max: '1' }] }))).toBe('0.5');
  });

  it('returns the zero value when nothing valid is known', () => {
    expect(defaultValue(plain('string', { sizes: [{ min: 36, max: 36 }] }))).toBe(''); // UUID
    expect(defaultValue(plain('string', { list: { minItems: 1 } }))).toBe('');
  });
});

/**
 * The one instance-number allocator every platform uses (datamodel/tree/InstanceMap.ts): a key
 * keeps its number while the agent runs, numbers are never handed to another key, a retired key
 * comes back as a new instance, a renamed key keeps its number, and an unknown number is 7016.
 */
import { describe, expect, it } from 'vitest';
import { InstanceMap } from '../../../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';

describe('InstanceMap', () => {
  it('numbers keys in the order first seen and keeps them while others come and go', () => {
    const m = new InstanceMap();
    expect(m.list(['eth0', 'eth1', 'wlan0'])).toEqual([1, 2, 3]);
    expect(m.list(['wlan0', 'eth0'])).toEqual([1, 3]);
    expect(m.list(['usb0', 'eth1'])).toEqual([2, 4]);
    expect(m.keyOf(4)).toBe('usb0');
    expect(m.peek('nope')).toBeUndefined();
  });

  it('never reuses a retired number; rekey moves numbers, swaps included', () => {
    const m = new InstanceMap();
    m.list(['a', 'b']);
    m.retire('a');
    expect(m.numberOf('a')).toBe(3);
    m.rekey([
      ['b', 'a'],
      ['a', 'b'],
    ]);
    expect([m.peek('a'), m.peek('b')]).toEqual([2, 3]);
  });

  it('requireKey answers 7016 for a number no row ever had', () => {
    const m = new InstanceMap();
    m.numberOf('x');
    expect(m.requireKey(1)).toBe('x');
    const e = (() => {
      try {
        m.requireKey(9);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(UspError);
    expect((e as UspError).code).toBe(ErrorCode.ObjectDoesNotExist);
  });

  it('claim gives a kept number to its key; the counter passes over claimed numbers, also once retired', () => {
    const m = new InstanceMap();
    expect(m.claim('added', 2)).toBe(true);
    expect(m.list(['a', 'b', 'c'])).toEqual([1, 3, 4]);
    expect(m.keyOf(2)).toBe('added');
    expect(m.claim('other', 2)).toBe(false);
    expect(m.claim('added', 2)).toBe(true);
    const n = new InstanceMap();
    n.claim('x', 5);
    n.retire('x');
    expect(n.list(['a'])).toEqual([1]);
    n.list(['b', 'c', 'd', 'e']);
    expect(n.peek('e')).toBe(6);
  });
});

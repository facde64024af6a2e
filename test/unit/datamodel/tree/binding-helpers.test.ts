/**
 * The binding shapes named once (datamodel/tree/binding-helpers.ts): a constant object, a source
 * read at most once per maximum age with concurrent reads sharing one call, and a table from a
 * keyed list whose rows keep their instance numbers.
 */
import { describe, expect, it } from 'vitest';
import { cachedObject, cachedSource, constantObject, tableFromList } from '../../../../datamodel/tree/binding-helpers.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';

describe('binding helpers', () => {
  it('constantObject serves its values, never polled for changes, and hands out a new object per read', async () => {
    const b = constantObject({ Name: 'usb', Count: 2 });
    expect(b.params).toEqual(['Name', 'Count']);
    expect(b.changesOnlyThroughAgent).toBe(true);
    const first = await b.get([], {});
    first.Name = 'changed';
    expect(await b.get([], {})).toEqual({ Name: 'usb', Count: 2 });
  });

  it('cachedSource: concurrent reads share one call, reads within maxAgeMs reuse it, later ones call again', async () => {
    let t = 1000;
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const src = cachedSource(
      async () => {
        calls++;
        await gate;
        return calls;
      },
      { maxAgeMs: 500, now: () => t },
    );
    const both = Promise.all([src.read(), src.read()]);
    release();
    expect(await both).toEqual([1, 1]);
    t += 499;
    expect(await src.read()).toBe(1);
    t += 1;
    expect(await src.read()).toBe(2);
    src.invalidate();
    expect(await src.read()).toBe(3);
    t -= 10_000; // the clock went back: stale
    expect(await src.read()).toBe(4);
  });

  it('cachedSource keeps no failure: the read after a rejection calls the source again', async () => {
    let fail = true;
    const src = cachedSource(
      () => {
        if (fail) throw new Error('gone');
        return 'ok';
      },
      { maxAgeMs: 60_000 },
    );
    await expect(src.read()).rejects.toThrow('gone');
    fail = false;
    expect(await src.read()).toBe('ok');
  });

  it('cachedObject fills the whole object from one call', async () => {
    let calls = 0;
    const b = cachedObject(
      ['A', 'B'],
      () => {
        calls++;
        return { A: 1, B: 'x' };
      },
      { maxAgeMs: 1000 },
    );
    expect(await Promise.all([b.get([], {}), b.get([], {})])).toEqual([
      { A: 1, B: 'x' },
      { A: 1, B: 'x' },
    ]);
    expect(calls).toBe(1);
  });

  it('tableFromList: one rows() call lists and fills the table; numbers stay with their keys; a gone row is 7016', async () => {
    let rows: Array<[string, { speed: number }]> = [
      ['usb1', { speed: 480 }],
      ['usb2', { speed: 5000 }],
    ];
    let calls = 0;
    const t = tableFromList({
      maxAgeMs: 0,
      rows: () => {
        calls++;
        return rows;
      },
      values: (r, key) => ({ Name: key, Speed: r.speed }),
    });
    expect(await t.list!([], {})).toEqual([1, 2]);
    expect(await t.get([2], {})).toEqual({ Name: 'usb2', Speed: 5000 });
    rows = [
      ['usb3', { speed: 12 }],
      ['usb2', { speed: 5000 }],
    ];
    expect(await t.list!([], {})).toEqual([2, 3]);
    expect(t.instances.keyOf(3)).toBe('usb3');
    const err = await Promise.resolve(t.get([1], {})).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UspError);
    expect((err as UspError).code).toBe(ErrorCode.ObjectDoesNotExist);
    const cached = tableFromList({
      maxAgeMs: 60_000,
      rows: () => {
        calls++;
        return rows;
      },
      values: (r) => ({ Speed: r.speed }),
    });
    const before = calls;
    await cached.list!([], {});
    await Promise.all([cached.get([1], {}), cached.get([2], {})]);
    expect(calls - before).toBe(1);
  });
});

/** The bounded cache of parsed request paths (ParsedPathCache). */
import { describe, expect, it } from 'vitest';
import { ParsedPathCache } from '../../../../datamodel/path/ParsedPathCache.js';
import { parsePath } from '../../../../datamodel/path/parse-path.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';

describe('ParsedPathCache', () => {
  it('returns what parsePath returns, the same object for a text seen before', () => {
    const cache = new ParsedPathCache();
    const a = cache.parse('Device.WiFi.SSID.*.SSID');
    expect(a).toEqual(parsePath('Device.WiFi.SSID.*.SSID'));
    expect(cache.parse('Device.WiFi.SSID.*.SSID')).toBe(a);
  });

  it('keeps at most max texts, forgetting the oldest first', () => {
    const cache = new ParsedPathCache(3);
    const first = cache.parse('Device.A.');
    for (const t of ['Device.B.', 'Device.C.', 'Device.D.']) cache.parse(t);
    expect(cache.size).toBe(3);
    expect(cache.parse('Device.A.')).not.toBe(first);
    expect(cache.parse('Device.A.')).toEqual(first);
    expect(cache.size).toBe(3);
  });

  it('keeps no invalid path: each use fails with 7008', () => {
    const cache = new ParsedPathCache();
    for (let i = 0; i < 2; i++) {
      let err: unknown;
      try {
        cache.parse('Device..X');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UspError);
      expect((err as UspError).code).toBe(ErrorCode.InvalidPathSyntax);
    }
    expect(cache.size).toBe(0);
  });
});

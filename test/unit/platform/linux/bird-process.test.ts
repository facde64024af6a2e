import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { birdcConfigure, birdcRefusal, birdUsable } from '../../../../platform/linux/bird-process.js';

describe('bird control (birdc configure)', () => {
  it('reads a reconfiguration as taken, and anything else as bird’s refusal', () => {
    expect(birdcRefusal('BIRD 2.0.12 ready.\nReading configuration from /d/bird.conf\nReconfigured\n')).toBeUndefined();
    expect(birdcRefusal('BIRD 2.0.12 ready.\nReading configuration from /d/bird.conf\nReconfiguration in progress\n')).toBeUndefined();
    expect(birdcRefusal('BIRD 2.0.12 ready.\nReading configuration from /d/bird.conf\n/d/bird.conf:21:10 syntax error, unexpected CF_SYM_UNDEFINED\n')).toBe(
      '/d/bird.conf:21:10 syntax error, unexpected CF_SYM_UNDEFINED',
    );
    expect(birdcRefusal('')).toBe('bird gave no reply');
  });

  it.skipIf(!existsSync('/usr/sbin/birdc'))('rejects (rather than reading a refusal) when no bird listens on the socket', async () => {
    await expect(birdcConfigure('/usr/sbin/birdc', '/nonexistent/bird.ctl')).rejects.toThrow(/could not reach bird/);
  });

  it('is not usable without the binary or without root, naming the package', () => {
    expect(birdUsable('/nonexistent/bird', 0)).toEqual({ usable: false, why: '/nonexistent/bird is not installed (Debian package bird2)' });
    if (existsSync('/usr/sbin/bird')) expect(birdUsable('/usr/sbin/bird', 1000).why).toMatch(/not run as root/);
  });
});

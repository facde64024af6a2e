/**
 * ConfiguredDaemon with `reload` (bird's `birdc configure`): a new file is given to the running
 * child without a restart; a refused one is put back and its message returned; a child that
 * cannot be asked is restarted. The child is a stand-in (`sh -c 'exec sleep 60'`): the real daemon is
 * bird in test/integration/linux-rip.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfiguredDaemon } from '../../../../platform/exec/ConfiguredDaemon.js';

const dirs: string[] = [];
const daemons: ConfiguredDaemon[] = [];
afterEach(() => {
  daemons.splice(0).forEach((d) => d.stop());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function standIn(reload: () => Promise<string | undefined>): { daemon: ConfiguredDaemon; conf: string; pid: () => number | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'usp-daemon-reload-'));
  dirs.push(dir);
  const conf = join(dir, 'd.conf');
  const daemon = new ConfiguredDaemon({ name: 'stand-in', binary: '/bin/sh', confFile: conf, pidFile: join(dir, 'd.pid'), args: ['-c', 'exec sleep 60', conf], offMessage: 'off', reload });
  daemons.push(daemon);
  const pid = (): number | undefined => {
    try {
      return Number(readFileSync(join(dir, 'd.pid'), 'utf8'));
    } catch {
      return undefined;
    }
  };
  return { daemon, conf, pid };
}

describe('ConfiguredDaemon reload in place of a restart', () => {
  it('gives a new file to the running child, keeping it', async () => {
    let asked = 0;
    const { daemon, conf, pid } = standIn(async () => {
      asked++;
      return undefined;
    });
    expect(await daemon.apply('one\n')).toBeUndefined();
    const first = pid();
    expect(await daemon.apply('two\n')).toBeUndefined();
    expect(asked).toBe(1);
    expect(pid()).toBe(first);
    expect(readFileSync(conf, 'utf8')).toBe('two\n');
    expect(daemon.status()).toBe('running');
  });

  it('puts the old file back when the child refuses the new one, and returns its message', async () => {
    const { daemon, conf } = standIn(async () => 'syntax error at line 3');
    await daemon.apply('good\n');
    expect(await daemon.apply('bad\n')).toBe('syntax error at line 3');
    expect(readFileSync(conf, 'utf8')).toBe('good\n');
    // The refused text is not taken: asking for the good one again changes nothing.
    expect(await daemon.apply('good\n')).toBeUndefined();
  });

  it('restarts the child on the new file when it cannot be asked', async () => {
    const { daemon, conf, pid } = standIn(() => Promise.reject(new Error('no control socket')));
    await daemon.apply('one\n');
    const first = pid();
    expect(await daemon.apply('two\n')).toBeUndefined();
    expect(readFileSync(conf, 'utf8')).toBe('two\n');
    expect(pid()).not.toBe(first);
  });
});

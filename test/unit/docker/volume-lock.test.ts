/**
 * One container per state volume (docker/volume-lock.ts): a live holder refuses a second one, and
 * the socket an agent left behind when it was killed is taken over.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { VOLUME_LOCK, VolumeInUseError, holdVolume } from '../../../docker/volume-lock.js';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'usp-volume-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('holdVolume', () => {
  it('refuses while a live agent holds the directory, naming it and the fix', async () => {
    const dir = dataDir();
    const held = await holdVolume(dir);
    try {
      const e = await holdVolume(dir).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(VolumeInUseError);
      expect((e as Error).message).toBe(`${dir} is in use by the agent of another container; stop that container, or give this one its own volume (-v NAME:${dir})`);
    } finally {
      held.close();
    }
  });

  it('takes over the socket of an agent that was killed', async () => {
    const dir = dataDir();
    const path = join(dir, VOLUME_LOCK);
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => createInterface({ input: child.stdout! }).once('line', () => resolve()));
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    expect(existsSync(path)).toBe(true);
    const held = await holdVolume(dir);
    held.close();
  });
});

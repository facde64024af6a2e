/** CommandRunner.capture: results through non-zero exit codes, and kill on abort (Request.{i}.Cancel()). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError } from '../../../../platform/exec/CommandError.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-capture-'));
  fs.writeFileSync(path.join(dir, 'lossy'), '#!/bin/sh\necho "2 packets transmitted, 0 received"\necho oops >&2\nexit 1\n', { mode: 0o755 });
  // Writes its pid, then waits for a long time: only a kill ends it early.
  fs.writeFileSync(path.join(dir, 'slow'), `#!/bin/sh\necho $$ > "${dir}/slow.pid"\nexec sleep 600\n`, { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('CommandRunner.capture', () => {
  it('resolves with stdout, stderr and the exit code when the tool exits non-zero', async () => {
    const r = await new CommandRunner({ commandPath: dir }).capture('lossy', []);
    expect(r).toEqual({ stdout: '2 packets transmitted, 0 received\n', stderr: 'oops\n', exitCode: 1 });
  });

  it('run() still rejects on a non-zero exit', async () => {
    await expect(new CommandRunner({ commandPath: dir }).run('lossy', [])).rejects.toMatchObject({ failure: 'exit', exitCode: 1 });
  });

  it('an abort kills the child and rejects at once', async () => {
    const ac = new AbortController();
    const p = new CommandRunner({ commandPath: dir }).capture('slow', [], { signal: ac.signal });
    const pidFile = path.join(dir, 'slow.pid');
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 10));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CommandError);
    while (alive(pid)) await new Promise((r) => setTimeout(r, 10));
    expect(alive(pid)).toBe(false);
  });
});

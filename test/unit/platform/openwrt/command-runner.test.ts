import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { CommandError, sourceError } from '../../../../platform/exec/CommandError.js';
import { CommandRunner, findOnPath } from '../../../../platform/exec/CommandRunner.js';
import { LineProcess } from '../../../../platform/exec/LineProcess.js';
import { detectOpenWrt } from '../../../../platform/openwrt/index.js';
import { eventually } from './fake-openwrt.js';

// The shared runner of platform/exec, tested here with the platform that first uses it.
describe('platform/exec: the command runner', () => {
  let dir: string;
  const tool = (name: string, body: string): void => {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  };
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-exec-'));
    // Counts its runs in a file, so sharing and caching show in what really ran.
    tool('count', `echo x >> "${dir}/count.log"; sleep 0.2; echo '{"n": 1, "args": "'"$*"'"}'`);
    tool('fail', 'echo "Command failed: Not found" >&2; exit 4');
    tool('slow', 'sleep 5');
    tool('chatty', 'yes 0123456789abcdef | head -c 100000');
    tool('lines', `echo '{"a": {"n": 1}}'; echo 'not json'; echo '{"b": {"n": 2}}'; exec sleep 5`);
    tool('short', 'echo "{\\"x\\": {}}"; exit 1');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const runs = (): number => (fs.existsSync(path.join(dir, 'count.log')) ? fs.readFileSync(path.join(dir, 'count.log'), 'utf8').split('\n').length - 1 : 0);

  it('runs without a shell: arguments arrive as given, spaces and quotes included', async () => {
    const r = new CommandRunner({ commandPath: dir });
    const out = JSON.parse(await r.run('count', ['a b', `it's`])) as { args: string };
    expect(out.args).toBe(`a b it's`);
  });

  it('shares one in-flight call between concurrent readers and serves the cache for maxAge', async () => {
    let now = 1000;
    const r = new CommandRunner({ commandPath: dir, now: () => now });
    fs.rmSync(path.join(dir, 'count.log'), { force: true });
    const all = await Promise.all([1, 2, 3, 4].map(() => r.json<{ n: number }>('count', ['same'], 500)));
    expect(all.map((a) => a.n)).toEqual([1, 1, 1, 1]);
    expect(runs()).toBe(1);
    now += 500;
    await r.json('count', ['same'], 500);
    expect(runs()).toBe(1); // still fresh
    now += 1;
    await r.json('count', ['same'], 500);
    expect(runs()).toBe(2); // too old: asked again
    await r.json('count', ['other'], 500);
    expect(runs()).toBe(3); // another command line is another source
    r.invalidate('count same');
    await r.json('count', ['same'], 500);
    expect(runs()).toBe(4);
    expect(r.calls).toBe(4);
    expect(r.callCounts().get('count same')).toBe(3);
  });

  it('raises typed errors: missing tool, non-zero exit, timeout, too much output, bad JSON', async () => {
    // A generous limit for the commands that must not time out (a loaded CI machine starts a shell
    // slowly); the short one only for `slow`.
    const r = new CommandRunner({ commandPath: dir, timeoutMs: 10_000, maxOutputBytes: 10_000 });
    const quick = new CommandRunner({ commandPath: dir, timeoutMs: 300 });
    const failure = async (p: Promise<unknown>): Promise<CommandError> => {
      const e = await p.then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(CommandError);
      return e as CommandError;
    };
    expect((await failure(r.run('absent', []))).failure).toBe('missing');
    const exit = await failure(r.run('fail', ['x']));
    expect(exit).toMatchObject({ failure: 'exit', exitCode: 4 });
    expect(exit.message).toBe('fail x: exit 4: Command failed: Not found');
    expect((await failure(quick.run('slow', []))).failure).toBe('timeout');
    expect((await failure(r.run('chatty', []))).failure).toBe('output-limit');
    expect((await failure(r.json('fail', [], 1000))).failure).toBe('exit');
    expect(
      (
        await failure(
          r.cached('count', [], 1000, () => {
            throw new Error('nope');
          }),
        )
      ).failure,
    ).toBe('parse');
    // As the binding sees it: 7003 naming the command.
    const u = sourceError(exit);
    expect(u.code).toBe(ErrorCode.InternalError);
    expect(u.message).toBe('data source failed: fail x: exit 4: Command failed: Not found');
  });

  it('caches a failure for maxAge too, so a broken source costs one call per read', async () => {
    const r = new CommandRunner({ commandPath: dir });
    for (let i = 0; i < 3; i++) await r.json('fail', [], 10_000).catch(() => undefined);
    expect(r.calls).toBe(1);
  });

  it('keeps secrets out of errors and counts when told what to display', async () => {
    const r = new CommandRunner({ commandPath: dir });
    const e = await r.run('fail', ['key=hunter2'], { display: 'fail key=…' }).then(
      () => undefined,
      (x: unknown) => x as CommandError,
    );
    expect(e).toBeInstanceOf(CommandError);
    expect(e!.message).not.toContain('hunter2');
    expect([...r.callCounts().keys()]).toEqual(['fail key=…']);
  });

  it('line processes deliver each line, skip what the handler rejects, and restart with back-off until stopped', async () => {
    const r = new CommandRunner({ commandPath: dir });
    const seen: string[] = [];
    const p = new LineProcess({
      runner: r,
      cmd: 'short',
      args: [],
      minDelayMs: 30,
      maxDelayMs: 100,
      onLine: (l) => {
        seen.push(l);
        if (l.startsWith('boom')) throw new Error('handler bug');
      },
    });
    p.start();
    await eventually(() => expect(p.starts).toBeGreaterThanOrEqual(3));
    p.stop();
    const starts = p.starts;
    await new Promise((res) => setTimeout(res, 250));
    expect(p.starts).toBe(starts);
    expect(seen.slice(0, 2)).toEqual(['{"x": {}}', '{"x": {}}']);

    const lines: string[] = [];
    const q = new LineProcess({ runner: r, cmd: 'lines', args: [], onLine: (l) => lines.push(l) });
    q.start();
    await eventually(() => expect(lines).toEqual(['{"a": {"n": 1}}', 'not json', '{"b": {"n": 2}}']));
    expect(q.running).toBe(true);
    q.stop();
    expect(q.running).toBe(false);
  });

  it('detects OpenWrt by its release file and ubus on PATH', () => {
    fs.writeFileSync(path.join(dir, 'openwrt_release'), "DISTRIB_ID='OpenWrt'\n");
    expect(detectOpenWrt(path.join(dir, 'openwrt_release'), dir)).toBe(false); // no ubus here
    tool('ubus', 'exit 0');
    expect(detectOpenWrt(path.join(dir, 'openwrt_release'), dir)).toBe(true);
    expect(detectOpenWrt(path.join(dir, 'no_release'), dir)).toBe(false);
    expect(findOnPath('ubus', `/nonexistent${path.delimiter}${dir}`)).toBe(path.join(dir, 'ubus'));
  });
});

/**
 * The V8 code cache of the bundle (bin/code-cache.js): a real `usp-agent run` writes it and V8
 * accepts it for that bundle; a cache for other code, of another build, that others could have
 * written, or that is garbage is never used, and the agent then starts as without one. Whether
 * a process used it is what it says with NODE_DEBUG=usp-agent-code-cache (checked in a fresh
 * process: V8 flags must be the agent's, and a second compile in one process hits V8's
 * in-memory cache instead). The same preload also tells which package chunks (dist/chunks/) a
 * start loaded: MQTT.js only when an MQTT MTP or a broker needs it (a Linux start runs in a network
 * namespace of its own).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cacheKey, compile, readCache, writeCache } from '../../bin/code-cache.js';
import { writeFileAtomicSync } from '../../datamodel/store/atomic-write.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { NetNamespace } from '../peers/netns.js';
import { freePort } from '../peers/TestController.js';

const BUNDLE = fileURLToPath(new URL('../../dist/usp-agent.cjs', import.meta.url));
const CACHE = `${BUNDLE}.v8cache`;

const tmpDirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'usp-code-cache-'));
  tmpDirs.push(d);
  return d;
};

afterEach(async () => {
  await AgentProcess.killAll();
});
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

const DEBUG = { NODE_DEBUG: 'usp-agent-code-cache' };

/** Starts the built agent on a fresh data directory, waits until it listens, stops it (SIGTERM); its cache lines. */
async function startAndStop(): Promise<string> {
  const dir = tmp();
  writeDefaultsFile(join(dir, 'defaults.json'), await freePort());
  const agent = AgentProcess.start(join(dir, 'defaults.json'), join(dir, 'data'), { env: DEBUG });
  await agent.waitForLine(/msg="agent started"/);
  expect((await agent.terminate()).code).toBe(0);
  return agent.stderr();
}

/** What a fresh `usp-agent --version` (the launcher, the bundle, yargs) did with the cache. */
function versionUses(): string {
  const out = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/usp-agent.js', import.meta.url)), '--version'], { env: { ...process.env, ...DEBUG }, encoding: 'utf8' }).stderr;
  return /USP-AGENT-CODE-CACHE \d+: (none|rejected|accepted)/.exec(out)?.[1] ?? out;
}

describe('built-in modules and V8 flags', () => {
  it("the agent's start loads every built-in module it needs before the launcher changes V8's flags (else Node compiles it from source)", async () => {
    const dir = tmp();
    const out = join(dir, 'late.json');
    writeDefaultsFile(join(dir, 'defaults.json'), await freePort());
    const preload = fileURLToPath(new URL('../fixtures/launcher/late-builtins.cjs', import.meta.url));
    const agent = AgentProcess.start(join(dir, 'defaults.json'), join(dir, 'data'), { env: { NODE_OPTIONS: `--require ${preload}`, LATE_BUILTINS_OUT: out } });
    await agent.waitForLine(/msg="agent started"/);
    expect((await agent.terminate()).code).toBe(0);
    const { flagsChanged, late } = JSON.parse(readFileSync(out, 'utf8')) as { flagsChanged: boolean; late: string[] };
    expect(flagsChanged).toBe(true);
    // fs.rm() loads its helper on first call, which nothing can do ahead; add anything else to
    // START_BUILTINS in bin/usp-agent.js.
    expect(late.filter((m) => m !== 'internal/fs/rimraf')).toEqual([]);
  });
});

/** What the preload saw when the agent's first TCP server listened: built-ins loaded late, package chunks loaded. */
interface StartLoads {
  flagsChanged: boolean;
  late: string[];
  chunks: string[];
}

/** Starts the built agent with the preload, waits until it has started, stops it; what it had loaded. */
async function startLoads(opts: { platform?: 'linux'; wrap?: string[]; args?: string[]; defaults?: Record<string, string | number | boolean> } = {}): Promise<StartLoads> {
  const dir = tmp();
  const out = join(dir, 'late.json');
  writeDefaultsFile(join(dir, 'defaults.json'), await freePort(), opts.defaults ?? {});
  const preload = fileURLToPath(new URL('../fixtures/launcher/late-builtins.cjs', import.meta.url));
  const agent = AgentProcess.start(join(dir, 'defaults.json'), join(dir, 'data'), {
    env: { NODE_OPTIONS: `--require ${preload}`, LATE_BUILTINS_OUT: out },
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.wrap ? { wrap: opts.wrap } : {}),
    ...(opts.args ? { args: opts.args } : {}),
  });
  await agent.waitForLine(/msg="agent started"/, { timeoutMs: 20_000 });
  expect((await agent.terminate()).code).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as StartLoads;
}

describe('package chunks a start loads', () => {
  it('a simulated start with a WebSocket MTP loads no package chunk (MQTT.js, CoAP, node-forge)', async () => {
    expect((await startLoads()).chunks).toEqual([]);
  });

  it('a Linux start loads MQTT.js only when a broker runs: not without --mqtt-broker, not with it and no broker row, yes with an enabled row', async () => {
    const tag = process.pid % 100_000;
    const ns = NetNamespace.create(`usp-cc-${tag}`, `10.247.${tag % 250}`, `uspcc${tag}`, 'ctl0');
    try {
      const linux = { platform: 'linux' as const, wrap: ns.exec };
      const plain = await startLoads(linux);
      expect(plain.chunks).not.toContain('mqtt.cjs');
      // Nor any built-in after the V8 flags (MQTT.js brought tty and perf_hooks).
      expect(plain.late.filter((m) => m !== 'internal/fs/rimraf')).toEqual([]);
      expect((await startLoads({ ...linux, args: ['--mqtt-broker', 'mosquitto'] })).chunks).not.toContain('mqtt.cjs');
      // The check sees the chunk when it is loaded: an enabled broker row reads its $SYS counters with MQTT.js.
      const broker = { 'Device.MQTT.Broker.1.Enable': true, 'Device.MQTT.Broker.1.Port': 18800 + (tag % 100) };
      expect((await startLoads({ ...linux, args: ['--mqtt-broker', 'mosquitto'], defaults: broker })).chunks).toContain('mqtt.cjs');
    } finally {
      ns.remove();
    }
  }, 90_000);
});

describe('V8 code cache of the bundle', () => {
  it('usp-agent run writes it beside the bundle when there is none, and V8 accepts it', async () => {
    rmSync(CACHE, { force: true });
    expect(versionUses()).toBe('none');
    const stderr = await startAndStop();
    expect(stderr).toMatch(/: none\n/);
    expect(stderr).toContain(`: written ${CACHE} (`);
    expect(versionUses()).toBe('accepted');
    // It is used, so not written again.
    expect(await startAndStop()).not.toContain(': written');
  });

  it('a garbage cache carrying the right key is rejected: the agent starts as without one and writes a good one', async () => {
    writeFileSync(CACHE, Buffer.concat([Buffer.from(cacheKey(BUNDLE, readFileSync(BUNDLE, 'utf8')), 'latin1'), Buffer.alloc(4096, 0x5a)]), { mode: 0o600 });
    expect(versionUses()).toBe('rejected');
    expect(await startAndStop()).toMatch(/: rejected\n[^]*: written /);
    expect(versionUses()).toBe('accepted');
  });

  it('V8 rejects a cache made for other source text', () => {
    const file = join(tmp(), 'bundle.cjs');
    const a = compile(file, 'exports.answer = 42; function f() { return 1; }', undefined).createCachedData();
    expect(compile(file, 'exports.answer = 4242; function g(x) { return x * 2; }', a).cachedDataRejected).toBe(true);
  });

  it('a cache of another build of the bundle is not read, even of the same length', () => {
    const bundle = join(tmp(), 'usp-agent.cjs');
    const build = (hash: string): string => `// usp-agent build ${hash}\nexports.build = "${hash}";`;
    writeFileSync(bundle, build('aaaa'));
    const data = compile(bundle, build('aaaa'), undefined).createCachedData();
    expect(writeCache(bundle, cacheKey(bundle, build('aaaa')), data, writeFileAtomicSync)).toBe(`${bundle}.v8cache`);
    expect(readCache(bundle, cacheKey(bundle, build('aaaa')))?.equals(data)).toBe(true);
    // Another build: same length, other text, even with the same modification time.
    const { mtime } = statSync(bundle);
    writeFileSync(bundle, build('bbbb'));
    utimesSync(bundle, mtime, mtime);
    expect(readCache(bundle, cacheKey(bundle, build('bbbb')))).toBeUndefined();
    // The same text edited in place (no new build line): its modification time tells.
    writeFileSync(bundle, build('aaaa'));
    utimesSync(bundle, new Date(), new Date(mtime.getTime() + 5000));
    expect(readCache(bundle, cacheKey(bundle, build('aaaa')))).toBeUndefined();
  });

  it('a cache file that group or others may write is not read', () => {
    const bundle = join(tmp(), 'usp-agent.cjs');
    writeFileSync(bundle, 'exports.ok = true;');
    const key = cacheKey(bundle, 'exports.ok = true;');
    writeCache(bundle, key, compile(bundle, readFileSync(bundle, 'utf8'), undefined).createCachedData(), writeFileAtomicSync);
    expect(readCache(bundle, key)).toBeDefined();
    chmodSync(`${bundle}.v8cache`, 0o666);
    expect(readCache(bundle, key)).toBeUndefined();
  });
});

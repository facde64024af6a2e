/**
 * A real Docker engine for the container tests: the `docker` client, a check that an engine
 * answers (a plain one-line failure when none does), the stand-in Node 20 base image, and the
 * project's image built from the Dockerfile unchanged.
 *
 * Why a stand-in: official base images cannot be pulled on the project's machines (the npm
 * registry and Debian's archive are the only registries reached). The stand-in is what the
 * official `node:20-bookworm-slim` is made of: a minimal Debian bookworm (debootstrap), the
 * running Node binary with its npm, and a user `node` (uid 1000). It also carries this machine's
 * CA bundle as NODE_EXTRA_CA_CERTS, because the machine may reach the npm registry through a
 * TLS proxy that only that bundle trusts. Built once per Node version and kept by the engine.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from '../peers/agent-process.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws for a non-zero exit (callers read `code`). */
export function run(cmd: string, args: string[], opts: { input?: NodeJS.ReadableStream; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ? { ...process.env, ...opts.env } : undefined, stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    if (opts.input) opts.input.pipe(child.stdin!);
    child.once('error', (e) => resolve({ code: null, stdout, stderr: stderr + String(e) }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const docker = (...args: string[]): Promise<RunResult> => run('docker', args);

/** Runs `docker ARGS` and returns its trimmed stdout; throws with the output when it fails. */
export async function dockerOk(...args: string[]): Promise<string> {
  const r = await docker(...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Fails (never skips) when no engine answers: an untested Dockerfile is a gap, not a pass.
 * The message says how CI starts one.
 */
export async function requireEngine(): Promise<string> {
  const r = await docker('info', '--format', '{{.ServerVersion}}');
  if (r.code === 0 && r.stdout.trim()) return r.stdout.trim();
  const line = `docker: no engine answers, so the Dockerfile is NOT tested (start one as .ci/run does: dockerd --iptables=false --ip6tables=false --bridge=none): ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
  process.stderr.write(`${line}\n`);
  throw new Error(line);
}

/** The stand-in base image's tag: one per Node version, so a Node upgrade makes a new one. */
export const STANDIN_BASE = `usp-agent-standin/node:${process.versions.node}-bookworm`;
const DEBIAN_MIRROR = process.env.USP_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

/** Makes the stand-in base image unless the engine has it; returns its tag and the seconds spent. */
export async function ensureStandInBase(): Promise<{ tag: string; seconds: number }> {
  const t0 = Date.now();
  if ((await docker('image', 'inspect', STANDIN_BASE)).code === 0) return { tag: STANDIN_BASE, seconds: 0 };
  const work = mkdtempSync(join(tmpdir(), 'usp-agent-standin-'));
  const rootfs = join(work, 'rootfs');
  try {
    const boot = await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, DEBIAN_MIRROR]);
    if (boot.code !== 0) throw new Error(`debootstrap exited ${boot.code} (install it: apt-get install debootstrap):\n${boot.stdout.slice(-2000)}\n${boot.stderr.slice(-2000)}`);
    const node = realpathSync(process.execPath);
    cpSync(node, join(rootfs, 'usr/bin/node'));
    // npm as Node's installers lay it out: <prefix>/lib/node_modules/npm beside <prefix>/bin/node.
    const npm = join(dirname(dirname(node)), 'lib/node_modules/npm');
    if (!existsSync(join(npm, 'bin/npm-cli.js'))) throw new Error(`no npm at ${npm} beside ${node}: the stand-in base image needs Node's own npm`);
    mkdirSync(join(rootfs, 'usr/lib/node_modules'), { recursive: true });
    cpSync(npm, join(rootfs, 'usr/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/bin/npx'));
    const ca = process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt';
    const env: string[] = [];
    if (existsSync(ca)) {
      mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
      cpSync(ca, join(rootfs, 'etc/ssl/certs/ca-certificates.crt'));
      env.push('--change', 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt');
    }
    for (const cmd of [
      ['groupadd', '-g', '1000', 'node'],
      ['useradd', '-u', '1000', '-g', 'node', '-m', '-s', '/bin/sh', 'node'],
    ]) {
      const r = await run('chroot', [rootfs, ...cmd]);
      if (r.code !== 0) throw new Error(`chroot ${cmd.join(' ')} exited ${r.code}: ${r.stderr}`);
    }
    rmSync(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
    const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const imp = await run('docker', ['import', ...env, '--change', 'CMD ["node"]', '-', STANDIN_BASE], { input: tar.stdout });
    if (imp.code !== 0) throw new Error(`docker import exited ${imp.code}: ${imp.stderr}`);
    return { tag: STANDIN_BASE, seconds: (Date.now() - t0) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The project's image, as the tests build it. */
export const IMAGE = 'usp-agent:test';

/**
 * `docker build` of the repository's Dockerfile, unchanged but for BASE_IMAGE; `--network host`
 * because the engine runs without a bridge and `npm ci` needs the registry. Layers stay cached
 * in the engine, so a rebuild with the same lock file skips `npm ci`.
 */
export async function buildImage(base: string): Promise<{ seconds: number; output: string }> {
  const t0 = Date.now();
  const r = await run('docker', ['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${base}`, '-t', IMAGE, REPO]);
  if (r.code !== 0) throw new Error(`docker build exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return { seconds: (Date.now() - t0) / 1000, output: r.stdout };
}

/** Debian's Mosquitto on the stand-in base: the stand-in for eclipse-mosquitto:2 in docker-compose.yml. */
export const STANDIN_MOSQUITTO = 'usp-agent-standin/mosquitto:bookworm';

/** Makes the stand-in Mosquitto image unless the engine has it; returns the seconds spent. */
export async function ensureStandInMosquitto(base: string): Promise<number> {
  const t0 = Date.now();
  if ((await docker('image', 'inspect', STANDIN_MOSQUITTO)).code === 0) return 0;
  const dockerfile = `FROM ${base}\nRUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mosquitto && rm -rf /var/lib/apt/lists/*\n`;
  const r = await run('docker', ['build', '--network', 'host', '-t', STANDIN_MOSQUITTO, '-'], { input: Readable.from([dockerfile]) });
  if (r.code !== 0) throw new Error(`docker build of ${STANDIN_MOSQUITTO} exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return (Date.now() - t0) / 1000;
}

/** `docker compose` (the v2 plugin) or `docker-compose` (v1, Debian's package); fails plainly when neither runs. */
export async function composeCommand(): Promise<string[]> {
  if ((await docker('compose', 'version')).code === 0) return ['docker', 'compose'];
  if ((await run('docker-compose', ['version'])).code === 0) return ['docker-compose'];
  const line = 'docker: neither `docker compose` nor `docker-compose` runs, so docker-compose.yml is NOT tested (install one: apt-get install docker-compose)';
  process.stderr.write(`${line}\n`);
  throw new Error(line);
}

/** A container's output lines (`docker logs -f`), waited on like a process's. */
export class ContainerLogs {
  readonly lines: string[] = [];
  private waiters: Array<() => void> = [];
  private ended = false;

  constructor(readonly name: string) {
    const child = spawn('docker', ['logs', '-f', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const wake = (): void => {
      this.waiters.splice(0).forEach((w) => w());
    };
    for (const s of [child.stdout, child.stderr])
      createInterface({ input: s }).on('line', (l) => {
        this.lines.push(l);
        wake();
      });
    child.once('close', () => {
      this.ended = true;
      wake();
    });
  }

  get text(): string {
    return this.lines.join('\n');
  }

  /** Waits for a line matching `re`; fails when the container's output ends first. */
  async waitForLine(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      if (this.ended) throw new Error(`container ${this.name} ended before printing ${re}:\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${re} from ${this.name} within ${timeoutMs} ms:\n${this.text}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.min(left, 200)).unref();
      });
    }
  }
}

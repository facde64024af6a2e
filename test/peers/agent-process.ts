/**
 * The `usp-agent run` process as a user (or procd) sees it: the real binary (`bin/usp-agent.js`,
 * which loads dist/, so `npm run build` first), a real data directory, real signals. Every output
 * line is kept for assertions; `kill9()` is the power cut, `terminate()` the clean stop.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { testDefaults } from './agent-fixture.js';

/** The repository root: bin/usp-agent.js is resolved from here. */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AgentProcessOptions {
  /** `--log-level`; default info (the "websocket server listening" line is info). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** `--platform`; default simulated. */
  platform?: 'simulated' | 'linux' | 'openwrt' | 'none' | (string & {});
  /** More environment variables (e.g. a PATH with stand-in tools first). */
  env?: Record<string, string>;
  /** Called for every line, e.g. to check the log format across all processes of a file. */
  onLine?: (line: OutputLine) => void;
  /** More command-line options after the usual ones, e.g. `['--seed', '7']`. */
  args?: string[];
  /** The process's umask (set by /bin/sh before it execs node); default inherited. */
  umask?: number;
  /** Run as this user and group (the test runner must be root); default the runner's own. */
  user?: { uid: number; gid: number };
  /**
   * A command that runs node in another context and then becomes it (exec), e.g.
   * `['ip', 'netns', 'exec', NS]`: the agent in a network namespace, with that namespace's /sys.
   */
  wrap?: string[];
}

/** Processes started and not yet exited, so a failed test can still clean up with `killAll()`. */
const live = new Set<AgentProcess>();

/** Writes `testDefaults(port, extra)` as the JSON factory-defaults file a user would write. */
export function writeDefaultsFile(file: string, port: number, extra: DefaultsFile = {}): void {
  writeFileSync(file, JSON.stringify(testDefaults(port, extra), null, 2));
}

/** The agent as a child process, with every output line kept for assertions. */
export class AgentProcess {
  readonly lines: OutputLine[] = [];
  readonly exited: Promise<ExitStatus>;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly child: ChildProcess,
    onLine?: (line: OutputLine) => void,
  ) {
    const wake = (): void => {
      this.waiters.splice(0).forEach((w) => w());
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream]! }).on('line', (text) => {
        const l = { stream, text };
        this.lines.push(l);
        onLine?.(l);
        wake();
      });
    }
    this.exited = new Promise((r) =>
      child.once('exit', (code, signal) => {
        live.delete(this);
        r({ code, signal });
        wake();
      }),
    );
  }

  /** `usp-agent run --defaults FILE --data-dir DIR --platform PLATFORM --log-level LEVEL [ARGS]`. */
  static start(defaultsFile: string, dataDir: string, opts: AgentProcessOptions = {}): AgentProcess {
    const args = [
      'bin/usp-agent.js',
      'run',
      '--defaults',
      defaultsFile,
      '--data-dir',
      dataDir,
      '--platform',
      opts.platform ?? 'simulated',
      '--log-level',
      opts.logLevel ?? 'info',
      ...(opts.args ?? []),
    ];
    // Node sets no umask for a child; the shell does, then becomes node (exec), so the pid and signals are node's.
    const spawnOpts: SpawnOptions = { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], ...opts.user, ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) };
    const child = opts.wrap
      ? spawn(opts.wrap[0], [...opts.wrap.slice(1), process.execPath, ...args], spawnOpts)
      : opts.umask === undefined
        ? spawn(process.execPath, args, spawnOpts)
        : spawn('/bin/sh', ['-c', `umask ${opts.umask.toString(8).padStart(3, '0')} && exec "$0" "$@"`, process.execPath, ...args], spawnOpts);
    const p = new AgentProcess(child, opts.onLine);
    live.add(p);
    return p;
  }

  /** `usp-agent ARGS` (another command than `run`, e.g. `fleet`), from the repository root. */
  static command(args: string[], opts: Pick<AgentProcessOptions, 'env' | 'onLine'> = {}): AgentProcess {
    const child = spawn(process.execPath, ['bin/usp-agent.js', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
    const p = new AgentProcess(child, opts.onLine);
    live.add(p);
    return p;
  }

  /** SIGKILLs every process still running (afterEach), and waits until they are gone. */
  static async killAll(): Promise<void> {
    const all = [...live];
    for (const p of all) p.child.kill('SIGKILL');
    await Promise.allSettled(all.map((p) => p.exited));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  get text(): string {
    return this.lines.map((l) => `${l.stream}: ${l.text}`).join('\n');
  }
  stderr(): string {
    return this.lines
      .filter((l) => l.stream === 'stderr')
      .map((l) => l.text)
      .join('\n');
  }
  count(re: RegExp): number {
    return this.lines.filter((l) => re.test(l.text)).length;
  }

  /** Waits for a line matching `re` at index >= `from`; returns its index. */
  async waitForLine(re: RegExp, { from = 0, timeoutMs = 8000 } = {}): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l, n) => n >= from && re.test(l.text));
      if (i >= 0) return i;
      if (!this.alive) throw new Error(`agent exited before printing ${re}:\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${re} within ${timeoutMs} ms:\n${this.text}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.min(left, 100));
      });
    }
  }

  /** Waits for the process to exit on its own, at most `timeoutMs`; resolves with the exit code. */
  async exit(timeoutMs = 8000): Promise<number | null> {
    const r = await Promise.race([this.exited, delay(timeoutMs).then(() => undefined)]);
    if (!r) throw new Error(`agent still running after ${timeoutMs} ms:\n${this.text}`);
    return r.code;
  }

  /** SIGTERM; resolves with the exit code and how long the exit took (null code: not within 4 s). */
  async terminate(): Promise<{ code: number | null; ms: number }> {
    const t0 = Date.now();
    this.child.kill('SIGTERM');
    const r = await Promise.race([this.exited, delay(4000).then(() => undefined)]);
    return { code: r ? r.code : null, ms: Date.now() - t0 };
  }

  /**
   * SIGKILL: the process gets no chance to flush, close or answer anything (a power cut, as far
   * as the process can tell; the page cache survives, so this tests write ordering, not fsync).
   * Resolves once the process is gone.
   */
  async kill9(): Promise<ExitStatus> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

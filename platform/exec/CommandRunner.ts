/**
 * Runs the external commands platforms read from (ubus, uci, mmcli, ...): no shell (arguments
 * go to execve as they are, so values with spaces or quotes need no escaping), a time limit, a
 * bound on output, JSON parsing, and a short cache per command line so a whole-tree Get costs
 * one call per source rather than one per object or parameter. Concurrent readers of the same
 * command line share one in-flight call.
 *
 * Failures are cached like results for the same max age: when a tool is missing, a whole-tree
 * Get tries it once, not once per object that depends on it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { CommandError } from './CommandError.js';

export interface CommandRunnerOptions {
  /** Directory holding the tools; default: looked up on PATH by the OS. */
  commandPath?: string;
  /** Kill a command that runs longer than this (default 10 s; ubus' own default is 30 s). */
  timeoutMs?: number;
  /** Kill a command that writes more than this to stdout (default 4 MiB). */
  maxOutputBytes?: number;
  log?: Logger;
  /** Monotonic-enough clock in ms for cache ages (tests inject one). */
  now?: () => number;
}

export interface RunOptions {
  timeoutMs?: number;
  /**
   * The command line to show in logs, errors and call counts instead of the real one, when an
   * argument is a secret (`uci set wireless.wl0.key=…`).
   */
  display?: string;
  /** Kills the command (its whole process group) when aborted, e.g. by Request.{i}.Cancel(). */
  signal?: AbortSignal;
  /** Written to the command's stdin, which is then closed (`nft -f -`: a whole ruleset as one transaction); default no stdin. */
  input?: string;
  /** Environment variables the command runs without (`HOME`: hostapd_cli's interactive mode keeps no history file without it). */
  withoutEnv?: readonly string[];
  /** Environment variables the command runs with besides the agent's own (`TZ` for nft: platform/schedules/ScheduleBook.ts commandEnv). */
  env?: Readonly<Record<string, string>>;
}

/** What a command wrote and how it ended, whatever its exit code (`capture`). */
export interface CommandCapture {
  stdout: string;
  /** The first 4 KiB of stderr. */
  stderr: string;
  /** The exit code, or null when a signal ended it. */
  exitCode: number | null;
}

interface CacheEntry {
  promise: Promise<unknown>;
  /** When the call settled (undefined while in flight). */
  settledAt?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;
/** stderr is only for messages; keep its start. */
const MAX_STDERR = 4096;

export class CommandRunner {
  /** External commands started since construction (the bench's "calls per whole-tree Get"). */
  calls = 0;
  private readonly byCommand = new Map<string, number>();
  private readonly cache = new Map<string, CacheEntry>();
  private readonly timeoutMs: number;
  private readonly maxOutputBytes: number;
  private readonly now: () => number;

  constructor(private readonly opts: CommandRunnerOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxOutputBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    this.now = opts.now ?? Date.now;
  }

  /** The executable to start for `cmd`: inside commandPath when given, else the bare name. */
  executable(cmd: string): string {
    return this.opts.commandPath ? path.join(this.opts.commandPath, cmd) : cmd;
  }

  /** Calls per command line since construction, e.g. "ubus call system board" → 1. */
  callCounts(): ReadonlyMap<string, number> {
    return this.byCommand;
  }

  /** Runs `cmd args...` once, uncached; resolves with stdout, rejects with a CommandError. */
  async run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
    const line = opts.display ?? commandLine(cmd, args);
    const r = await this.capture(cmd, args, opts);
    if (r.exitCode === 0) return r.stdout;
    const why = firstLine(r.stderr) || (r.exitCode === null ? 'killed by a signal' : 'no message');
    throw new CommandError('exit', line, `exit ${r.exitCode ?? 'signal'}: ${why}`, r.exitCode ?? undefined, r.stderr);
  }

  /**
   * Runs `cmd args...` once, uncached, and resolves with what it wrote and its exit code, also
   * when that is not 0: tools such as ping report results through their exit code (1: no reply).
   * Rejects with a CommandError only when it could not run to its end: not installed, over the
   * time or output limit, or aborted through `opts.signal` (failure `timeout`, "canceled").
   */
  capture(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandCapture> {
    const line = opts.display ?? commandLine(cmd, args);
    this.calls++;
    this.byCommand.set(line, (this.byCommand.get(line) ?? 0) + 1);
    this.opts.log?.debug('exec', { command: line });
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<CommandCapture>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new CommandError('timeout', line, 'canceled before it started'));
      // Its own process group, so a timeout also ends whatever the command started.
      const base = opts.withoutEnv ? Object.fromEntries(Object.entries(process.env).filter(([k]) => !opts.withoutEnv!.includes(k))) : undefined;
      const env = opts.env ? { ...(base ?? process.env), ...opts.env } : base;
      const child = spawn(this.executable(cmd), args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, ...(env ? { env } : {}) });
      if (opts.input === undefined) child.stdin.end();
      else {
        // A command that exits before reading it all closes the pipe: its exit code says what went wrong, not EPIPE.
        child.stdin.on('error', () => undefined);
        child.stdin.end(opts.input);
      }
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = '';
      let settled = false;
      const onAbort = (): void => fail(new CommandError('timeout', line, 'canceled'));
      const done = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        return true;
      };
      // A killed command settles at once: a grandchild holding the pipe must not delay it.
      const fail = (e: CommandError): void => {
        if (!done()) return;
        killGroup(child);
        reject(e);
      };
      const timer = setTimeout(() => fail(new CommandError('timeout', line, `no answer within ${timeoutMs} ms`)), timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > this.maxOutputBytes) fail(new CommandError('output-limit', line, `more than ${this.maxOutputBytes} bytes of output`));
        else out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (err.length < MAX_STDERR) err += chunk.toString('utf8').slice(0, MAX_STDERR - err.length);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (!done()) return;
        const missing = e.code === 'ENOENT' || e.code === 'EACCES';
        reject(new CommandError(missing ? 'missing' : 'exit', line, missing ? `${cmd} is not installed (${e.code} ${this.executable(cmd)})` : e.message));
      });
      child.on('close', (code) => {
        if (!done()) return;
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: err, exitCode: code });
      });
    });
  }

  /**
   * `cmd args...` parsed by `parse`, served from the cache while the last answer is at most
   * `maxAgeMs` old; callers arriving while a call is in flight share it.
   */
  cached<T>(cmd: string, args: readonly string[], maxAgeMs: number, parse: (stdout: string) => T): Promise<T> {
    const key = commandLine(cmd, args);
    const hit = this.cache.get(key);
    if (hit && (hit.settledAt === undefined || this.now() - hit.settledAt <= maxAgeMs)) return hit.promise as Promise<T>;
    const entry: CacheEntry = { promise: Promise.resolve() };
    const settle = (): void => {
      entry.settledAt = this.now();
    };
    // settledAt stays undefined until the call ends, so the entry reads as in flight meanwhile.
    entry.promise = this.run(cmd, args)
      .then((stdout) => {
        try {
          return parse(stdout);
        } catch (e) {
          throw new CommandError('parse', key, `unexpected output (${e instanceof Error ? e.message : String(e)})`);
        }
      })
      .finally(settle);
    // The cache holds failures too; keep Node from reporting them as unhandled there.
    entry.promise.catch(() => undefined);
    this.cache.set(key, entry);
    return entry.promise as Promise<T>;
  }

  /** `cached` with JSON.parse. */
  json<T>(cmd: string, args: readonly string[], maxAgeMs: number): Promise<T> {
    return this.cached(cmd, args, maxAgeMs, (s) => JSON.parse(s) as T);
  }

  /**
   * Forgets cached answers whose command line starts with `prefix` (all when omitted), e.g.
   * after a write or an event says the source changed. A call still in flight keeps serving
   * those already waiting on it, but later readers start a fresh one: its answer may predate
   * the change.
   */
  invalidate(prefix = ''): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(prefix)) this.cache.delete(key);
  }
}

/** Kills a child started with `detached: true` and everything in its process group. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone already, or was never ours
  }
}

/** The command line as logged and as cache key: `ubus call iwinfo info {"device":"wl0"}`. */
export function commandLine(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].join(' ');
}

/** Whether an executable named `cmd` is on `pathVar` (default the process' PATH). */
export function findOnPath(cmd: string, pathVar = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/**
 * Execution Units that are real processes (the Linux process EE, the OCI EE): started with
 * spawn, in their own process group so a stop reaches everything they started, supervised
 * (an exit the agent did not ask for is a FailureWhileActive fault), with stdout and stderr kept
 * in a bounded log file per EU: `<DU dir>/.usp-logs/<ExecEnvLabel>.log`, which moves to
 * `.log.1` when it reaches LOG_MAX_BYTES (so at most twice that is kept).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, renameSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionUnitHandle } from './ExecutionEnvironment.js';

export const LOG_DIR = '.usp-logs';
export const LOG_MAX_BYTES = 256 * 1024;
/** How long a stopping unit has after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 5000;

export interface Launch {
  command: string;
  args: string[];
  cwd: string;
}

interface Running {
  child: ChildProcess;
  stopping: boolean;
  log: BoundedLog;
}

/** The log file of one EU. */
export function euLogFile(dir: string, label: string): string {
  return join(dir, LOG_DIR, `${label.replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
}

export class SupervisedProcesses {
  private readonly running = new Map<number, Running>();

  /** Starts `launch` for `eu`; Active once the process exists, Idle with a fault if it cannot start. */
  start(eu: ExecutionUnitHandle, launch: Launch): Promise<void> {
    if (this.running.has(eu.key)) return Promise.resolve();
    eu.report({ status: 'Starting' });
    const log = new BoundedLog(euLogFile(eu.dir, eu.spec.label));
    const child = spawn(launch.command, launch.args, { cwd: launch.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const r: Running = { child, stopping: false, log };
    this.running.set(eu.key, r);
    child.stdout!.on('data', (b: Buffer) => log.write(b));
    child.stderr!.on('data', (b: Buffer) => log.write(b));
    return new Promise((resolve) => {
      child.once('spawn', () => {
        eu.report({ status: 'Active' });
        resolve();
      });
      child.once('error', (e) => {
        this.running.delete(eu.key);
        void log.close();
        eu.report({ status: 'Idle', fault: { code: 'FailureOnStart', message: `${launch.command}: ${e.message}` } });
        resolve();
      });
      // 'close', not 'exit': the unit is Idle once its last output is in the log file.
      child.once('close', (code, signal) => {
        if (this.running.get(eu.key) !== r) return;
        this.running.delete(eu.key);
        void log.close().then(() => {
          if (r.stopping) eu.report({ status: 'Idle' });
          else eu.report({ status: 'Idle', fault: { code: 'FailureWhileActive', message: signal ? `killed by ${signal}` : `exited with code ${code ?? '?'}` } });
        });
      });
    });
  }

  /** SIGTERM to the unit's process group, SIGKILL after STOP_GRACE_MS; Idle when it has exited. */
  stop(eu: ExecutionUnitHandle, graceMs = STOP_GRACE_MS): Promise<void> {
    const r = this.running.get(eu.key);
    if (!r) {
      eu.report({ status: 'Idle' });
      return Promise.resolve();
    }
    r.stopping = true;
    eu.report({ status: 'Stopping' });
    return this.terminate(r, graceMs);
  }

  private terminate(r: Running, graceMs: number): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (r.child.exitCode !== null || r.child.signalCode !== null) resolve();
      else r.child.once('close', () => resolve());
    });
    signalGroup(r.child, 'SIGTERM');
    const t = setTimeout(() => signalGroup(r.child, 'SIGKILL'), graceMs);
    t.unref();
    return exited.then(() => clearTimeout(t));
  }

  pid(key: number): number | undefined {
    return this.running.get(key)?.child.pid;
  }

  /** Resident memory of the unit's main process, kilobytes (-1 when unknown). */
  async memoryKb(key: number): Promise<number> {
    const pid = this.pid(key);
    if (pid === undefined) return 0;
    try {
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) : -1;
    } catch {
      return -1;
    }
  }

  /** Stops every unit (agent stop), at most `graceMs` each, all at once. */
  async stopAll(graceMs: number): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.stopping = true;
    await Promise.all(all.map((r) => this.terminate(r, graceMs)));
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** A log file that moves to `.1` when it reaches LOG_MAX_BYTES. */
class BoundedLog {
  private out?: WriteStream;
  private bytes = 0;

  constructor(private readonly file: string) {}

  write(b: Buffer): void {
    if (!this.out) {
      mkdirSync(join(this.file, '..'), { recursive: true });
      this.out = createWriteStream(this.file, { flags: 'a', mode: 0o600 });
    }
    if (this.bytes + b.length > LOG_MAX_BYTES) {
      this.out.end();
      try {
        renameSync(this.file, `${this.file}.1`);
      } catch {
        /* nothing to rotate */
      }
      this.out = createWriteStream(this.file, { flags: 'w', mode: 0o600 });
      this.bytes = 0;
    }
    this.bytes += b.length;
    this.out.write(b);
  }

  /** Resolves once everything written is in the file. */
  close(): Promise<void> {
    const out = this.out;
    if (!out) return Promise.resolve();
    return new Promise((resolve) => {
      out.end(resolve);
    });
  }
}

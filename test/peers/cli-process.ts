/**
 * The `usp-agent` data-model commands as a user runs them: the real binary (`bin/usp-agent.js`,
 * so `npm run build` first) in a child process, its output and exit code kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO } from './agent-process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `usp-agent ARGS...` to completion. */
export function runCli(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/usp-agent.js', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running command (`watch`): lines as they come, a way to wait for one, signals. */
export class CliProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  private constructor(readonly child: ChildProcess) {
    const wake = (): void => {
      this.waiters.splice(0).forEach((w) => w());
    };
    createInterface({ input: child.stdout! }).on('line', (l) => {
      this.stdout.push(l);
      wake();
    });
    createInterface({ input: child.stderr! }).on('line', (l) => {
      this.stderr.push(l);
      wake();
    });
    this.exited = new Promise((r) =>
      child.once('close', (code) => {
        r(code);
        wake();
      }),
    );
  }

  static start(args: readonly string[]): CliProcess {
    return new CliProcess(spawn(process.execPath, ['bin/usp-agent.js', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for a line of `stream` matching `re`; returns it. */
  async waitForLine(stream: 'stdout' | 'stderr', re: RegExp, timeoutMs = 8000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this[stream].find((l) => re.test(l));
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (!this.alive || left <= 0)
        throw new Error(`no ${stream} line matching ${re}${this.alive ? ` within ${timeoutMs} ms` : ' before exit'}:\nstdout: ${this.stdout.join('\n')}\nstderr: ${this.stderr.join('\n')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.min(left, 100));
      });
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}

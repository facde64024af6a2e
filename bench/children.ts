/**
 * Every child process the bench spawns, so none outlives it: killed on normal exit, on an
 * uncaught error and on SIGINT/SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  live.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(code);
    });
  }
}

/** Registers a child for clean-up; it leaves the set when it exits. */
export function track<T extends ChildProcess>(child: T): T {
  hook();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Sends `signal`, waits for the exit, and escalates to SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 2500): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Rejects when the child exits (with the tail of its stderr), for racing against readiness. */
export function exitAsError(child: ChildProcess, what: string): Promise<never> {
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-2000);
  });
  return new Promise((_, reject) => {
    child.once('exit', (code, sig) => reject(new Error(`${what} exited early (code ${code}, signal ${sig}): ${err.trim()}`)));
  });
}

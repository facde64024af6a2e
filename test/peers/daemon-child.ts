/**
 * Start and stop of the real daemons test peers run in the foreground (avahi-daemon, miniupnpd,
 * lldpd): wait for the line that says a daemon is ready, and stop it the way it says goodbye on
 * the wire (SIGTERM) with a SIGKILL behind it, so no test waits forever on a stuck peer.
 */
import type { ChildProcess } from 'node:child_process';

/**
 * Resolves once `ready` holds for what `child` printed so far (stdout and stderr); rejects when
 * it exits first or after `timeoutMs`. `collect` receives each chunk and returns everything the
 * caller has kept (the caller keeps it, to name it in errors and read it later).
 */
export function untilReady(child: ChildProcess, name: string, ready: (output: string) => boolean, collect: (chunk: string) => string, timeoutMs = 20_000): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), timeoutMs);
    const on = (b: Buffer): void => {
      output = collect(b.toString());
      if (ready(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${output}`));
    });
  });
}

/** SIGTERM, then SIGKILL if `child` is still there after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const late = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(late);
}

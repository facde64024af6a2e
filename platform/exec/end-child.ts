/**
 * Ends a child process the agent supervises: SIGTERM, then SIGKILL if it has not exited after
 * `graceMs`; resolves once it has exited (at once if it already had). Shared by the daemons the
 * agent runs (ConfiguredDaemon) and its udhcpc children.
 */
import type { ChildProcess } from 'node:child_process';

export function endChild(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

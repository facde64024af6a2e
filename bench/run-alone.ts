/**
 * Each bench phase also runs as a program of its own (`node dist/bench/notify.js`, ...): when the
 * module is the script Node was started with, it measures, prints the JSON on stdout (progress on
 * stderr) and exits 0, or prints the error and exits 1.
 */
import { fileURLToPath } from 'node:url';

/** Runs `measure` when `moduleUrl` (the caller's import.meta.url) is the script Node started; its result goes under `key`, or bare without one. */
export function runAlone(moduleUrl: string, key: string | undefined, measure: (progress: (s: string) => void) => Promise<unknown>): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  measure((s) => process.stderr.write(`[bench] ${s}\n`)).then(
    (out) => {
      process.stdout.write(`${JSON.stringify(key === undefined ? out : { [key]: out }, null, 2)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`[bench] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

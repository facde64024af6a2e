/**
 * The fake Linux host's `ip` wrapped for tests of route and rule writes: the recorded `ip` keeps
 * answering the reads, while the `case` arms given here (shell, matched on "$2 $3" or the like)
 * answer the writes, usually by appending the command line to the write log and exiting 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LinuxFixture } from './fake-host.js';

/** Wraps `fx`'s `ip` with `arms` (each `case` block given whole, `$LOG` standing for the log file); the lines written to the log. */
export function wrapIp(fx: LinuxFixture, logName: string, arms: readonly string[]): () => string[] {
  const bin = fx.host.binDir;
  fs.renameSync(path.join(bin, 'ip'), path.join(bin, 'ip-recorded'));
  const log = path.join(fx.host.dir, logName);
  fx.host.write('bin/ip', ['#!/bin/sh', ...arms.map((a) => a.replaceAll('$LOG', `'${log}'`)), `exec '${path.join(bin, 'ip-recorded')}' "$@"`, ''].join('\n'));
  fs.chmodSync(path.join(bin, 'ip'), 0o755);
  return () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
}

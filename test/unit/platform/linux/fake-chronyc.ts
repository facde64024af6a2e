/**
 * A stand-in `chronyc` for tests that need chrony to answer without a chronyd (the offline
 * profile report): it replays the recorded outputs of test/fixtures/chrony, as a chronyd that
 * has not synchronized yet and has no source, and answers `reload sources` as chronyc does. The real daemon is
 * test/integration/linux-time-chrony.test.ts.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/chrony/${name}`, import.meta.url), 'utf8');

/** A directory holding the stand-in `chronyc`, to put first on PATH; `cleanup` removes it. */
export function fakeChronyc(): { binDir: string; cleanup(): void } {
  const binDir = mkdtempSync(join(tmpdir(), 'usp-fake-chronyc-'));
  writeFileSync(join(binDir, 'tracking.csv'), fixture('tracking-unsynchronized.csv'));
  // The agent asks `chronyc -N -n -c` with tracking, sources and ntpdata on standard input, and checks with `chronyc -n -c tracking`.
  const script = ['#!/bin/sh', 'case " $* " in', "  *' reload '*) echo '200 OK' ;;", `  *) cat '${join(binDir, 'tracking.csv')}' ;;`, 'esac', ''].join('\n');
  writeFileSync(join(binDir, 'chronyc'), script);
  chmodSync(join(binDir, 'chronyc'), 0o755);
  return { binDir, cleanup: () => rmSync(binDir, { recursive: true, force: true }) };
}

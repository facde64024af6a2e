/** Which source the figures belong to: the git commit and whether agent code had uncommitted changes. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export function sourceInfo(): { commit: string; uncommittedOutsideBench: number } | { commit: 'unknown' } {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const dirty = git('status', '--porcelain')
      .split('\n')
      .filter((l) => l && !/^.. bench\//.test(l));
    return { commit, uncommittedOutsideBench: dirty.length };
  } catch {
    return { commit: 'unknown' };
  }
}

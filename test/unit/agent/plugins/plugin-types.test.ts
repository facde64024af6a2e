/**
 * The types shipped for integrators (`usp-agent/plugin`, built by `npm run build` into
 * dist/types/) resolve from a plugin in the package, and the example plugin type-checks against
 * them (tsconfig.examples.json: JavaScript with JSDoc, checked as an integrator's editor would).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

it('examples/plugins type-check against usp-agent/plugin', () => {
  expect(existsSync(`${REPO}dist/types/agent/plugins/plugin-api.d.ts`)).toBe(true);
  const tsc = `${REPO}node_modules/typescript/bin/tsc`;
  const run = (): string => {
    try {
      return execFileSync(process.execPath, [tsc, '-p', 'tsconfig.examples.json'], { cwd: REPO, encoding: 'utf8' });
    } catch (e) {
      return (e as { stdout: string }).stdout;
    }
  };
  expect(run()).toBe('');
}, 60_000);

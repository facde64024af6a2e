/**
 * The types shipped for integrators (`usp-agent/plugin`, built by `npm run build` into
 * dist/types/): the example plugin type-checks against them (tsconfig.examples.json: JavaScript
 * with JSDoc, checked as an integrator's editor would), a path that is no TR-181 object is a
 * compile error, and the generated union of object paths matches the committed schema.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript tool without declarations.
import { pathTypesSource } from '../../../../tools/gen-path-types.mjs';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const TSC = `${REPO}node_modules/typescript/bin/tsc`;
const dir = mkdtempSync(join(tmpdir(), 'usp-plugin-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** tsc's diagnostics ('' when it passes). */
function tsc(args: string[]): string {
  try {
    return execFileSync(process.execPath, [TSC, ...args], { cwd: REPO, encoding: 'utf8' });
  } catch (e) {
    return (e as { stdout: string }).stdout;
  }
}

it('examples/plugins type-check against usp-agent/plugin', () => {
  expect(existsSync(`${REPO}dist/types/agent/plugins/plugin-api.d.ts`)).toBe(true);
  expect(tsc(['-p', 'tsconfig.examples.json'])).toBe('');
}, 60_000);

it('binding a path that is no TR-181 object fails to compile, naming the path', () => {
  const file = join(dir, 'typo.mjs');
  writeFileSync(
    file,
    `/** @param {import(${JSON.stringify(`${REPO}dist/types/agent/plugins/plugin-api.js`)}).PluginApi} api */
export default function register(api) {
  api.bind('Device.USB.USBHost.Host.{i}.', { list: () => [], get: () => ({}) });
}
`,
  );
  const out = tsc(['--allowJs', '--checkJs', '--noEmit', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', file]);
  expect(out).toContain(`Argument of type '"Device.USB.USBHost.Host.{i}."' is not assignable to parameter of type 'SchemaObjectPath'`);
}, 60_000);

it('agent/plugins/generated/schema-object-paths.ts is what tools/gen-path-types.mjs makes of the committed schema', () => {
  const schema = JSON.parse(readFileSync(`${REPO}datamodel/schema/tr181-schema.json`, 'utf8')) as unknown;
  expect(readFileSync(`${REPO}agent/plugins/generated/schema-object-paths.ts`, 'utf8')).toBe((pathTypesSource as (s: unknown) => string)(schema));
});

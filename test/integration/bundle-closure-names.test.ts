/**
 * What keepNames costs per closure in a fleet (issue 14): esbuild's helper that gives a minified
 * function back its name redefines `name`, which turns the function's properties into a V8 hash
 * table (~256 bytes), again for every closure made at run time. tools/bundle.mjs rewrites the
 * helper of the shipped bundle (dist/usp-agent.cjs, so `npm run build` first) to name only
 * classes and `function`s, and builds the MTP packages' chunks (mqtt, coap) without keepNames. This test checks
 * the shipped files and what V8 makes of both helpers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { REPO } from '../peers/agent-process.js';

// V8's own answer: a function compiled after this flag may ask it (functions compiled before are unaffected).
setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

/** esbuild's keepNames helper as it emits it (minified), and as tools/bundle.mjs rewrites it. */
const ESBUILD_HELPER = /var ([\w$]+)=\(([\w$]+),([\w$]+)\)=>([\w$]+)\(\2,"name",\{value:\3,configurable:!0\}\);/g;
const SHIPPED_HELPER = /var ([\w$]+)=\(([\w$]+),([\w$]+)\)=>Object\.hasOwn\(\2,"prototype"\)\?([\w$]+)\(\2,"name",\{value:\3,configurable:!0\}\):\2;/g;

type NameHelper = <T extends object>(target: T, name: string) => T;

/** The helper statement `source` as a function, its defineProperty being Object.defineProperty. */
function helperOf(source: string, pattern: RegExp): NameHelper {
  const m = [...source.matchAll(pattern)];
  expect(m, 'one helper').toHaveLength(1);
  const [statement, helper, , , define] = m[0];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(define, `${statement} return ${helper};`)(Object.defineProperty) as NameHelper;
}

/** A closure as a gateway makes one: a new function object per call. */
const closureOf = (n: number) => () => n;

const bundle = readFileSync(join(REPO, 'dist/usp-agent.cjs'), 'utf8');

describe('the bundle keeps the names of classes and functions, not of closures', () => {
  it('ships the rewritten helper only', () => {
    expect([...bundle.matchAll(ESBUILD_HELPER)]).toHaveLength(0);
    expect([...bundle.matchAll(SHIPPED_HELPER)]).toHaveLength(1);
  });

  it('the shipped helper names a class and a function and leaves a closure fast', () => {
    const name = helperOf(bundle, SHIPPED_HELPER);
    const closure = name(closureOf(1), 'run');
    expect(hasFastProperties(closure)).toBe(true);
    class Xd {}
    function f(): void {}
    expect(name(Xd, 'Agent').name).toBe('Agent');
    expect(name(f, 'readIdentity').name).toBe('readIdentity');
  });

  it("esbuild's own helper turns every closure it names into a hash table: why tools/bundle.mjs rewrites it", () => {
    // If this fails, V8 keeps a redefined name in the function's fields and the rewrite can go.
    const original = 'var i=(n,e)=>oa(n,"name",{value:e,configurable:!0});';
    const name = helperOf(original, ESBUILD_HELPER);
    const closure = name(closureOf(2), 'run');
    expect(closure.name).toBe('run');
    expect(hasFastProperties(closure)).toBe(false);
  });

  it.each(['mqtt', 'coap'])('the %s chunk (objects made per connection) has no keepNames helper', (chunk) => {
    const source = readFileSync(join(REPO, `dist/chunks/${chunk}.cjs`), 'utf8');
    expect([...source.matchAll(ESBUILD_HELPER)]).toHaveLength(0);
    expect([...source.matchAll(SHIPPED_HELPER)]).toHaveLength(0);
  });
});

/**
 * What the bundled agent (dist/usp-agent.mjs, built by `npm run build`) loads before it can
 * start: the modules it imports statically, followed through its chunks. yargs is not among them,
 * because a well-formed `usp-agent run` never needs it (agent/cli/run-fast-path.ts): it costs
 * ~4 MB of resident memory and ~60 ms of start-up (bench/startup.ts, bench/memory-load.ts).
 * Neither is protobufjs: the codec loads dist/chunks/protobufjs.cjs when it first decodes or
 * encodes a Record (tools/bundle.mjs), so the agent does not compile it before it listens.
 */
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** The files dist/usp-agent.mjs loads before running: itself and its static imports, transitively. */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const text = readFileSync(DIST + file, 'utf8');
    // Static forms only: `import{…}from"./x.mjs"` and `import"./x.mjs"`, never `import("./x.mjs")`.
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*)"(\.\/[\w./-]+\.mjs)"/g)) {
      const path = posix.join(posix.dirname(file), m[1]!);
      if (!seen.has(path)) { seen.add(path); queue.push(path); }
    }
  }
  return [...seen];
}

describe('bundled start path', () => {
  it('npm run build made dist/usp-agent.mjs', () => {
    expect(existsSync(`${DIST}usp-agent.mjs`)).toBe(true);
  });

  it('usp-agent run loads no yargs: it is a chunk imported only for the other commands', () => {
    const files = staticClosure('usp-agent.mjs');
    expect(files.length).toBeGreaterThan(1);
    const withYargs = files.filter((f) => readFileSync(DIST + f, 'utf8').includes('YargsInstance'));
    expect(withYargs).toEqual([]);
  });

  it('usp-agent run loads no protobufjs before the first Record: the codec requires dist/chunks/protobufjs.cjs on first use', () => {
    // esbuild names each bundled CommonJS module by its path.
    const marker = 'node_modules/protobufjs/src/index.js';
    expect(readFileSync(`${DIST}chunks/protobufjs.cjs`, 'utf8').includes(marker)).toBe(true);
    const withProtobufjs = staticClosure('usp-agent.mjs').filter((f) => readFileSync(DIST + f, 'utf8').includes(marker));
    expect(withProtobufjs).toEqual([]);
  });
});

/**
 * What the bundled agent (dist/usp-agent.cjs, built by `npm run build`) compiles before it can
 * start: the bundle only. yargs is not in it, because a well-formed `usp-agent run` never needs
 * it (agent/cli/run-fast-path.ts): it costs ~4 MB of resident memory and ~60 ms of start-up
 * (bench/startup.ts, bench/memory-load.ts). Neither is protobufjs: the codec loads
 * dist/chunks/protobufjs.cjs when it first decodes or encodes a Record (tools/bundle.mjs), so the
 * agent does not compile it before it listens. mqtt, coap and node-forge are likewise chunks
 * read only by the MTP or certificate code that needs them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const bundle = (): string => readFileSync(`${DIST}usp-agent.cjs`, 'utf8');

/** What the build put into each file (tools/bundle.mjs writes it: the minified files name no module). */
interface BundleMeta {
  /** The bundle's modules and, for each, what it imports and how. */
  bundle: Record<string, Array<{ path: string; kind: string }>>;
  /** Each chunk's modules. */
  chunks: Record<string, string[]>;
}
const meta = (): BundleMeta => JSON.parse(readFileSync(`${DIST}bundle-meta.json`, 'utf8')) as BundleMeta;
const inBundle = (prefix: string): boolean => Object.keys(meta().bundle).some((m) => m.startsWith(prefix));
const inChunk = (name: string, prefix: string): boolean => (meta().chunks[name] ?? []).some((m) => m.startsWith(prefix));

/** The bundle's modules reached from a module loaded with import(): esbuild wraps each in a lazy initialiser. */
function lazilyInitialised(): Set<string> {
  const graph = meta().bundle;
  const todo = Object.values(graph).flatMap((imports) => imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
  const seen = new Set<string>();
  for (let m = todo.pop(); m !== undefined; m = todo.pop()) {
    if (seen.has(m)) continue;
    seen.add(m);
    for (const i of graph[m] ?? []) if (i.kind !== 'dynamic-import') todo.push(i.path);
  }
  return seen;
}

describe('bundled start path', () => {
  it('npm run build made dist/usp-agent.cjs, a CommonJS script the launcher can compile with a code cache', () => {
    expect(existsSync(`${DIST}usp-agent.cjs`)).toBe(true);
    expect(existsSync(`${DIST}usp-agent.mjs`)).toBe(false);
  });

  it('usp-agent run loads no yargs: it is a chunk required only for the other commands', () => {
    expect(readFileSync(`${DIST}chunks/yargs.cjs`, 'utf8').includes('YargsInstance')).toBe(true);
    expect(bundle().includes('YargsInstance')).toBe(false);
  });

  it('usp-agent run loads no protobufjs before the first Record: the codec requires dist/chunks/protobufjs.cjs on first use', () => {
    expect(inChunk('protobufjs', 'node_modules/protobufjs/src/index.js')).toBe(true);
    expect(inBundle('node_modules/protobufjs/')).toBe(false);
  });

  it('runs the composition root (agent/Agent.ts) at load, not from a lazy initialiser: no module loaded with import() imports it', () => {
    // A module reached through import() is wrapped by esbuild, and so is everything it imports:
    // agent/profiles/offline-agent.ts takes Agent.start from its caller for that reason.
    const lazy = lazilyInitialised();
    // The check sees the import() modules: the platforms are among them.
    expect(lazy.has('platform/openwrt/index.ts')).toBe(true);
    expect(lazy.has('agent/Agent.ts')).toBe(false);
  });

  it('carries no TR-181 profile: datamodel/schema/tr181-profiles.json is read from disk, and only when asked (usp-agent profiles, X_<VENDOR>_Profiles)', () => {
    expect(inBundle('datamodel/schema/tr181-profiles.json')).toBe(false);
    expect(bundle().includes('datamodel/schema/tr181-profiles.json')).toBe(true);
  });

  it('mqtt, coap and node-forge are chunks of their own, not compiled with the bundle', () => {
    for (const name of ['mqtt', 'coap', 'node-forge']) {
      expect(inChunk(name, `node_modules/${name}/`)).toBe(true);
      expect(inBundle(`node_modules/${name}/`)).toBe(false);
    }
  });
});

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
    // esbuild names each bundled CommonJS module by its path.
    const marker = 'node_modules/protobufjs/src/index.js';
    expect(readFileSync(`${DIST}chunks/protobufjs.cjs`, 'utf8').includes(marker)).toBe(true);
    expect(bundle().includes(marker)).toBe(false);
  });

  it('runs the composition root (agent/Agent.ts) at load, not from a lazy initialiser: no module loaded with import() imports it', () => {
    // A module reached through import() is wrapped by esbuild, and so is everything it imports:
    // agent/profiles/offline-agent.ts takes Agent.start from its caller for that reason.
    expect(bundle().includes('"agent/Agent.ts"(){')).toBe(false);
  });

  it('carries no TR-181 profile: datamodel/schema/tr181-profiles.json is read from disk, and only when asked (usp-agent profiles, X_<VENDOR>_Profiles)', () => {
    expect(bundle().includes('"name":"Baseline:4"')).toBe(false);
    expect(bundle().includes('datamodel/schema/tr181-profiles.json')).toBe(true);
  });

  it('mqtt, coap and node-forge are chunks of their own, not compiled with the bundle', () => {
    for (const [name, marker] of [
      ['mqtt', 'node_modules/mqtt/'],
      ['coap', 'node_modules/coap/'],
      ['node-forge', 'node_modules/node-forge/'],
    ] as const) {
      expect(readFileSync(`${DIST}chunks/${name}.cjs`, 'utf8').includes(marker)).toBe(true);
      expect(bundle().includes(marker)).toBe(false);
    }
  });
});

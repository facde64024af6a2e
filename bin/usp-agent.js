#!/usr/bin/env node
// Launcher: the single-file bundle when it was built (npm run build makes both), run with a V8
// code cache (code-cache.js), else the compiled module tree. Both live in dist/, built by
// `npm ci` through the prepare script. A CommonJS script (bin/package.json): an ES module entry
// point would start Node's ES module loader first, 4-6 ms of CPU before the agent listens
// (bench/startup-only.ts), for nothing, as the bundle is CommonJS too.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');

// Node compiles its own modules from a code cache built into its binary, which V8 takes only
// under the V8 flags it was made with: a module first loaded after the flags below change is
// compiled from source. For the built-in modules an agent's start loads that was ~11 ms of CPU
// before it listens (bench/startup-only.ts), so they are loaded here first, before the flags
// change; a module missing from this list is only compiled the slow way, nothing else.
// test/integration/code-cache.test.ts checks that the agent's start loads no other.
const START_BUILTINS = [
  'node:buffer',
  'node:child_process',
  'node:cluster',
  'node:crypto',
  'node:dgram',
  'node:dns',
  'node:dns/promises',
  'node:events',
  'node:fs/promises',
  'node:http',
  'node:https',
  'node:module',
  'node:net',
  'node:os',
  'node:querystring',
  'node:stream',
  'node:tls',
  'node:url',
  'node:util',
  'node:vm',
  'node:zlib',
];
for (const m of START_BUILTINS) require(m);
// Parts of those that load on first use, which the start uses as well (cluster: any listen()).
void require('node:net').BlockList;
void require('node:util').parseArgs;
const bundle = join(__dirname, '..', 'dist', 'usp-agent.cjs');
const codeCache = existsSync(bundle) ? require('./code-cache.js') : undefined;

// A router has 256 MB for everything: keep V8's young generation at its initial size instead of
// letting it grow to 16 MB per semi-space. Costs more frequent (cheap) scavenges; measured in
// bench/ (npm run bench: memory ratio and pipelined Get side by side). Set here, before any of
// the agent is loaded, because the flag only steers later growth.
v8.setFlagsFromString('--semi-space-growth-factor=1');

// Router profile: USP_AGENT_TURBOFAN=off runs without V8's optimising compiler; hot code stays in
// Sparkplug (baseline) code. Measured with bench/memory-load.ts (5,000 single-parameter Gets +
// whole-tree Gets, same run): RSS after load about 12 MB lower (1.45x a bare Node process instead
// of 1.7x), for about a quarter of the peak pipelined Get rate (bench/run.ts pipelinedGet) and
// 10-20 % more CPU per request at a controller's usual pace. The OpenWrt package sets it (a router
// has 256 MB for everything); elsewhere TurboFan stays on, where the agent is fastest. Set from
// here because Node refuses V8 flags in NODE_OPTIONS; `node --no-turbofan bin/usp-agent.js` does
// the same.
if (process.env.USP_AGENT_TURBOFAN === 'off') v8.setFlagsFromString('--no-turbofan');

if (codeCache) codeCache.runBundle(bundle);
// The module tree is ES modules; a failed import ends the process (an unhandled rejection).
else void import('../dist/agent/cli/start.js');

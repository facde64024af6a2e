#!/usr/bin/env node
// Launcher: the single-file bundle when it was built (npm run build makes both), else the
// compiled module tree. Both live in dist/, built by `npm ci` through the prepare script.
import { existsSync } from 'node:fs';
import v8 from 'node:v8';

// A router has 256 MB for everything: keep V8's young generation at its initial size instead of
// letting it grow to 16 MB per semi-space. Costs more frequent (cheap) scavenges; measured in
// bench/ (npm run bench: memory ratio and pipelined Get side by side). Set here, before any of
// the agent is loaded, because the flag only steers later growth.
v8.setFlagsFromString('--semi-space-growth-factor=1');

// No TurboFan: the agent's hot paths run in Sparkplug (baseline) code. Measured with
// bench/memory-load.ts (5,000 single-parameter Gets + whole-tree Gets): RSS after load 67 MB
// instead of 79 MB (1 s after the load; 61 MB instead of 79 MB once idle), at start 62 MB
// instead of 68 MB, for 10-20 % more CPU per request. The optimising compiler's code, its
// zone memory and the binary pages it touches are what a 256 MB router cannot spare. An
// integrator with memory to spare gets it back with `node --turbofan bin/usp-agent.js …`.
if (!process.execArgv.some((a) => a === '--turbofan' || a === '--opt')) v8.setFlagsFromString('--no-turbofan');

const bundle = new URL('../dist/usp-agent.mjs', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/agent/cli/main.js');

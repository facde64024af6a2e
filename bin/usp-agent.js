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
// bench/memory-load.ts (5,000 single-parameter Gets + whole-tree Gets, same run): RSS after load
// 64 MB instead of 76 MB, at start 6 MB less, for 10-20 % more CPU per request at a controller's
// usual pace and a quarter of the peak pipelined rate (bench/run.ts pipelinedGet). The optimising
// compiler's code, its zone memory and the binary pages it touches are what a 256 MB router
// cannot spare. Where memory is plentiful and load is high: `node --turbofan bin/usp-agent.js …`
// (Node refuses V8 flags in NODE_OPTIONS, so the command line is the place).
if (!process.execArgv.some((a) => a === '--turbofan' || a === '--opt')) v8.setFlagsFromString('--no-turbofan');

const bundle = new URL('../dist/usp-agent.mjs', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/agent/cli/main.js');

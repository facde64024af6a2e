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

const bundle = new URL('../dist/usp-agent.mjs', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/agent/cli/main.js');

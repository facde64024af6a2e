#!/usr/bin/env node
// Builds dist/usp-agent.mjs, the bundled agent that bin/usp-agent.js runs and the OpenWrt
// package ships: one file parses and links much faster than hundreds of ESM modules (start-up
// budget 300 ms) and takes less memory. The schema JSON and .proto files stay next to it on disk.
import { build } from 'esbuild';

await build({
  entryPoints: ['agent/cli/main.ts'],
  // dist/usp-agent.mjs plus dist/chunks/: what is imported lazily (mqtt, coap, node-forge, the
  // platforms a device does not use) stays in chunks that are read only when needed, which
  // keeps both start-up and resident memory down.
  outdir: 'dist',
  entryNames: 'usp-agent',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ws's optional native speed-ups: pure JavaScript is the rule on the router.
  external: ['bufferutil', 'utf-8-validate'],
  // CommonJS dependencies (protobufjs, yargs helpers) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});

#!/usr/bin/env node
// Builds dist/usp-agent.mjs, the bundled agent that bin/usp-agent.js runs and the OpenWrt
// package ships: one file parses and links much faster than hundreds of ESM modules (start-up
// budget 300 ms) and takes less memory. The schema JSON and .proto files stay next to it on disk.
import { build } from 'esbuild';

/** Where protobufjs goes: loaded with require() the first time the codec needs it. */
const PROTOBUFJS_BUNDLE = 'chunks/protobufjs.cjs';

/**
 * The codec's `import protobuf from 'protobufjs'` becomes a stand-in whose first property read
 * (the first Record decoded or encoded, agent/codec/loader.ts) loads dist/chunks/protobufjs.cjs
 * synchronously. protobufjs is a quarter of the code the agent would otherwise compile before it
 * listens (~140 KB); the codec's API stays synchronous. Only our own imports are redirected.
 * @type {import('esbuild').Plugin}
 */
const protobufjsOnFirstUse = {
  name: 'protobufjs-on-first-use',
  setup(b) {
    b.onResolve({ filter: /^protobufjs$/ }, (a) => (a.importer.includes('/node_modules/') ? undefined : { path: 'protobufjs', namespace: 'protobufjs-on-first-use' }));
    b.onLoad({ filter: /.*/, namespace: 'protobufjs-on-first-use' }, () => ({
      resolveDir: new URL('../datamodel/', import.meta.url).pathname,
      loader: 'js',
      contents: `import { fileURLToPath } from 'node:url';
import { packageFile } from './package-root.ts';
let loaded;
const load = () => (loaded ??= require(fileURLToPath(packageFile('dist/${PROTOBUFJS_BUNDLE}'))));
export default new Proxy({}, { get: (_, name) => load()[name], has: (_, name) => name in load() });`,
    }));
  },
};

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
  // CommonJS dependencies (yargs helpers) and the protobufjs stand-in call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [protobufjsOnFirstUse],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// protobufjs and its helpers (long, @protobufjs/*) as one CommonJS file for the stand-in above.
await build({
  entryPoints: ['node_modules/protobufjs/index.js'],
  outfile: `dist/${PROTOBUFJS_BUNDLE}`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});

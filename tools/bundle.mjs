#!/usr/bin/env node
// Builds dist/usp-agent.cjs, the bundled agent that bin/usp-agent.js runs and the OpenWrt
// package ships: one file parses much faster than hundreds of ES modules (start-up budget
// 300 ms), takes less memory, and, being a CommonJS script rather than an ES module, can be
// compiled through node:vm with a V8 code cache (bin/code-cache.js): Node 20 has no compile
// cache for ES modules. The schema JSON and .proto files stay next to it on disk.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// Chunks of earlier builds (content-hashed names) would otherwise stay and be shipped.
rmSync('dist/chunks', { recursive: true, force: true });
rmSync('dist/usp-agent.mjs', { force: true });

/**
 * Packages our code imports that go to their own CommonJS file in dist/chunks/, read only when
 * first needed: protobufjs when the first Record is decoded or encoded (a quarter of the code the
 * agent would otherwise compile before it listens), yargs for every command but a well-formed
 * `run` (agent/cli/run-fast-path.ts), mqtt, coap and node-forge for the MTPs and the bootstrap
 * certificate that use them. None shares state with our code, so a separate copy is safe.
 */
const LAZY_PACKAGES = ['protobufjs', 'yargs', 'mqtt', 'coap', 'node-forge'];
const chunkOf = (name) => `chunks/${name}.cjs`;

/**
 * Our `import x from 'pkg'` of a LAZY_PACKAGES entry becomes a stand-in that requires
 * dist/chunks/pkg.cjs. The codec imports protobufjs on the start path, so its stand-in is a
 * Proxy that loads on the first property read (agent/codec/loader.ts; the codec's API stays
 * synchronous); the others are imported only by modules loaded with import(), which esbuild
 * runs on first use, so a plain require() there is already lazy. yargs is an ES module: its
 * chunk's `default` is what `import yargs from 'yargs'` names. Only our own imports are
 * redirected: a package's imports of another stay inside its chunk.
 * @type {import('esbuild').Plugin}
 */
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_PACKAGES.join('|')})$`);
    b.onResolve({ filter }, (a) => (a.importer.includes('/node_modules/') || a.namespace === 'lazy-packages' ? undefined : { path: a.path, namespace: 'lazy-packages' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-packages' }, (a) => ({
      resolveDir: new URL('../datamodel/', import.meta.url).pathname,
      loader: 'js',
      contents:
        a.path === 'protobufjs'
          ? `import { fileURLToPath } from 'node:url';
import { packageFile } from './package-root.ts';
let loaded;
const load = () => (loaded ??= require(fileURLToPath(packageFile('dist/${chunkOf('protobufjs')}'))));
export default new Proxy({}, { get: (_, name) => load()[name], has: (_, name) => name in load() });`
          : `const { fileURLToPath } = require('node:url');
const { packageFile } = require('./package-root.ts');
module.exports = require(fileURLToPath(packageFile('dist/${chunkOf(a.path)}')))${a.path === 'yargs' ? '.default' : ''};`,
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The sources (and yargs) read import.meta.url: in a CommonJS file it is the file's own URL.
  // ws's optional native speed-ups (bufferutil, utf-8-validate) are switched off by ws's own
  // variables, so the bundle never looks for them: pure JavaScript is the rule on the router
  // (no node_modules there), and a checkout that has them installed starts the same code
  // instead of spending ~3 ms of its start resolving and loading a native addon.
  define: {
    'import.meta.url': '__usp_agent_import_meta_url',
    'process.env.WS_NO_BUFFER_UTIL': '"1"',
    'process.env.WS_NO_UTF_8_VALIDATE': '"1"',
  },
  banner: { js: "var __usp_agent_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  minifyWhitespace: true,
  minifySyntax: true,
  // Short local names, keeping function and class names (what stack traces and errors show; a
  // whitespace-minified file has no useful line numbers anyway): the OpenWrt package's 1 MiB
  // bound (tools/package-openwrt.mjs) was reached.
  minifyIdentifiers: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * keepNames makes esbuild wrap every named function and class of ours in a helper that redefines
 * its `name` (`__name(() => ..., "run")`). V8 keeps `name` as a shared accessor until then; the
 * redefinition turns the function's properties into a hash table of ~256 bytes, paid again by
 * every closure made at run time: ~20 per idle fleet gateway and ~33 once read whole (issue 14:
 * 5 and 9 KiB per gateway). The helper is rewritten to name only what has an own `prototype`
 * (classes and `function`s, mostly made once, at module level; Object.hasOwn, since reading
 * `prototype` would make the prototype object) and to leave arrow functions and methods as they
 * are: those are the closures made per object, and a method keeps its name anyway (property names
 * are not minified). Stack frames and `util.inspect` still name classes and functions. The build
 * fails if the bundle's helper has another shape, so a new esbuild version is looked at again
 * (test/integration/bundle-closure-names.test.ts checks the shipped bundle and what V8 makes of
 * both helpers).
 */
const NAME_HELPER = /var ([\w$]+)=\(([\w$]+),([\w$]+)\)=>([\w$]+)\(\2,"name",\{value:\3,configurable:!0\}\);/g;
function nameClassesAndFunctionsOnly(file) {
  const code = readFileSync(file, 'utf8');
  const found = code.match(NAME_HELPER)?.length ?? 0;
  if (found !== 1) throw new Error(`${file}: esbuild's keepNames helper found ${found} times; check tools/bundle.mjs nameClassesAndFunctionsOnly against this esbuild version`);
  writeFileSync(file, code.replace(NAME_HELPER, 'var $1=($2,$3)=>Object.hasOwn($2,"prototype")?$4($2,"name",{value:$3,configurable:!0}):$2;'));
}

const main = await build({
  ...common,
  // The modules our code loads with import() (platforms, MTPs, CLI commands) are in this file
  // too, but esbuild runs each only on its first import(): they cost reading and, without a code
  // cache, a pre-parse, no start-up work.
  entryPoints: ['agent/cli/start.ts'],
  outfile: 'dist/usp-agent.cjs',
  plugins: [lazyPackages],
  metafile: true,
});

/**
 * The OpenWrt package's bundle (tools/package-openwrt.mjs ships it as dist/usp-agent.cjs): the same
 * entry without the generic Linux platform, which a router never runs (OpenWrt is detected there,
 * and --platform openwrt is what the package's init script passes) and whose code took the ipk over
 * its 1 MiB bound. Its import() in agent/builtin-platforms.ts becomes a module that throws, so
 * `--platform linux` from the package fails at start saying so. The OpenWrt platform's own imports
 * of platform/linux/ files (shared parsers, nft tables, the QoS and filter classes) stay.
 * @type {import('esbuild').Plugin}
 */
const withoutLinuxPlatform = {
  name: 'without-linux-platform',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/platform\/linux\/index\.js$/ }, (a) => (a.importer.endsWith('agent/builtin-platforms.ts') ? { path: a.path, namespace: 'not-in-package' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'not-in-package' }, () => ({
      loader: 'js',
      contents: `throw new Error('--platform linux is not in the OpenWrt package (it has openwrt, simulated and none): run the npm package or the Docker image for generic Linux');`,
    }));
  },
};

await build({ ...common, entryPoints: ['agent/cli/start.ts'], outfile: 'dist/usp-agent.openwrt.cjs', plugins: [withoutLinuxPlatform, lazyPackages] });

// The first line names each build by its content: bin/code-cache.js keys the V8 code cache on it,
// because V8 itself checks only the length of the source the cache was made for.
for (const file of ['dist/usp-agent.cjs', 'dist/usp-agent.openwrt.cjs']) {
  nameClassesAndFunctionsOnly(file);
  const code = readFileSync(file, 'utf8');
  writeFileSync(file, `// usp-agent build ${createHash('sha256').update(code).digest('hex')}\n${code}`);
}

/**
 * MQTT.js drops the previous session's Topic Alias cache with `delete client.topicAliasSend` at
 * every CONNACK. Deleting a property that was not the last one added turns a V8 object into a
 * hash table: each client then held ~1.6 KB of dictionary properties instead of ~0.4 KB of
 * fields, 10,000 times over in a fleet (issue 14). Setting it to undefined is the same to MQTT.js
 * (it only ever tests the property for truth), so the chunk says that instead. The build fails if
 * the statement is not found, so a new MQTT.js version is looked at again rather than skipped
 * (test/integration/mqtt-client-shape.test.ts checks both the chunk and MQTT.js as published).
 * @type {import('esbuild').Plugin}
 */
const mqttClientShape = {
  name: 'mqtt-client-shape',
  setup(b) {
    b.onLoad({ filter: /[\\/]mqtt[\\/]build[\\/]lib[\\/]handlers[\\/]connack\.js$/ }, (a) => {
      const source = readFileSync(a.path, 'utf8');
      const statement = "delete client['topicAliasSend'];";
      if (!source.includes(statement)) throw new Error(`${a.path}: "${statement}" not found; check tools/bundle.mjs mqttClientShape against this MQTT.js version`);
      return { contents: source.replace(statement, "client['topicAliasSend'] = undefined;"), loader: 'js' };
    });
  },
};

/** @type {Record<string, string[]>} */
const chunkInputs = {};
for (const name of LAZY_PACKAGES) {
  // The MTP packages without keepNames: their names show only in their own messages, and they make
  // functions per connection (readable-stream binds a named function per stream) that a redefined
  // name would make hash tables of ~256 bytes, three per MQTT client (issue 14).
  const keepNames = name !== 'mqtt' && name !== 'coap';
  const chunk = await build({ ...common, keepNames, entryPoints: [name], outfile: `dist/${chunkOf(name)}`, plugins: name === 'mqtt' ? [mqttClientShape] : [], metafile: true });
  chunkInputs[name] = Object.keys(chunk.metafile.inputs);
}

// What went into which file, and how the bundle's modules import each other: the minified files
// no longer name their modules, so test/integration/bundle-start-path.test.ts reads this instead.
// Not shipped (tools/package-openwrt.mjs takes only the bundle and the chunks it requires).
const imports = Object.fromEntries(Object.entries(main.metafile.inputs).map(([path, i]) => [path, i.imports.filter((m) => !m.external).map((m) => ({ path: m.path, kind: m.kind }))]));
writeFileSync('dist/bundle-meta.json', `${JSON.stringify({ bundle: imports, chunks: chunkInputs })}\n`);

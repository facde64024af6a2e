// Runs the CommonJS bundle dist/usp-agent.cjs (tools/bundle.mjs) through node:vm with a V8 code
// cache, so a start does not compile the ~800 KB of JavaScript again (Node 20 has no compile
// cache of its own: module.enableCompileCache is Node 22.1+). Measured with
// bench/startup-only.ts: see README "Memory". The cache is an optimisation only: when it is
// missing, stale, not ours or rejected by V8, the bundle is compiled as usual and the cache
// written again; USP_AGENT_CODE_CACHE=off neither reads nor writes it.
// CommonJS, like the launcher (bin/package.json): see there.
'use strict';
const { lstatSync, mkdirSync, readFileSync, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const { debuglog } = require('node:util');
const vm = require('node:vm');

/** NODE_DEBUG=usp-agent-code-cache says on stderr whether the cache was used and where it went. */
const debug = debuglog('usp-agent-code-cache');

/** After this long the start (and the first requests) compiled what they need: that goes in the cache. */
const WRITE_AFTER_MS = 2000;
const HEADER = 'usp-agent V8 code cache 1';

/**
 * The cache's first line. V8 checks its own version and flags but of the source only its length,
 * so a cache is used only for the very build (the bundle's first line, tools/bundle.mjs), bundle
 * file (size, modification time: not edited since) and Node binary that wrote it.
 * @param {string} bundle
 * @param {string} source the bundle's text
 */
function cacheKey(bundle, source) {
  const st = statSync(bundle);
  const build = source.startsWith('// usp-agent build ') ? source.slice(19, source.indexOf('\n')) : '-';
  return `${HEADER} ${build} ${process.execPath} ${process.version} ${process.arch} ${st.size} ${st.mtimeMs}\n`;
}

/**
 * Where the cache may live, in order: beside the bundle when the agent may write there (npm
 * install, the Docker image's build and run stages, a checkout), else a directory of this user's
 * own under the temporary directory (the OpenWrt package's /usr/lib/usp-agent is read-only on
 * squashfs; /tmp is RAM there, so the first start after each boot writes it again).
 * @param {string} bundle
 */
function cacheFiles(bundle) {
  const uid = process.getuid?.() ?? 0;
  return [`${bundle}.v8cache`, join(tmpdir(), `usp-agent-code-cache-${uid}`, 'usp-agent.cjs.v8cache')];
}

/**
 * A cache file is bytecode the agent will run: only one that nobody else could have written is
 * read (the file and its directory owned by this user or root, not writable by group or others,
 * like the bundle itself).
 * @param {string} path
 */
function ours(path) {
  const uid = process.getuid?.() ?? 0;
  const st = lstatSync(path);
  return (st.uid === uid || st.uid === 0) && (st.mode & 0o022) === 0 && !st.isSymbolicLink();
}

/**
 * The cached data for `bundle` from the first cache file that is trusted and carries its key.
 * @param {string} bundle
 * @param {string} key cacheKey(bundle)
 * @returns {Buffer | undefined}
 */
function readCache(bundle, key) {
  for (const file of cacheFiles(bundle)) {
    try {
      if (!ours(dirname(file)) || !ours(file)) continue;
      const data = readFileSync(file);
      if (data.subarray(0, key.length).toString('latin1') === key) return data.subarray(key.length);
    } catch {
      /* missing or unreadable: try the next, else compile */
    }
  }
  return undefined;
}

/**
 * Writes the key and the cached data to the first place that takes it.
 * @param {string} bundle
 * @param {string} key
 * @param {Buffer} data
 * @param {(file: string, data: Uint8Array) => void} writeAtomic crash-safe replacement of a file
 * @returns {string | undefined} the file written
 */
function writeCache(bundle, key, data, writeAtomic) {
  for (const file of cacheFiles(bundle)) {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      if (!ours(dirname(file))) continue;
      writeAtomic(file, Buffer.concat([Buffer.from(key, 'latin1'), data]));
      debug('written %s (%d bytes)', file, data.length);
      return file;
    } catch (e) {
      debug('cannot write %s: %s', file, /** @type {Error} */ (e).message);
    }
  }
  return undefined;
}

/**
 * Compiles `source` as the body of a CommonJS module function, with `cachedData` when given.
 * @param {string} bundle the file name (stack traces, import.meta.url of the bundle)
 * @param {string} source
 * @param {Buffer | undefined} cachedData
 */
function compile(bundle, source, cachedData) {
  return new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/**
 * Runs the bundle, with the code cache when V8 accepts it; when it did not (or there was none),
 * `run` writes a new one WRITE_AFTER_MS later, or at exit if sooner, with what has been compiled
 * by then, through the bundle's own crash-safe writer (datamodel/store/atomic-write.ts, exported
 * by agent/cli/start.ts).
 * @param {string} bundle absolute path of dist/usp-agent.cjs
 */
function runBundle(bundle) {
  const useCache = process.env.USP_AGENT_CODE_CACHE !== 'off';
  const source = readFileSync(bundle, 'utf8');
  const key = useCache ? cacheKey(bundle, source) : '';
  const cachedData = useCache ? readCache(bundle, key) : undefined;
  const script = compile(bundle, source, cachedData);
  const module = { exports: {} };
  // Code restored from a V8 code cache has no dynamic-import callback on Node 20: the bundle
  // imports --plugin modules through this one (agent/plugins/load-plugins.ts).
  Object.defineProperty(globalThis, Symbol.for('usp-agent.import'), { value: (/** @type {string} */ url) => import(url) });
  debug(cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted');
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  // Only `run` writes one: the cache is for the agent's start; the commands use it when it is there.
  if (useCache && process.argv[2] === 'run' && (cachedData === undefined || script.cachedDataRejected === true)) {
    const { writeFileAtomicSync } = /** @type {{ writeFileAtomicSync: (f: string, d: Uint8Array) => void }} */ (module.exports);
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      writeCache(bundle, key, script.createCachedData(), writeFileAtomicSync);
    };
    // Whichever comes first: WRITE_AFTER_MS, or the exit of an agent stopped sooner (both synchronous).
    setTimeout(write, WRITE_AFTER_MS).unref();
    process.once('exit', write);
  }
}

module.exports = { cacheKey, cacheFiles, readCache, writeCache, compile, runBundle };

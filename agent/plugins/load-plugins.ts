/**
 * Loading the `--plugin FILE` modules at start, after the platform and before any MTP listens:
 * each is imported (an ES module, or CommonJS through Node's interop), its register function
 * found and called with its PluginApi. Anything wrong (no file, a syntax error, no register
 * function, a throw or rejection in it, a bad path or name, a clash) stops the start with one
 * message naming the plugin file, what was wrong and the fix.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { BurstLog } from './burst-log.js';
import type { PluginApi, PluginExport, PluginRegister } from './plugin-api.js';
import { pluginApi, type PluginTargets } from './plugin-host.js';
import { PluginUsageError } from './vendor-defs.js';

/** A plugin that could not be loaded: the start stops with this message. */
export class PluginError extends Error {
  constructor(
    readonly file: string,
    what: string,
    fix: string,
  ) {
    super(`--plugin ${file}: ${what}; ${fix}`);
  }
}

export interface LoadPluginsOptions {
  vendorPrefix?: string;
  log: Logger;
}

/** Loads every plugin in order; returns their names. `targets` receives the backends they register. */
export async function loadPlugins(model: DataModel, files: readonly string[], targets: PluginTargets, opts: LoadPluginsOptions): Promise<string[]> {
  const failures = new BurstLog(opts.log.child('plugin'));
  const names: string[] = [];
  for (const file of files) {
    const { name, register } = await importPlugin(file);
    const api: PluginApi = pluginApi(model, targets, {
      name,
      file,
      vendorPrefix: opts.vendorPrefix,
      log: opts.log.child(`plugin:${name}`),
      guard: { plugin: name, file, failures },
    });
    try {
      await register(api);
    } catch (e) {
      if (e instanceof PluginUsageError) throw new PluginError(file, e.what, e.fix);
      throw new PluginError(file, `register() failed: ${e instanceof Error ? e.message : String(e)}`, "fix the plugin's register() or leave the --plugin option out");
    }
    names.push(name);
    opts.log.info('plugin loaded', { plugin: name, file });
  }
  return names;
}

/**
 * import() of a file outside the bundle. The bundle runs through node:vm with a V8 code cache
 * (bin/code-cache.js), and on Node 20 code restored from that cache has lost the script's
 * dynamic-import callback ("A dynamic import callback was not specified"), whatever form the
 * import() takes inside it. So the launcher, an ordinary ES module, lends its own import() under
 * BUNDLE_IMPORT; the module tree (dist/agent/...) imports directly.
 */
const BUNDLE_IMPORT = Symbol.for('usp-agent.import');
function importModule(url: string): Promise<unknown> {
  const lent = (globalThis as Record<symbol, unknown>)[BUNDLE_IMPORT];
  return typeof lent === 'function' ? (lent as (u: string) => Promise<unknown>)(url) : import(url);
}

async function importPlugin(file: string): Promise<{ name: string; register: PluginRegister }> {
  const abs = resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new PluginError(file, `no such file (${abs})`, 'give the path of a JavaScript module (.mjs, .js or .cjs)');
  let mod: Record<string, unknown>;
  try {
    mod = (await importModule(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new PluginError(file, `the module could not be loaded: ${e instanceof Error ? e.message : String(e)}`, 'fix the module (node --check FILE shows syntax errors)');
  }
  const exported = (mod.default ?? mod.register ?? mod.plugin) as PluginExport | { default?: PluginExport } | undefined;
  // CommonJS `module.exports = { register }` arrives as default; an ES module's default may hold `{ name, register }`.
  const candidate = typeof exported === 'object' && exported !== null && 'default' in exported && exported.default ? exported.default : exported;
  const fallback = basename(abs).replace(/\.[cm]?js$/, '');
  if (typeof candidate === 'function') return { name: fallback, register: candidate };
  if (candidate && typeof candidate === 'object' && 'register' in candidate && typeof candidate.register === 'function') {
    const name = typeof candidate.name === 'string' && candidate.name !== '' ? candidate.name : fallback;
    return { name, register: candidate.register.bind(candidate) };
  }
  throw new PluginError(file, 'it exports no register function', 'export default function register(api) { ... } (or export default { name, register })');
}

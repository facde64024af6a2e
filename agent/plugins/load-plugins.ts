/**
 * Loading the `--plugin FILE` modules at start, in two steps. First, before the platform starts,
 * each is imported (an ES module, or CommonJS through Node's interop) and its register function
 * and the platforms it brings (`platforms`, registry entries `--platform NAME` can choose) are
 * found. Then, after the platform and before any MTP listens, each register function is called
 * with its PluginApi. Anything wrong (no file, a syntax error, no register function, a malformed
 * platform entry, a throw or rejection in it, a bad path or name, a clash) stops the start with
 * one message naming the plugin file, what was wrong and the fix.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { PlatformEntry } from '../platform-registry.js';
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

/** A plugin module imported, its register function not called yet. */
export interface ImportedPlugin {
  file: string;
  name: string;
  register: PluginRegister;
  /** The `--platform` values it brings (plugin-api.ts PluginObject.platforms). */
  platforms: PlatformEntry[];
}

/** Imports every plugin in order (before the platform starts: some bring platforms). */
export async function importPlugins(files: readonly string[]): Promise<ImportedPlugin[]> {
  const out: ImportedPlugin[] = [];
  for (const file of files) out.push({ file, ...(await importPlugin(file)) });
  return out;
}

/** Imports and registers every plugin in order; returns their names. `targets` receives the backends they register. */
export async function loadPlugins(model: DataModel, files: readonly string[], targets: PluginTargets, opts: LoadPluginsOptions): Promise<string[]> {
  return registerPlugins(model, await importPlugins(files), targets, opts);
}

/** Calls each imported plugin's register function, in order; returns their names. */
export async function registerPlugins(model: DataModel, plugins: readonly ImportedPlugin[], targets: PluginTargets, opts: LoadPluginsOptions): Promise<string[]> {
  const failures = new BurstLog(opts.log.child('plugin'));
  const names: string[] = [];
  for (const { file, name, register } of plugins) {
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

/** A `--platform` name: what a command line and a UCI option can carry without quoting. */
const PLATFORM_NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** The platform entries a plugin exports (`platforms`), checked so a malformed one fails the start naming the plugin. */
function platformEntries(file: string, value: unknown): PlatformEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PluginError(file, '`platforms` is not an array', 'export platforms: [{ name, start(model, opts) }]');
  return value.map((e: unknown) => {
    const entry = e as Partial<PlatformEntry> | null;
    if (!entry || typeof entry.name !== 'string' || !PLATFORM_NAME_RE.test(entry.name) || typeof entry.start !== 'function' || (entry.detect !== undefined && typeof entry.detect !== 'function')) {
      throw new PluginError(
        file,
        `platform entry ${JSON.stringify(entry?.name ?? null)} is malformed`,
        'give { name, start(model, opts), detect?() } with a name of lower-case letters, digits, - and _',
      );
    }
    return entry as PlatformEntry;
  });
}

async function importPlugin(file: string): Promise<{ name: string; register: PluginRegister; platforms: PlatformEntry[] }> {
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
  if (typeof candidate === 'function') return { name: fallback, register: candidate, platforms: platformEntries(file, mod.platforms) };
  if (candidate && typeof candidate === 'object') {
    const platforms = platformEntries(file, 'platforms' in candidate ? candidate.platforms : mod.platforms);
    const name = 'name' in candidate && typeof candidate.name === 'string' && candidate.name !== '' ? candidate.name : fallback;
    if ('register' in candidate && typeof candidate.register === 'function') return { name, register: candidate.register.bind(candidate), platforms };
    // A plugin that only brings platforms needs no register function.
    if (!('register' in candidate) && platforms.length > 0) return { name, register: () => undefined, platforms };
  }
  const only = candidate === undefined ? platformEntries(file, mod.platforms) : [];
  if (only.length > 0) return { name: fallback, register: () => undefined, platforms: only };
  throw new PluginError(file, 'it exports no register function', 'export default function register(api) { ... } (or export default { name, register })');
}

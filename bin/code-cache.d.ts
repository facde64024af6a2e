// Types of code-cache.js (plain JavaScript: the launcher runs before anything is compiled).
import type vm from 'node:vm';

/** The cache's first line: this build (the bundle's first line), bundle file (size, modification time) and Node binary. */
export function cacheKey(bundle: string, source: string): string;
/** Where the cache may live, in order: beside the bundle, else a private directory under the temporary one. */
export function cacheFiles(bundle: string): string[];
/** The cached data from the first cache file that is ours and carries `key`. */
export function readCache(bundle: string, key: string): Buffer | undefined;
/** Writes key and data to the first place that takes it; the file written. */
export function writeCache(bundle: string, key: string, data: Buffer, writeAtomic: (file: string, data: Uint8Array) => void): string | undefined;
/** Compiles `source` as the body of a CommonJS module function, with `cachedData` when given. */
export function compile(bundle: string, source: string, cachedData: Buffer | undefined): vm.Script;
/** Runs the bundle with the code cache when V8 accepts it; `run` writes a new one when it did not. */
export function runBundle(bundle: string): void;

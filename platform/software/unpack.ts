/**
 * Unpacking a downloaded package into a Deployment Unit's directory, shared by the execution
 * environments: a .tar.gz is read (bounded), checked against the space left, and written out;
 * anything else is left to the EE to accept or refuse.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PackageError } from './ExecutionEnvironment.js';
import { CorruptArchive, extractTo, looksGzipped, readTarGz, type TarEntry } from './tar-gz.js';

export const MAX_PACKAGE_ENTRIES = 2000;
/** Largest unpacked package, whatever the space left: it is held in memory while it is read. */
export const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;

/**
 * The entries of `file` when it is a .tar.gz (undefined when it is not), written under `dir`.
 * `maxBytes` (the space left; -1 unknown) bounds the unpacked size, as does MAX_UNPACKED_BYTES:
 * more is 7227 (System Resources Exceeded).
 */
export async function unpackTarGz(file: string, dir: string, maxBytes: number): Promise<TarEntry[] | undefined> {
  const data = await readFile(file);
  if (!looksGzipped(data)) return undefined;
  if (maxBytes < 0 || maxBytes > MAX_UNPACKED_BYTES) maxBytes = MAX_UNPACKED_BYTES;
  let entries: TarEntry[];
  try {
    entries = readTarGz(data, { maxEntries: MAX_PACKAGE_ENTRIES, maxBytes: Math.max(maxBytes, 1024) });
  } catch (e) {
    // zlib stops at maxOutputLength with a RangeError-like message: the package is too big, not corrupt.
    if (e instanceof CorruptArchive && /maxOutputLength|larger than|exceeds/i.test(e.message)) throw new PackageError(7227, `the unpacked package is over the ${maxBytes} bytes available`);
    if (e instanceof CorruptArchive) throw new PackageError(7035, `corrupt package: ${e.message}`);
    throw e;
  }
  const size = entries.reduce((n, e) => n + e.data.length, 0);
  if (size > maxBytes) throw new PackageError(7227, `the unpacked package (${size} bytes) is over the ${maxBytes} bytes available`);
  await extractTo(dir, entries);
  return entries;
}

/** Bytes used by the files under `dir` (0 when it does not exist), walking at most `maxEntries`. */
export async function treeSize(dir: string, maxEntries = 100_000): Promise<number> {
  let total = 0;
  let seen = 0;
  const walk = async (d: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      return;
    }
    for (const n of names) {
      if (++seen > maxEntries) return;
      const p = join(d, n);
      const s = await stat(p).catch(() => undefined);
      if (!s) continue;
      if (s.isDirectory()) await walk(p);
      else total += s.size;
    }
  };
  await walk(dir);
  return total;
}

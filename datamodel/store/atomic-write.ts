/**
 * Crash-safe file replacement: write a temporary file, fsync it, rename it over the target,
 * fsync the directory. After a power cut the file is either the old or the new version, never
 * a mix (the persistence requirement of the LocalAgent issue).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/** `mode`: the new file's permissions (default owner only; 0o644 for a file another daemon reads after dropping root). */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDirectory(dirname(file));
}

/** Makes a directory's entries (a rename, a new or removed file) durable. */
export async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } catch {
    /* some filesystems cannot fsync a directory; rename is still atomic */
  } finally {
    await dir.close();
  }
}

/**
 * The same replacement, synchronously, creating the directory: for small state files (firmware
 * markers, the staged image's record) that must be durable before the next statement runs, e.g.
 * right before a reboot.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    /* some filesystems cannot fsync a directory; rename is still atomic */
  }
}

/** The JSON in `file`, or undefined when it is absent or unreadable (a torn write cannot happen, see above). */
export function readJsonFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

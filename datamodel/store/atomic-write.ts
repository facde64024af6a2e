/**
 * Crash-safe file replacement: write a temporary file, fsync it, rename it over the target,
 * fsync the directory. After a power cut the file is either the old or the new version, never
 * a mix (the persistence requirement of the LocalAgent issue).
 */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
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
  try { await dir.sync(); } catch { /* some filesystems cannot fsync a directory; rename is still atomic */ } finally { await dir.close(); }
}

/**
 * Software packages for the SoftwareModules tests, made by the real `tar` (GNU tar or busybox):
 * a .tar.gz holding `manifest.json` and the given files, as docs/software-modules.md describes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Manifest {
  name?: string;
  version?: string;
  vendor?: string;
  description?: string;
  executionUnits?: Array<{ name?: string; entryPoint?: string[]; autoStart?: boolean; description?: string }>;
}

/** A .tar.gz of `files` (path → content; names ending in .sh are made executable) plus manifest.json when given. */
export function tarGz(files: Record<string, string>, manifest?: Manifest): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'usp-sw-pkg-'));
  try {
    const all = manifest ? { ...files, 'manifest.json': JSON.stringify(manifest) } : files;
    for (const [path, text] of Object.entries(all)) {
      const file = join(dir, 'root', path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      if (path.endsWith('.sh')) chmodSync(file, 0o755);
    }
    execFileSync('tar', ['-czf', join(dir, 'p.tar.gz'), '-C', join(dir, 'root'), '.']);
    return readFileSync(join(dir, 'p.tar.gz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A file that starts like gzip but is not: the "corrupt package" case. */
export function corruptGzip(): Buffer {
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(200, 0x5a)]);
}

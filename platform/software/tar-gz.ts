/**
 * Reads the packages the execution environments take: gzip-compressed tar archives (POSIX ustar,
 * with the GNU long-name and pax path extensions that GNU tar and busybox write). Bounded (a
 * number of entries and an unpacked size), and safe: a name that would land outside the target
 * directory (absolute, `..`) and links of any kind make the package corrupt, never a write.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface TarEntry {
  /** Relative path, normalised, no leading "./". */
  path: string;
  kind: 'file' | 'dir';
  mode: number;
  data: Buffer;
}

export interface TarLimits {
  maxEntries: number;
  /** Largest unpacked size, bytes (the gzip stream included). */
  maxBytes: number;
}

/** Why an archive cannot be read; the caller maps it to 7035 (Corrupt Data). */
export class CorruptArchive extends Error {
  override readonly name = 'CorruptArchive';
}

const BLOCK = 512;

/** Whether `head` starts like a gzip stream (RFC 1952 magic). */
export function looksGzipped(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The entries of a .tar.gz held in `gz`. */
export function readTarGz(gz: Buffer, limits: TarLimits): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: limits.maxBytes });
  } catch (e) {
    throw new CorruptArchive(`not a readable gzip stream (${e instanceof Error ? e.message : String(e)})`);
  }
  const out: TarEntry[] = [];
  let longName: string | undefined;
  for (let off = 0; off + BLOCK <= tar.length;) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (!checksumOk(h)) throw new CorruptArchive(`bad tar header checksum at byte ${off}`);
    const size = octal(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] || 0x30);
    const body = tar.subarray(off + BLOCK, off + BLOCK + size);
    if (body.length < size) throw new CorruptArchive('the archive ends inside an entry');
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = cString(body);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(body) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const prefix = cString(h.subarray(345, 500));
    const raw = longName ?? (prefix ? `${prefix}/${cString(h.subarray(0, 100))}` : cString(h.subarray(0, 100)));
    longName = undefined;
    const path = safePath(raw);
    if (type !== '0' && type !== '5' && type !== '7') throw new CorruptArchive(`${raw}: links and special files are not accepted`);
    if (out.length >= limits.maxEntries) throw new CorruptArchive(`more than ${limits.maxEntries} entries`);
    if (path === '') continue;
    out.push({ path, kind: type === '5' ? 'dir' : 'file', mode: octal(h.subarray(100, 108)) & 0o755, data: type === '5' ? Buffer.alloc(0) : Buffer.from(body) });
  }
  return out;
}

/** Writes `entries` under `dir` (which exists). */
export async function extractTo(dir: string, entries: readonly TarEntry[]): Promise<void> {
  for (const e of entries) {
    const target = join(dir, e.path);
    if (e.kind === 'dir') {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, e.data, { mode: e.mode | 0o600 });
  }
}

function safePath(raw: string): string {
  if (raw.startsWith('/')) throw new CorruptArchive(`${raw}: absolute path`);
  const p = normalize(raw).replace(/\/+$/, '');
  if (p === '.') return '';
  if (p === '..' || p.startsWith(`..${sep}`)) throw new CorruptArchive(`${raw}: path leaves the package`);
  return p.replace(/^\.\//, '');
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === octal(h.subarray(148, 156));
}

function octal(b: Buffer): number {
  const s = cString(b).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new CorruptArchive(`bad octal field ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
}

/** The `path=` record of a pax extended header. */
function paxPath(body: Buffer): string | undefined {
  for (const line of body.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

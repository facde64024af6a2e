/**
 * The package format the execution environments share (docs/software-modules.md): a .tar.gz
 * with `manifest.json` at its root naming the Deployment Unit and its Execution Units:
 *
 *   { "name": "hello", "version": "1.2.0", "vendor": "Example", "description": "...",
 *     "executionUnits": [ { "name": "hello", "entryPoint": ["./run.sh"], "autoStart": false } ] }
 *
 * Without a manifest (or for a file that is no tar.gz, on the simulated EE) the name and version
 * come from the URL's file name ("hello-1.2.0.tar.gz" → hello, 1.2.0) and there is one EU
 * named like the unit.
 */
import type { ExecutionUnitSpec, UnpackedUnit } from './ExecutionEnvironment.js';
import { CorruptArchive, type TarEntry } from './tar-gz.js';

export const MANIFEST = 'manifest.json';
/** Bounds on what a manifest may declare (TR-181 strings: Name 32, Version 32, Description 256). */
const MAX_EUS = 16;

/** Name and version from the URL's last segment, e.g. ".../hello-1.2.0.tar.gz" → hello, 1.2.0. */
export function nameFromUrl(url: string): { name: string; version: string } {
  let seg = '';
  try {
    seg = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    /* not a URL or bad %-escape: no name from it */
  }
  const base = seg.replace(/\.(tar\.gz|tgz|gz|tar|ipk|bin|img|zip)$/i, '') || 'unit';
  const m = /^(.*?)[-_]v?(\d+(?:\.\d+)*[0-9A-Za-z.+~-]*)$/.exec(base);
  return m ? { name: m[1]!.slice(0, 64), version: m[2]!.slice(0, 32) } : { name: base.slice(0, 64), version: '1.0' };
}

/** The unit a package describes: its manifest, or the URL's name with one EU. */
export function unitFrom(entries: readonly TarEntry[] | undefined, url: string): UnpackedUnit {
  const file = entries?.find((e) => e.kind === 'file' && e.path === MANIFEST);
  const fallback = nameFromUrl(url);
  if (!file) return { ...fallback, vendor: '', description: '', executionUnits: [euSpec({}, fallback.name, fallback.version, '')] };
  let m: unknown;
  try {
    m = JSON.parse(file.data.toString('utf8'));
  } catch (e) {
    throw new CorruptArchive(`${MANIFEST} is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(m)) throw new CorruptArchive(`${MANIFEST} is not an object`);
  const name = str(m.name, 64) || fallback.name;
  const version = str(m.version, 32) || fallback.version;
  const vendor = str(m.vendor, 128);
  const eus = m.executionUnits === undefined ? [{}] : m.executionUnits;
  if (!Array.isArray(eus) || eus.length > MAX_EUS || !eus.every(isRecord)) throw new CorruptArchive(`${MANIFEST}: executionUnits must be a list of at most ${MAX_EUS} objects`);
  const specs = (eus as Array<Record<string, unknown>>).map((e, i) => euSpec(e, eus.length === 1 ? name : `${name}-${i + 1}`, version, vendor));
  if (new Set(specs.map((s) => s.label)).size !== specs.length) throw new CorruptArchive(`${MANIFEST}: two execution units have the same name`);
  return { name, version, vendor, description: str(m.description, 256), executionUnits: specs };
}

function euSpec(e: Record<string, unknown>, defaultName: string, version: string, vendor: string): ExecutionUnitSpec {
  const name = str(e.name, 32) || defaultName.slice(0, 32);
  const entry = e.entryPoint;
  if (entry !== undefined && (!Array.isArray(entry) || entry.length === 0 || !entry.every((a) => typeof a === 'string'))) {
    throw new CorruptArchive(`${MANIFEST}: entryPoint of ${name} must be a non-empty list of strings`);
  }
  return {
    name,
    label: name,
    vendor: str(e.vendor, 128) || vendor,
    version: str(e.version, 32) || version,
    description: str(e.description, 256),
    autoStart: e.autoStart === true,
    ...(entry ? { entryPoint: entry as string[] } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, max: number): string {
  return typeof v === 'string' ? v.slice(0, max) : '';
}

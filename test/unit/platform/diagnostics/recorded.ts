/** The recorded ping/traceroute runs of test/fixtures/diagnostics (see its README). */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../../fixtures/diagnostics/', import.meta.url));

export interface Recording {
  stdout: string;
  stderr: string;
  exit: number;
}

export function recording(name: string): Recording {
  const read = (ext: string): string => readFileSync(`${DIR}${name}.${ext}`, 'utf8');
  return { stdout: read('stdout'), stderr: read('stderr'), exit: Number(read('exit').trim()) };
}

/** Every recording's name, e.g. "busybox-ping-timeout". */
export function recordingNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.stdout'))
    .map((f) => f.slice(0, -'.stdout'.length))
    .sort();
}

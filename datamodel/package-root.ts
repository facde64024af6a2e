/**
 * Files shipped beside the code (the generated schema, the .proto files, package.json) are
 * found relative to the package root, wherever the running code sits: source (vitest), the
 * compiled tree in dist/, the bundle dist/usp-agent.mjs or one of its chunks in dist/chunks/.
 */
import { existsSync, readFileSync } from 'node:fs';

const PACKAGE_NAME = 'usp-agent';
/** How many directories up to look; the deepest layout is dist/agent/codec/. */
const MAX_DEPTH = 6;

let root: URL | undefined;

/** The package's root directory (the one holding package.json named usp-agent). */
export function packageRoot(): URL {
  if (root) return root;
  let dir = new URL('./', import.meta.url);
  for (let i = 0; i < MAX_DEPTH; i++) {
    const pkg = new URL('package.json', dir);
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return (root = dir);
      } catch {
        /* not ours; keep looking */
      }
    }
    dir = new URL('../', dir);
  }
  throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${import.meta.url}`);
}

/** A file inside the package, by its path from the root (e.g. "datamodel/schema/tr181-schema.json"). */
export function packageFile(path: string): URL {
  return new URL(path, packageRoot());
}

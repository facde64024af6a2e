#!/usr/bin/env node
// Import direction check (docs/style.md, "Layers and imports"): datamodel imports nothing of ours; mtp and
// platform import only datamodel; agent may import all. Runs in `npm test`, so CI fails on a break.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const ALLOWED = {
  datamodel: ['datamodel'],
  mtp: ['datamodel', 'mtp'],
  platform: ['datamodel', 'platform'],
  agent: ['datamodel', 'mtp', 'platform', 'agent'],
};
const LAYERS = Object.keys(ALLOWED);
const IMPORT_RE = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

const breaks = [];
for (const layer of LAYERS) {
  for (const file of files(join(root, layer))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const target = relative(root, resolve(dirname(file), m[1]));
      const targetLayer = target.split('/')[0];
      if (!ALLOWED[layer].includes(targetLayer)) breaks.push(`${relative(root, file)} imports ${m[1]} (${layer} must not import ${targetLayer})`);
    }
  }
}
if (breaks.length) {
  console.error(`layer check failed:\n  ${breaks.join('\n  ')}`);
  process.exit(1);
}
console.log('layer check: ok');

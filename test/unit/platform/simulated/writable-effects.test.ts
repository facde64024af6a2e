/**
 * The audit of what a Set changes on the simulated gateway (issue 13: every writable parameter of
 * a claimed profile takes effect): every readWrite parameter of every profile the gateway meets
 * (the pinned test/fixtures/profiles/simulated.json, items from the generated
 * tr181-profiles.json) has an entry in writable-effects.ts, and each one that only stores its
 * value is listed, with its reason, in docs/platform-mapping.md. Run with WRITABLE_EFFECTS=print
 * to print that table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Effect, WRITABLE_EFFECTS } from './writable-effects.js';

interface ProfileItems {
  name: string;
  objects: Array<{ path: string; params: Array<{ name: string; requirement: string }> }>;
}

const read = (rel: string): string => readFileSync(new URL(`../../../../${rel}`, import.meta.url), 'utf8');
const met: string[] = JSON.parse(read('test/fixtures/profiles/simulated.json')).met;
const profiles: ProfileItems[] = JSON.parse(read('datamodel/schema/tr181-profiles.json')).profiles;

/** Every readWrite parameter of the met profiles, with the profiles that require it writable. */
function writableItems(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of profiles) {
    if (!met.includes(p.name)) continue;
    for (const o of p.objects) {
      for (const q of o.params) if (q.requirement === 'readWrite') out.set(`${o.path}${q.name}`, [...(out.get(`${o.path}${q.name}`) ?? []), p.name]);
    }
  }
  return out;
}

/** The entry for `path`: its own, else the longest object prefix's. */
function effectOf(path: string): Effect | undefined {
  if (WRITABLE_EFFECTS[path]) return WRITABLE_EFFECTS[path];
  const prefix = Object.keys(WRITABLE_EFFECTS)
    .filter((k) => k.endsWith('.') && path.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : WRITABLE_EFFECTS[prefix];
}

describe('simulated gateway: what a Set of each claimed writable parameter changes', () => {
  const items = writableItems();

  it('classifies every readWrite parameter of every met profile, and nothing else', () => {
    expect(met.length).toBeGreaterThan(0);
    expect([...items.keys()].filter((p) => effectOf(p) === undefined)).toEqual([]);
    // An entry that names no claimed parameter is stale (a profile dropped, a path renamed).
    const stale = Object.keys(WRITABLE_EFFECTS).filter((k) => ![...items.keys()].some((p) => p === k || (k.endsWith('.') && p.startsWith(k))));
    expect(stale).toEqual([]);
  });

  it('docs/platform-mapping.md lists every parameter that is only stored, with the profiles that claim it', () => {
    const doc = read('docs/platform-mapping.md');
    const rows = [...items].flatMap(([path, by]) => {
      const e = effectOf(path);
      return e && 'stored' in e ? [`| \`${path}\` | ${by.join(', ')} | ${e.stored} |`] : [];
    });
    if (process.env.WRITABLE_EFFECTS === 'print') console.log(rows.join('\n'));
    expect(rows.filter((r) => !doc.includes(r))).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
  });
});

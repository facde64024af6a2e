/**
 * Canonical text of a parsed path (TR-369 "Path Names"). `parsePath(formatPath(p))` gives back a
 * path equal to `p` (in the same mode). Canonical means: no whitespace in search expressions,
 * `+` rather than `#1+`, and only `"` and `%` escaped in string literals (as `%22`, `%25`).
 * Use `ParsedPath.text` to echo what a controller sent; use this to print a value we built.
 */
import type { NameSegment, ParsedPath, RefFollow, SearchTerm, Segment } from './Path.js';

/** The path as text: segments joined by `.`, a trailing `.` for objects, else the leaf. */
export function formatPath(p: ParsedPath): string {
  let out = '';
  for (const s of p.segments) out += formatSegment(s) + '.';
  return p.kind === 'object' ? out : out + p.leaf;
}

/** One segment as it appears between dots. */
export function formatSegment(s: Segment): string {
  switch (s.kind) {
    case 'name':
      return formatName(s);
    case 'instance':
      return String(s.n);
    case 'wildcard':
      return '*';
    case 'placeholder':
      return '{i}';
    case 'search':
      return `[${s.terms.map(formatTerm).join('&&')}]`;
  }
}

function formatName(s: NameSegment): string {
  return s.ref === undefined ? s.name : s.name + formatRef(s.ref);
}

function formatRef(r: RefFollow): string {
  return r.index === 1 ? '+' : `#${r.index}+`;
}

function formatTerm(t: SearchTerm): string {
  const path = t.path.map(formatName).join('.');
  const value = t.quoted ? `"${t.value.replaceAll('%', '%25').replaceAll('"', '%22')}"` : t.value;
  return path + t.op + value;
}

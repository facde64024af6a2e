/**
 * The profile report as `usp-agent profiles` prints it: the profiles met, then the ones missed
 * in part with their first few missing items (the nearest misses first: they answer the buyer's
 * "what would it take?"), then the names of those of which nothing is served, then, offline on
 * a live platform, what depends on sources of this machine. `--json` prints reportJson()
 * instead: every item, nothing cut.
 */
import type { ProfileReport, ProfileResult } from './check-profiles.js';
import type { LiveSource } from './offline-agent.js';

/** Missing items shown per missed profile in the text output. */
export const ITEMS_SHOWN = 3;

/** Where the served model came from, for the header and the JSON. */
export type ReportSource = { kind: 'agent'; dataDir: string } | { kind: 'offline'; platform: string; liveSources: LiveSource[] };

/** Missed profiles of which something is served, fewest missing items first, TR-181 order among equals. */
export function missedByNearness(report: ProfileReport): ProfileResult[] {
  return report.results
    .filter((r) => !r.met && r.objectsServed > 0)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.missing.length - b.r.missing.length || a.i - b.i)
    .map(({ r }) => r);
}

const label = (r: ProfileResult): string => (r.status === 'deprecated' ? `${r.name} (deprecated)` : r.name);

/** Names joined into lines of at most `width` characters, each indented. */
function wrap(names: readonly string[], width = 100, indent = '  '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const n of names) {
    if (line !== '' && line.length + n.length + 2 > width) {
      lines.push(`${indent}${line},`);
      line = '';
    }
    line = line === '' ? n : `${line}, ${n}`;
  }
  if (line !== '') lines.push(`${indent}${line}`);
  return lines;
}

/** The text `usp-agent profiles` prints (module comment: what comes in which order). */
export function reportText(report: ProfileReport, source: ReportSource): string {
  const where = source.kind === 'agent' ? `the agent on ${source.dataDir}` : `--platform ${source.platform}, built offline`;
  const out = [`${report.model}: ${report.met.length} of ${report.results.length} profiles met (${where})`, '', `met (${report.met.length}):`];
  out.push(...(report.met.length > 0 ? wrap(report.results.filter((r) => r.met).map(label)) : ['  none']));
  const missed = missedByNearness(report);
  out.push('', `missed in part (${missed.length}), fewest missing items first:`);
  for (const r of missed) {
    out.push(`  ${label(r)}: ${r.missing.length} missing`);
    const width = Math.max(...r.missing.slice(0, ITEMS_SHOWN).map((m) => m.path.length));
    for (const m of r.missing.slice(0, ITEMS_SHOWN)) out.push(`    ${m.path.padEnd(width)}  ${m.detail}`);
    if (r.missing.length > ITEMS_SHOWN) out.push(`    … ${r.missing.length - ITEMS_SHOWN} more (--json lists them all)`);
  }
  const absent = report.results.filter((r) => !r.met && r.objectsServed === 0);
  out.push('', `not served at all (${absent.length}): none of the objects they name is served`, ...wrap(absent.map(label)));
  if (source.kind === 'offline' && source.liveSources.length > 0) {
    out.push('', 'built on this machine; on the device these depend on what answers there:');
    for (const s of source.liveSources) out.push(`  ${s.objects.join(', ')}: ${s.source}, ${s.found ? 'found here (in this report)' : 'not found here (absent from this report)'}`);
  }
  return `${out.join('\n')}\n`;
}

/** The whole report for `--json`: every profile's result with every missing item. */
export function reportJson(report: ProfileReport, source: ReportSource): object {
  return {
    model: report.model,
    source,
    counts: { profiles: report.results.length, met: report.met.length, missed: report.results.length - report.met.length },
    met: report.met,
    missed: report.results.filter((r) => !r.met).map((r) => ({ name: r.name, ...(r.status && { status: r.status }), missing: r.missing })),
  };
}

/**
 * Names in a report (TR-181 Profile.{i}.Parameter.{i}.Name; TR-369 Annex A "Using Wildcards to
 * Reference Object Instances" and "Using Alternative Names"). With no Name, a parameter is named
 * by its full path. With a Name:
 * - a parameter reference without wildcards: the Name alone;
 * - an object reference: the Name replaces the referenced object path, the rest follows
 *   ("Radio1" for "Device.WiFi.Radio.1." gives "Radio1.Stats.BytesSent");
 * - a reference with `*` (or a search expression): the Name, then the instance numbers the
 *   wildcards matched, then the rest ("IPBytes" for "Device.IP.Interface.*.Stats.BytesSent"
 *   gives "IPBytes.1", "IPBytes.3").
 */
import type { ParsedPath } from '../../datamodel/path/Path.js';

/**
 * The report name of the parameter at `fullPath`, collected through `reference` (parsed) with
 * the row's `name`. `fullPath` is a concrete parameter path under what `reference` matched.
 */
export function reportName(reference: ParsedPath, name: string, fullPath: string): string {
  if (name === '') return fullPath;
  const segs = reference.segments;
  // A reference that follows another reference ends somewhere else: its prefix cannot be matched.
  if (segs.some((s) => s.kind === 'name' && s.ref)) return `${name}.${fullPath}`;
  const parts = fullPath.split('.');
  const wild: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s.kind === 'wildcard' || s.kind === 'search') wild.push(parts[i]);
  }
  // Object part of the reference: one path part per segment; a parameter reference adds its leaf.
  const consumed = segs.length + (reference.kind === 'parameter' ? 1 : 0);
  const rest = parts.slice(consumed);
  return [name, ...wild, ...rest].filter((p) => p !== '').join('.');
}

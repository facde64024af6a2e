/**
 * Reading UCI configuration: `uci -q -X show <config>` parsed into its sections, in file order.
 * `-X` prints the real names of anonymous sections ("cfg0a92bd") rather than "@redirect[0]",
 * so a section can be written by name. Values are printed single-quoted, a list as several
 * quoted items on one line ('wan' 'wan6'), an embedded quote as '\''.
 *
 * libuci names an anonymous section after its position and a hash of its contents, so the
 * name changes when the section is edited or an earlier one is removed; see UciSectionKeys.
 */
export interface UciSection {
  name: string;
  type: string;
  /** Option → value; a list option (or a value printed as several items) is an array. */
  options: Record<string, string | string[]>;
}

export type UciConfig = UciSection[];

/** Parses `uci -X show <config>` output; lines it does not recognise are skipped. */
export function parseUciShow(text: string): UciConfig {
  const out: UciConfig = [];
  const byName = new Map<string, UciSection>();
  for (const line of text.split('\n')) {
    const m = /^([^.=\s]+)\.([^.=\s]+)(?:\.([^=\s]+))?=(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, , section, option, raw] = m;
    const items = unquote(raw);
    if (option === undefined) {
      const s: UciSection = { name: section, type: items[0] ?? '', options: {} };
      byName.set(section, s);
      out.push(s);
      continue;
    }
    const s = byName.get(section);
    if (s) s.options[option] = items.length === 1 ? items[0] : items;
  }
  return out;
}

/** "'a' 'b'" → ["a", "b"]; "'it'\''s'" → ["it's"]; an unquoted word is taken as it is. */
function unquote(raw: string): string[] {
  const items: string[] = [];
  const re = /\s*((?:'[^']*'|\\'|[^\s'\\]+)+)/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    items.push(m[1].replace(/'([^']*)'|\\'/g, (all, inner: string | undefined) => (inner !== undefined ? inner : "'")));
  }
  return items;
}

/** One option as a list: a string is one item (UCI prints a one-item list like an option). */
export function listOption(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);
}

/** One option as a string: a list is joined with spaces, as UCI's option-to-list rules read it. */
export function stringOption(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(' ') : v;
}

/** UCI booleans ("1", "yes", "on", "true", "enabled"), with the default for an absent option. */
export function uciBool(v: string | string[] | undefined, dflt: boolean): boolean {
  const s = stringOption(v);
  if (s === undefined) return dflt;
  return ['1', 'yes', 'on', 'true', 'enabled'].includes(s.toLowerCase());
}

/**
 * The renames one of our own writes caused, as [old name, new name] pairs: libuci renames an
 * anonymous section when its contents change (its Set) or an earlier section goes (a Delete),
 * and a section `uci add` created gets its lasting name only once it is committed and read back.
 * `before` is every section name of the config in order before the write, `after` the same
 * after it; `deleted` were removed, `added` (the names `uci add` printed) appended at the end.
 * Section order survives such writes, so names are matched by position. When the counts do not
 * agree, something else changed the config meanwhile and nothing is matched (those rows read as
 * gone and new, which is what they look like from here).
 */
export function renamesByPosition(before: readonly string[], after: readonly string[], deleted: ReadonlySet<string>, added: readonly string[]): Array<[string, string]> {
  const expected = [...before.filter((n) => !deleted.has(n)), ...added];
  if (expected.length !== after.length) return [];
  const out: Array<[string, string]> = [];
  expected.forEach((name, i) => {
    if (name !== after[i]) out.push([name, after[i]]);
  });
  return out;
}

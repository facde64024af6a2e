/**
 * README's "TR-181 profiles per platform" table says, for the profiles a tender names, which
 * platform meets each and why the others do not. This keeps it honest: a "yes" must be in the
 * platform's list pinned by the profile report (test/fixtures/profiles/, written by
 * `npm run profiles:report` from what the agent really serves), a "yes, with ModemManager" only in
 * its ModemManager build, and a "no: why" in neither.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const met = (id: string): Set<string> => new Set((JSON.parse(readFileSync(new URL(`test/fixtures/profiles/${id}.json`, root), 'utf8')) as { met: string[] }).met);

/** The table's columns and the pinned lists each is built as. */
const COLUMNS = [
  { title: 'simulated gateway', plain: 'simulated', modem: 'simulated' },
  { title: 'OpenWrt', plain: 'openwrt', modem: 'openwrt-modemmanager' },
  { title: 'Linux', plain: 'linux', modem: 'linux-modemmanager' },
];

/** The rows of the table under the README heading: [profile, cell per column]. */
function tableRows(): string[][] {
  const section = readme.split('\n## TR-181 profiles per platform\n')[1]?.split('\n## ')[0];
  if (!section) throw new Error('README has no "TR-181 profiles per platform" section');
  const lines = section.split('\n').filter((l) => l.startsWith('| '));
  const header = lines[0]
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
  expect(header).toEqual(['profile', ...COLUMNS.map((c) => c.title)]);
  return lines.slice(2).map((l) =>
    l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

describe('README: TR-181 profiles per platform', () => {
  const rows = tableRows();

  it('names profiles TR-181 defines, each once', () => {
    const known = new Set([...met('simulated'), ...met('none'), ...met('openwrt'), ...met('linux')]);
    const names = rows.map((r) => r[0]);
    expect(new Set(names).size).toBe(names.length);
    // Every named profile is met somewhere here, so each is a real TR-181 profile name.
    expect(names.filter((n) => !known.has(n))).toEqual([]);
  });

  it('says yes exactly where the pinned lists say met, and why not elsewhere', () => {
    const wrong: string[] = [];
    for (const [profile, ...cells] of rows) {
      COLUMNS.forEach((col, i) => {
        const cell = cells[i];
        const plain = met(col.plain).has(profile);
        const modem = met(col.modem).has(profile);
        const said = cell === 'yes' ? 'yes' : cell === 'yes, with ModemManager' ? 'modem' : cell.startsWith('no: ') ? 'no' : 'unreadable';
        const truth = plain ? 'yes' : modem ? 'modem' : 'no';
        if (said !== truth) wrong.push(`${profile} on ${col.title}: README says "${cell.slice(0, 40)}", the profile report says ${truth}`);
      });
    }
    expect(wrong).toEqual([]);
  });
});

/**
 * SoftwareUnits persistence (agent/software/SoftwareUnits.ts): what a crash leaves behind is
 * deleted at the next start, and only finished installs are saved.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SoftwareUnits, UNITS_FILE } from '../../../../agent/software/SoftwareUnits.js';
import { silentLogger } from '../../../../datamodel/Logger.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'usp-sw-units-'));
  dirs.push(d);
  return d;
};
const spec = { name: 'a', label: 'a', vendor: '', version: '1', description: '', autoStart: false };

describe('SoftwareUnits', () => {
  it('saves finished units only, and a new start finds them as saved (Installed, requested state kept)', async () => {
    const dir = fresh();
    const u = new SoftwareUnits(dir, silentLogger, true);
    u.load();
    const done = u.newUnit({ uuid: 'x', url: 'http://h/a', ee: 1 });
    Object.assign(done, { dir: 'du-1-a', status: 'Updating', version: '1' });
    mkdirSync(join(dir, 'du-1-a'));
    const eu = u.newEu(done.n, spec, '2026-01-01T00:00:00Z');
    eu.requested = 'Active';
    done.eus = [eu.n];
    u.newUnit({ uuid: 'y', url: 'http://h/b', ee: 1 });
    await u.save();
    const saved = JSON.parse(readFileSync(join(dir, UNITS_FILE), 'utf8')) as { units: Array<{ uuid: string; status: string }> };
    expect(saved.units).toEqual([expect.objectContaining({ uuid: 'x', status: 'Installed' })]);

    const again = new SoftwareUnits(dir, silentLogger, true);
    again.load();
    expect([...again.units.values()].map((x) => [x.n, x.status])).toEqual([[1, 'Installed']]);
    expect(again.eus.get(eu.n)?.requested).toBe('Active');
    expect(again.euState.get(eu.n)).toEqual({ status: 'Idle' });
    // Instance numbers are not reused, not even the unsaved install's.
    expect(again.newUnit({ uuid: 'z', url: '', ee: 1 }).n).toBe(3);
  });

  it('deletes at start what a crash left: directories and partial downloads units.json does not name', async () => {
    const dir = fresh();
    const u = new SoftwareUnits(dir, silentLogger, true);
    u.load();
    const done = u.newUnit({ uuid: 'x', url: '', ee: 1 });
    Object.assign(done, { dir: 'du-1-old', status: 'Installed' });
    mkdirSync(join(dir, 'du-1-old'));
    await u.save();
    // An Update cut short (its new directory never saved), an install cut short, a partial download.
    mkdirSync(join(dir, 'du-1-new'));
    writeFileSync(join(dir, 'du-1-new', 'f'), 'x');
    mkdirSync(join(dir, 'du-2-x'));
    writeFileSync(join(dir, 'download-2-x.part'), 'partial');
    const again = new SoftwareUnits(dir, silentLogger, true);
    again.load();
    expect(readdirSync(dir).sort()).toEqual(['du-1-old', UNITS_FILE]);
    expect(again.units.get(1)?.dir).toBe('du-1-old');
  });

  it('an unreadable units.json is moved aside and the agent starts with no units', () => {
    const dir = fresh();
    writeFileSync(join(dir, UNITS_FILE), '{broken');
    mkdirSync(join(dir, 'du-1-a'));
    const u = new SoftwareUnits(dir, silentLogger, true);
    u.load();
    expect(u.units.size).toBe(0);
    expect(existsSync(join(dir, 'du-1-a'))).toBe(false);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^units\.json\.corrupt-\d+$/)]);
  });
});

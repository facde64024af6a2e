/** The pictures of a `--device-image-dir` (TR-181 DeviceImageFile.{i}.): which files are served, and problems logged once. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../datamodel/Logger.js';
import { DeviceImageDirectory, isPicture } from '../../../platform/device-images.js';

const work = mkdtempSync(join(tmpdir(), 'usp-device-image-dir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');

function logged(): { lines: string[]; dir(d: string): DeviceImageDirectory } {
  const lines: string[] = [];
  const log = createLogger('info', 'test', (_level, line) => {
    lines.push(line);
  });
  return { lines, dir: (d) => new DeviceImageDirectory(d, log) };
}

describe('DeviceImageDirectory', () => {
  it('logs a file it cannot serve once, however often the directory is read', async () => {
    const d = join(work, 'once');
    mkdirSync(d);
    writeFileSync(join(d, 'bottom.gif'), GIF);
    mkdirSync(join(d, 'top.png'));
    const l = logged();
    const source = l.dir(d);
    for (let i = 0; i < 3; i++) expect(await source.read()).toEqual([{ location: 'Bottom', image: GIF.toString('base64') }]);
    expect(l.lines.filter((x) => x.includes('top.png'))).toHaveLength(1);
  });

  it('serves the first file of a side given twice, and says which it ignored', async () => {
    const d = join(work, 'twice');
    mkdirSync(d);
    writeFileSync(join(d, 'front.gif'), GIF);
    writeFileSync(join(d, 'front.png'), GIF);
    const l = logged();
    expect((await l.dir(d).read()).map((i) => i.location)).toEqual(['Front']);
    expect(l.lines).toHaveLength(1);
    expect(l.lines[0]).toContain('front.png');
  });

  it('warns once of a path that is a file, not a directory; a missing one is silent', async () => {
    writeFileSync(join(work, 'a-file'), '');
    const l = logged();
    expect(await l.dir(join(work, 'a-file')).read()).toEqual([]);
    expect(await l.dir(join(work, 'missing')).read()).toEqual([]);
    expect(l.lines).toHaveLength(1);
    expect(l.lines[0]).toContain('ENOTDIR');
  });

  it('tells PNG, JPEG and GIF by their signature', () => {
    expect(isPicture(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(isPicture(Buffer.from([0xff, 0xd8, 0xff, 0xdb]))).toBe(true);
    expect(isPicture(GIF)).toBe(true);
    expect(isPicture(Buffer.from('<svg/>'))).toBe(false);
    expect(isPicture(Buffer.alloc(0))).toBe(false);
  });
});

import { statfsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { parseHookStatus } from '../../../../platform/linux/firmware-hook.js';
import type { FirmwareInstaller } from '../../../../platform/linux/firmware-installer.js';
import { FREE_SPACE_MARGIN, StagedFirmware } from '../../../../platform/linux/firmware-staged.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An OpenWrt-like installer that accepts everything: only the staging logic is under test here. */
const installer: FirmwareInstaller = {
  what: 'test installer',
  stagedBank: true,
  status: async () => [{ name: 'OpenWrt', version: '1', active: true, boot: true, valid: true }],
  validate: async () => ({ version: '2' }),
  activate: async () => undefined,
  boot: async () => undefined,
};

describe('StagedFirmware: free space in the staging directory', () => {
  it('an image larger than the free space (statfs) less the margin is refused with 7005 before any byte is written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fw-staged-'));
    const fw = new StagedFirmware({ installer, stagingDir: join(dir, 'staging'), dataDir: join(dir, 'data'), log: silentLogger });
    await fw.init();
    const writer = await fw.beginDownload(2);
    const s = statfsSync(join(dir, 'staging'));
    const free = Number(s.bavail) * Number(s.bsize);
    await expect(writer.expect(free)).rejects.toMatchObject({ code: 7005, message: expect.stringMatching(/does not fit in .*staging: \d+ bytes free, \d+ kept free/) });
    await expect(writer.expect(Math.max(0, Math.floor(free / 2) - FREE_SPACE_MARGIN))).resolves.toBeUndefined();
    writer.fail('DownloadFailed', 'no room');
    expect((await fw.row(2)).Status).toBe('DownloadFailed');
  });
});

describe('parseHookStatus (the hook contract)', () => {
  it('one bank per line; unknown keys ignored; a line without name= is an error', () => {
    expect(parseHookStatus('name=a version=1.0 active=1 boot=0 valid=1 extra=x\n\nname=b version= active=0 boot=1 valid=0\n')).toEqual([
      { name: 'a', version: '1.0', active: true, boot: false, valid: true },
      { name: 'b', version: '', active: false, boot: true, valid: false },
    ]);
    expect(() => parseHookStatus('version=1 active=1')).toThrow(/without name=/);
  });
});

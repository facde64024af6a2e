import { statfsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { parseHookStatus } from '../../../../platform/linux/firmware-hook.js';
import { type FirmwareInstaller, InstallerRefusal } from '../../../../platform/linux/firmware-installer.js';
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

describe('StagedFirmware on a one-image device (OpenWrt): the instance downloaded into becomes the Active one (TP-469 9.3 metric 4)', () => {
  it('flips to FirmwareImage.2 after an upgrade, survives a restart, stays put when a flash fails, and flips back to 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fw-staged-'));
    // The device: one running image whose version changes when a flash succeeds.
    let running = '1';
    let next = '';
    let failFlash = false;
    const oneImage: FirmwareInstaller = {
      ...installer,
      status: async () => [{ name: 'OpenWrt', version: running, active: true, boot: true, valid: true }],
      validate: async () => ({ version: next }),
      boot: async () => {
        if (failFlash) throw new InstallerRefusal('Failed to write the image');
        running = next;
      },
    };
    const start = async (): Promise<StagedFirmware> => {
      const fw = new StagedFirmware({ installer: oneImage, stagingDir: join(dir, 'staging'), dataDir: join(dir, 'data'), log: silentLogger });
      await fw.init();
      return fw;
    };
    const upgrade = async (fw: StagedFirmware, n: number, version: string): Promise<void> => {
      next = version;
      const w = await fw.beginDownload(n);
      await w.write(Buffer.from(`image ${version}`));
      await w.install({ fileName: `fw-${version}.img` });
      await fw.setBootBank(n);
      await fw.bootInto(n);
    };

    let fw = await start();
    expect(await fw.references()).toMatchObject({ ActiveFirmwareImage: 'Device.DeviceInfo.FirmwareImage.1', SoftwareVersion: '1' });
    await upgrade(fw, 2, '2');
    fw = await start();
    expect(fw.takeFirmwareUpdated()).toBe(true);
    expect(await fw.references()).toEqual({ ActiveFirmwareImage: 'Device.DeviceInfo.FirmwareImage.2', BootFirmwareImage: 'Device.DeviceInfo.FirmwareImage.2', SoftwareVersion: '2' });
    expect(await fw.row(2)).toMatchObject({ Status: 'Active', Version: '2', Available: true });
    expect(await fw.row(1)).toMatchObject({ Status: 'NoImage', Name: '', Version: '', Available: false });
    await expect(fw.beginDownload(2)).rejects.toMatchObject({ code: 7022, message: expect.stringMatching(/download into FirmwareImage\.1/) });

    // A flash that fails leaves FirmwareImage.2 the Active one, now and after a restart.
    failFlash = true;
    await expect(upgrade(fw, 1, '3')).rejects.toThrow(/Failed to write the image/);
    expect((await fw.row(1)).Status).toBe('ActivationFailed');
    expect((await fw.references()).ActiveFirmwareImage).toBe('Device.DeviceInfo.FirmwareImage.2');
    fw = await start();
    expect(await fw.references()).toMatchObject({ ActiveFirmwareImage: 'Device.DeviceInfo.FirmwareImage.2', SoftwareVersion: '2' });

    failFlash = false;
    await upgrade(fw, 1, '3');
    fw = await start();
    expect(await fw.references()).toEqual({ ActiveFirmwareImage: 'Device.DeviceInfo.FirmwareImage.1', BootFirmwareImage: 'Device.DeviceInfo.FirmwareImage.1', SoftwareVersion: '3' });
    expect(await fw.row(2)).toMatchObject({ Status: 'NoImage', Available: false });
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

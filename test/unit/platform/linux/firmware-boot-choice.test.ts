/**
 * The one-image (OpenWrt-like) staged backend's choices, beyond what the process tests
 * (test/integration/firmware-boot-choice.test.ts) reach: a choice of the staged image ends with
 * it (a new download into that row, the file lost at a reboot), Available false is forgotten
 * with its image, and a Set the device refuses, or the data directory cannot take, keeps nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { type FirmwareInstaller, InstallerRefusal } from '../../../../platform/linux/firmware-installer.js';
import { FIRMWARE_LIVE_STATE_FILE, StagedFirmware } from '../../../../platform/linux/firmware-staged.js';

const FW = 'Device.DeviceInfo.FirmwareImage.';
let dir: string;
let refuse: boolean;
const oneImage: FirmwareInstaller = {
  what: 'test sysupgrade',
  stagedBank: true,
  status: async () => [{ name: 'OpenWrt', version: '1', active: true, boot: true, valid: true }],
  validate: async () => ({ version: '2' }),
  activate: async () => {
    if (refuse) throw new InstallerRefusal('Image check failed.');
  },
  boot: async () => undefined,
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-choice-'));
  refuse = false;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function start(): Promise<StagedFirmware> {
  const fw = new StagedFirmware({ installer: oneImage, stagingDir: join(dir, 'staging'), dataDir: join(dir, 'data'), log: silentLogger });
  await fw.init();
  return fw;
}
async function stage(fw: StagedFirmware): Promise<void> {
  const w = await fw.beginDownload(2);
  await w.write(Buffer.from('image 2'));
  await w.install({ fileName: 'fw-2.img' });
}
const stateFile = (): string => readFileSync(join(dir, 'data', FIRMWARE_LIVE_STATE_FILE), 'utf8');

describe('StagedFirmware: BootFirmwareImage and Available on a one-image device', () => {
  it('a new Download() into the chosen staged row cancels the choice', async () => {
    const fw = await start();
    await stage(fw);
    await fw.setBootImage(`${FW}2.`);
    expect((await fw.references()).BootFirmwareImage).toBe(`${FW}2`);
    const w = await fw.beginDownload(2);
    expect((await fw.references()).BootFirmwareImage).toBe(`${FW}1`);
    w.cancel();
  });

  it('the staged file lost at a reboot: the choice and its Available false go with it', async () => {
    let fw = await start();
    await stage(fw);
    await fw.setAvailable(2, false);
    expect(await fw.row(2)).toMatchObject({ Available: false, Status: 'Available' });
    fw = await start();
    expect(await fw.row(2)).toMatchObject({ Available: false });
    rmSync(join(dir, 'staging'), { recursive: true, force: true });
    fw = await start();
    expect(await fw.row(2)).toMatchObject({ Available: false, Status: 'NoImage' });
    expect(JSON.parse(stateFile())).not.toHaveProperty('unavailable');
    // A new image in that row is Available (TR-181), and may be chosen.
    await stage(fw);
    expect(await fw.row(2)).toMatchObject({ Available: true });
    await fw.setBootImage(`${FW}2`);
    rmSync(join(dir, 'staging'), { recursive: true, force: true });
    fw = await start();
    expect((await fw.references()).BootFirmwareImage).toBe(`${FW}1`);
  });

  it('the device refusing the staged image (sysupgrade -T): 7012, nothing chosen, the state file untouched', async () => {
    const fw = await start();
    await stage(fw);
    const before = stateFile();
    refuse = true;
    await expect(fw.setBootImage(`${FW}2`)).rejects.toMatchObject({ code: 7012, message: expect.stringMatching(/test sysupgrade refused FirmwareImage\.2: Image check failed\./) });
    expect((await fw.references()).BootFirmwareImage).toBe(`${FW}1`);
    expect(stateFile()).toBe(before);
  });

  it('a change the data directory cannot take (the write fails) is refused and not kept in memory either', async () => {
    const fw = await start();
    await stage(fw);
    const file = join(dir, 'data', FIRMWARE_LIVE_STATE_FILE);
    rmSync(file);
    // A non-empty directory where the file goes: the atomic rename fails.
    mkdirSync(join(file, 'blocker'), { recursive: true });
    await expect(fw.setAvailable(2, false)).rejects.toThrow();
    await expect(fw.setBootImage(`${FW}2`)).rejects.toThrow();
    expect(await fw.row(2)).toMatchObject({ Available: true });
    expect((await fw.references()).BootFirmwareImage).toBe(`${FW}1`);
    expect(readdirSync(join(dir, 'data')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    rmSync(file, { recursive: true });
    await fw.setAvailable(2, false);
    expect(JSON.parse(stateFile())).toMatchObject({ unavailable: [2] });
  });

  it('rebootIntoBootImage: nothing chosen, nothing booted; chosen, the pending-boot marker for the staged image', async () => {
    const booted: Array<string | undefined> = [];
    const fw = new StagedFirmware({ installer: { ...oneImage, boot: async (_b, image) => void booted.push(image) }, stagingDir: join(dir, 'staging'), dataDir: join(dir, 'data'), log: silentLogger });
    await fw.init();
    await stage(fw);
    await fw.rebootIntoBootImage();
    expect(booted).toEqual([]);
    await fw.setBootImage(`${FW}2`);
    await fw.rebootIntoBootImage();
    expect(booted).toEqual([join(dir, 'staging', 'firmware-bank2.img')]);
    expect(JSON.parse(stateFile())).toMatchObject({ pending: { bank: 2, version: '2' }, bootRequested: 2 });
  });
});

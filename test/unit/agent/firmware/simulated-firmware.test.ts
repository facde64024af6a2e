/**
 * The simulated two-bank flash and boot loader (platform/simulated/firmware.ts): statuses through
 * a download, BootFirmwareImage/Available rules, FirmwareUpdated, rollback, persistence. A
 * "boot" is a new registration over the same data directory, as an in-process restart does.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FirmwareBackend } from '../../../../agent/firmware/FirmwareBackend.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { FIRMWARE_STATE_FILE, parseImageHeader, registerFirmwareImages, SimulatedFirmware, versionFromFileName } from '../../../../platform/simulated/firmware.js';
import { SimContext } from '../../../../platform/simulated/SimContext.js';
import { simImage } from './image-server.js';

const schema = Schema.load();
const FACTORY = '3.2.1-sim';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'usp-fw-sim-'));
  dirs.push(d);
  return d;
}

/** One boot of the simulated device over `dir` (undefined: memory only). */
function boot(dir?: string) {
  const model = new DataModel(schema);
  const ctx = new SimContext(model, 1, () => Date.UTC(2025, 2, 10, 8, 0, 0), new DataStore(dir));
  const fw = new SimulatedFirmware(ctx, { factoryVersion: FACTORY });
  registerFirmwareImages(ctx, fw);
  const binding = model.bindingAt('Device.DeviceInfo.FirmwareImage.{i}.')!;
  return { model, fw, row: (n: number) => binding.get([n], {}) as Record<string, unknown>, binding };
}

async function install(fw: SimulatedFirmware, bank: number, image: Buffer, fileName = 'fw.img') {
  const w = fw.beginDownload(bank);
  await w.write(image);
  w.validating();
  // As the agent does: a refused image leaves the bank ValidationFailed.
  return w.install({ fileName }).catch((e: unknown) => {
    w.fail('ValidationFailed', String(e));
    throw e;
  });
}

describe('factory state', () => {
  it('bank 1 active with the factory version, bank 2 empty; it is a FirmwareBackend', () => {
    const { fw, row, model } = boot();
    const backend: FirmwareBackend = fw; // the agent's contract, checked by the compiler
    expect(backend.takeFirmwareUpdated()).toBe(false);
    expect(row(1)).toEqual({ Name: `fg5600-${FACTORY}.img`, Version: FACTORY, Available: true, Status: 'Active', BootFailureLog: '' });
    expect(row(2)).toEqual({ Name: '', Version: '', Available: false, Status: 'NoImage', BootFailureLog: '' });
    expect(fw.activeImage()).toBe('Device.DeviceInfo.FirmwareImage.1');
    expect(fw.bootImage()).toBe('Device.DeviceInfo.FirmwareImage.1');
    expect(fw.runningVersion()).toBe(FACTORY);
    expect(model.requireNode('Device.DeviceInfo.').derivedCounts.has('FirmwareImageNumberOfEntries')).toBe(true);
  });
});

describe('a download', () => {
  it('walks Downloading → Validating → Available; Name and Version only once installed', async () => {
    const { fw, row } = boot();
    const w = fw.beginDownload(2);
    expect(row(2)).toMatchObject({ Status: 'Downloading', Name: '', Version: '' });
    await w.write(simImage('3.3.0', { name: 'FG5600-3.3.0' }));
    w.validating();
    expect(row(2)).toMatchObject({ Status: 'Validating', Version: '' });
    expect(await w.install({ fileName: 'whatever.img' })).toEqual({ name: 'FG5600-3.3.0', version: '3.3.0' });
    expect(row(2)).toEqual({ Name: 'FG5600-3.3.0', Version: '3.3.0', Available: true, Status: 'Available', BootFailureLog: '' });
  });

  it('takes Name and Version from the file name when the image has no header', async () => {
    const { fw, row } = boot();
    expect(await install(fw, 2, Buffer.from('raw image bytes'), 'fg5600-3.4.0-beta.img')).toEqual({ name: 'fg5600-3.4.0-beta.img', version: '3.4.0-beta' });
    expect(row(2)).toMatchObject({ Version: '3.4.0-beta', Status: 'Available' });
  });

  it('refuses an image without a version, an empty one and a bad header', async () => {
    const { fw } = boot();
    await expect(install(fw, 2, Buffer.from('raw'), 'firmware.img')).rejects.toThrow(/no firmware version/);
    await expect(install(fw, 2, Buffer.alloc(0), 'fw-1.0.img')).rejects.toThrow(/empty/);
    await expect(install(fw, 2, Buffer.from('SIMFW name=x\n'), 'fw-1.0.img')).rejects.toThrow(/bad version/);
  });

  it('a failure shows in Status; a cancel puts the bank back as it was', async () => {
    const { fw, row } = boot();
    await install(fw, 2, simImage('3.3.0'));
    const w = fw.beginDownload(2);
    w.cancel();
    expect(row(2)).toMatchObject({ Status: 'Available', Version: '3.3.0' });
    fw.beginDownload(2).fail('ValidationFailed', 'checksum');
    expect(row(2)).toMatchObject({ Status: 'ValidationFailed', Name: '', Version: '' });
  });

  it('one download per bank at a time', () => {
    const { fw } = boot();
    fw.beginDownload(2);
    expect(() => fw.beginDownload(2)).toThrow(UspError);
    expect(() => fw.beginDownload(1)).not.toThrow();
  });
});

describe('boot selection', () => {
  it('BootFirmwareImage + reboot runs the new image and reports FirmwareUpdated once', async () => {
    const dir = dataDir();
    const first = boot(dir);
    await install(first.fw, 2, simImage('3.3.0'));
    first.fw.setBootImage('Device.DeviceInfo.FirmwareImage.2');
    expect(first.fw.activeImage()).toBe('Device.DeviceInfo.FirmwareImage.1'); // until the reboot
    const second = boot(dir);
    expect(second.fw.activeImage()).toBe('Device.DeviceInfo.FirmwareImage.2');
    expect(second.fw.runningVersion()).toBe('3.3.0');
    expect(second.row(2)).toMatchObject({ Status: 'Active', Version: '3.3.0' });
    expect(second.row(1)).toMatchObject({ Status: 'Available', Version: FACTORY });
    expect(second.fw.takeFirmwareUpdated()).toBe(true);
    expect(second.fw.takeFirmwareUpdated()).toBe(false);
    // A plain reboot afterwards is no firmware update.
    expect(boot(dir).fw.takeFirmwareUpdated()).toBe(false);
  });

  it('a download into the active bank runs only from the next boot (TP-469 9.7)', async () => {
    const dir = dataDir();
    const first = boot(dir);
    await install(first.fw, 1, simImage('3.3.1'));
    expect(first.row(1)).toMatchObject({ Status: 'Available', Version: '3.3.1' });
    expect(first.fw.runningVersion()).toBe(FACTORY);
    const second = boot(dir);
    expect(second.fw.runningVersion()).toBe('3.3.1');
    expect(second.row(1)).toMatchObject({ Status: 'Active' });
    expect(second.fw.takeFirmwareUpdated()).toBe(true);
  });

  it('an image that fails to boot rolls back, logs why, and keeps BootFirmwareImage', async () => {
    const dir = dataDir();
    const first = boot(dir);
    await install(first.fw, 2, simImage('9.9.9', { bootFails: true }));
    first.fw.setBootBank(2);
    const second = boot(dir);
    expect(second.fw.activeImage()).toBe('Device.DeviceInfo.FirmwareImage.1');
    expect(second.fw.bootImage()).toBe('Device.DeviceInfo.FirmwareImage.2');
    expect(second.row(2)).toMatchObject({ Status: 'ActivationFailed', Version: '9.9.9' });
    expect(String(second.row(2).BootFailureLog)).toMatch(/9\.9\.9 failed to boot; rolled back to FirmwareImage\.1/);
    expect(second.fw.takeFirmwareUpdated()).toBe(false);
  });

  it('a download interrupted by the reboot is DownloadFailed afterwards', () => {
    const dir = dataDir();
    boot(dir).fw.beginDownload(2);
    expect(boot(dir).row(2)).toMatchObject({ Status: 'DownloadFailed' });
  });

  it('an ordinary boot writes nothing: a factory-fresh flash is not saved, a saved state that boots unchanged is not rewritten', async () => {
    const dir = dataDir();
    const file = join(dir, FIRMWARE_STATE_FILE);
    boot(dir);
    expect(existsSync(file)).toBe(false);
    await install(boot(dir).fw, 2, simImage('3.3.1'));
    const saved = statSync(file).ino; // saving replaces the file (a new inode)
    const again = boot(dir);
    expect(again.row(2)).toMatchObject({ Status: 'Available', Version: '3.3.1' });
    expect(statSync(file).ino).toBe(saved);
  });

  it('an unreadable state file is a factory-fresh flash', () => {
    const dir = dataDir();
    writeFileSync(join(dir, FIRMWARE_STATE_FILE), '{nope');
    expect(boot(dir).row(1)).toMatchObject({ Status: 'Active', Version: FACTORY });
  });
});

describe('BootFirmwareImage and Available', () => {
  it('BootFirmwareImage must name an installed, available image (7012 for the parameter)', async () => {
    const { fw } = boot();
    for (const ref of ['Device.DeviceInfo.FirmwareImage.2', 'Device.DeviceInfo.FirmwareImage.3', 'Device.WiFi.Radio.1', '']) {
      try {
        fw.setBootImage(ref);
        expect.unreachable(ref);
      } catch (e) {
        expect(e).toBeInstanceOf(UspError);
        expect((e as UspError).code).toBe(ErrorCode.InvalidValue);
        expect((e as UspError).paramErrors[0].param).toBe('BootFirmwareImage');
      }
    }
    await install(fw, 2, simImage('3.3.0'));
    fw.setBootImage('Device.DeviceInfo.FirmwareImage.2.');
    expect(fw.bootImage()).toBe('Device.DeviceInfo.FirmwareImage.2');
  });

  it('Available cannot be false for the active or the boot image; a non-available image cannot be activated', async () => {
    const { fw, binding, row } = boot();
    expect(() => binding.set!([1], { Available: false }, {})).toThrow(/active image/);
    await install(fw, 2, simImage('3.3.0'));
    await binding.set!([2], { Available: false }, {});
    expect(row(2)).toMatchObject({ Available: false, Status: 'Available' });
    expect(() => fw.checkBootable(2)).toThrow(/not Available/);
    await binding.set!([2], { Available: true }, {});
    fw.setBootBank(2);
    expect(() => binding.set!([2], { Available: false }, {})).toThrow(/BootFirmwareImage/);
  });
});

describe('image identity', () => {
  it('reads the SIMFW header', () => {
    expect(parseImageHeader(Buffer.from('SIMFW version=1.2.3 name=FG5 boot=fail\nxx'))).toEqual({ version: '1.2.3', name: 'FG5', failsToBoot: true });
    expect(parseImageHeader(Buffer.from('\x7fELF...'))).toBeUndefined();
    expect(() => parseImageHeader(Buffer.from('SIMFW version=1.0'))).toThrow(/longer than/);
  });

  it('reads a version from a file name', () => {
    expect(versionFromFileName('fg5600-3.3.0.img')).toBe('3.3.0');
    expect(versionFromFileName('openwrt-23.05.3-x86-64.bin')).toBeUndefined();
    expect(versionFromFileName('fw_v2.1.0-rc1.itb')).toBe('2.1.0-rc1');
    expect(versionFromFileName('image.bin')).toBeUndefined();
  });
});

/**
 * Firmware:1 on OpenWrt (`sysupgrade`): the real agent process on `--platform openwrt` with
 * stand-ins for ubus, uci, sysupgrade and fwtool on its PATH (test/fixtures/openwrt/standin-bin,
 * how they differ from the real tools is in test/fixtures/openwrt/README.md), a real WebSocket
 * controller. FirmwareImage.1 is the running image, FirmwareImage.2 the staged one: validation
 * by `sysupgrade -T` (invalid images), install, activation by `sysupgrade IMAGE` keeping the
 * configuration, Boot! FirmwareUpdated, AutoActivate, a failed flash and kill -9 mid-flash
 * leaving the running image; after an upgrade the instance flashed is the Active one and the
 * next upgrade goes into the other. The TP-469 section 9 cases by number: firmware-tp469.test.ts.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FirmwareDevice, FW, startFirmwareDevice, stopFirmwareDevice } from '../peers/firmware-device.js';
import type { ImageServer } from '../unit/agent/firmware/image-server.js';

const image = (line: string, size = 60_000): Buffer => {
  const head = Buffer.from(`${line}\n`);
  return Buffer.concat([head, Buffer.alloc(size - head.length, 0xa5)]);
};
const NOW = { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '60', 'TimeWindow.1.Mode': 'AnyTime' };
const RUNNING = '24.10.5 r29087-d9c5716d1d';

let dev: FirmwareDevice;
let server: ImageServer;

beforeAll(async () => {
  ({ dev, server } = await startFirmwareDevice('openwrt', {
    '/openwrt-24.10.6-sysupgrade.bin': { body: image('OWRTIMG supported=netgear,wndr3800 version=24.10.6 revision=r29100-0abc1234') },
    '/openwrt-24.10.7-sysupgrade.bin': { body: image('OWRTIMG supported=netgear,wndr3800 version=24.10.7 revision=r29200-0def5678') },
    '/archer.bin': { body: image('OWRTIMG supported=tplink,archer-c7-v2 version=24.10.6 revision=r29100-0abc1234') },
    '/random.bin': { body: Buffer.alloc(10_000, 7) },
    '/stall.bin': { body: image('OWRTIMG supported=netgear,wndr3800 version=99.0 revision=r1-bad', 400_000), stallAfter: 2000 },
  }));
}, 30_000);
afterAll(() => stopFirmwareDevice({ dev, server }));

async function download(path: string, key: string, autoActivate = false, bank = 2): Promise<Record<string, string>> {
  await dev.operate(`${FW}${bank}.Download()`, { URL: server.url(path), AutoActivate: String(autoActivate) }, key);
  return dev.transferComplete(key);
}

describe('OpenWrt: the running image and the staged one', () => {
  it('FirmwareImage.1 is the running release (as SoftwareVersion), FirmwareImage.2 empty', async () => {
    expect(await dev.get(['Device.DeviceInfo.SoftwareVersion', 'Device.DeviceInfo.ActiveFirmwareImage', 'Device.DeviceInfo.FirmwareImageNumberOfEntries'])).toEqual({
      'Device.DeviceInfo.SoftwareVersion': RUNNING,
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}1`,
      'Device.DeviceInfo.FirmwareImageNumberOfEntries': '2',
    });
    expect(await dev.bank(1)).toMatchObject({ Status: 'Active', Version: RUNNING });
    expect(await dev.bank(2)).toMatchObject({ Status: 'NoImage' });
  });
});

describe('Download(): sysupgrade -T validates', () => {
  it("a file of no known image type: ValidationFailed, 7022 with sysupgrade's words; nothing staged, nothing flashed", async () => {
    expect(await download('/random.bin', 'dl-random')).toMatchObject({ FaultCode: '7022', FaultString: expect.stringMatching(/Invalid image type\. Image check failed\./) });
    expect(await dev.bank(2)).toMatchObject({ Status: 'ValidationFailed' });
    expect(dev.log('sysupgrade')).toEqual([expect.stringMatching(new RegExp(`^-T ${dev.staging}/\\.partial-2-\\d+$`))]);
    expect(dev.stagingFiles()).toEqual([]);
  });

  it('an image for another board: refused with the supported-devices message', async () => {
    expect(await download('/archer.bin', 'dl-archer')).toMatchObject({ FaultCode: '7022', FaultString: expect.stringMatching(/Device netgear,wndr3800 not supported by this image/) });
  });

  it('a wrong CheckSum fails before sysupgrade ever sees the image', async () => {
    const before = dev.log('sysupgrade').length;
    await dev.operate(`${FW}2.Download()`, { URL: server.url('/openwrt-24.10.6-sysupgrade.bin'), AutoActivate: 'true', CheckSumAlgorithm: 'SHA-256', CheckSum: '00'.repeat(32) }, 'dl-sum');
    expect(await dev.transferComplete('dl-sum')).toMatchObject({ FaultCode: '7022', FaultString: expect.stringMatching(/checksum mismatch/) });
    expect(dev.log('sysupgrade').length).toBe(before);
    // The .partial file is removed as the failure is handled (asynchronously: poll).
    await expect.poll(() => dev.stagingFiles()).toEqual([]);
  });

  it('into FirmwareImage.1 (the running image): refused', async () => {
    await dev.operate(`${FW}1.Download()`, { URL: server.url('/openwrt-24.10.6-sysupgrade.bin'), AutoActivate: 'false' }, 'dl-1');
    expect(await dev.operComplete('dl-1')).toMatchObject({ ok: false, errCode: 7022, errMsg: expect.stringMatching(/running image/) });
  });

  it('a valid image is staged: Available with the version from its fwtool metadata', async () => {
    expect(await download('/openwrt-24.10.6-sysupgrade.bin', 'dl-ok')).toMatchObject({ FaultCode: '0' });
    expect(await dev.bank(2)).toMatchObject({ Status: 'Available', Version: '24.10.6 r29100-0abc1234', Name: 'OpenWrt netgear_wndr3800' });
    expect(dev.stagingFiles()).toEqual(['firmware-bank2.img']);
  });
});

describe('kill -9 during a download', () => {
  it('the next start reports TransferComplete! with a fault; the image staged before is kept, the partial one gone, nothing flashed', async () => {
    await dev.operate(`${FW}2.Download()`, { URL: server.url('/stall.bin'), AutoActivate: 'true' }, 'dl-killed');
    await dev.waitForStatus(2, 'Downloading');
    const calls = dev.log('sysupgrade').length;
    await dev.kill9AndStart();
    expect(await dev.transferComplete('dl-killed')).toMatchObject({ FaultCode: '7022', FaultString: expect.stringMatching(/interrupted by a restart/) });
    expect(dev.stagingFiles()).toEqual(['firmware-bank2.img']);
    expect(await dev.bank(2)).toMatchObject({ Status: 'Available', Version: '24.10.6 r29100-0abc1234' });
    expect(dev.log('sysupgrade').length).toBe(calls);
    expect(await dev.bootEvent()).toMatchObject({ FirmwareUpdated: 'false' });
  }, 30_000);
});

describe('Activate(): sysupgrade IMAGE', () => {
  it('a flash that fails: the agent keeps running the old image; ActivationFailed with the reason', async () => {
    writeFileSync(join(dev.standin, 'fail-flash'), '');
    try {
      await dev.operate(`${FW}2.Activate()`, NOW, 'act-fail');
      expect(await dev.operComplete('act-fail')).toMatchObject({ ok: true });
      await dev.waitForStatus(2, 'ActivationFailed');
    } finally {
      rmSync(join(dev.standin, 'fail-flash'));
    }
    expect(await dev.bank(2)).toMatchObject({ BootFailureLog: expect.stringMatching(/sysupgrade failed: Failed to write the image/) });
    expect(await dev.bank(1)).toMatchObject({ Status: 'Active', Version: RUNNING });
    expect(dev.proc.alive).toBe(true);
  });

  it('kill -9 mid-flash: the next start runs the old image, reports the activation failed, FirmwareUpdated false', async () => {
    writeFileSync(join(dev.standin, 'hang-flash'), '');
    try {
      await dev.operate(`${FW}2.Activate()`, NOW, 'act-killed');
      expect(await dev.operComplete('act-killed')).toMatchObject({ ok: true });
      await expect.poll(() => dev.log('sysupgrade').at(-1), { timeout: 8000 }).toMatch(/^\/.*firmware-bank2\.img$/);
      await dev.kill9AndStart();
    } finally {
      rmSync(join(dev.standin, 'hang-flash'));
    }
    expect(await dev.bootEvent()).toMatchObject({ FirmwareUpdated: 'false' });
    expect(await dev.bank(1)).toMatchObject({ Status: 'Active', Version: RUNNING });
    expect(await dev.bank(2)).toMatchObject({ Status: 'ActivationFailed', Version: '24.10.6 r29100-0abc1234', BootFailureLog: expect.stringMatching(/did not boot; running 24\.10\.5/) });
  }, 30_000);

  it('flashes keeping the configuration (no -n); the next start runs it and Boot! says FirmwareUpdated (as TP-469 9.5)', async () => {
    await dev.operate(`${FW}2.Activate()`, NOW, 'act-ok');
    expect(await dev.operComplete('act-ok')).toMatchObject({ ok: true });
    await dev.reboot();
    const flashes = dev.log('sysupgrade').filter((l) => !l.startsWith('-T'));
    expect(flashes.at(-1)).toBe(join(dev.staging, 'firmware-bank2.img'));
    expect(await dev.bootEvent()).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'act-ok', FirmwareUpdated: 'true' });
    expect(await dev.get(['Device.DeviceInfo.SoftwareVersion'])).toEqual({ 'Device.DeviceInfo.SoftwareVersion': '24.10.6 r29100-0abc1234' });
    // The instance downloaded into now runs, as on a two-bank device; the image of the other was flashed over.
    expect(await dev.get(['Device.DeviceInfo.ActiveFirmwareImage', 'Device.DeviceInfo.BootFirmwareImage'])).toEqual({
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}2`,
      'Device.DeviceInfo.BootFirmwareImage': `${FW}2`,
    });
    expect(await dev.bank(2)).toMatchObject({ Status: 'Active', Version: '24.10.6 r29100-0abc1234', Available: 'true' });
    expect(await dev.bank(1)).toMatchObject({ Status: 'NoImage', Name: '', Version: '', Available: 'false' });
    expect(dev.stagingFiles()).toEqual([]);
  }, 30_000);

  it('Download() with AutoActivate (as TP-469 9.3) into FirmwareImage.1, now the inactive one: the flash, FirmwareUpdated, FirmwareImage.1 Active again', async () => {
    // FirmwareImage.2 runs since the upgrade before: a download into it is refused, nothing flashed.
    const flashes = dev.log('sysupgrade').length;
    await dev.operate(`${FW}2.Download()`, { URL: server.url('/openwrt-24.10.7-sysupgrade.bin'), AutoActivate: 'true' }, 'dl-running');
    expect(await dev.operComplete('dl-running')).toMatchObject({ ok: false, errCode: 7022, errMsg: expect.stringMatching(/FirmwareImage\.2 is the running image; download into FirmwareImage\.1/) });
    expect(dev.log('sysupgrade').length).toBe(flashes);
    expect(await download('/openwrt-24.10.7-sysupgrade.bin', 'dl-auto', true, 1)).toMatchObject({ FaultCode: '0', Affected: `${FW}1.` });
    await dev.reboot();
    expect(await dev.bootEvent()).toMatchObject({ CommandKey: 'dl-auto', FirmwareUpdated: 'true' });
    expect(await dev.get(['Device.DeviceInfo.ActiveFirmwareImage'])).toEqual({ 'Device.DeviceInfo.ActiveFirmwareImage': `${FW}1` });
    expect(await dev.bank(1)).toMatchObject({ Status: 'Active', Version: '24.10.7 r29200-0def5678' });
    expect(await dev.bank(2)).toMatchObject({ Status: 'NoImage', Available: 'false' });
  }, 30_000);
});

/**
 * Firmware:1 on a generic Linux device through `--firmware-hook` (docs/firmware-hook.md): the
 * real agent process on `--platform linux`, the hook a stand-in A/B device
 * (test/fixtures/firmware/hook-standin.sh, its boot bank in a U-Boot environment kept by
 * fw_printenv/fw_setenv stand-ins) that logs its argv, a real WebSocket controller.
 * Download and install into the inactive bank, refusals, Request.{i}.Cancel() of a download,
 * activation and the reboot (Boot! FirmwareUpdated), and kill -9 during the download and during
 * the activation. The TP-469 section 9 cases by number: firmware-tp469.test.ts.
 */
import { existsSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { type FirmwareDevice, FW, startFirmwareDevice, stopFirmwareDevice } from '../peers/firmware-device.js';
import type { ImageServer } from '../unit/agent/firmware/image-server.js';

const image = (version: string, size = 40_000): Buffer => {
  const head = Buffer.from(`FWIMG version=${version}\n`);
  return Buffer.concat([head, Buffer.alloc(size - head.length, 0x5a)]);
};
const NOW = { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '60', 'TimeWindow.1.Mode': 'Immediately' };

let dev: FirmwareDevice;
let server: ImageServer;

beforeAll(async () => {
  ({ dev, server } = await startFirmwareDevice('hook', {
    '/os-2.0.0.bundle': { body: image('2.0.0') },
    '/os-3.0.0.bundle': { body: image('3.0.0') },
    '/garbage.bin': { body: Buffer.alloc(5000, 1) },
    '/stall.bundle': { body: image('9.9.9', 300_000), stallAfter: 1000 },
  }));
}, 30_000);
afterAll(() => stopFirmwareDevice({ dev, server }));

describe('--firmware-hook: banks from `hook status`', () => {
  it('two banks; the running one Active and both DeviceInfo references on it', async () => {
    expect(await dev.get(['Device.DeviceInfo.FirmwareImageNumberOfEntries', 'Device.DeviceInfo.ActiveFirmwareImage', 'Device.DeviceInfo.BootFirmwareImage'])).toEqual({
      'Device.DeviceInfo.FirmwareImageNumberOfEntries': '2',
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}1`,
      'Device.DeviceInfo.BootFirmwareImage': `${FW}1`,
    });
    expect(await dev.bank(1)).toMatchObject({ Name: 'rootfs.0', Version: '1.0.0', Status: 'Active' });
    expect(await dev.bank(2)).toMatchObject({ Status: 'NoImage', Version: '' });
  });
});

describe('Download()', () => {
  it('into the running bank: refused (7022) before any transfer', async () => {
    expect(await dev.operate(`${FW}1.Download()`, { URL: server.url('/os-2.0.0.bundle'), AutoActivate: 'false' }, 'dl-active')).toMatchObject({ reqObjPath: expect.any(String) });
    expect(await dev.operComplete('dl-active')).toMatchObject({ ok: false, errCode: 7022, errMsg: expect.stringMatching(/running bank/) });
    expect(dev.log('argv').filter((l) => !l.startsWith('status'))).toEqual([]);
  });

  it("an image the hook refuses: ValidationFailed, 7022 with the hook's words, nothing installed, nothing left in staging", async () => {
    await dev.operate(`${FW}2.Download()`, { URL: server.url('/garbage.bin'), AutoActivate: 'false' }, 'dl-garbage');
    expect(await dev.operComplete('dl-garbage')).toMatchObject({ ok: false, errCode: 7022 });
    expect(await dev.transferComplete('dl-garbage')).toMatchObject({ FaultCode: '7022', FaultString: expect.stringMatching(/not a firmware bundle for this device/) });
    expect(await dev.bank(2)).toMatchObject({ Status: 'ValidationFailed' });
    expect(dev.log('argv').some((l) => l.startsWith('install'))).toBe(false);
    expect(dev.stagingFiles()).toEqual([]);
  });

  it('an install the device fails: InstallationFailed, 7022', async () => {
    writeFileSync(join(dev.standin, 'fail-install'), '');
    try {
      await dev.operate(`${FW}2.Download()`, { URL: server.url('/os-2.0.0.bundle'), AutoActivate: 'false' }, 'dl-failinst');
      expect(await dev.transferComplete('dl-failinst')).toMatchObject({ FaultCode: '7022', FaultString: expect.stringMatching(/write failed: bank rootfs.1 is read-only/) });
      expect(await dev.bank(2)).toMatchObject({ Status: 'InstallationFailed' });
    } finally {
      rmSync(join(dev.standin, 'fail-install'));
    }
  });

  it("validate, then install IMAGE BANK: Available with the hook's version; the staged file is gone", async () => {
    await dev.operate(`${FW}2.Download()`, { URL: server.url('/os-2.0.0.bundle'), AutoActivate: 'false' }, 'dl-ok');
    expect(await dev.transferComplete('dl-ok')).toMatchObject({ FaultCode: '0' });
    expect(await dev.bank(2)).toMatchObject({ Name: 'rootfs.1', Version: '2.0.0', Status: 'Available', Available: 'true' });
    const calls = dev.log('argv').filter((l) => !l.startsWith('status'));
    expect(calls.slice(-2)).toEqual([
      expect.stringMatching(new RegExp(`^validate ${dev.staging}/\\.partial-2-\\d+$`)),
      expect.stringMatching(new RegExp(`^install ${dev.staging}/\\.partial-2-\\d+ rootfs\\.1$`)),
    ]);
    expect(dev.stagingFiles()).toEqual([]);
  });

  it('Request.{i}.Cancel() of a Download() (TP-469 9.8 cancels an Activate(): firmware-tp469.test.ts): 7023 and the bank as before', async () => {
    const { reqObjPath } = await dev.operate(`${FW}2.Download()`, { URL: server.url('/stall.bundle'), AutoActivate: 'false' }, 'dl-cancel');
    await dev.waitForStatus(2, 'Downloading');
    await dev.operate(`${reqObjPath}Cancel()`, {}, '');
    expect(await dev.operComplete('dl-cancel')).toMatchObject({ ok: false, errCode: 7023 });
    expect(await dev.bank(2)).toMatchObject({ Version: '2.0.0', Status: 'Available' });
  });
});

describe('a hook whose `status` starts failing', () => {
  it('DeviceInfo still reads (no references); FirmwareImage reads fail with 7003 naming the hook', async () => {
    writeFileSync(join(dev.standin, 'fail-status'), '');
    try {
      // Until the last good answer (kept for one Get, 2 s) expires.
      await expect.poll(async () => (await dev.get(['Device.DeviceInfo.ActiveFirmwareImage']))['Device.DeviceInfo.ActiveFirmwareImage'], { timeout: 8000, interval: 200 }).toBe('');
      expect((await dev.get(['Device.DeviceInfo.SoftwareVersion']))['Device.DeviceInfo.SoftwareVersion']).not.toBe('');
      await expect(dev.bank(2)).rejects.toThrow(/7003 .*firmware hook .*hook-standin\.sh status failed: bank table unreadable/);
    } finally {
      rmSync(join(dev.standin, 'fail-status'));
    }
    await expect.poll(async () => (await dev.get(['Device.DeviceInfo.ActiveFirmwareImage']))['Device.DeviceInfo.ActiveFirmwareImage'], { timeout: 8000, interval: 200 }).toBe(`${FW}1`);
  }, 20_000);
});

describe('kill -9', () => {
  it('during a download: the next start reports TransferComplete! with a fault; nothing half-written was installed or kept', async () => {
    await dev.operate(`${FW}2.Download()`, { URL: server.url('/stall.bundle'), AutoActivate: 'true' }, 'dl-killed');
    await dev.waitForStatus(2, 'Downloading');
    expect(dev.stagingFiles()).toEqual([expect.stringMatching(/^\.partial-2-/)]);
    const installs = dev.log('argv').filter((l) => l.startsWith('install')).length;
    await dev.kill9AndStart();
    expect(await dev.transferComplete('dl-killed')).toMatchObject({ FaultCode: '7022', FaultString: expect.stringMatching(/interrupted by a restart/), CompleteTime: '0001-01-01T00:00:00Z' });
    expect(dev.stagingFiles()).toEqual([]);
    expect(dev.log('argv').filter((l) => l.startsWith('install')).length).toBe(installs);
    expect(dev.log('argv').some((l) => l.startsWith('activate'))).toBe(false);
    expect(await dev.bank(2)).toMatchObject({ Version: '2.0.0', Status: 'Available' });
    expect(await dev.bootEvent()).toMatchObject({ FirmwareUpdated: 'false' });
  }, 30_000);

  it('during the activation (the device never came back into the new bank): ActivationFailed, FirmwareUpdated false', async () => {
    writeFileSync(join(dev.standin, 'hang-reboot'), '');
    try {
      await dev.operate(`${FW}2.Activate()`, NOW, 'act-killed');
      expect(await dev.operComplete('act-killed')).toMatchObject({ ok: true });
      // The first `reboot` of this device (a status read may follow it in the log).
      await expect.poll(() => dev.log('argv').includes('reboot'), { timeout: 8000 }).toBe(true);
      await dev.kill9AndStart();
    } finally {
      rmSync(join(dev.standin, 'hang-reboot'));
    }
    expect(await dev.bootEvent()).toMatchObject({ FirmwareUpdated: 'false' });
    expect(await dev.bank(2)).toMatchObject({ Status: 'ActivationFailed', BootFailureLog: expect.stringMatching(/image 2\.0\.0 requested at .* did not boot; running 1\.0\.0/) });
    expect(await dev.bank(1)).toMatchObject({ Status: 'Active', Version: '1.0.0' });
  }, 30_000);
});

describe('Activate()', () => {
  it('activate BANK, reboot; the next start runs the new bank and Boot! says FirmwareUpdated', async () => {
    // The stand-in's boot flag still points at rootfs.1 from the killed activation: a fresh one.
    await dev.operate(`${FW}2.Activate()`, NOW, 'act-2');
    expect(await dev.operComplete('act-2')).toMatchObject({ ok: true });
    await dev.reboot();
    expect(
      dev
        .log('argv')
        .filter((l) => /^(activate|reboot)/.test(l))
        .slice(-2),
    ).toEqual(['activate rootfs.1', 'reboot']);
    // The stand-in keeps the boot bank in the U-Boot environment, as an A/B hook would.
    expect(
      dev
        .log('fw_env')
        .filter((l) => l.startsWith('fw_setenv'))
        .at(-1),
    ).toBe('fw_setenv boot_slot rootfs.1');
    expect(await dev.bootEvent()).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'act-2', FirmwareUpdated: 'true' });
    expect(await dev.get(['Device.DeviceInfo.ActiveFirmwareImage', 'Device.DeviceInfo.BootFirmwareImage'])).toEqual({
      'Device.DeviceInfo.ActiveFirmwareImage': `${FW}2`,
      'Device.DeviceInfo.BootFirmwareImage': `${FW}2`,
    });
    expect(await dev.bank(2)).toMatchObject({ Status: 'Active', Version: '2.0.0' });
    expect(await dev.bank(1)).toMatchObject({ Status: 'Available', Version: '1.0.0' });
  }, 30_000);

  it('Download() with AutoActivate into the other bank (as TP-469 9.3): TransferComplete!, then the reboot into it', async () => {
    await dev.operate(`${FW}1.Download()`, { URL: server.url('/os-3.0.0.bundle'), AutoActivate: 'true' }, 'dl-auto');
    expect(await dev.transferComplete('dl-auto')).toMatchObject({ FaultCode: '0' });
    await dev.reboot();
    expect(await dev.bootEvent()).toMatchObject({ CommandKey: 'dl-auto', FirmwareUpdated: 'true' });
    expect(await dev.bank(1)).toMatchObject({ Status: 'Active', Version: '3.0.0' });
    expect(existsSync(join(dev.dataDir, 'firmware-transfers.json'))).toBe(false);
  }, 30_000);
});

describe('start-up problems stop the start naming the option', () => {
  async function failedStart(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const defaults = join(dev.dir, 'bad-defaults.json');
    writeDefaultsFile(defaults, 1);
    const p = AgentProcess.start(defaults, join(dev.dir, 'bad-data'), { platform: 'linux', args });
    const { code } = await p.exited;
    return { code, stderr: p.stderr() };
  }

  it('a hook whose `status` fails', async () => {
    const r = await failedStart(['--firmware-hook', '/bin/false']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--firmware-hook \/bin\/false: the firmware banks could not be read/);
  });

  it('a trust store that is not there', async () => {
    const r = await failedStart(['--firmware-trust', join(dev.dir, 'no-keys')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--firmware-trust .*no-keys: cannot read the directory/);
  });
});

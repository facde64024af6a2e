/**
 * What a Controller writes on a live device's firmware (TR-181 Firmware:1; platform/linux/firmware-boot-choice.ts):
 * FirmwareImage.{i}.Alias (held by the agent), .Available and Device.DeviceInfo.BootFirmwareImage, on both live
 * stand-ins, OpenWrt (`sysupgrade`, test/fixtures/openwrt/standin-bin) and the Linux
 * `--firmware-hook` A/B device (test/fixtures/firmware/hook-standin.sh): the real agent process,
 * a real WebSocket controller (test/peers/firmware-device.ts). Available false blocks
 * Activate() and BootFirmwareImage; BootFirmwareImage set to the other image is booted by the
 * next Device.Reboot() (sysupgrade flashes it, the hook reboots into it); bad values get 7012
 * and change nothing; everything survives a kill -9 and restart.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportedObjects } from '../peers/supported-items.js';
import { asError } from '../peers/TestController.js';
import { type FirmwareDevice, FW, startFirmwareDevice, stopFirmwareDevice } from '../peers/firmware-device.js';
import type { ImageServer } from '../unit/agent/firmware/image-server.js';

interface Platform {
  kind: 'openwrt' | 'hook';
  image(v: string): Buffer;
  version(v: string): string;
  /** The stand-in's log and the calls in it that boot or choose an image (not checks). */
  tool: 'sysupgrade' | 'argv';
  boots(line: string): boolean;
}

const pad = (head: string, size: number, fill: number): Buffer => {
  const h = Buffer.from(`${head}\n`);
  return Buffer.concat([h, Buffer.alloc(size - h.length, fill)]);
};
const PLATFORMS: Platform[] = [
  {
    kind: 'openwrt',
    image: (v) => pad(`OWRTIMG supported=netgear,wndr3800 version=${v} revision=r1-choice`, 50_000, 0xa5),
    version: (v) => `${v} r1-choice`,
    tool: 'sysupgrade',
    boots: (l) => !l.startsWith('-T'),
  },
  { kind: 'hook', image: (v) => pad(`FWIMG version=${v}`, 40_000, 0x5a), version: (v) => v, tool: 'argv', boots: (l) => /^(activate|reboot)/.test(l) },
];
const BOOT = 'Device.DeviceInfo.BootFirmwareImage';
const ACTIVE = 'Device.DeviceInfo.ActiveFirmwareImage';
const NOW = { 'TimeWindow.1.Start': '0', 'TimeWindow.1.End': '60', 'TimeWindow.1.Mode': 'Immediately' };

describe.each(PLATFORMS)('Firmware:1 writes on $kind', (p) => {
  let dev: FirmwareDevice;
  let server: ImageServer;

  beforeAll(async () => {
    ({ dev, server } = await startFirmwareDevice(p.kind, { '/fw-40.1.img': { body: p.image('40.1') } }, { [`${FW}2.Alias`]: 'standby' }));
  }, 30_000);
  afterAll(() => stopFirmwareDevice({ dev, server }));

  const refs = async (): Promise<{ active: string; boot: string }> => {
    const v = await dev.get([ACTIVE, BOOT]);
    return { active: v[ACTIVE], boot: v[BOOT] };
  };
  const liveState = (): { unavailable?: number[]; bootRequested?: number } => JSON.parse(readFileSync(join(dev.dataDir, 'firmware-live.json'), 'utf8')) as never;
  const bootCalls = (): string[] => dev.log(p.tool).filter(p.boots);

  it('GetSupportedDM: Alias, Available and BootFirmwareImage writable', async () => {
    const served = await supportedObjects(dev.c, ['Device.DeviceInfo.']);
    const access = (obj: string, param: string): string | undefined => served.get(obj)?.supportedParams?.find((x) => x.paramName === param)?.access;
    expect(access('Device.DeviceInfo.', 'BootFirmwareImage')).toBe('PARAM_READ_WRITE');
    expect(access(`${FW}{i}.`, 'Available')).toBe('PARAM_READ_WRITE');
    // writeOnceReadOnly: USP reports it as writable.
    expect(access(`${FW}{i}.`, 'Alias')).toBe('PARAM_READ_WRITE');
  });

  it('Alias: the agent holds it (the factory defaults named FirmwareImage.2, FirmwareImage.1 has its cpe- one); write-once: a Set answers 7013', async () => {
    expect(await dev.bank(1)).toMatchObject({ Alias: 'cpe-1' });
    expect(await dev.get([`${FW}[Alias=="standby"].Status`])).toEqual({ [`${FW}2.Status`]: 'NoImage' });
    expect(await dev.set({ [`${FW}2.`]: { Alias: 'other' } })).toMatchObject({ ok: false, params: { Alias: 7013 } });
    expect(await dev.set({ [`${FW}1.`]: { Alias: 'running' } })).toMatchObject({ ok: false, params: { Alias: 7013 } });
  });

  it('bad BootFirmwareImage values: 7012 and nothing chosen', async () => {
    for (const bad of ['', `${FW}3`, 'Device.IP.Interface.1', `${FW}2`]) {
      expect(await dev.set({ 'Device.DeviceInfo.': { BootFirmwareImage: bad } }), bad).toMatchObject({ ok: false, params: { BootFirmwareImage: 7012 } });
    }
    // FirmwareImage.2 is empty: the message says so.
    expect(await dev.set({ 'Device.DeviceInfo.': { BootFirmwareImage: `${FW}2` } })).toMatchObject({ errMsg: expect.stringMatching(/no installed image/) });
    expect(await refs()).toEqual({ active: `${FW}1`, boot: `${FW}1` });
    expect(bootCalls()).toEqual([]);
  });

  it('Available: the running image cannot be made unavailable, an empty row cannot be made available (7012)', async () => {
    expect(await dev.set({ [`${FW}1.`]: { Available: 'false' } })).toMatchObject({ ok: false, params: { Available: 7012 }, errMsg: expect.stringMatching(/running image/) });
    expect(await dev.set({ [`${FW}2.`]: { Available: 'true' } })).toMatchObject({ ok: false, params: { Available: 7012 }, errMsg: expect.stringMatching(/holds no image/) });
    expect(await dev.bank(1)).toMatchObject({ Available: 'true', Status: 'Active' });
  });

  it('Available false on a staged image: Activate() fails with 7022, BootFirmwareImage refuses it, nothing booted', async () => {
    await dev.operate(`${FW}2.Download()`, { URL: server.url('/fw-40.1.img'), AutoActivate: 'false' }, 'dl-40.1');
    expect(await dev.transferComplete('dl-40.1')).toMatchObject({ FaultCode: '0' });
    expect(await dev.bank(2)).toMatchObject({ Status: 'Available', Available: 'true', Alias: 'standby' });
    expect(await dev.set({ [`${FW}2.`]: { Available: 'false' } })).toEqual({ ok: true });
    expect(await dev.bank(2)).toMatchObject({ Status: 'Available', Available: 'false' });
    await dev.operate(`${FW}2.Activate()`, NOW, 'act-unavailable');
    expect(await dev.operComplete('act-unavailable')).toMatchObject({ ok: false, errCode: 7022, errMsg: expect.stringMatching(/not Available/) });
    expect(await dev.set({ 'Device.DeviceInfo.': { BootFirmwareImage: `${FW}2` } })).toMatchObject({ ok: false, params: { BootFirmwareImage: 7012 } });
    expect(bootCalls()).toEqual([]);
    expect(dev.proc.alive).toBe(true);
    expect(liveState().unavailable).toEqual([2]);
  });

  it('kill -9 and restart: Alias and Available kept', async () => {
    await dev.kill9AndStart();
    expect(await dev.bank(2)).toMatchObject({ Alias: 'standby', Available: 'false', Version: p.version('40.1') });
    expect(await dev.bank(1)).toMatchObject({ Alias: 'cpe-1' });
    expect(await dev.set({ [`${FW}2.`]: { Available: 'true' } })).toEqual({ ok: true });
    expect(liveState().unavailable).toBeUndefined();
  }, 30_000);

  it('one Set that fails as a whole (allow_partial false) changes neither object, and the state file is whole', async () => {
    const before = readFileSync(join(dev.dataDir, 'firmware-live.json'), 'utf8');
    const r = await dev.c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: `${FW}2.`, paramSettings: [{ param: 'Available', value: 'false', required: true }] },
          { objPath: 'Device.DeviceInfo.', paramSettings: [{ param: 'BootFirmwareImage', value: `${FW}9`, required: true }] },
        ],
      },
    });
    expect(asError(r).paramErrs).toEqual([expect.objectContaining({ paramPath: `Device.DeviceInfo.BootFirmwareImage`, errCode: 7012 })]);
    expect(await dev.bank(2)).toMatchObject({ Available: 'true' });
    expect(readFileSync(join(dev.dataDir, 'firmware-live.json'), 'utf8')).toBe(before);
    expect(readdirSync(dev.dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('BootFirmwareImage set to the staged image: chosen, not booted; its Available cannot go false; a restart keeps the choice', async () => {
    expect(await dev.set({ 'Device.DeviceInfo.': { BootFirmwareImage: `${FW}2` } })).toEqual({ ok: true });
    expect(await refs()).toEqual({ active: `${FW}1`, boot: `${FW}2` });
    // sysupgrade checks the staged file again and flashes nothing; the hook is told the next boot's bank.
    if (p.kind === 'hook') expect(bootCalls()).toEqual(['activate rootfs.1']);
    else expect(bootCalls()).toEqual([]);
    expect(await dev.set({ [`${FW}2.`]: { Available: 'false' } })).toMatchObject({ ok: false, params: { Available: 7012 }, errMsg: expect.stringMatching(/BootFirmwareImage/) });
    await dev.kill9AndStart();
    expect(await refs()).toEqual({ active: `${FW}1`, boot: `${FW}2` });
    expect(await dev.bootEvent()).toMatchObject({ FirmwareUpdated: 'false' });
  }, 30_000);

  it('set back to the running image: the choice is cancelled; Device.Reboot() then boots nothing new', async () => {
    expect(await dev.set({ 'Device.DeviceInfo.': { BootFirmwareImage: `${FW}1` } })).toEqual({ ok: true });
    expect(await refs()).toEqual({ active: `${FW}1`, boot: `${FW}1` });
    const calls = bootCalls().length;
    expect(await dev.operate('Device.Reboot()', {}, 'reboot-plain')).toEqual({});
    await dev.reboot();
    expect(await dev.bootEvent()).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'reboot-plain', FirmwareUpdated: 'false' });
    // The hook was told the running bank again (the cancel), and nothing else.
    expect(bootCalls().slice(calls)).toEqual([]);
    expect(await refs()).toEqual({ active: `${FW}1`, boot: `${FW}1` });
    expect(await dev.bank(2)).toMatchObject({ Status: 'Available', Version: p.version('40.1') });
  }, 30_000);

  // Only the sysupgrade stand-in can fail a flash: the hook's Linux variant has no such case (not a skip).
  if (p.kind === 'openwrt')
    it('Device.Reboot() whose flash fails: the agent restarts on the running image, the staged one ActivationFailed, BootFirmwareImage still names it', async () => {
      expect(await dev.set({ 'Device.DeviceInfo.': { BootFirmwareImage: `${FW}2` } })).toEqual({ ok: true });
      writeFileSync(join(dev.standin, 'fail-flash'), '');
      try {
        expect(await dev.operate('Device.Reboot()', {}, 'reboot-fail')).toEqual({});
        await dev.reboot();
      } finally {
        rmSync(join(dev.standin, 'fail-flash'));
      }
      expect(await dev.bootEvent()).toMatchObject({ CommandKey: 'reboot-fail', FirmwareUpdated: 'false' });
      expect(await refs()).toEqual({ active: `${FW}1`, boot: `${FW}2` });
      expect(await dev.bank(2)).toMatchObject({ Status: 'ActivationFailed', BootFailureLog: expect.stringMatching(/did not boot; running 24\.10\.5/) });
    }, 30_000);

  it('BootFirmwareImage set to the staged image, then Device.Reboot(): the device boots it (FirmwareUpdated, the new SoftwareVersion)', async () => {
    expect(await dev.set({ 'Device.DeviceInfo.': { BootFirmwareImage: `${FW}2` } })).toEqual({ ok: true });
    expect(await dev.operate('Device.Reboot()', {}, 'reboot-into-2')).toEqual({});
    await dev.reboot();
    expect(await dev.bootEvent()).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'reboot-into-2', FirmwareUpdated: 'true' });
    expect(await refs()).toEqual({ active: `${FW}2`, boot: `${FW}2` });
    expect(await dev.get(['Device.DeviceInfo.SoftwareVersion'])).toEqual({ 'Device.DeviceInfo.SoftwareVersion': p.version('40.1') });
    expect(await dev.bank(2)).toMatchObject({ Status: 'Active', Alias: 'standby' });
    if (p.kind === 'openwrt') expect(bootCalls().at(-1)).toBe(join(dev.staging, 'firmware-bank2.img'));
    else expect(bootCalls().slice(-2)).toEqual(['activate rootfs.1', 'reboot']);
  }, 30_000);
});

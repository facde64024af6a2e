/**
 * An Activate() waiting for its TimeWindow (TR-181 FirmwareImage.{i}.Activate(): windows are
 * offsets from the call) outlives a restart of the agent: the real agent process on the Linux
 * `--firmware-hook` stand-in (test/peers/firmware-device.ts) is killed (-9, the power cut) while
 * the call waits; the next start still activates in the window, or, when the window ended
 * while the agent was down, records the failed activation in the image's BootFailureLog
 * (ActivationFailed) and activates nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FirmwareDevice, FW, startFirmwareDevice, stopFirmwareDevice } from '../peers/firmware-device.js';
import type { ImageServer } from '../unit/agent/firmware/image-server.js';

const JOURNAL = 'firmware-activations.json';
const image = (version: string): Buffer => {
  const head = Buffer.from(`FWIMG version=${version}\n`);
  return Buffer.concat([head, Buffer.alloc(30_000 - head.length, 0x5a)]);
};

let dev: FirmwareDevice;
let server: ImageServer;

beforeAll(async () => {
  ({ dev, server } = await startFirmwareDevice('hook', { '/os-4.0.0.bundle': { body: image('4.0.0') }, '/os-5.0.0.bundle': { body: image('5.0.0') } }));
}, 30_000);
afterAll(() => stopFirmwareDevice({ dev, server }));

async function inactiveBank(): Promise<number> {
  return (await dev.get(['Device.DeviceInfo.ActiveFirmwareImage']))['Device.DeviceInfo.ActiveFirmwareImage'] === `${FW}1` ? 2 : 1;
}

async function stage(path: string, key: string): Promise<number> {
  const n = await inactiveBank();
  await dev.operate(`${FW}${n}.Download()`, { URL: server.url(path), AutoActivate: 'false' }, key);
  expect(await dev.transferComplete(key)).toMatchObject({ FaultCode: '0' });
  return n;
}

/** Calls Activate() with one AnyTime window and waits until the call is journaled (it waits for its Start). */
async function activateLater(n: number, start: number, end: number, key: string): Promise<number> {
  const invokedAt = Date.now();
  expect(await dev.operate(`${FW}${n}.Activate()`, { 'TimeWindow.1.Start': String(start), 'TimeWindow.1.End': String(end), 'TimeWindow.1.Mode': 'AnyTime' }, key)).toMatchObject({
    reqObjPath: expect.any(String),
  });
  await expect.poll(() => existsSync(join(dev.dataDir, JOURNAL))).toBe(true);
  return invokedAt;
}

describe('Activate() waiting for its TimeWindow across a restart', () => {
  it('kill -9 while it waits: the next start activates in the window; Boot! carries its CommandKey and FirmwareUpdated', async () => {
    const n = await stage('/os-4.0.0.bundle', 'dl-4');
    await activateLater(n, 6, 120, 'act-resume');
    await dev.kill9AndStart();
    expect(await dev.bootEvent()).toMatchObject({ FirmwareUpdated: 'false' });
    await dev.proc.waitForLine(/msg="firmware activation resumed after a restart"/);
    // The resumed activation restarts the agent into the bank, as an uninterrupted one does.
    await dev.reboot();
    expect(await dev.bootEvent()).toMatchObject({ Cause: 'RemoteReboot', CommandKey: 'act-resume', FirmwareUpdated: 'true' });
    expect(await dev.get(['Device.DeviceInfo.ActiveFirmwareImage'])).toEqual({ 'Device.DeviceInfo.ActiveFirmwareImage': `${FW}${n}` });
    expect(await dev.bank(n)).toMatchObject({ Status: 'Active', Version: '4.0.0' });
    expect(existsSync(join(dev.dataDir, JOURNAL))).toBe(false);
  }, 40_000);

  it('the window ends while the agent is down: ActivationFailed with a BootFailureLog, nothing activated, the running image kept', async () => {
    const n = await stage('/os-5.0.0.bundle', 'dl-5');
    const activations = dev.log('argv').filter((l) => /^(activate|reboot)/.test(l)).length;
    const invokedAt = await activateLater(n, 2, 3, 'act-missed');
    await dev.proc.kill9();
    await dev.c.close();
    // The agent stays down until the window has ended (the point of the case, not a race).
    while (Date.now() < invokedAt + 3500) await new Promise((r) => setTimeout(r, 100));
    await dev.start();
    expect(await dev.bootEvent()).toMatchObject({ FirmwareUpdated: 'false' });
    await expect.poll(async () => (await dev.bank(n)).Status).toBe('ActivationFailed');
    expect(await dev.bank(n)).toMatchObject({
      Version: '5.0.0',
      BootFailureLog: expect.stringMatching(/activation requested at .* not done: the agent was restarted and its last TimeWindow ended at /),
    });
    expect(await dev.bank(3 - n)).toMatchObject({ Status: 'Active', Version: '4.0.0' });
    expect(dev.log('argv').filter((l) => /^(activate|reboot)/.test(l)).length).toBe(activations);
    expect(existsSync(join(dev.dataDir, JOURNAL))).toBe(false);
    expect(dev.proc.alive).toBe(true);
  }, 40_000);
});

/**
 * Device.DeviceInfo.DeviceImageFile.{i}. (TR-181 DeviceImage:1) read by a real controller over
 * WebSocket: the simulated gateway's own picture, the pictures of an integrator's
 * `--device-image-dir` (files named for their side; a file that cannot be served is left out
 * and logged), a directory that does not exist (no rows, no warning), and the table read-only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isPicture, MAX_DEVICE_IMAGE_BYTES } from '../../platform/device-images.js';
import { AGENT_EID, CONTROLLER_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { freePort, TestController } from '../peers/TestController.js';
import { get, tryAdd, trySet } from '../peers/controller-steps.js';

const work = mkdtempSync(join(tmpdir(), 'usp-device-images-'));
let f: AgentFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
  await AgentProcess.killAll();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 1x1 white grey-scale PNG (signature, IHDR, IDAT, IEND), written here so the test needs no binary fixture. */
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAsTj2FAAAAABJRU5ErkJggg==', 'base64');
/** The start of a JPEG (SOI, then an APP0 marker): what tells the format apart. */
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);

describe('DeviceImageFile on the simulated gateway', () => {
  it("serves the gateway's own Front picture, a PNG, read-only", async () => {
    f = await startAgent();
    const c = f.controller;
    expect(await get(c, 'Device.DeviceInfo.DeviceImageNumberOfEntries')).toBe('1');
    expect(await get(c, 'Device.DeviceInfo.DeviceImageFile.1.Location')).toBe('Front');
    const png = Buffer.from(await get(c, 'Device.DeviceInfo.DeviceImageFile.1.Image'), 'base64');
    expect(isPicture(png)).toBe(true);
    // IHDR: 48 x 32 pixels.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([48, 32]);
    const added = await tryAdd(c, 'Device.DeviceInfo.DeviceImageFile.', {});
    expect(added.ok).toBe(false);
    const set = await trySet(c, 'Device.DeviceInfo.DeviceImageFile.1.', { Location: 'Back' });
    expect(set.ok).toBe(false);
  });

  it("serves an integrator's directory instead: one row per side, files it cannot serve left out and logged", async () => {
    const dir = join(work, 'images');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Back.JPG'), JPEG_HEAD);
    writeFileSync(join(dir, 'front.png'), PNG_1X1);
    writeFileSync(join(dir, 'top.gif'), Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(MAX_DEVICE_IMAGE_BYTES)]));
    writeFileSync(join(dir, 'left.png'), 'not a picture');
    // A directory where a file is expected: unreadable even for root (chmod would not stop root).
    mkdirSync(join(dir, 'right.png'));
    writeFileSync(join(dir, 'notes.txt'), 'ignored: not named for a side');
    f = await startAgent({ captureLogs: true, agent: { deviceImageDir: dir } });
    const c = f.controller;
    expect(await get(c, 'Device.DeviceInfo.DeviceImageNumberOfEntries')).toBe('2');
    // Numbered in TR-181's order of the sides, Front first.
    expect(await get(c, 'Device.DeviceInfo.DeviceImageFile.1.Location')).toBe('Front');
    expect(Buffer.from(await get(c, 'Device.DeviceInfo.DeviceImageFile.1.Image'), 'base64')).toEqual(PNG_1X1);
    expect(await get(c, 'Device.DeviceInfo.DeviceImageFile.2.Location')).toBe('Back');
    expect(Buffer.from(await get(c, 'Device.DeviceInfo.DeviceImageFile.2.Image'), 'base64')).toEqual(JPEG_HEAD);
    const warnings = f.logs.filter((l) => l.includes('device image'));
    expect(warnings.filter((l) => l.includes('too large') && l.includes('top.gif'))).toHaveLength(1);
    expect(warnings.filter((l) => l.includes('no PNG, JPEG or GIF') && l.includes('left.png'))).toHaveLength(1);
    expect(warnings.filter((l) => l.includes('unreadable') && l.includes('right.png'))).toHaveLength(1);
    expect(warnings).toHaveLength(3);
  });

  it('serves no rows, and warns of nothing, when the directory does not exist', async () => {
    f = await startAgent({ captureLogs: true, agent: { deviceImageDir: join(work, 'no-such-dir') } });
    expect(await get(f.controller, 'Device.DeviceInfo.DeviceImageNumberOfEntries')).toBe('0');
    expect(f.logs.filter((l) => l.includes('device image'))).toEqual([]);
  });
});

describe('DeviceImageFile from the command line (the agent process, npm run build first)', () => {
  it('takes $deviceImageDir relative to the defaults file, and --device-image-dir over it', async () => {
    const base = join(work, 'process');
    mkdirSync(join(base, 'pics-a'), { recursive: true });
    mkdirSync(join(base, 'pics-b'));
    writeFileSync(join(base, 'pics-a', 'front.png'), PNG_1X1);
    writeFileSync(join(base, 'pics-b', 'bottom.jpeg'), JPEG_HEAD);
    const sides = async (args: string[]): Promise<string> => {
      const port = await freePort();
      const defaults = join(base, `defaults-${port}.json`);
      writeDefaultsFile(defaults, port, { $deviceImageDir: 'pics-a' });
      const p = AgentProcess.start(defaults, join(base, `data-${port}`), { args });
      await p.waitForLine(/websocket server listening/);
      const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID);
      try {
        return await get(c, 'Device.DeviceInfo.DeviceImageFile.1.Location');
      } finally {
        await c.close();
        await p.terminate();
      }
    };
    expect(await sides([])).toBe('Front');
    expect(await sides(['--device-image-dir', join(base, 'pics-b')])).toBe('Bottom');
  }, 30_000);
});

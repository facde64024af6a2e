/**
 * Device.DeviceInfo. on the Linux platform from a real agent (in-process, on this machine's
 * /sys and /proc) over a real WebSocket: the identity a tender reads (DeviceInfo:1, Baseline:4)
 * is served in full, the factory-defaults file sets the integrator's vendor data over what the
 * host says, a Controller cannot change it (read-only), and FriendlyName/ProvisioningCode are
 * kept across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

const VENDOR = {
  'Device.DeviceInfo.Manufacturer': 'Example Networks',
  'Device.DeviceInfo.ManufacturerOUI': '0A5F1E',
  'Device.DeviceInfo.ModelName': 'EX-5G Linux Gateway',
  'Device.DeviceInfo.ProductClass': '5G-FWA',
};
const dataDir = mkdtempSync(join(tmpdir(), 'usp-linux-devinfo-'));
let f: AgentFixture | undefined;

afterAll(async () => {
  await f?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const info = async (): Promise<Record<string, string>> => (await getObjects(f!.controller, ['Device.DeviceInfo.']))['Device.DeviceInfo.']!;

describe('Linux Device.DeviceInfo. identity, through a Controller', () => {
  it('serves the vendor data the factory defaults give, over what the host says', async () => {
    f = await startAgent({ platform: 'linux', dataDir, extra: VENDOR });
    const v = await info();
    expect(v).toMatchObject({ Manufacturer: 'Example Networks', ManufacturerOUI: '0A5F1E', ModelName: 'EX-5G Linux Gateway', ProductClass: '5G-FWA', FriendlyName: '', ProvisioningCode: '' });
    expect(v.SerialNumber).toBeDefined();
  });

  it('refuses a Controller Set of the vendor identity (read-only), takes FriendlyName and ProvisioningCode', async () => {
    const r = await trySet(f!.controller, 'Device.DeviceInfo.', { Manufacturer: 'Someone Else' });
    expect(r.ok).toBe(false);
    expect((await info()).Manufacturer).toBe('Example Networks');
    await set(f!.controller, 'Device.DeviceInfo.', { FriendlyName: 'Attic gateway', ProvisioningCode: 'TENDER-7' });
    expect(await info()).toMatchObject({ FriendlyName: 'Attic gateway', ProvisioningCode: 'TENDER-7' });
  });

  it('keeps both, and the vendor data, across a restart', async () => {
    const port = f!.port;
    await f!.close();
    f = await startAgent({ platform: 'linux', port, dataDir, extra: VENDOR });
    expect(await info()).toMatchObject({ Manufacturer: 'Example Networks', ManufacturerOUI: '0A5F1E', FriendlyName: 'Attic gateway', ProvisioningCode: 'TENDER-7' });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { fakeOpenWrt, IWINFO_ASSOCLIST, IWINFO_INFO, openWrt, type PlatformFixture } from './fake-openwrt.js';

async function rejection(p: Promise<unknown>): Promise<UspError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UspError);
    return e as UspError;
  }
  throw new Error('expected a rejection');
}

describe('openwrt platform: a failing source fails its own subtree only', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('without rpcd-mod-iwinfo, Device.WiFi. fails with 7003 naming the call; the rest reads', async () => {
    const fake = fakeOpenWrt();
    fake.respond(IWINFO_INFO, undefined); // ubus: "Command failed: Not found", exit 4
    fake.respond(IWINFO_ASSOCLIST, undefined);
    fx = openWrt(fake);
    const e = await rejection(fx.read('Device.WiFi.'));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(e.message).toContain('ubus call iwinfo info {"device":"phy1-ap0"}');
    expect(e.message).toContain('Not found');
    expect((await fx.values('Device.DeviceInfo.')).get('Device.DeviceInfo.')).toMatchObject({ ModelName: 'COVR-X1860 A1' });
    expect((await fx.values('Device.IP.')).get('Device.IP.Interface.1.')).toMatchObject({ Status: 'Up' });
    expect((await fx.values('Device.Ethernet.')).get('Device.Ethernet.Interface.1.')).toMatchObject({ Name: 'eth0' });
    // What does not need iwinfo still reads: the list of radios and the down radio.
    expect(await fx.binding('Device.WiFi.Radio.{i}.').list!([], {})).toEqual([1, 2]);
    expect(await fx.binding('Device.WiFi.Radio.{i}.').get([1], {})).toMatchObject({ Status: 'Down' });
  });

  it('with no ubus installed, every ubus-backed object fails with a clear 7003; /proc still reads', async () => {
    fx = openWrt(fakeOpenWrt({ withUbus: false }));
    await fx.platform.ready; // the listeners fail to start and keep retrying, quietly
    for (const path of ['Device.DeviceInfo.MemoryStatus.', 'Device.IP.', 'Device.Ethernet.', 'Device.WiFi.']) {
      const e = await rejection(fx.read(path));
      expect(e.code, path).toBe(ErrorCode.InternalError);
      expect(e.message, path).toMatch(/data source unavailable: ubus call .*: ubus is not installed \(ENOENT/);
    }
    const cpu = (await fx.values('Device.DeviceInfo.ProcessStatus.')).get('Device.DeviceInfo.ProcessStatus.');
    expect(typeof cpu?.CPUUsage).toBe('number');
  });

  it('tries a missing tool once per source in a whole-tree read, not once per object', async () => {
    fx = openWrt(fakeOpenWrt({ withUbus: false }));
    await fx.platform.ready;
    fx.platform.runner.invalidate();
    const before = fx.platform.runner.calls;
    for (const path of ['Device.IP.', 'Device.IP.', 'Device.Ethernet.', 'Device.WiFi.']) await fx.read(path).catch(() => undefined);
    // network.interface dump, network.device status (Ethernet; IP's LowerLayers share it), network.wireless status,
    // and `uci show network` (IP.Interface's configuration, which uci still answers)
    expect(fx.platform.runner.calls - before).toBe(4);
  });

  it('without network.device, Ethernet fails but DeviceInfo and IP read (minus the MAC-derived serial and links)', async () => {
    const fake = fakeOpenWrt();
    fake.respond('network.device status', { exit: 1, stderr: 'Command failed: Unknown error' });
    fx = openWrt(fake);
    expect((await rejection(fx.read('Device.Ethernet.'))).message).toContain('ubus call network.device status: exit 1');
    const info = (await fx.values('Device.DeviceInfo.')).get('Device.DeviceInfo.')!;
    expect(info).toMatchObject({ Manufacturer: 'D-Link', UpTime: 183748 });
    expect(info).not.toHaveProperty('SerialNumber');
    const ip = await fx.values('Device.IP.');
    expect(ip.get('Device.IP.Interface.1.')).toMatchObject({ Status: 'Up', LowerLayers: '' });
    // Its counters are network.device's: left out of the read, not failing it.
    expect(ip.has('Device.IP.Interface.1.Stats.')).toBe(false);
  });

  it('a malformed answer is a 7003 for that object, not a crash', async () => {
    const fake = fakeOpenWrt();
    fake.respond('system info', { text: '{ "uptime": ' });
    fx = openWrt(fake);
    const e = await rejection(fx.read('Device.DeviceInfo.MemoryStatus.'));
    expect(e.message).toMatch(/ubus call system info: unexpected output/);
  });
});

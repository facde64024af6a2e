/**
 * Device.Ethernet.Interface.{i}.LastChange on OpenWrt: counted from the Status change the agent
 * saw in netifd's `network.device status` (the recorded 24.10 DSA router's), as bridge ports do.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const IF = 'Device.Ethernet.Interface.{i}.';

describe('openwrt platform: Ethernet.Interface LastChange', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('counts from the Status change the agent saw (from its first reading before that)', async () => {
    let now = Date.UTC(2026, 11, 5);
    const fake = dsaRouter();
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET, now: () => now });
    // Interface.4 is lan3 (eth0, then lan1..lan4 by name), without carrier on the recorded router.
    expect((await fx.values('Device.Ethernet.')).get('Device.Ethernet.Interface.4.')).toMatchObject({ Name: 'lan3', Status: 'Down', LastChange: 0 });
    const read = async (): Promise<Record<string, unknown>> => fx.binding(IF).get([4], {});
    now += 42_000;
    expect((await read()).LastChange).toBe(42);
    // lan3 gets its carrier back: netifd reports it up.
    const status = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-device-status.24.10-dsa.json`, 'utf8')) as Record<string, Record<string, unknown>>;
    status.lan3 = { ...status.lan2 };
    fake.respond('network.device status', { json: status });
    fx.platform.runner.invalidate();
    expect(await read()).toMatchObject({ Status: 'Up', LastChange: 0 });
    now += 3_000;
    expect((await read()).LastChange).toBe(3);
  });
});

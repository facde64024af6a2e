/**
 * Device.Ethernet.Link.{i}. on OpenWrt (the recorded 24.10 DSA router's `network.device status`):
 * LastChange counted from the Status change the agent saw, apart from the port's.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const LINK = 'Device.Ethernet.Link.{i}.';

describe('openwrt platform: Ethernet.Link LastChange', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('counts from the Status change the agent saw (from its first reading before that)', async () => {
    let now = Date.UTC(2026, 11, 5);
    const fake = dsaRouter();
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET, now: () => now });
    // Links in name order: br-lan, br-lan.1, eth0, wan (lan1..lan4 are bridge members).
    expect((await fx.values('Device.Ethernet.')).get('Device.Ethernet.Link.4.')).toMatchObject({ Name: 'wan', Status: 'Up', LastChange: 0 });
    const read = async (): Promise<Record<string, unknown>> => fx.binding(LINK).get([4], {});
    now += 42_000;
    expect((await read()).LastChange).toBe(42);
    // The WAN cable is pulled: netifd reports wan up without carrier.
    const status = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-device-status.24.10-dsa.json`, 'utf8')) as Record<string, Record<string, unknown>>;
    status.wan = { ...status.wan, carrier: false };
    fake.respond('network.device status', { json: status });
    fx.platform.runner.invalidate();
    expect(await read()).toMatchObject({ Status: 'LowerLayerDown', LastChange: 0 });
    now += 3_000;
    expect((await read()).LastChange).toBe(3);
  });
});

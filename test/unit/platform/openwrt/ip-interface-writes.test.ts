/**
 * IP.Interface writes on OpenWrt that the recorded uci sequences of test/integration/openwrt-ip.test.ts
 * do not reach: an interface taken down at run time (netifd `ifdown`: still in the dump, not up,
 * `autostart` false) has nothing to change in UCI when a Controller enables it again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

describe('openwrt platform: IP.Interface Enable', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('enables an interface ifdown took down with `ubus call network.interface.<name> up`, writing no UCI', async () => {
    fx = openWrt();
    const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: Array<Record<string, unknown>> };
    // netifd's status of an interface after `ifdown wan`: kept, not up, no longer started by itself.
    const down = { ...recorded.interface[0], up: false, autostart: false, uptime: undefined, 'ipv4-address': [], route: [], 'dns-server': [] };
    fx.fake.respond('network.interface dump', { json: { interface: [down, recorded.interface[1]] } });
    fx.fake.respond('network.interface.wan up', { text: '' });
    const ip = fx.binding('Device.IP.Interface.{i}.');
    expect(await ip.get([1], {})).toMatchObject({ Name: 'wan', Enable: false, Status: 'Down' });
    fx.fake.clearLog();
    await ip.set!([1], { Enable: true }, {});
    // The platform's background event watchers (`ubus listen`, `ubus subscribe hostapd.*`) start on their own
    // schedule, so only what the write ran counts: no uci change, one netifd call.
    const written = fx.fake.invocations().filter((a) => !(a[0] === 'uci' && a[1] === '-q') && !(a[0] === 'ubus' && (a[2] === 'network.interface' || a[1] === 'listen' || a[1] === 'subscribe')));
    expect(written).toEqual([['ubus', 'call', 'network.interface.wan', 'up']]);
  });
});

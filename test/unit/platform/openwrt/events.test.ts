import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { eventually, FIXTURES, IWINFO_ASSOCLIST, openWrt, type PlatformFixture } from './fake-openwrt.js';

const HOSTAPD = 'hostapd.phy1-ap0';
const NEW_STATION = '5a:11:22:33:44:55';

describe('openwrt platform: changes reported from ubus events, without polling', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  const watch = (): Change[] => {
    const seen: Change[] = [];
    fx.model.changes.subscribe((c) => seen.push(c));
    return seen;
  };

  it('turns a hostapd association into ObjectCreation of an AssociatedDevice, and disassociation into ObjectDeletion', async () => {
    fx = openWrt();
    await fx.platform.ready;
    const table = fx.binding('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.');
    expect(await table.list!([2], {})).toEqual([1]); // the recorded station; not news
    const changes = watch();

    fx.fake.respond(IWINFO_ASSOCLIST, { file: 'ubus-iwinfo-assoclist.phy1-ap0.after-assoc.json' });
    fx.fake.event(HOSTAPD, 'assoc', { address: NEW_STATION, target: '94:83:c4:00:00:03', signal: -67, freq: 5180 });
    await eventually(() => expect(changes).toHaveLength(1));
    expect(changes[0]).toMatchObject({ kind: 'created', path: 'Device.WiFi.AccessPoint.2.AssociatedDevice.2.' });
    expect(changes[0].inst.keys).toEqual([2, 2]);
    // The event dropped the cached station list: the new station reads at once.
    expect(await table.list!([2], {})).toEqual([1, 2]);
    expect(await table.get([2, 2], {})).toMatchObject({ MACAddress: NEW_STATION, OperatingStandard: 'ac', SignalStrength: -67 });
    // hostapd also tells when the station is authorized: the same station, no second creation.
    fx.fake.event(HOSTAPD, 'sta-authorized', { address: NEW_STATION, 'auth-alg': 'sae' });

    fx.fake.respond(IWINFO_ASSOCLIST, { file: 'ubus-iwinfo-assoclist.phy1-ap0.json' });
    fx.fake.event(HOSTAPD, 'disassoc', { address: NEW_STATION });
    await eventually(() => expect(changes).toHaveLength(2));
    expect(changes[1]).toMatchObject({ kind: 'deleted', path: 'Device.WiFi.AccessPoint.2.AssociatedDevice.2.' });
    expect(await table.list!([2], {})).toEqual([1]);

    // Coming back, the station gets its old instance number again (never another station's).
    fx.fake.event(HOSTAPD, 'assoc', { address: NEW_STATION });
    await eventually(() => expect(changes).toHaveLength(3));
    expect(changes[2]).toMatchObject({ kind: 'created', path: 'Device.WiFi.AccessPoint.2.AssociatedDevice.2.' });
    expect(fx.fake.invocations().filter((a) => a[1] === 'subscribe')).toEqual([['ubus', 'subscribe', HOSTAPD]]);
  });

  it('reports an interface going down (netifd ifdown) as a ValueChange of IP.Interface.Status', async () => {
    fx = openWrt();
    await fx.platform.ready;
    const changes = watch();
    const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as {
      interface: Array<Record<string, unknown>>;
    };
    const wan = recorded.interface[0];
    const down = { ...wan, up: false, uptime: undefined, 'ipv4-address': [], route: [], 'dns-server': [] };
    fx.fake.respond('network.interface dump', { json: { interface: [down, recorded.interface[1]] } });
    fx.fake.event('listen', 'network.interface', { action: 'ifdown', interface: 'wan' });
    await eventually(() => expect(changes.some((c) => c.kind === 'deleted')).toBe(true));
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'value', path: 'Device.IP.Interface.1.', param: 'Status', value: 'Down' }),
        expect.objectContaining({ kind: 'value', path: 'Device.IP.Interface.1.', param: 'IPv4AddressNumberOfEntries', value: 0 }),
        expect.objectContaining({ kind: 'deleted', path: 'Device.IP.Interface.1.IPv4Address.1.' }),
      ]),
    );
    expect(changes.filter((c) => c.kind === 'value' && c.param === 'LastChange')).toEqual([]);
  });

  it('restarts a listener that dies, and stop() ends every listener', async () => {
    fx = openWrt();
    await fx.platform.ready;
    const subscribes = (): number => fx.fake.invocations().filter((a) => a[1] === 'subscribe').length;
    // ready means spawned; the fake logs its argv once Node has started it.
    await eventually(() => expect(subscribes()).toBe(1));
    fx.fake.kill(HOSTAPD);
    await eventually(() => expect(subscribes()).toBe(2)); // back-off 50 ms in the fixture
    const changes = watch();
    fx.fake.event(HOSTAPD, 'assoc', { address: NEW_STATION });
    await eventually(() => expect(changes.map((c) => c.kind)).toEqual(['created']));

    fx.platform.stop();
    fx.fake.event(HOSTAPD, 'disassoc', { address: NEW_STATION });
    await new Promise((r) => setTimeout(r, 300));
    expect(changes).toHaveLength(1);
    expect(subscribes()).toBe(2);
  });
});

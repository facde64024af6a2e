/**
 * What the Device.Bridging.Bridge.{i}.Port.{i} write tests on the 24.10 DSA router share: the
 * paths and UCI section names they check the binding's commands against, netifd's device status
 * with br-lan's members as a reload leaves them, and the router with lan4 (Port.5) taken out of
 * br-lan as OpenWrt's uci was recorded showing it (uci-show-network.24.10-dsa.port-deleted.txt).
 */
import fs from 'node:fs';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

export const B = 'Device.Bridging.Bridge.1.';
export const PORT = 'Device.Bridging.Bridge.{i}.Port.{i}.';
export const RELOAD = ['ubus', 'call', 'network', 'reload'];
export const COMMIT = ['uci', 'commit', 'network'];
/** The `config device` br-lan and the bridge-vlan sections of VLAN 1 and 10, as OpenWrt's uci names them in `uci show network`. */
export const BR_LAN = 'cfg030f15';
export const VLAN1 = 'cfg08a1b0';
export const VLAN10 = 'cfg09a1b0';
/** `uci show network` after lan4 was taken out of br-lan (recorded). */
export const PORT_DELETED = 'uci-show-network.24.10-dsa.port-deleted.txt';

/** `network.device status` of the DSA router with br-lan's members as netifd lists them after a reload. */
export function deviceStatus(members: string[]): { json: unknown } {
  const status = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-device-status.24.10-dsa.json`, 'utf8')) as Record<string, Record<string, unknown>>;
  status['br-lan']!['bridge-members'] = members;
  return { json: status };
}

/** The commands that change the device: uci writes (not the `uci -q` reads) and netifd's reload. */
export function bridgeWrites(fx: PlatformFixture): string[][] {
  return fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));
}

/**
 * The DSA router over its recorded `uci show network`, its wan on its own wan port. Returned before
 * anything is awaited, so the caller holds the fixture (and closes it) even if a later step fails.
 */
export function openDsaBridge(): PlatformFixture {
  const fake = dsaRouter();
  fake.respondUci('network', { file: 'uci-show-network.24.10-dsa.uci.txt' });
  // The recorded interface dump is the other fixture device's (wan on eth1.2); the DSA router's wan is on its wan port.
  const dump = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-interface-dump.json`, 'utf8')) as { interface: Array<Record<string, unknown>> };
  for (const i of dump.interface) if (i.interface === 'wan') Object.assign(i, { device: 'wan', l3_device: 'wan' });
  fake.respond('network.interface dump', { json: dump });
  return openWrt(fake, { sysNetDir: DSA_SYS_NET });
}

/** Deletes lan4 (Port.5) from br-lan through the binding, as recorded, then clears the command log. */
export async function withoutLan4(fx: PlatformFixture): Promise<void> {
  await fx.platform.ready;
  await fx.values('Device.Bridging.');
  fx.fake.respondUciAfterCommit('network', { file: PORT_DELETED });
  fx.fake.respond('network.device status', deviceStatus(['lan1', 'lan2', 'lan3', 'phy1-ap0']));
  await fx.binding(PORT).delete!([1, 5], {});
  fx.fake.clearLog();
}

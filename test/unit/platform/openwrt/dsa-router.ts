/**
 * The fake OpenWrt userland switched to the OpenWrt 24.10 DSA router of the fixtures (constructed
 * in the documented `uci show` format, see test/fixtures/openwrt/README.md): br-lan over
 * lan1..lan4 with VLAN 1 and VLAN 10, for the Bridging tests. Everything else (system, Wi-Fi,
 * interface dump) stays the recorded device's.
 */
import fs from 'node:fs';
import { fakeOpenWrt, type FakeOpenWrt, FIXTURES } from './fake-openwrt.js';

/** `uci -q -X show network` of the DSA router. */
export const DSA_NETWORK = fs.readFileSync(`${FIXTURES}uci-show-network.24.10-dsa.txt`, 'utf8');

/** /sys/class/net of a bridge over lan1..lan4 and phy1-ap0, recorded in a network namespace (lan3 without carrier). */
export const DSA_SYS_NET = `${FIXTURES}sys-class-net.24.10-dsa`;

/** The UCI section names of its two bridge-vlan sections. */
export const VLAN1_SECTION = 'cfg0878e0';
export const VLAN10_SECTION = 'cfg09bf24';

export function dsaRouter(): FakeOpenWrt {
  const fake = fakeOpenWrt();
  fake.respond('network.device status', { file: 'ubus-network-device-status.24.10-dsa.json' });
  fake.respondUci('network', { text: DSA_NETWORK });
  return fake;
}

/**
 * Which firewall zone an IP.Interface the agent adds joins (platform/openwrt/ip-firewall-zone.ts),
 * over the recorded UCI states: the shipped firewall (uci-show-firewall.uci.txt) and the networks
 * of the recorded device and of the 24.10 DSA router.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { zoneFor } from '../../../../platform/openwrt/ip-firewall-zone.js';
import { parseUciShow, stringOption } from '../../../../platform/openwrt/uci-show.js';
import { FIXTURES } from './fake-openwrt.js';

const uci = (file: string) => parseUciShow(fs.readFileSync(`${FIXTURES}${file}`, 'utf8'));
const firewall = uci('uci-show-firewall.uci.txt');
const zoneName = (network: string, device: string): string | undefined => stringOption(zoneFor(uci(network), firewall, 'usp1', device)?.options.name);

describe('openwrt platform: the firewall zone of a new IP interface', () => {
  it('joins the zone of another interface on the same link: the device, its 802.1Q base, or the bridge it is a port of', () => {
    // Recorded device: wan is on eth1.2 (VLAN 2 of eth1), lan on br-lan (port eth0).
    expect(zoneName('uci-show-network.txt', 'eth1')).toBe('wan');
    expect(zoneName('uci-show-network.txt', 'eth1.2')).toBe('wan');
    expect(zoneName('uci-show-network.txt', 'br-lan')).toBe('lan');
    expect(zoneName('uci-show-network.txt', 'eth0')).toBe('lan');
    // DSA router: lan on br-lan.1 over lan1..lan4, wan on the wan port.
    expect(zoneName('uci-show-network.24.10-dsa.uci.txt', 'lan4')).toBe('lan');
    expect(zoneName('uci-show-network.24.10-dsa.uci.txt', 'br-lan.10')).toBe('lan');
    expect(zoneName('uci-show-network.24.10-dsa.uci.txt', 'wan')).toBe('wan');
  });

  it('joins the lan zone without a link, or on a link no other interface uses; none when there is no lan zone', () => {
    expect(zoneName('uci-show-network.txt', '')).toBe('lan');
    expect(zoneName('uci-show-network.txt', 'eth9')).toBe('lan');
    const noLan = firewall.filter((s) => stringOption(s.options.name) !== 'lan');
    expect(zoneFor(uci('uci-show-network.txt'), noLan, 'usp1', '')).toBeUndefined();
  });
});

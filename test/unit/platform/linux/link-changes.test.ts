import { describe, expect, it } from 'vitest';
import { parseLinkEvent } from '../../../../platform/linux/link-changes.js';

describe('linux platform: the `ip -o monitor link` events LastChange counts from', () => {
  it('reads the interface and its Status from a line, as `ip -o monitor link` (iproute2 6.1) prints them', () => {
    // Recorded while a veth pair was added, brought up and deleted.
    expect(parseLinkEvent('361: tmpx1@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default \\    link/ether 66:ab:68:93:70:60 brd ff:ff:ff:ff:ff:ff')).toEqual({
      ifname: 'tmpx1',
      status: { port: 'Down', stacked: 'Down' },
    });
    expect(parseLinkEvent('362: tmpx0@tmpx1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default')).toEqual({
      ifname: 'tmpx0',
      status: { port: 'LowerLayerDown', stacked: 'LowerLayerDown' },
    });
    expect(parseLinkEvent('2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default')).toEqual({ ifname: 'eth0', status: { port: 'Up', stacked: 'Up' } });
    // Enabled without carrier: a port is Down, an object stacked on it LowerLayerDown (each keeps its own LastChange).
    expect(parseLinkEvent('5: eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc mq state DOWN group default')).toEqual({
      ifname: 'eth1',
      status: { port: 'Down', stacked: 'LowerLayerDown' },
    });
    expect(parseLinkEvent('Deleted 362: tmpx0@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default')).toEqual({ ifname: 'tmpx0' });
    expect(parseLinkEvent('    link/ether 66:ab:68:93:70:60 brd ff:ff:ff:ff:ff:ff')).toBeUndefined();
  });
});

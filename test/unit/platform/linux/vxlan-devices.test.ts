/**
 * The kernel VXLAN devices of Device.VXLAN on Linux (platform/linux/vxlan-devices.ts): the `ip`
 * argv a row's device is made with, and what is read back from `ip -j -d link show type vxlan`
 * (as this kernel printed it for a device made with that argv): only the agent's own devices.
 */
import { describe, expect, it } from 'vitest';
import { addArgs, isMulticast, parseVxlanLinks, sameDevice, type VxlanDevice } from '../../../../platform/linux/vxlan-devices.js';

const WANT: VxlanDevice = { name: 'vxlan-usp1-1', id: 5, remote: '10.9.9.2', port: 4789, srcport: 5000, tos: 0x20, dev: 'v0', local: '10.9.9.1', up: true };
// `ip -j -d link show type vxlan` after `ip link add` with addArgs(WANT), trimmed to what is read; plus a host device.
const LISTED = JSON.stringify([
  {
    ifname: 'vxlan-usp1-1',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    linkinfo: { info_kind: 'vxlan', info_data: { id: 5, remote: '10.9.9.2', local: '10.9.9.1', link: 'v0', port_range: { low: 5000, high: 5000 }, port: 4789, tos: '0x20' } },
  },
  { ifname: 'vx2', flags: ['BROADCAST'], linkinfo: { info_kind: 'vxlan', info_data: { id: 6, group: '239.1.1.1', link: 'v0', port_range: { low: 0, high: 0 }, port: 4789 } } },
]);

describe('Linux VXLAN devices', () => {
  it('makes a device with every setting of its row', () => {
    expect(addArgs(WANT)).toEqual([
      'link',
      'add',
      'vxlan-usp1-1',
      'type',
      'vxlan',
      'id',
      '5',
      'remote',
      '10.9.9.2',
      'dstport',
      '4789',
      'srcport',
      '5000',
      '5000',
      'tos',
      '0x20',
      'local',
      '10.9.9.1',
      'dev',
      'v0',
    ]);
    expect(addArgs({ name: 'vxlan-usp2-1', id: 9, remote: '239.1.1.1', port: 8472, srcport: 0, tos: 0, dev: 'v0', up: true })).toEqual([
      'link',
      'add',
      'vxlan-usp2-1',
      'type',
      'vxlan',
      'id',
      '9',
      'group',
      '239.1.1.1',
      'dstport',
      '8472',
      'dev',
      'v0',
    ]);
  });

  it('reads back its own devices only, as made', () => {
    const listed = parseVxlanLinks(LISTED);
    expect(listed.map((d) => d.name)).toEqual(['vxlan-usp1-1']);
    expect(sameDevice(listed[0]!, WANT)).toBe(true);
    expect(sameDevice(listed[0]!, { ...WANT, id: 6 })).toBe(false);
    expect(sameDevice(listed[0]!, { ...WANT, tos: 0 })).toBe(false);
    expect(parseVxlanLinks('')).toEqual([]);
  });

  it('reads an IPv6 device, whose addresses ip prints as remote6, group6 and local6', () => {
    // As this kernel printed devices made with `remote 2001:db8::2 local 2001:db8::1` and `group ff05::1 dev v0`, trimmed.
    const listed = JSON.stringify([
      { ifname: 'vxlan-usp2-1', flags: ['UP'], linkinfo: { info_kind: 'vxlan', info_data: { id: 5, remote6: '2001:db8::2', local6: '2001:db8::1', port_range: { low: 0, high: 0 }, port: 4789 } } },
      { ifname: 'vxlan-usp3-1', flags: [], linkinfo: { info_kind: 'vxlan', info_data: { id: 6, group6: 'ff05::1', link: 'v0', port_range: { low: 0, high: 0 }, port: 4789 } } },
    ]);
    const [one, two] = parseVxlanLinks(listed);
    expect(one).toEqual({ name: 'vxlan-usp2-1', id: 5, remote: '2001:db8::2', local: '2001:db8::1', port: 4789, srcport: 0, tos: 0, up: true });
    expect(two).toMatchObject({ remote: 'ff05::1', dev: 'v0', up: false });
    expect(sameDevice(one!, { name: 'vxlan-usp2-1', id: 5, remote: '2001:db8::2', local: '2001:db8::1', port: 4789, srcport: 0, tos: 0, up: true })).toBe(true);
    // A RemoteEndpoints address written another way is the same device, not one to make again.
    expect(sameDevice(one!, { name: 'vxlan-usp2-1', id: 5, remote: '2001:DB8:0::0002', local: '2001:db8::1', port: 4789, srcport: 0, tos: 0, up: true })).toBe(true);
    expect(sameDevice(one!, { name: 'vxlan-usp2-1', id: 5, remote: '2001:db8::3', local: '2001:db8::1', port: 4789, srcport: 0, tos: 0, up: true })).toBe(false);
  });

  it('tells multicast groups from unicast endpoints', () => {
    expect(isMulticast('239.1.1.1')).toBe(true);
    expect(isMulticast('ff05::1')).toBe(true);
    expect(isMulticast('10.9.9.2')).toBe(false);
    expect(isMulticast('2001:db8::1')).toBe(false);
  });
});

/**
 * The pure half of OpenWrt's Device.VXLAN. (platform/openwrt/vxlan-sections.ts): the `tos` text
 * netifd can be given, the options a row wants, and the UCI steps toward them.
 */
import { describe, expect, it } from 'vitest';
import type { UciSection } from '../../../../platform/openwrt/uci-show.js';
import { netifdTos, planSections, vxlanInterfacePath, wantedOptions } from '../../../../platform/openwrt/vxlan-sections.js';

describe('OpenWrt VXLAN sections', () => {
  it('writes a DSCP as the TOS byte in hexadecimal digits, and only where netifd can read them back', () => {
    // strtol(base 0) then netifd's hex parse: the option's digits are the TOS's hex digits.
    expect(netifdTos(8)).toBe('20');
    expect(netifdTos(10)).toBe('28');
    expect(netifdTos(38)).toBe('98');
    expect(netifdTos(40)).toBeUndefined();
    expect(netifdTos(46)).toBeUndefined();
  });

  it('maps a row to the vxlan handler options, disabled while the Tunnel, the Interface or the endpoint is missing', () => {
    const tunnel = { Enable: true, RemoteEndpoints: '192.0.2.7, 192.0.2.8', DeliveryHeaderProtocol: 'IPv4', RemotePort: 8472, SourcePort: 0, DefaultDSCPMark: 0 };
    expect(wantedOptions(tunnel, { Enable: true, VNI: 5 }, 'wan')).toEqual({ proto: 'vxlan', peeraddr: '192.0.2.7', port: '8472', vid: '5', tunlink: 'wan' });
    expect(wantedOptions({ ...tunnel, Enable: false }, { Enable: true, VNI: 5 }, undefined).disabled).toBe('1');
    expect(wantedOptions({ ...tunnel, RemoteEndpoints: '' }, { Enable: true, VNI: 5 }, undefined)).toEqual({ proto: 'vxlan', port: '8472', vid: '5', disabled: '1' });
    expect(wantedOptions(tunnel, { Enable: false, VNI: 5 }, undefined).disabled).toBe('1');
  });

  it('plans only the differences, and touches only the agent-named sections', () => {
    const current: UciSection[] = [
      { name: 'lan', type: 'interface', options: { proto: 'static' } },
      { name: 'usp_vxlan_1_1', type: 'interface', options: { proto: 'vxlan', vid: '5', tos: '28', learning: '0' } },
      { name: 'usp_vxlan_2_1', type: 'interface', options: { proto: 'vxlan' } },
      { name: 'usp_vxlan_4_1', type: 'device', options: {} },
    ];
    const wanted = new Map([
      ['usp_vxlan_1_1', { proto: 'vxlan', vid: '6' }],
      ['usp_vxlan_4_1', { proto: 'vxlan', vid: '1' }],
    ]);
    expect(planSections(current, wanted)).toEqual([
      { op: 'remove', section: 'usp_vxlan_2_1' },
      { op: 'remove', section: 'usp_vxlan_4_1' },
      // An option a user added (learning) is left as it is.
      { op: 'set', section: 'usp_vxlan_1_1', option: 'vid', value: '6' },
      { op: 'delete', section: 'usp_vxlan_1_1', option: 'tos' },
      { op: 'create', section: 'usp_vxlan_4_1' },
      { op: 'set', section: 'usp_vxlan_4_1', option: 'proto', value: 'vxlan' },
      { op: 'set', section: 'usp_vxlan_4_1', option: 'vid', value: '1' },
    ]);
    expect(planSections([current[1]!], new Map([['usp_vxlan_1_1', { proto: 'vxlan', vid: '5', tos: '28' }]]))).toEqual([]);
  });

  it('names the VXLAN Interface of an agent section only', () => {
    expect(vxlanInterfacePath('usp_vxlan_8_16')).toBe('Device.VXLAN.Tunnel.8.Interface.16');
    expect(vxlanInterfacePath('myvx')).toBeUndefined();
    expect(vxlanInterfacePath(undefined)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { radvdConfText } from '../../../../platform/linux/radvd-conf.js';

describe('radvd configuration from RouterAdvertisement.InterfaceSetting rows', () => {
  it('writes one interface block per advertising row, each parameter under radvd’s name', () => {
    const text = radvdConfText([
      {
        path: 'Device.RouterAdvertisement.InterfaceSetting.1',
        device: 'br-lan',
        values: {
          MaxRtrAdvInterval: 30,
          MinRtrAdvInterval: 10,
          AdvDefaultLifetime: 0,
          AdvManagedFlag: true,
          AdvOtherConfigFlag: false,
          AdvMobileAgentFlag: true,
          AdvPreferredRouterFlag: 'Low',
          AdvLinkMTU: 1492,
          AdvCurHopLimit: 64,
        },
      },
    ])!;
    expect(text).toContain('interface br-lan {');
    for (const line of [
      'MaxRtrAdvInterval 30;',
      'MinRtrAdvInterval 10;',
      'AdvDefaultLifetime 0;',
      'AdvManagedFlag on;',
      'AdvOtherConfigFlag off;',
      'AdvHomeAgentFlag on;',
      'AdvDefaultPreference low;',
      'AdvLinkMTU 1492;',
      'AdvCurHopLimit 64;',
      'AdvReachableTime 0;',
      'prefix ::/64 {',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('runs nothing without an advertising row, and never writes a device name radvd could misread', () => {
    expect(radvdConfText([])).toBeUndefined();
    expect(radvdConfText([{ path: 'x', device: 'eth0 { AdvSendAdvert off; }; interface x', values: {} }])).toBeUndefined();
  });
});

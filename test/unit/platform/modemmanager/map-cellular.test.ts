import { describe, expect, it } from 'vitest';
import {
  currentAccessTechnology,
  dBm,
  interfaceStatus,
  ipVersion,
  netPort,
  preferredAccessTechnology,
  roamingStatus,
  supportedAccessTechnologies,
  usimStatus,
} from '../../../../platform/modemmanager/map-cellular.js';
import { known, pathIndex } from '../../../../platform/modemmanager/mmcli-types.js';

describe('ModemManager → TR-181 Cellular values', () => {
  it('maps modem states to Status', () => {
    expect(['connected', 'registered', 'searching', 'locked', 'disabled', 'failed', '--', undefined].map(interfaceStatus)).toEqual([
      'Up',
      'Up',
      'Dormant',
      'Dormant',
      'Down',
      'Error',
      'Unknown',
      'Unknown',
    ]);
  });

  it('picks the newest access technology in use', () => {
    expect(currentAccessTechnology(['lte', '5gnr'])).toBe('NR');
    expect(currentAccessTechnology(['umts', 'hspa-plus'])).toBe('UMTSHSPA');
    expect(currentAccessTechnology(['gsm, edge'])).toBe('EDGE');
    expect(currentAccessTechnology([])).toBeUndefined();
    expect(currentAccessTechnology(['--'])).toBeUndefined();
  });

  it('expands capabilities and reads the preferred mode', () => {
    expect(supportedAccessTechnologies(['lte'])).toEqual(['LTE']);
    expect(supportedAccessTechnologies(['cdma-evdo, gsm-umts'])).toEqual(['GPRS', 'EDGE', 'UMTS', 'UMTSHSPA', 'CDMA2000OneX', 'CDMA2000HRPD']);
    expect(preferredAccessTechnology('allowed: 3g, 4g; preferred: 4g')).toBe('LTE');
    expect(preferredAccessTechnology('allowed: 4g, 5g; preferred: none')).toBe('Auto');
    expect(preferredAccessTechnology(undefined)).toBe('Auto');
  });

  it('rounds mmcli decimals to whole dB, halves away from zero', () => {
    expect(['-100.00', '17.50', '-9.5', '-0.4', '--', 'x', undefined].map(dBm)).toEqual([-100, 18, -10, 0, undefined, undefined, undefined]);
  });

  it('maps roaming, SIM lock, IP family, ports and D-Bus paths', () => {
    expect(['home', 'home-sms-only', 'roaming-csfb-not-preferred', 'searching'].map(roamingStatus)).toEqual(['Home', 'Home', 'Roaming', undefined]);
    expect(usimStatus('--', '--')).toBe('None');
    expect(usimStatus('/org/freedesktop/ModemManager1/SIM/0', 'sim-puk')).toBe('Blocked');
    expect(['ipv4', 'ipv6', 'ipv4v6', '--'].map(ipVersion)).toEqual([4, 6, -1, -1]);
    expect(netPort(['cdc-wdm0 (qmi)', 'wwan0 (net)'])).toBe('wwan0');
    expect(pathIndex('/org/freedesktop/ModemManager1/Bearer/12')).toBe('12');
    expect(pathIndex('--')).toBeUndefined();
    expect(known(' -- ')).toBeUndefined();
  });
});

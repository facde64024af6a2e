/**
 * The checks of Device.CaptivePortal.URL and AllowedList and what Status reads
 * (platform/captive-portal/captive-portal-settings.ts). That a LAN host is redirected is
 * test/integration/linux-captive-portal.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { allowedPrefixes, captiveStatus, parseAllowed, settingProblems, urlProblem } from '../../../../platform/captive-portal/captive-portal-settings.js';

describe('Device.CaptivePortal.URL', () => {
  it('takes http:// URLs and "" only', () => {
    expect(urlProblem('')).toBeUndefined();
    expect(urlProblem('http://portal.example.net/welcome?a=1')).toBeUndefined();
    expect(urlProblem('http://192.0.2.1:8080/')).toBeUndefined();
    expect(urlProblem('https://portal.example.net/')).toMatch(/must be an http:\/\/ URL/);
    expect(urlProblem('ftp://portal.example.net/')).toMatch(/must be an http:\/\/ URL/);
    expect(urlProblem('portal.example.net')).toMatch(/is not a URL/);
    // It becomes a Location header: nothing that could end the header line.
    expect(urlProblem('http://portal.example.net/\r\nSet-Cookie: a=b')).toMatch(/white space or control/);
    expect(urlProblem('http://portal.example.net/a b')).toMatch(/white space or control/);
  });
});

describe('Device.CaptivePortal.AllowedList', () => {
  it('takes IPv4 and IPv6 addresses and prefixes, a prefix naming its network', () => {
    expect(parseAllowed('1.2.3.4')).toEqual({ family: 4, address: '1.2.3.4', length: 32 });
    // TR-181's own example: 1.2.3.4/24 is the class C subnet 1.2.3.0/24.
    expect(parseAllowed('1.2.3.4/24')).toEqual({ family: 4, address: '1.2.3.0', length: 24 });
    expect(parseAllowed('1.2.0.0/22')).toEqual({ family: 4, address: '1.2.0.0', length: 22 });
    expect(parseAllowed('0.0.0.0/0')).toEqual({ family: 4, address: '0.0.0.0', length: 0 });
    expect(parseAllowed('fec0::220:edff:fe6a:f76')).toEqual({ family: 6, address: 'fec0::220:edff:fe6a:f76', length: 128 });
    expect(parseAllowed('2001:edff:fe6a:f76::/64')).toEqual({ family: 6, address: '2001:edff:fe6a:f76::', length: 64 });
    expect(parseAllowed('2001:DB8:0:0:1:0:0:1/48')).toEqual({ family: 6, address: '2001:db8::', length: 48 });
    expect(parseAllowed('::ffff:192.0.2.1')).toEqual({ family: 6, address: '::ffff:c000:201', length: 128 });
    expect(parseAllowed('2001:db8:1:2:3:4:5:6/127')).toEqual({ family: 6, address: '2001:db8:1:2:3:4:5:6', length: 127 });
  });

  it('takes fully qualified host names, and refuses what is neither an address, a prefix nor a host name', () => {
    expect(parseAllowed('Portal.Example.NET.')).toEqual({ name: 'portal.example.net' });
    for (const bad of [
      '300.1.1.1',
      '1.2.3',
      '10.0.0.0/33',
      '10.0.0.0/-1',
      '10.0.0.0/',
      '2001:db8::/129',
      'fe80::1%eth0',
      'nonsense!',
      'localhost',
      'portal.example.net/24',
      '-a.example.net',
      `${'a.'.repeat(130)}net`,
    ]) {
      expect(parseAllowed(bad), bad).toHaveProperty('problem');
    }
    const many = Array.from({ length: 33 }, (_, i) => `h${i}.example.net`).join(',');
    expect(allowedPrefixes(many).problems).toEqual(['33 host names: at most 32 (each is resolved at every write of the rules); give addresses or prefixes for the others']);
  });

  it('lists each network once, and names the bad entries', () => {
    const list = allowedPrefixes(' 192.0.2.1, 192.0.2.1/32,,10.1.2.3/8, 10.0.0.0/8, www.example.net, WWW.example.net ');
    expect(list.prefixes.map((p) => `${p.address}/${p.length}`)).toEqual(['192.0.2.1/32', '10.0.0.0/8']);
    expect(list.names).toEqual(['www.example.net']);
    expect(settingProblems({ AllowedList: '192.0.2.1, x!, 10.0.0.0/40', URL: 'https://a/' })).toEqual([
      { param: 'URL', message: 'https URL: the captive portal URL must be an http:// URL (TR-181)' },
      { param: 'AllowedList', message: 'x! is not an IP address, prefix or host name; 10.0.0.0/40: the prefix length must be 0-32' },
    ]);
    expect(settingProblems({ Enable: true, AllowedList: '', URL: '' })).toEqual([]);
  });
});

describe('Device.CaptivePortal.Status', () => {
  it('reads Disabled, Error_URLEmpty, Enabled or Error', () => {
    expect(captiveStatus(false, 'http://a/')).toBe('Disabled');
    expect(captiveStatus(false, '', true)).toBe('Disabled');
    expect(captiveStatus(true, '')).toBe('Error_URLEmpty');
    expect(captiveStatus(true, 'http://a/')).toBe('Enabled');
    expect(captiveStatus(true, 'http://a/', true)).toBe('Error');
  });
});

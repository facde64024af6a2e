/**
 * The miniupnpd file the Linux agent makes for Device.UPnP.Device. (platform/linux/miniupnpd-conf.ts),
 * which sides it picks, when it runs at all, and the refusals shared with OpenWrt
 * (platform/upnp/device-functions.ts), and `--upnp-igd` / `$upnpIgd`.
 */
import { describe, expect, it } from 'vitest';
import { parseUpnpIgdOption, upnpIgdFromFile } from '../../../../agent/defaults/upnp-igd-option.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { igdSides, miniupnpdArgs, miniupnpdConfText, miniupnpdUsable, upnpTableScript } from '../../../../platform/linux/miniupnpd-conf.js';
import { igdCapabilities, refuseNotIgd, upnpDeviceValues } from '../../../../platform/upnp/device-functions.js';

describe('miniupnpd configuration', () => {
  it('listens on the LAN devices, maps on the WAN one, IGD v2, secure, its own nft table, no NAT-PMP', () => {
    const text = miniupnpdConfText({ wan: 'wan0', lan: ['br-lan', 'lan1'], uuid: 'u-1', pidFile: '/d/m.pid', leaseFile: '/d/leases' });
    const lines = text.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['ext_ifname=wan0', 'listening_ip=br-lan', 'listening_ip=lan1', 'port=0', 'enable_upnp=yes', 'enable_natpmp=no']));
    expect(lines).toEqual(
      expect.arrayContaining(['force_igd_desc_v1=no', 'secure_mode=yes', 'uuid=u-1', 'lease_file=/d/leases', 'upnp_table_name=usp_agent_upnp', 'upnp_nat_table_name=usp_agent_upnp']),
    );
    // The permission rules: high ports allowed, then everything else denied (miniupnpd takes the first match).
    expect(lines.filter((l) => /^(allow|deny) /.test(l))).toEqual(['allow 1024-65535 0.0.0.0/0 1024-65535', 'deny 0-65535 0.0.0.0/0 0-65535']);
    expect(text.endsWith('\n')).toBe(true);
    expect(miniupnpdArgs('/d/c.conf', '/d/m.pid')).toEqual(['-d', '-f', '/d/c.conf', '-P', '/d/m.pid']);
  });

  it('its mappings table: replaced whole in one nft transaction, base chains jumping to the chains the file names; removed when off', () => {
    const text = miniupnpdConfText({ wan: 'wan0', lan: ['lan1'], uuid: 'u', pidFile: 'p', leaseFile: 'l', table: 't1' });
    const script = upnpTableScript('t1', true);
    expect(script.split('\n').slice(0, 2)).toEqual(['table inet t1 {}', 'delete table inet t1']);
    for (const [option, chain] of [...text.matchAll(/^upnp_(?:forward|nat|nat_postrouting)_chain=(.+)$/gm)].map((m) => [m[0], m[1]!])) {
      expect(script, option).toContain(`jump ${chain};`);
      expect(script, option).toContain(`chain ${chain} {}`);
    }
    expect(script).toMatch(/chain forward \{ type filter hook forward priority 0; policy accept;/);
    expect(script).toMatch(/type nat hook prerouting priority -100;/);
    expect(upnpTableScript('t1', false)).toBe('table inet t1 {}\ndelete table inet t1\n');
  });

  it('the WAN side carries the default route; the LAN side is every other device with IPv4 but lo', () => {
    expect(igdSides(new Set(['wan0']), ['lo', 'wan0', 'lan1', 'br-lan'])).toEqual({ wan: 'wan0', lan: ['br-lan', 'lan1'] });
    expect(igdSides(new Set(['wan0', 'wwan0']), ['wwan0', 'wan0', 'lan1'])).toEqual({ wan: 'wan0', lan: ['lan1'] });
    expect(igdSides(new Set(), ['lo', 'lan1'])).toMatchObject({ why: expect.stringMatching(/no WAN interface/) });
    // A default route on a device without IPv4 (a down WAN) is no WAN side.
    expect(igdSides(new Set(['ppp0']), ['lan1'])).toMatchObject({ why: expect.stringMatching(/no WAN interface/) });
    expect(igdSides(new Set(['wan0']), ['lo', 'wan0'])).toMatchObject({ why: expect.stringMatching(/no LAN interface/) });
  });

  it('runs only when asked for, installed, and as root', () => {
    expect(miniupnpdUsable(undefined, '/bin/sh', 0)).toMatchObject({ usable: false, why: expect.stringMatching(/--upnp-igd miniupnpd/) });
    expect(miniupnpdUsable(false, '/bin/sh', 0).usable).toBe(false);
    expect(miniupnpdUsable(true, '/nonexistent/miniupnpd', 0)).toMatchObject({ usable: false, why: expect.stringMatching(/not installed/) });
    expect(miniupnpdUsable(true, '/bin/sh', 1000)).toMatchObject({ usable: false, why: expect.stringMatching(/root/) });
    expect(miniupnpdUsable(true, '/bin/sh', 0)).toEqual({ usable: true });
  });
});

describe('Device.UPnP.Device. of a miniupnpd', () => {
  it('Capabilities: UPnP 1.1, the IGD revision, 0 for the rest', () => {
    const caps = igdCapabilities(2);
    expect(caps).toMatchObject({ UPnPArchitecture: 1, UPnPArchitectureMinorVer: 1, UPnPIGD: 2 });
    expect(Object.entries(caps).filter(([k, v]) => !k.startsWith('UPnPArchitecture') && k !== 'UPnPIGD' && v !== 0)).toEqual([]);
    expect(igdCapabilities(1).UPnPIGD).toBe(1);
  });

  it('refuses each other device type set true with 7012 naming it; false passes', () => {
    expect(() => refuseNotIgd({ Enable: true, UPnPIGD: true, UPnPMediaServer: false })).not.toThrow();
    let e: unknown;
    try {
      refuseNotIgd({ UPnPMediaServer: true, UPnPQoSDevice: true, UPnPDMSoftwareMgmt: false });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(UspError);
    expect((e as UspError).code).toBe(ErrorCode.InvalidValue);
    expect((e as UspError).paramErrors?.map((p) => [p.param, p.code])).toEqual([
      ['UPnPMediaServer', 7012],
      ['UPnPQoSDevice', 7012],
    ]);
    expect(upnpDeviceValues(true, false)).toMatchObject({ Enable: true, UPnPIGD: false, UPnPMediaRenderer: false });
  });
});

describe('--upnp-igd', () => {
  it('takes miniupnpd or off, and the same in the defaults file', () => {
    expect(parseUpnpIgdOption('miniupnpd')).toBe(true);
    expect(parseUpnpIgdOption(' OFF ')).toBe(false);
    expect(() => parseUpnpIgdOption('upnpd')).toThrow(/give miniupnpd .* or off/);
    expect(upnpIgdFromFile(undefined, 'f.json')).toBeUndefined();
    expect(upnpIgdFromFile('miniupnpd', 'f.json')).toBe(true);
    expect(upnpIgdFromFile(false, 'f.json')).toBe(false);
    expect(() => upnpIgdFromFile(3, 'f.json')).toThrow(/\$upnpIgd/);
  });
});

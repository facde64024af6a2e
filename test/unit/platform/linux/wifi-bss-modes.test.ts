/**
 * WEP and WPA2-Enterprise on generic Linux (wifi-bss-modes.ts): the BSS file lines hostapd ran
 * in the recording (test/fixtures/linux/wifi-hostapd-enterprise-wep: a station authenticated
 * through a RADIUS server with this file), a key of another mode held as a comment, the checks
 * of each value (7012), and the refusal on a BSS of hostapd's own file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UspError } from '../../../../datamodel/UspError.js';
import { missingKey, readBssKeys, renderBssFile, writeBssFile } from '../../../../platform/linux/wifi-bss-file.js';
import { changesViaFile, fileOnlyPlan, missingServer } from '../../../../platform/linux/wifi-bss-modes.js';
import { securitySettings } from '../../../../platform/linux/wifi-ap-settings.js';
import { parseHostapdConf } from '../../../../platform/linux/hostapd-conf.js';
import { REPO } from '../../../peers/agent-process.js';

const session = JSON.parse(readFileSync(join(REPO, 'test/fixtures/linux/wifi-hostapd-enterprise-wep/session.json'), 'utf8')) as Array<{ step: string; stdout: string }>;
const step = (label: string): string => session.find((s) => s.step.endsWith(`-${label}`))!.stdout;
const code = (f: () => unknown): number | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof UspError ? e.code : -1;
  }
  return undefined;
};
const base = { ifname: 'wlan0_1', ctrlInterface: '/run/hostapd', hwMode: 'g' as const, channel: 6, ssid: 'usp-corp' };

describe('WPA2-Enterprise and WEP BSS files', () => {
  it('writes the RADIUS server hostapd ran WPA2-Enterprise with (one server: the list replaced)', () => {
    const text = renderBssFile({ ...base, mode: 'WPA2-Enterprise', keys: { auth_server_shared_secret: 'radius-secret-1' }, radius: { addr: '127.0.0.1', port: 1812 } });
    expect(text).toContain('wpa=2\nwpa_key_mgmt=WPA-EAP\nrsn_pairwise=CCMP\nieee8021x=1\nauth_server_addr=127.0.0.1\nauth_server_port=1812\nauth_server_shared_secret=radius-secret-1\n');
    // Recorded: after REMOVE + ADD of such a file, hostapd's mib lists one server; `set auth_server_addr` appended a second.
    expect(step('mib-eap-2').match(/radiusAuthServerAddress=/g)).toHaveLength(1);
    expect(step('mib-set').match(/radiusAuthServerAddress=/g)).toHaveLength(2);
    expect(step('get-config-eap-2')).toContain('key_mgmt=WPA-EAP');
  });

  it('writes a WEP key only for a WEP mode, and holds it as a comment hostapd skips otherwise', async () => {
    const wep = renderBssFile({ ...base, mode: 'WEP-128', keys: { wep_key0: '0123456789abcdef0123456789' } });
    expect(wep).toContain('wpa=0\nwep_default_key=0\nwep_key0=0123456789abcdef0123456789\n');
    const wpa = renderBssFile({ ...base, mode: 'WPA2-Personal', keys: { wpa_passphrase: 'corp pass one', wep_key0: '0123456789', auth_server_shared_secret: 's' } });
    expect(wpa).not.toMatch(/^wep_key0=/m);
    expect(wpa).not.toMatch(/^auth_server_shared_secret=/m);
    expect(wpa).toContain('#usp-agent-held:wep_key0=0123456789\n');
    const dir = mkdtempSync(join(tmpdir(), 'usp-bss-modes-'));
    try {
      await writeBssFile(join(dir, 'b.conf'), wpa);
      expect(await readBssKeys(join(dir, 'b.conf'))).toEqual({ wpa_passphrase: 'corp pass one', wep_key0: '0123456789', auth_server_shared_secret: 's' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what a mode still needs: a key of its length, the RADIUS server and secret', () => {
    expect(missingKey('WEP-64', { wep_key0: '0123456789abcdef0123456789' })).toBe('WEPKey (10 hexadecimal digits)');
    expect(missingKey('WEP-128', { wep_key0: '0123456789abcdef0123456789' })).toBeUndefined();
    expect(missingKey('WPA2-Enterprise', {})).toBe('RadiusSecret');
    expect(missingServer('WPA2-Enterprise', { addr: '', port: 1812 })).toBe('RadiusServerIPAddr');
    expect(missingServer('WPA2-Enterprise', { addr: '192.0.2.1', port: 1812 })).toBeUndefined();
  });

  it('checks every value (7012) and keeps the rest as they were', () => {
    expect(code(() => fileOnlyPlan({ WEPKey: '01234' }, undefined))).toBe(7012);
    expect(code(() => fileOnlyPlan({ WEPKey: '0123456789abcdef012345678g' }, undefined))).toBe(7012);
    expect(code(() => fileOnlyPlan({ RadiusServerIPAddr: 'radius.example' }, undefined))).toBe(7012);
    expect(code(() => fileOnlyPlan({ RadiusServerPort: 0 }, undefined))).toBe(7012);
    expect(code(() => fileOnlyPlan({ RadiusSecret: 'a\nb' }, undefined))).toBe(7012);
    expect(fileOnlyPlan({ WEPKey: 'ABCDEF0123', RadiusServerPort: 1645 }, { addr: '2001:db8::1', port: 1812 })).toEqual({
      keys: { wep_key0: 'abcdef0123' },
      radius: { addr: '2001:db8::1', port: 1645 },
      cleared: [],
    });
    expect(fileOnlyPlan({ RadiusSecret: '' }, undefined).cleared).toEqual(['auth_server_shared_secret']);
    expect(changesViaFile({ KeyPassphrase: 'x' }, 'WPA2-Personal', 'WPA2-Personal')).toBe(false);
    expect(changesViaFile({ ModeEnabled: 'WPA2-Personal' }, 'WEP-64', 'WPA2-Personal')).toBe(true);
    expect(changesViaFile({ RadiusServerPort: 1 }, 'WPA2-Personal', 'WPA2-Personal')).toBe(true);
  });

  it("refuses them on a BSS of hostapd's own file (7012): hostapd's set cannot replace them", () => {
    expect(code(() => securitySettings({ WEPKey: '0123456789' }, 'WPA2-Personal'))).toBe(7012);
    expect(code(() => securitySettings({ RadiusServerIPAddr: '192.0.2.1' }, 'WPA2-Enterprise'))).toBe(7012);
    expect(code(() => securitySettings({ ModeEnabled: 'WEP-64' }, 'None'))).toBe(7012);
  });

  it("reads the first RADIUS server of hostapd's file, the one it uses first", () => {
    const conf = parseHostapdConf('interface=wlan0\nauth_server_addr=192.0.2.10\nauth_server_port=1645\nauth_server_addr=192.0.2.20\nauth_server_port=1812\nbss=wlan0_1\nauth_server_addr=bad\n');
    expect(conf.get('bss:wlan0')).toMatchObject({ RadiusServerIPAddr: '192.0.2.10', RadiusServerPort: 1645 });
    expect(conf.get('bss:wlan0_1')?.RadiusServerIPAddr).toBeUndefined();
  });
});

/**
 * The pure parts of Device.RouterAdvertisement on OpenWrt: which `dhcp` sections are rows, the
 * kept-aside global switch and a row's Enable and Delete (router-advertisement-enable.ts), over
 * the hand-written uci-show-dhcp.ra.txt plus sections written here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { raEnableChanges, raOff, raRowDeleteChanges, raRowEnableChanges, raRowEnabled, raRowMoveChanges, raRowSections } from '../../../../platform/openwrt/router-advertisement-enable.js';
import { parseUciShow } from '../../../../platform/openwrt/uci-show.js';
import { FIXTURES } from './fake-openwrt.js';

const base = fs.readFileSync(path.join(FIXTURES, 'uci-show-dhcp.ra.txt'), 'utf8');
const extra = "dhcp.guest=dhcp\ndhcp.guest.interface='guest'\ndhcp.guest.ra='hybrid'\ndhcp.wan6=dhcp\ndhcp.wan6.interface='wan6'\ndhcp.wan6.ra='relay'\ndhcp.wan6.master='1'\n";
const config = parseUciShow(base + extra);

describe('OpenWrt RouterAdvertisement rows and switch', () => {
  it('makes a row of each section with an ra mode; hybrid serves, relay does not', () => {
    const rows = raRowSections(config);
    expect(rows.map((s) => s.name)).toEqual(['lan', 'guest', 'wan6']);
    expect(rows.map((s) => raRowEnabled(s, false))).toEqual([true, true, false]);
    expect(raOff(config)).toBe(false);
  });

  it('switches off by keeping each serving mode aside, and back on; no odhcpd section refuses', () => {
    const off = raEnableChanges(config, false);
    expect(off).toEqual([
      { section: 'odhcpd', option: 'usp_ra_disabled', value: '1' },
      { section: 'lan', option: 'usp_ra_mode', value: 'server' },
      { section: 'lan', option: 'ra', value: 'disabled' },
      { section: 'guest', option: 'usp_ra_mode', value: 'hybrid' },
      { section: 'guest', option: 'ra', value: 'disabled' },
    ]);
    expect(raEnableChanges(config, true)).toEqual([]);
    const offConfig = parseUciShow(`${base}${extra}dhcp.odhcpd.usp_ra_disabled='1'\ndhcp.guest.usp_ra_mode='hybrid'\n`.replace("dhcp.guest.ra='hybrid'", "dhcp.guest.ra='disabled'"));
    expect(raOff(offConfig)).toBe(true);
    const guest = offConfig.find((s) => s.name === 'guest')!;
    expect(raRowEnabled(guest, true)).toBe(true);
    // While off a row's Enable only edits its kept mode.
    expect(raRowEnableChanges(guest, false, true)).toEqual([{ section: 'guest', option: 'usp_ra_mode', value: '', remove: true }]);
    expect(raEnableChanges(offConfig, true)).toEqual([
      { section: 'odhcpd', option: 'usp_ra_disabled', value: '', remove: true },
      { section: 'guest', option: 'ra', value: 'hybrid' },
      { section: 'guest', option: 'usp_ra_mode', value: '', remove: true },
    ]);
    expect(raEnableChanges(parseUciShow(extra), false)).toMatch(/no odhcpd section/);
  });

  it('a row Enable writes ra; Delete takes ra and the RA options the row maps, nothing else', () => {
    const lan = config.find((s) => s.name === 'lan')!;
    expect(raRowEnableChanges(lan, false, false)).toEqual([{ section: 'lan', option: 'ra', value: 'disabled' }]);
    expect(raRowEnableChanges(lan, true, false)).toEqual([]);
    expect(raRowDeleteChanges(lan)).toEqual([
      { section: 'lan', option: 'ra', value: '', remove: true },
      { section: 'lan', option: 'ra_flags', value: '', remove: true },
    ]);
  });

  it('a move takes the row’s options to the other section, dropping what would change its values there', () => {
    const lan = config.find((s) => s.name === 'lan')!;
    const target = { name: 'wan', type: 'dhcp', options: { interface: 'wan', ignore: '1', ra_flags: 'none', ra_mtu: '1400' } };
    const { changes, moved } = raRowMoveChanges(lan, target);
    expect(changes).toEqual([
      { section: 'lan', option: 'ra', value: '', remove: true },
      { section: 'lan', option: 'ra_flags', value: '', remove: true },
      { section: 'wan', option: 'ra', value: 'server' },
      { section: 'wan', option: 'ra_mtu', value: '', remove: true },
      { section: 'wan', option: 'ra_flags', value: '', remove: true },
      { section: 'wan', option: 'ra_flags', value: 'managed-config', append: true },
      { section: 'wan', option: 'ra_flags', value: 'other-config', append: true },
    ]);
    expect(moved.options).toEqual({ interface: 'wan', ignore: '1', ra: 'server', ra_flags: ['managed-config', 'other-config'] });
  });
});

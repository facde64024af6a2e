/**
 * The DHCPv4 server switch over dnsmasq's UCI (platform/openwrt/dhcpv4-server-enable.ts), on the
 * recorded default dhcp config and hand-made variants of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolEnableChanges, poolEnabled, serverDisabled, serverEnableChanges } from '../../../../platform/openwrt/dhcpv4-server-enable.js';
import { parseUciShow } from '../../../../platform/openwrt/uci-show.js';
import { FIXTURES } from './fake-openwrt.js';

const read = (file: string) => parseUciShow(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
const section = (config: ReturnType<typeof read>, name: string) => config.find((s) => s.name === name)!;

describe('openwrt DHCPv4 Server.Enable as the pools’ ignore and the agent’s kept options', () => {
  it('switching off and on again is a round trip of the recorded config', () => {
    const on = read('uci-show-dhcp.host-added.txt');
    const off = read('uci-show-dhcp.dhcpv4-off.txt');
    expect(serverDisabled(on)).toBe(false);
    expect(serverDisabled(off)).toBe(true);
    expect(poolEnabled(section(off, 'lan'), true)).toBe(true);
    expect(poolEnabled(section(off, 'wan'), true)).toBe(false);
    expect(serverEnableChanges(on, true)).toEqual([]);
    expect(serverEnableChanges(off, false)).toEqual([]);
  });

  it('a pool with ignore 0 written out serves, and keeps serving after the round trip', () => {
    const config = parseUciShow("dhcp.d=dnsmasq\ndhcp.lan=dhcp\ndhcp.lan.interface='lan'\ndhcp.lan.ignore='0'\n");
    expect(serverEnableChanges(config, false)).toEqual([
      { section: 'd', option: 'usp_dhcpv4_disabled', value: '1' },
      { section: 'lan', option: 'usp_pool_enable', value: '1' },
      { section: 'lan', option: 'ignore', value: '1' },
    ]);
  });

  it('without a dnsmasq section there is no server to switch off: refused', () => {
    const config = parseUciShow("dhcp.lan=dhcp\ndhcp.lan.interface='lan'\n");
    expect(serverEnableChanges(config, false)).toMatch(/no dnsmasq section/);
  });

  it('a new pool added while the server is off is ignored, its Enable kept', () => {
    const fresh = { name: 'cfg0a', type: 'dhcp', options: {} };
    expect(poolEnableChanges(fresh, true, true)).toEqual([
      { section: 'cfg0a', option: 'usp_pool_enable', value: '1' },
      { section: 'cfg0a', option: 'ignore', value: '1' },
    ]);
    expect(poolEnableChanges(fresh, false, false)).toEqual([{ section: 'cfg0a', option: 'ignore', value: '1' }]);
    expect(poolEnableChanges(fresh, true, false)).toEqual([]);
  });
});

/**
 * Device.DNS.Client.Enable as dnsmasq's `localuse` and `notinterface 'lo'` with the agent's kept
 * options (platform/openwrt/dns-client-enable.ts), on the dhcp config recorded with OpenWrt's uci
 * and variants of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dnsClientEnableChanges, dnsClientValues } from '../../../../platform/openwrt/dns-client-enable.js';
import { parseUciShow } from '../../../../platform/openwrt/uci-show.js';
import { FIXTURES } from './fake-openwrt.js';

const shown = fs.readFileSync(path.join(FIXTURES, 'uci-show-dhcp.host-added.txt'), 'utf8');
const S = 'cfg01411c';
const withLines = (...lines: string[]) => parseUciShow(shown.replace(`dhcp.${S}.filter_a='0'\n`, `dhcp.${S}.filter_a='0'\n${lines.map((l) => `dhcp.${S}.${l}\n`).join('')}`));

describe('openwrt DNS.Client.Enable', () => {
  it('reads Enabled until the agent switched it off', () => {
    expect(dnsClientValues(parseUciShow(shown))).toEqual({ Enable: true, Status: 'Enabled' });
    expect(dnsClientValues(withLines("usp_dns_client_off='1'"))).toEqual({ Enable: false, Status: 'Disabled' });
    expect(dnsClientValues([])).toEqual({ Enable: true, Status: 'Enabled' });
  });

  it('false: localuse 1 and lo left out of dnsmasq, what was there kept; true gives it back', () => {
    expect(dnsClientEnableChanges(parseUciShow(shown), false)).toEqual([
      { section: S, option: 'usp_dns_client_off', value: '1' },
      { section: S, option: 'usp_localuse', value: 'unset' },
      { section: S, option: 'localuse', value: '1' },
      { section: S, option: 'notinterface', value: 'lo', append: true },
      { section: S, option: 'usp_notinterface_lo', value: '1' },
    ]);
    const off = withLines("usp_dns_client_off='1'", "usp_localuse='unset'", "localuse='1'", "notinterface='lo'", "usp_notinterface_lo='1'");
    expect(dnsClientValues(off).Enable).toBe(false);
    expect(dnsClientEnableChanges(off, true)).toEqual([
      { section: S, option: 'usp_dns_client_off', value: '', remove: true },
      { section: S, option: 'usp_localuse', value: '', remove: true },
      { section: S, option: 'localuse', value: '', remove: true },
      { section: S, option: 'usp_notinterface_lo', value: '', remove: true },
      { section: S, option: 'notinterface', value: 'lo', removeItem: true },
    ]);
  });

  it('keeps an operator’s localuse 0 and lo exclusion, and writes nothing for the current value', () => {
    const own = withLines("localuse='0'", "notinterface='lo' 'wan'");
    expect(dnsClientEnableChanges(own, true)).toEqual([]);
    expect(dnsClientEnableChanges(own, false)).toEqual([
      { section: S, option: 'usp_dns_client_off', value: '1' },
      { section: S, option: 'usp_localuse', value: '0' },
      { section: S, option: 'localuse', value: '1' },
    ]);
    const off = withLines("localuse='1'", "notinterface='lo' 'wan'", "usp_dns_client_off='1'", "usp_localuse='0'");
    expect(dnsClientEnableChanges(off, false)).toEqual([]);
    expect(dnsClientEnableChanges(off, true)).toEqual([
      { section: S, option: 'usp_dns_client_off', value: '', remove: true },
      { section: S, option: 'usp_localuse', value: '', remove: true },
      { section: S, option: 'localuse', value: '0' },
    ]);
  });

  it('refuses a config without a dnsmasq section', () => {
    expect(dnsClientEnableChanges(parseUciShow("dhcp.lan=dhcp\ndhcp.lan.interface='lan'\n"), false)).toMatch(/no dnsmasq section/);
  });
});

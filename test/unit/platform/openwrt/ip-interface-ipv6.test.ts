/**
 * IP.Interface.{i}.IPv6Enable as the `ipv6` option of a netifd device section
 * (platform/openwrt/ip-interface-ipv6.ts), on the network config of the fixtures and variants of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipv6EnableChanges } from '../../../../platform/openwrt/ip-interface-ipv6.js';
import { parseUciShow } from '../../../../platform/openwrt/uci-show.js';
import { FIXTURES } from './fake-openwrt.js';

const config = parseUciShow(fs.readFileSync(path.join(FIXTURES, 'uci-show-network.txt'), 'utf8'));
const section = (name: string) => config.find((s) => s.name === name)!;

describe('openwrt IP.Interface IPv6Enable', () => {
  it('lan alone on br-lan: ipv6 0 on its device section; true with no option writes nothing', () => {
    expect(ipv6EnableChanges(section('lan'), config, false, {}, {})).toEqual([{ section: 'cfg030f15', option: 'ipv6', value: '0' }]);
    expect(ipv6EnableChanges(section('lan'), config, true, {}, {})).toEqual([]);
  });

  it('refuses a shared device, a device without a section, an alias and a Set that also moves the interface', () => {
    expect(ipv6EnableChanges(section('wan'), config, false, {}, {})).toMatch(/also carries wan6/);
    expect(ipv6EnableChanges(section('loopback'), config, false, {}, {})).toMatch(/no config device section/);
    expect(ipv6EnableChanges(section('loopback'), config, true, {}, {})).toEqual([]);
    const alias = { name: 'x', type: 'interface', options: { device: '@lan' } };
    expect(ipv6EnableChanges(alias, config, false, {}, {})).toMatch(/no device of its own/);
    expect(ipv6EnableChanges(section('lan'), config, false, { LowerLayers: 'Device.Ethernet.Link.1' }, { LowerLayers: 'Device.Ethernet.Link.2' })).toMatch(/apart from LowerLayers/);
  });
});

/**
 * The pure parts of Device.DHCPv6 on OpenWrt: odhcpd's `ipv6leases` and odhcp6c's `get_state`
 * answers (test/fixtures/openwrt, written from their sources: README.md), the Pool rows of the
 * `dhcp` sections and the UCI changes of Pool and Client Sets, with their refusals.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { clientAddChanges, clientChanges, clientConfig, clientDeleteChanges, duidOfMac } from '../../../../platform/openwrt/dhcpv6-client.js';
import { v6PoolChanges, v6PoolSections, v6PoolValues } from '../../../../platform/openwrt/dhcpv6-server.js';
import { dhcpv6ServerEnableChanges, dhcpv6ServerOff } from '../../../../platform/openwrt/dhcpv6-server-enable.js';
import { parseOdhcp6cState } from '../../../../platform/openwrt/odhcp6c-state.js';
import { parseIpv6Leases } from '../../../../platform/openwrt/odhcpd-leases.js';
import { parseUciShow, type UciSection } from '../../../../platform/openwrt/uci-show.js';
import { FIXTURES } from './fake-openwrt.js';

const json = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
const section = (options: UciSection['options'], name = 'lan'): UciSection => ({ name, type: 'dhcp', options });

function refusal(f: () => unknown): UspError {
  try {
    f();
  } catch (e) {
    if (e instanceof UspError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('odhcpd ipv6leases', () => {
  it('reads each lease of a device with its addresses, prefixes and lifetimes (-1: infinite)', () => {
    const leases = parseIpv6Leases(json('ubus-dhcp-ipv6leases.json')).get('br-lan')!;
    expect(leases).toHaveLength(3);
    expect(leases[0]).toEqual({
      duid: '000100012e4f1a203c22fb000010',
      iaid: 1012465680,
      hostname: 'laptop',
      addresses: [{ address: 'fd12:3456:789a:1::e80', preferred: 3479, valid: 7079 }],
      prefixes: [],
    });
    expect(leases[1]!.prefixes).toEqual([{ address: 'fd12:3456:789a:13::', prefixLength: 64, preferred: 3479, valid: 7079 }]);
    expect(leases[2]!.addresses[0]).toEqual({ address: 'fd12:3456:789a:1::41b', preferred: undefined, valid: undefined });
  });

  it('skips what does not fit instead of failing', () => {
    expect(parseIpv6Leases(undefined).size).toBe(0);
    expect(parseIpv6Leases({ device: 'x' }).size).toBe(0);
    const bad = parseIpv6Leases({
      device: {
        'br-lan': {
          leases: [
            { duid: 'zz', 'ipv6-addr': [{ address: 'fd00::1' }] },
            { duid: '0003000111223344', 'ipv6-addr': [{ address: 'not-an-address' }] },
            { duid: '0003000111223344', 'ipv6-prefix': [{ address: 'fd00:1::' }] },
            { duid: '0003000111223344', 'ipv6-addr': [{ address: 'fd00::2', 'valid-lifetime': 4294967295 }] },
          ],
        },
      },
    }).get('br-lan')!;
    expect(bad).toEqual([{ duid: '0003000111223344', iaid: 0, hostname: '', addresses: [{ address: 'fd00::2', preferred: undefined, valid: undefined }], prefixes: [] }]);
  });
});

describe('odhcp6c get_state', () => {
  it('gives the servers and the received DNS options in wire format', () => {
    expect(parseOdhcp6cState(json('ubus-odhcp6c-get_state.eth1.2.json'))).toEqual({
      state: 'BOUND',
      servers: ['fe80::1'],
      received: [
        { Tag: 23, Value: '20010DB8001000000000000000000001' },
        { Tag: 24, Value: '03697370076578616D706C6500' },
      ],
    });
    expect(parseOdhcp6cState('x')).toBeUndefined();
    expect(parseOdhcp6cState({ SERVER: ['nope'], RDNSS: ['bad'] })).toEqual({ state: '', servers: [], received: [] });
  });
});

describe('DHCPv6 pools of the dhcp sections', () => {
  const config = parseUciShow(fs.readFileSync(path.join(FIXTURES, 'uci-show-dhcp.ra.txt'), 'utf8'));

  it('are the sections with a dhcpv6 server mode, odhcpd’s defaults filled in', () => {
    expect(v6PoolSections(config).map((s) => s.name)).toEqual(['lan']);
    expect(v6PoolValues(v6PoolSections(config)[0]!, 1)).toEqual({ Enable: true, Order: 1, IANAEnable: true, IAPDEnable: true });
    expect(v6PoolSections([section({ dhcpv6: 'relay' }), section({ dhcpv6: 'disabled' }, 'guest')]).map((s) => s.name)).toEqual(['guest']);
    expect(v6PoolValues(section({ dhcpv6: 'hybrid', dhcpv6_na: '0' }), 2)).toMatchObject({ Enable: true, IANAEnable: false, IAPDEnable: true });
  });

  it('a Set writes dhcpv6, dhcpv6_na and dhcpv6_pd, only what changes', () => {
    const lan = section({ dhcpv6: 'server', dhcpv6_pd: '0' });
    const current = v6PoolValues(lan, 1);
    expect(v6PoolChanges(lan, current, { Enable: false, IANAEnable: false, IAPDEnable: true })).toEqual([
      { section: 'lan', option: 'dhcpv6', value: 'disabled' },
      { section: 'lan', option: 'dhcpv6_na', value: '0' },
      { section: 'lan', option: 'dhcpv6_pd', value: '', remove: true },
    ]);
    expect(v6PoolChanges(lan, current, { Enable: true, IAPDEnable: false })).toEqual([]);
  });

  it('refuses what odhcpd cannot do (7012), naming the parameter', () => {
    const lan = section({ dhcpv6: 'server' });
    const e = refusal(() => v6PoolChanges(lan, v6PoolValues(lan, 1), { Order: 2 }));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.paramErrors?.map((p) => p.param)).toEqual(['Order']);
  });
});

describe('DHCPv6 Server.Enable (odhcpd has no switch of its own)', () => {
  const odhcpd = (options: UciSection['options'] = {}): UciSection => ({ name: 'odhcpd', type: 'odhcpd', options: { maindhcp: '0', ...options } });

  it('off keeps each serving pool’s mode and disables it; on gives the modes back', () => {
    const lan = section({ dhcpv6: 'hybrid' });
    const guest = section({ dhcpv6: 'disabled' }, 'guest');
    const config = [odhcpd(), lan, guest];
    expect(dhcpv6ServerOff(config)).toBe(false);
    expect(dhcpv6ServerEnableChanges(config, [lan, guest], false)).toEqual([
      { section: 'odhcpd', option: 'usp_dhcpv6_disabled', value: '1' },
      { section: 'lan', option: 'usp_dhcpv6_mode', value: 'hybrid' },
      { section: 'lan', option: 'dhcpv6', value: 'disabled' },
    ]);
    expect(dhcpv6ServerEnableChanges(config, [lan, guest], true)).toEqual([]);
    const offLan = section({ dhcpv6: 'disabled', usp_dhcpv6_mode: 'hybrid' });
    const off = [odhcpd({ usp_dhcpv6_disabled: '1' }), offLan, guest];
    expect(dhcpv6ServerOff(off)).toBe(true);
    expect(dhcpv6ServerEnableChanges(off, [offLan, guest], true)).toEqual([
      { section: 'odhcpd', option: 'usp_dhcpv6_disabled', value: '', remove: true },
      { section: 'lan', option: 'dhcpv6', value: 'hybrid' },
      { section: 'lan', option: 'usp_dhcpv6_mode', value: '', remove: true },
    ]);
    expect(dhcpv6ServerEnableChanges([lan], [lan], false)).toMatch(/no odhcpd section/);
  });

  it('while off, a pool’s Enable is its kept mode only', () => {
    const offLan = section({ dhcpv6: 'disabled', usp_dhcpv6_mode: 'server' });
    expect(v6PoolValues(offLan, 1, true)).toMatchObject({ Enable: true });
    expect(v6PoolChanges(offLan, v6PoolValues(offLan, 1, true), { Enable: false }, true)).toEqual([{ section: 'lan', option: 'usp_dhcpv6_mode', value: '', remove: true }]);
    const guest = section({ dhcpv6: 'disabled' }, 'guest');
    expect(v6PoolChanges(guest, v6PoolValues(guest, 2, true), { Enable: true }, true)).toEqual([{ section: 'guest', option: 'usp_dhcpv6_mode', value: 'server' }]);
  });
});

describe('DHCPv6 clients of the proto dhcpv6 interfaces', () => {
  const wan6 = (options: UciSection['options']): UciSection => ({ name: 'wan6', type: 'interface', options: { proto: 'dhcpv6', device: '@wan', ...options } });

  it('reads dhcpv6.sh’s options with their defaults', () => {
    expect(clientConfig(wan6({}))).toMatchObject({ Enable: true, RequestAddresses: true, RequestPrefixes: true, RequestedOptions: '' });
    expect(clientConfig(wan6({ reqaddress: 'none', reqprefix: 'no', reqopts: '23 24', disabled: '1' }))).toMatchObject({
      Enable: false,
      RequestAddresses: false,
      RequestPrefixes: false,
      RequestedOptions: '23,24',
    });
    expect(clientConfig(wan6({ reqprefix: '60', reqaddress: 'force' }))).toMatchObject({ RequestAddresses: true, RequestPrefixes: true });
  });

  it('a Set writes the UCI options, deleting them for odhcp6c’s defaults', () => {
    const s = wan6({ reqaddress: 'none', reqopts: '23', auto: '0' });
    expect(clientChanges(s, clientConfig(s), { Enable: true, RequestAddresses: true, RequestPrefixes: false, RequestedOptions: '24,23,24' })).toEqual([
      { section: 'wan6', option: 'auto', value: '', remove: true },
      { section: 'wan6', option: 'reqaddress', value: '', remove: true },
      { section: 'wan6', option: 'reqprefix', value: 'no' },
      { section: 'wan6', option: 'reqopts', value: '', remove: true },
      { section: 'wan6', option: 'reqopts', value: '24 23' },
    ]);
    expect(clientChanges(s, clientConfig(s), { RequestedOptions: '' })).toEqual([{ section: 'wan6', option: 'reqopts', value: '', remove: true }]);
    expect(clientChanges(s, clientConfig(s), { Enable: false, RequestedOptions: '23' })).toEqual([]);
  });

  it('refuses protocol-owned or malformed option codes and parameters without a UCI option', () => {
    const s = wan6({});
    for (const [changes, param] of [
      [{ RequestedOptions: '23,6' }, 'RequestedOptions'],
      [{ RequestedOptions: '70000' }, 'RequestedOptions'],
      [{ SupportedOptions: '1' }, 'SupportedOptions'],
    ] as const) {
      const e = refusal(() => clientChanges(s, clientConfig(s), { ...changes }));
      expect(e.code).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors?.map((p) => p.param)).toEqual([param]);
    }
  });

  it('Add makes an unaddressed interface a client, disabled unless the Add enables it; Delete makes it unaddressed again', () => {
    const spare: UciSection = { name: 'spare', type: 'interface', options: { proto: 'none', device: 'eth2' } };
    expect(clientAddChanges(spare, { Interface: 'Device.IP.Interface.9', Alias: 'x' })).toEqual([
      { section: 'spare', option: 'proto', value: 'dhcpv6' },
      { section: 'spare', option: 'disabled', value: '1' },
    ]);
    expect(clientAddChanges(spare, { Enable: true, RequestAddresses: false })).toEqual([
      { section: 'spare', option: 'proto', value: 'dhcpv6' },
      { section: 'spare', option: 'reqaddress', value: 'none' },
    ]);
    expect(clientDeleteChanges(wan6({ reqopts: '23', clientid: '0003000194' }))).toEqual([
      { section: 'wan6', option: 'proto', value: 'none' },
      { section: 'wan6', option: 'reqopts', value: '', remove: true },
      { section: 'wan6', option: 'clientid', value: '', remove: true },
    ]);
  });

  it('odhcp6c’s own DUID is the DUID-LL of the device MAC', () => {
    expect(duidOfMac('94:83:c4:00:00:02')).toBe('000300019483C4000002');
    expect(duidOfMac(undefined)).toBe('');
  });
});

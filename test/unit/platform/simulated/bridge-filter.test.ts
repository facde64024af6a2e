import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { frameClassifierOf, MAX_FILTERS } from '../../../../platform/simulated/bridge-filter.js';
import type { Frame } from '../../../../platform/bridge-filter-rules.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const BR = 'Device.Bridging.Bridge.1';
const LAN1 = `${BR}.Port.2`;
const LAN2 = `${BR}.Port.3`;
const PC = '0a:5f:1e:00:00:10';
const udp = (destPort: number, sourceMac = PC): Frame => ({
  ethertype: 0x0800,
  sourceMac,
  destMac: '0a:5f:1e:00:00:01',
  ip: { source: '192.168.1.100', dest: '192.168.1.1', protocol: 17, sourcePort: 40000, destPort },
});
const arp: Frame = { ethertype: 0x0806, sourceMac: PC, destMac: 'ff:ff:ff:ff:ff:ff' };

describe('simulated platform: Device.Bridging.Filter', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('holds rows with a computed Status and classifies frames in TR-106 Order', async () => {
    sim = simulated();
    expect(await sim.values('Device.Bridging.')).toMatchObject({ MaxFilterEntries: MAX_FILTERS, FilterNumberOfEntries: 0 });
    const classify = (port: string, f: Frame) => frameClassifierOf(sim.model)!.classify(port, f);
    expect(classify(LAN1, udp(53))).toBe('unfiltered');

    const dns = await sim.add('Device.Bridging.Filter.', { Enable: true, Bridge: BR, Interface: LAN1, Protocol: 17, DestPort: 53 });
    const arpRow = await sim.add('Device.Bridging.Filter.', { Enable: true, Bridge: BR, Interface: LAN1, EthertypeFilterList: '2054', EthertypeFilterExclude: false });
    expect(await sim.values(`Device.Bridging.Filter.${dns}.`)).toMatchObject({ Status: 'Enabled', Order: 1, Alias: 'cpe-1' });
    expect((await sim.values(`Device.Bridging.Filter.${arpRow}.`)).Order).toBe(2);
    expect(classify(LAN1, udp(53))).toEqual({ admittedBy: dns });
    expect(classify(LAN1, arp)).toEqual({ admittedBy: arpRow });
    expect(classify(LAN1, udp(80))).toBe('dropped');
    expect(classify(LAN2, udp(80))).toBe('unfiltered');

    // A row given Order 1 goes first; the others move down.
    const pc = await sim.add('Device.Bridging.Filter.', { Enable: true, Bridge: BR, Interface: LAN1, Order: 1, SourceMACAddressFilterList: PC, SourceMACAddressFilterExclude: false });
    expect([(await sim.values(`Device.Bridging.Filter.${dns}.`)).Order, (await sim.values(`Device.Bridging.Filter.${arpRow}.`)).Order]).toEqual([2, 3]);
    expect(classify(LAN1, udp(53))).toEqual({ admittedBy: pc });
    expect(classify(LAN1, udp(80, '0a:5f:1e:00:00:11'))).toBe('dropped');

    await sim.set(`Device.Bridging.Filter.${pc}.`, { Enable: false });
    expect((await sim.values(`Device.Bridging.Filter.${pc}.`)).Status).toBe('Disabled');
    expect(classify(LAN1, udp(80))).toBe('dropped');
  });

  it('reads Error_Misconfigured without Bridge or Interface, or with a VLANIDFilter the bridge has no VLAN for', async () => {
    sim = simulated();
    const half = await sim.add('Device.Bridging.Filter.', { Enable: true, Interface: LAN1 });
    expect((await sim.values(`Device.Bridging.Filter.${half}.`)).Status).toBe('Error_Misconfigured');
    const tagged = await sim.add('Device.Bridging.Filter.', { Enable: true, Bridge: BR, Interface: LAN1, VLANIDFilter: 100 });
    expect((await sim.values(`Device.Bridging.Filter.${tagged}.`)).Status).toBe('Error_Misconfigured');
    await sim.add(`${BR}.VLAN.`, { Enable: true, VLANID: 100 });
    expect((await sim.values(`Device.Bridging.Filter.${tagged}.`)).Status).toBe('Enabled');
    const vlanTarget = await sim.add('Device.Bridging.Filter.', { Enable: true, Bridge: `${BR}.VLAN.1`, Interface: LAN2 });
    expect((await sim.values(`Device.Bridging.Filter.${vlanTarget}.`)).Status).toBe('Enabled');
  });

  it('refuses bad values with 7012 and a row past MaxFilterEntries with 7005, keeping nothing', async () => {
    sim = simulated();
    const bridge2 = await sim.add('Device.Bridging.Bridge.', { Enable: true });
    const bads: Array<Record<string, Value>> = [
      { Interface: `${BR}.Port.99` },
      { Bridge: 'Device.Bridging.Bridge.9' },
      { Bridge: `${BR}.VLAN.7` },
      { Bridge: `Device.Bridging.Bridge.${bridge2}`, Interface: LAN1 },
      { SourceMACAddressFilterList: 'not-a-mac' },
      { EthertypeFilterList: '70000' },
      { Protocol: 1, DestPort: 80 },
      { SourceIP: '10.0.0.1', DestIP: 'fd00::1' },
      { DestPort: 90, DestPortRangeMax: 80 },
    ];
    for (const bad of bads) {
      expect([bad, (await refusal(() => sim.add('Device.Bridging.Filter.', bad))).code]).toEqual([bad, ErrorCode.InvalidValue]);
    }
    expect(await sim.instances('Device.Bridging.Filter.')).toEqual([]);
    for (let i = 0; i < MAX_FILTERS; i++) await sim.add('Device.Bridging.Filter.', {});
    expect((await refusal(() => sim.add('Device.Bridging.Filter.', {}))).code).toBe(ErrorCode.ResourcesExceeded);
    expect((await sim.instances('Device.Bridging.Filter.')).length).toBe(MAX_FILTERS);
  });
});

/**
 * Device.IP.Interface.{i}. and IPv4Address.{i}. as tables a Controller adds to and deletes from
 * (TR-181 IPInterface:1/2, IPv6Interface:1), and Interface.{i}.Reset().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const IF = 'Device.IP.Interface.';

describe('simulated Device.IP.Interface: Add, Delete, Reset()', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('adds an interface over an Ethernet.Link, follows the link, and deletes it', async () => {
    sim = simulated();
    sim.advance(600);
    expect((await refusal(() => sim.add(IF, { LowerLayers: 'Device.WiFi.SSID.1' }))).paramErrors[0]?.param).toBe('LowerLayers');
    expect((await refusal(() => sim.add(IF, { LowerLayers: 'Device.Ethernet.Link.1' }))).code).toBe(ErrorCode.InvalidValue); // br-lan's
    const n = await sim.add(IF, { Enable: true, LowerLayers: 'Device.Ethernet.Link.2.' });
    expect(n).toBe(4);
    // The Ethernet WAN port has no cable: the interface waits for its link.
    expect(await sim.values(`${IF}4.`)).toMatchObject({ Name: 'ipif4', Status: 'LowerLayerDown', LowerLayers: 'Device.Ethernet.Link.2', Type: 'Normal', Alias: 'cpe-4' });
    await sim.set(`${IF}4.`, { LowerLayers: '' });
    expect((await sim.values(`${IF}4.`)).Status).toBe('LowerLayerDown');
    await sim.set(`${IF}4.`, { Enable: false });
    expect((await sim.values(`${IF}4.`)).Status).toBe('Down');
    expect((await sim.values(`${IF}4.Stats.`)).BytesSent).toBe('0');
    expect((await sim.values('Device.IP.')).InterfaceNumberOfEntries).toBe(4);
    await sim.del(`${IF}4.`);
    expect(await sim.instances(IF)).toEqual([1, 2, 3]);
  });

  it("refuses to delete the gateway's own interfaces and addresses (7024)", async () => {
    sim = simulated();
    for (const path of [`${IF}1.`, `${IF}2.`, `${IF}3.`, `${IF}1.IPv4Address.1.`]) {
      expect((await refusal(() => sim.del(path))).code, path).toBe(ErrorCode.DeleteFailure);
    }
  });

  it("adds a Static IPv4 address beside br-lan's own, refusing one in use or malformed", async () => {
    sim = simulated();
    expect((await refusal(() => sim.add(`${IF}1.IPv4Address.`, { IPAddress: '192.168.1.1', SubnetMask: '255.255.255.0' }))).paramErrors[0]?.param).toBe('IPAddress');
    expect((await refusal(() => sim.add(`${IF}1.IPv4Address.`, { IPAddress: '10.0.0.1', SubnetMask: '255.0.255.0' }))).paramErrors[0]?.param).toBe('SubnetMask');
    const k = await sim.add(`${IF}1.IPv4Address.`, { Enable: true, IPAddress: '10.10.0.1', SubnetMask: '255.255.255.0' });
    expect(k).toBe(2);
    expect(await sim.values(`${IF}1.IPv4Address.2.`)).toMatchObject({ Status: 'Enabled', AddressingType: 'Static', IPAddress: '10.10.0.1', Alias: 'cpe-2' });
    expect((await sim.values(`${IF}1.`)).IPv4AddressNumberOfEntries).toBe(2);
    // The LAN keeps its own address: DHCP and NAT still see 192.168.1.1.
    expect((await sim.values('Device.DHCPv4.Server.Pool.1.')).IPRouters).toBe('192.168.1.1');
    await sim.del(`${IF}1.IPv4Address.2.`);
    expect(await sim.instances(`${IF}1.IPv4Address.`)).toEqual([1]);
    // An address without its mask is misconfigured until it has one.
    await sim.add(`${IF}1.IPv4Address.`, { Enable: true, IPAddress: '10.10.0.1' });
    expect((await sim.values(`${IF}1.IPv4Address.3.`)).Status).toBe('Error_Misconfigured');
  });

  it('Reset() takes an enabled interface down and up: LastChange starts again', async () => {
    sim = simulated();
    sim.advance(600);
    expect(Number((await sim.values(`${IF}1.`)).LastChange)).toBeGreaterThan(500);
    await sim.binding(`${IF}{i}.`).commands!['Reset()'].run({ keys: [1], objectPath: `${IF}1.`, input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal });
    expect(await sim.values(`${IF}1.`)).toMatchObject({ Status: 'Up', LastChange: 0 });
  });
});

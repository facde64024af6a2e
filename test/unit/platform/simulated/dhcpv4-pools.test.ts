/**
 * The DHCPv4 server's pools as a table a Controller adds to and deletes from, with their Option
 * and StaticAddress rows (TR-181 DHCPv4Server:1), and the options each client sent
 * (DHCPv4ServerClientInfo:1): a static address changes what the lease and Device.Hosts show.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const POOLS = 'Device.DHCPv4.Server.Pool.';

/** The Hosts row of the wired NAS (on lan2), and its number. */
async function nas(sim: SimFixture): Promise<{ n: number; host: Record<string, unknown> }> {
  for (const n of await sim.instances('Device.Hosts.Host.')) {
    const host = await sim.values(`Device.Hosts.Host.${n}.`);
    if (host.HostName === 'nas') return { n, host };
  }
  throw new Error('no NAS on the LAN');
}

describe('simulated DHCPv4 server: pools, options, static addresses', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('gives a client its static address: the lease and the Hosts row follow, and nobody else gets it', async () => {
    sim = simulated();
    sim.advance(3600);
    const { n, host } = await nas(sim);
    expect((await refusal(() => sim.add(`${POOLS}1.StaticAddress.`, { Chaddr: String(host.PhysAddress), Yiaddr: '10.0.0.5' }))).paramErrors[0]?.param).toBe('Yiaddr');
    await sim.add(`${POOLS}1.StaticAddress.`, { Enable: true, Chaddr: String(host.PhysAddress).toUpperCase(), Yiaddr: '192.168.1.20' });
    expect((await sim.values(`${POOLS}1.StaticAddress.1.`)).Chaddr).toBe(host.PhysAddress);
    expect((await sim.values(`Device.Hosts.Host.${n}.`)).IPAddress).toBe('192.168.1.20');
    expect((await sim.values(`${POOLS}1.Client.${n}.IPv4Address.1.`)).IPAddress).toBe('192.168.1.20');
    const others = await Promise.all((await sim.instances('Device.Hosts.Host.')).filter((k) => k !== n).map(async (k) => (await sim.values(`Device.Hosts.Host.${k}.`)).IPAddress));
    expect(others).not.toContain('192.168.1.20');
    // The same MAC twice is one static address (Chaddr is the table's unique key: 7025).
    expect((await refusal(() => sim.add(`${POOLS}1.StaticAddress.`, { Chaddr: String(host.PhysAddress), Yiaddr: '192.168.1.21' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    await sim.set(`${POOLS}1.StaticAddress.1.`, { Enable: false });
    expect((await sim.values(`Device.Hosts.Host.${n}.`)).IPAddress).toBe(host.IPAddress);
  });

  it('keeps the options a Controller adds, refusing the ones the pool sets itself', async () => {
    sim = simulated();
    expect((await refusal(() => sim.add(`${POOLS}1.Option.`, { Tag: 6, Value: 'c0a80101' }))).paramErrors[0]?.param).toBe('Tag');
    await sim.add(`${POOLS}1.Option.`, { Enable: true, Tag: 42, Value: 'c0a80101' }); // NTP server
    expect(await sim.values(`${POOLS}1.Option.1.`)).toMatchObject({ Enable: true, Tag: 42, Value: 'c0a80101' });
    expect((await sim.values(`${POOLS}1.`)).OptionNumberOfEntries).toBe(1);
    expect((await refusal(() => sim.add(`${POOLS}1.Option.`, { Tag: 42, Value: '0a000001' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
  });

  it('lists the options each client sent: its host name and client identifier', async () => {
    sim = simulated();
    sim.advance(3600);
    const { n, host } = await nas(sim);
    expect(await sim.values(`${POOLS}1.Client.${n}.Option.1.`)).toEqual({ Tag: 12, Value: Buffer.from('nas').toString('hex') });
    expect((await sim.values(`${POOLS}1.Client.${n}.Option.2.`)).Value).toBe(`01${String(host.PhysAddress).replace(/:/g, '')}`);
    expect((await sim.values(`${POOLS}1.Client.${n}.`)).OptionNumberOfEntries).toBe(2);
  });

  it('hands br-lan to a pool a Controller adds when the shipped one is deleted', async () => {
    sim = simulated();
    sim.advance(3600);
    const { n } = await nas(sim);
    await sim.del(`${POOLS}1.`);
    expect((await sim.values(`Device.Hosts.Host.${n}.`)).DHCPClient).toBe('');
    expect((await refusal(() => sim.add(POOLS, { Interface: 'Device.IP.Interface.2' }))).paramErrors[0]?.param).toBe('Interface');
    const p = await sim.add(POOLS, {
      Enable: true,
      Interface: 'Device.IP.Interface.1.',
      MinAddress: '192.168.1.50',
      MaxAddress: '192.168.1.99',
      SubnetMask: '255.255.255.0',
      LeaseTime: 3600,
    });
    expect(p).toBe(2);
    expect((await sim.values(`${POOLS}2.`)).Status).toBe('Enabled');
    const host = await sim.values(`Device.Hosts.Host.${n}.`);
    expect(host.DHCPClient).toBe(`${POOLS}2.Client.${n}`);
    const last = Number(String(host.IPAddress).split('.')[3]);
    expect(last).toBeGreaterThanOrEqual(50);
    expect(last).toBeLessThanOrEqual(99);
    expect((await sim.values('Device.DHCPv4.Server.')).PoolNumberOfEntries).toBe(1);
  });
});

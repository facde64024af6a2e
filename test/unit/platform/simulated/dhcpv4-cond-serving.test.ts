/**
 * Conditional serving on the simulated gateway (TR-181 DHCPv4CondServing:1): each LAN client
 * leases from the first br-lan pool by Order whose criteria match what it sends (some kinds of
 * device send a vendor class, lan-clients.ts), so a pool for set-top boxes takes the set-top box
 * and leaves the other clients to the shipped pool: their leases, Client rows and Hosts rows follow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type SimFixture, simulated } from './fixture.js';

const POOLS = 'Device.DHCPv4.Server.Pool.';

/** Each Hosts row by host name: its pool's Client row and its address. */
async function hosts(sim: SimFixture): Promise<Map<string, { n: number; DHCPClient: string; IPAddress: string; PhysAddress: string }>> {
  const out = new Map<string, { n: number; DHCPClient: string; IPAddress: string; PhysAddress: string }>();
  for (const n of await sim.instances('Device.Hosts.Host.')) {
    const h = await sim.values(`Device.Hosts.Host.${n}.`);
    out.set(String(h.HostName), { n, DHCPClient: String(h.DHCPClient), IPAddress: String(h.IPAddress), PhysAddress: String(h.PhysAddress) });
  }
  return out;
}

const stbOf = (m: Awaited<ReturnType<typeof hosts>>) => [...m.entries()].find(([name]) => name.startsWith('stb-'))!;
const last = (ip: string) => Number(ip.split('.')[3]);

describe('simulated DHCPv4 server: conditional serving', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('a pool with a VendorClassID serves the clients sending that class, by Order; Exclude, Prefix and Chaddr too', async () => {
    sim = simulated();
    sim.advance(3600);
    await sim.set(`${POOLS}1.`, { Order: 2 });
    const p = await sim.add(POOLS, {
      Enable: true,
      Order: 1,
      Interface: 'Device.IP.Interface.1',
      MinAddress: '192.168.1.50',
      MaxAddress: '192.168.1.59',
      SubnetMask: '255.255.255.0',
      VendorClassID: 'IPTV-STB',
    });
    let m = await hosts(sim);
    const [, stb] = stbOf(m);
    expect(stb.DHCPClient).toBe(`${POOLS}${p}.Client.${stb.n}`);
    expect(last(stb.IPAddress)).toBeGreaterThanOrEqual(50);
    expect(last(stb.IPAddress)).toBeLessThanOrEqual(59);
    expect(await sim.instances(`${POOLS}${p}.Client.`)).toEqual([stb.n]);
    expect(m.get('nas')!.DHCPClient).toBe(`${POOLS}1.Client.${m.get('nas')!.n}`);
    expect(last(m.get('nas')!.IPAddress)).toBeGreaterThanOrEqual(100);
    // What the set-top box sent, as its Client row shows it.
    const options = await Promise.all((await sim.instances(`${POOLS}${p}.Client.${stb.n}.Option.`)).map((o) => sim.values(`${POOLS}${p}.Client.${stb.n}.Option.${o}.`)));
    expect(options).toContainEqual({ Tag: 60, Value: Buffer.from('IPTV-STB').toString('hex') });

    // Exact: a prefix of the class is another class; Prefix mode takes it.
    await sim.set(`${POOLS}${p}.`, { VendorClassID: 'IPTV' });
    expect(stbOf(await hosts(sim))[1].DHCPClient).toMatch(new RegExp(`^${POOLS.replace(/\./g, '\\.')}1\\.`));
    await sim.set(`${POOLS}${p}.`, { VendorClassIDMode: 'Prefix' });
    expect(stbOf(await hosts(sim))[1].DHCPClient).toMatch(new RegExp(`Pool\\.${p}\\.`));
    // Exclude: every client but the set-top box.
    await sim.set(`${POOLS}${p}.`, { VendorClassIDExclude: true });
    m = await hosts(sim);
    expect(stbOf(m)[1].DHCPClient).toMatch(/Pool\.1\./);
    expect(m.get('nas')!.DHCPClient).toMatch(new RegExp(`Pool\\.${p}\\.`));

    // Chaddr under a mask of its first five bytes takes the NAS alone.
    const nas = m.get('nas')!;
    await sim.set(`${POOLS}${p}.`, { VendorClassID: '', VendorClassIDExclude: false, Chaddr: nas.PhysAddress.replace(/..$/, '00'), ChaddrMask: 'ff:ff:ff:ff:ff:00' });
    m = await hosts(sim);
    expect(m.get('nas')!.DHCPClient).toBe(`${POOLS}${p}.Client.${nas.n}`);
    expect(await sim.instances(`${POOLS}${p}.Client.`)).toEqual([nas.n]);

    // Order: the shipped pool first takes every request (it has no criteria).
    await sim.set(`${POOLS}${p}.`, { Order: 3 });
    await sim.set(`${POOLS}1.`, { Order: 1 });
    expect(await sim.instances(`${POOLS}${p}.Client.`)).toEqual([]);
    expect((await hosts(sim)).get('nas')!.DHCPClient).toMatch(/Pool\.1\./);
  });

  it('a client no pool matches leases nothing', async () => {
    sim = simulated();
    sim.advance(3600);
    await sim.set(`${POOLS}1.`, { VendorClassID: 'IPTV-STB' });
    const m = await hosts(sim);
    expect(stbOf(m)[1].DHCPClient).toMatch(/Pool\.1\.Client\./);
    expect(await sim.instances(`${POOLS}1.Client.`)).toEqual([stbOf(m)[1].n]);
    expect(m.get('nas')?.DHCPClient ?? '').toBe('');
  });
});

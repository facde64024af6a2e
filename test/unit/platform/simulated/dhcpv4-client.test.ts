/**
 * Device.DHCPv4.Client.{i}. of the simulated gateway (platform/simulated/dhcpv4-client.ts): a
 * Controller's Client on wwan0 is Bound to the WAN's address once the data session is up, its
 * lease counts down and renews at T1, Renew() restarts it, ReqOption Values follow the lease, and
 * bad rows are refused with nothing kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandInvocation } from '../../../../datamodel/tree/binding.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const CLIENT = 'Device.DHCPv4.Client.';

describe('simulated DHCPv4 client on the WAN', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  const renew = (n: number) => sim.binding(`${CLIENT}{i}.`).commands!['Renew()']!.run({ keys: [n] } as unknown as CommandInvocation);

  it('ships with no Client, and Binds one a Controller adds on wwan0', async () => {
    sim = simulated();
    expect(await sim.instances(CLIENT)).toEqual([]);
    const n = await sim.add(CLIENT, { Enable: true, Interface: 'Device.IP.Interface.2' });
    sim.advance(60);
    const wan = await sim.values('Device.IP.Interface.2.IPv4Address.1.');
    const route = await sim.values('Device.Routing.Router.1.IPv4Forwarding.1.');
    const dns = await Promise.all([1, 2].map(async (s) => (await sim.values(`Device.DNS.Client.Server.${s}.`)).DNSServer));
    const v = await sim.values(`${CLIENT}${n}.`);
    expect(v).toMatchObject({
      Status: 'Enabled',
      DHCPStatus: 'Bound',
      IPAddress: wan.IPAddress,
      SubnetMask: '255.255.255.252',
      IPRouters: route.GatewayIPAddress,
      DHCPServer: route.GatewayIPAddress,
      DNSServers: dns.join(','),
      Alias: `cpe-${n}`,
    });
    const left = Number(v.LeaseTimeRemaining);
    expect(left).toBeLessThanOrEqual(3600);
    expect(left).toBeGreaterThan(1800);
    sim.advance(600);
    expect(Number((await sim.values(`${CLIENT}${n}.`)).LeaseTimeRemaining)).toBe(left - 600);
    // Renewed at T1 (half the lease): back up to the whole lease.
    sim.advance(left - 1800 - 600);
    expect((await sim.values(`${CLIENT}${n}.`)).LeaseTimeRemaining).toBe(3600);
    sim.advance(100);
    await renew(n);
    expect((await sim.values(`${CLIENT}${n}.`)).LeaseTimeRemaining).toBe(3600);
  });

  it('reads the requested options from the lease and keeps the sent ones', async () => {
    sim = simulated();
    const n = await sim.add(CLIENT, { Enable: true, Interface: 'Device.IP.Interface.2' });
    await sim.add(`${CLIENT}${n}.SentOption.`, { Enable: true, Tag: 60, Value: '7573702D6770' });
    const r1 = await sim.add(`${CLIENT}${n}.ReqOption.`, { Enable: true, Tag: 51 });
    const r2 = await sim.add(`${CLIENT}${n}.ReqOption.`, { Enable: true, Tag: 43 });
    sim.advance(60);
    expect(await sim.values(`${CLIENT}${n}.ReqOption.${r1}.`)).toMatchObject({ Tag: 51, Order: 1, Value: '00000E10' });
    expect(await sim.values(`${CLIENT}${n}.ReqOption.${r2}.`)).toMatchObject({ Tag: 43, Order: 2, Value: '' });
    expect(await sim.values(`${CLIENT}${n}.SentOption.1.`)).toMatchObject({ Tag: 60, Value: '7573702D6770' });
    expect(await sim.values(`${CLIENT}${n}.`)).toMatchObject({ SentOptionNumberOfEntries: 1, ReqOptionNumberOfEntries: 2 });
  });

  it('refuses bad rows with nothing kept', async () => {
    sim = simulated();
    expect((await refusal(() => sim.add(CLIENT, { Interface: 'Device.IP.Interface.1' }))).code).toBe(ErrorCode.InvalidValue);
    expect(await sim.instances(CLIENT)).toEqual([]);
    const n = await sim.add(CLIENT, { Interface: 'Device.IP.Interface.2' });
    expect((await refusal(() => sim.add(CLIENT, { Interface: 'Device.IP.Interface.2' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect((await refusal(() => sim.add(`${CLIENT}${n}.SentOption.`, { Tag: 53, Value: '01' }))).code).toBe(ErrorCode.InvalidValue);
    await sim.add(`${CLIENT}${n}.SentOption.`, { Tag: 77, Value: '01' });
    expect((await refusal(() => sim.add(`${CLIENT}${n}.SentOption.`, { Tag: 77, Value: '02' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect(await sim.instances(`${CLIENT}${n}.SentOption.`)).toEqual([1]);
    expect(await sim.instances(CLIENT)).toEqual([n]);
    // Disabled: Renew() has nothing to renew.
    expect((await refusal(() => renew(n))).code).toBe(ErrorCode.CommandFailure);
    expect((await sim.values(`${CLIENT}${n}.`)).Status).toBe('Disabled');
  });
});

/**
 * Device.DHCPv6 of the simulated gateway (platform/simulated/dhcpv6-*.ts): br-lan's pool leases
 * one address per br-lan /64 to the LAN devices that run a DHCPv6 client, its settings and
 * criteria decide who it serves, and the WAN client reports what the network's server answers
 * (the delegated /56, timers, requested options); bad rows are refused with nothing kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandInvocation } from '../../../../datamodel/tree/binding.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const POOL = 'Device.DHCPv6.Server.Pool.';
const CLIENT = 'Device.DHCPv6.Client.';

describe('simulated DHCPv6 server on br-lan', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('leases an address from each br-lan /64 to the devices running DHCPv6', async () => {
    sim = simulated();
    sim.advance(600);
    const pool = await sim.values(`${POOL}1.`);
    expect(pool).toMatchObject({ Enable: true, Status: 'Enabled', Interface: 'Device.IP.Interface.1', IANAEnable: true, IAPDEnable: false, OptionNumberOfEntries: 0 });
    const prefixes = String(pool.IANAPrefixes).split(',');
    expect(prefixes).toEqual(['Device.IP.Interface.1.IPv6Prefix.1', 'Device.IP.Interface.1.IPv6Prefix.3']);
    const global = String((await sim.values('Device.IP.Interface.1.IPv6Prefix.1.')).Prefix).replace(/::\/64$/, ':');
    const clients = await sim.instances(`${POOL}1.Client.`);
    expect(clients.length).toBeGreaterThan(0);
    const n = clients[0]!;
    const host = await sim.values(`Device.Hosts.Host.${n}.`);
    const row = await sim.values(`${POOL}1.Client.${n}.`);
    expect(row).toMatchObject({ Active: true, IPv6AddressNumberOfEntries: 2, IPv6PrefixNumberOfEntries: 0, OptionNumberOfEntries: 2 });
    expect(row.SourceAddress).toMatch(/^fe80::/);
    const a = await sim.values(`${POOL}1.Client.${n}.IPv6Address.1.`);
    expect(String(a.IPAddress).startsWith(global)).toBe(true);
    const duid = await sim.values(`${POOL}1.Client.${n}.Option.1.`);
    expect(duid).toEqual({ Tag: 1, Value: `00030001${String(host.PhysAddress).replace(/:/g, '').toUpperCase()}` });
    // Android phones and smart plugs run no DHCPv6 client.
    const names = await Promise.all(clients.map(async (c) => (await sim.values(`Device.Hosts.Host.${c}.`)).HostName));
    expect(names).not.toContain('Pixel-8');

    // IANAEnable false: no addresses, no clients; the server off: the pool is Disabled.
    await sim.set(`${POOL}1.`, { IANAEnable: false });
    expect(await sim.instances(`${POOL}1.Client.`)).toEqual([]);
    expect((await sim.values(`${POOL}1.`)).IANAPrefixes).toBe('');
    await sim.set(`${POOL}1.`, { IANAEnable: true, IAPDEnable: true });
    expect((await sim.values(`${POOL}1.`)).IAPDPrefixes).toBe('Device.IP.Interface.2.IPv6Prefix.2');
    await sim.set('Device.DHCPv6.Server.', { Enable: false });
    expect((await sim.values(`${POOL}1.`)).Status).toBe('Disabled');
    expect(await sim.instances(`${POOL}1.Client.`)).toEqual([]);
    await sim.set('Device.DHCPv6.Server.', { Enable: true });
    expect(await sim.instances(`${POOL}1.Client.`)).toEqual(clients);

    // A pool by DUID, first in Order: it takes that client alone.
    // Order is the pools' unique key: a second pool at 1 is refused (7025) until pool 1 moves.
    expect((await refusal(() => sim.add(POOL, { Enable: true, Interface: 'Device.IP.Interface.1', Order: 1 }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    await sim.set(`${POOL}1.`, { Order: 5 });
    const p2 = await sim.add(POOL, { Enable: true, Interface: 'Device.IP.Interface.1', IANAEnable: true, DUID: String(duid.Value), Order: 1 });
    expect(await sim.instances(`${POOL}${p2}.Client.`)).toEqual([n]);
    expect(await sim.instances(`${POOL}1.Client.`)).toEqual(clients.slice(1));
    // Excluded by DUID: every other client.
    await sim.set(`${POOL}${p2}.`, { DUIDExclude: true });
    expect(await sim.instances(`${POOL}${p2}.Client.`)).toEqual(clients.slice(1));
    // By link-local source address: a /64 mask takes every client.
    await sim.set(`${POOL}${p2}.`, { DUID: '', DUIDExclude: false, SourceAddress: 'fe80::', SourceAddressMask: 'ffff:ffff:ffff:ffff::' });
    expect(await sim.instances(`${POOL}${p2}.Client.`)).toEqual(clients);
    await sim.del(`${POOL}${p2}.`);
    expect(await sim.instances(`${POOL}1.Client.`)).toEqual(clients);
  });

  it('keeps Option rows and refuses bad pools and options with nothing kept', async () => {
    sim = simulated();
    const o = await sim.add(`${POOL}1.Option.`, { Enable: true, Tag: 23, Value: '20010DB8000000000000000000000001' });
    expect(await sim.values(`${POOL}1.Option.${o}.`)).toMatchObject({ Enable: true, Tag: 23, Alias: `cpe-${o}` });
    expect((await refusal(() => sim.add(`${POOL}1.Option.`, { Tag: 23, Value: '00' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect((await refusal(() => sim.add(`${POOL}1.Option.`, { Tag: 3, Value: '00' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.add(`${POOL}1.Option.`, { Tag: 70000, Value: '00' }))).code).toBe(ErrorCode.InvalidValue);
    expect(await sim.instances(`${POOL}1.Option.`)).toEqual([o]);
    // The WAN, a missing interface, br-lan without IPv6.
    for (const Interface of ['Device.IP.Interface.2', 'Device.IP.Interface.9']) {
      expect((await refusal(() => sim.add(POOL, { Interface }))).code).toBe(ErrorCode.InvalidValue);
    }
    await sim.set('Device.IP.Interface.1.', { IPv6Enable: false });
    expect((await sim.values(`${POOL}1.`)).Status).toBe('Error_Misconfigured');
    expect((await refusal(() => sim.add(POOL, { Interface: 'Device.IP.Interface.1' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${POOL}1.`, { SourceAddress: '10.0.0.1' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${POOL}1.`, { IAPDAddLength: 9 }))).code).toBe(ErrorCode.InvalidValue);
    expect(await sim.instances(POOL)).toEqual([1]);
  });
});

describe('simulated DHCPv6 client on the WAN', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());
  const renew = (n: number) => sim.binding(`${CLIENT}{i}.`).commands!['Renew()']!.run({ keys: [n] } as unknown as CommandInvocation);

  it('gets the delegated prefix, the timers and the options it asks for', async () => {
    sim = simulated();
    expect(await sim.instances(CLIENT)).toEqual([]);
    const n = await sim.add(CLIENT, { Enable: true, Interface: 'Device.IP.Interface.2', RequestPrefixes: true, RequestAddresses: false });
    sim.advance(60);
    const v = await sim.values(`${CLIENT}${n}.`);
    expect(v).toMatchObject({ Status: 'Enabled', ServerNumberOfEntries: 1, SupportedOptions: '23,24,31,82' });
    expect(String(v.DUID)).toMatch(/^0004[0-9A-F]{32}$/);
    const pd = String((await sim.values('Device.IP.Interface.2.IPv6Prefix.2.')).Prefix);
    const tags = async () =>
      Promise.all((await sim.instances(`${CLIENT}${n}.ReceivedOption.`)).map(async (r) => (await sim.values(`${CLIENT}${n}.ReceivedOption.${r}.`)) as { Tag: number; Value: string }));
    let got = await tags();
    expect(got.map((o) => o.Tag)).toEqual([1, 2, 25]);
    const iapd = got[2]!.Value;
    // IAID 1, T1 21600 (0x5460), T2 34560 (0x8700), then IAPREFIX with the /56.
    expect(iapd.slice(0, 24)).toBe('000000010000546000008700');
    expect(iapd.slice(24 + 8 + 16, 24 + 8 + 18)).toBe('38');
    expect(pd.endsWith('/56')).toBe(true);
    await sim.set(`${CLIENT}${n}.`, { SuggestedT1: 3600, SuggestedT2: 5400, RapidCommit: true, RequestAddresses: true, RequestedOptions: '23,24' });
    got = await tags();
    expect(got.map((o) => o.Tag)).toEqual([1, 2, 3, 25, 14, 23, 24]);
    expect(got[3]!.Value.slice(8, 24)).toBe('00000E1000001518');
    expect(got[5]!.Value).toBe('20010DB800530000000000000000000120010DB8005300000000000000000002');
    expect((await sim.values(`${CLIENT}${n}.ReceivedOption.1.`)).Server).toBe(`Device.DHCPv6.Client.${n}.Server.1`);
    await renew(n);
    await sim.set(`${CLIENT}${n}.`, { Enable: false });
    expect(await sim.instances(`${CLIENT}${n}.ReceivedOption.`)).toEqual([]);
    expect(await sim.instances(`${CLIENT}${n}.Server.`)).toEqual([]);
    expect((await refusal(() => renew(n))).code).toBe(ErrorCode.CommandFailure);
  });

  it('refuses bad rows with nothing kept', async () => {
    sim = simulated();
    expect((await refusal(() => sim.add(CLIENT, { Interface: 'Device.IP.Interface.1' }))).code).toBe(ErrorCode.InvalidValue);
    const n = await sim.add(CLIENT, { Interface: 'Device.IP.Interface.2' });
    expect((await refusal(() => sim.add(CLIENT, { Interface: 'Device.IP.Interface.2' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect((await refusal(() => sim.set(`${CLIENT}${n}.`, { RequestedOptions: '23,99' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${CLIENT}${n}.`, { SuggestedT1: -5 }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.add(`${CLIENT}${n}.SentOption.`, { Tag: 1, Value: '01' }))).code).toBe(ErrorCode.InvalidValue);
    await sim.add(`${CLIENT}${n}.SentOption.`, { Enable: true, Tag: 15, Value: '0004' });
    expect((await refusal(() => sim.add(`${CLIENT}${n}.SentOption.`, { Tag: 15, Value: '02' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect(await sim.instances(`${CLIENT}${n}.SentOption.`)).toEqual([1]);
    expect(await sim.instances(CLIENT)).toEqual([n]);
    expect((await sim.values(`${CLIENT}${n}.`)).RequestedOptions).toBe('');
  });
});

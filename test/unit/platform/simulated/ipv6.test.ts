import { isIPv6 } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const LAN = 'Device.IP.Interface.1.';
const WAN = 'Device.IP.Interface.2.';
const INFINITE = '9999-12-31T23:59:59Z';

/** 32 hex digits of an address, written independently of the code under test. */
function hex(address: string): string {
  const [head, tail] = address.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const zeros = address.includes('::') ? new Array(8 - groups(head).length - groups(tail).length).fill('0') : [];
  return [...groups(head), ...zeros, ...groups(tail)].map((g) => g.padStart(4, '0')).join('');
}
/** Whether `address` lies in `prefix` ("a:b::/56"); the simulation only uses lengths that are multiples of 4. */
function inside(address: string, prefix: string): boolean {
  const [net, len] = prefix.split('/');
  const digits = Number(len) / 4;
  return hex(address).slice(0, digits) === hex(net).slice(0, digits) && /^0*$/.test(hex(net).slice(digits));
}
/** RFC 5952 text as the WHATWG URL parser writes it: a canonical form computed outside the simulation. */
const canonical = (address: string): string => new URL(`http://[${address}]/`).hostname.slice(1, -1);

/** Modified EUI-64 (RFC 4291 Appendix A) of a MAC, as the last four groups of an address. */
function eui64(mac: string): string {
  const o = mac.split(':').map((h) => parseInt(h, 16));
  o[0] ^= 0x02;
  const b = [o[0], o[1], o[2], 0xff, 0xfe, o[3], o[4], o[5]];
  return [0, 2, 4, 6].map((i) => ((b[i] << 8) | b[i + 1]).toString(16).padStart(4, '0')).join('');
}

describe('simulated platform: IPv6 on br-lan and wwan0', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  const rows = async (iface: string, table: 'IPv6Address' | 'IPv6Prefix'): Promise<Map<number, Record<string, Value>>> => {
    const out = new Map<number, Record<string, Value>>();
    for (const n of await sim.instances(`${iface}${table}.`)) out.set(n, await sim.values(`${iface}${table}.${n}.`));
    return out;
  };

  it('numbers br-lan from the delegated /56 and its ULA, wwan0 from the network, lo with ::1', async () => {
    sim = simulated();
    sim.advance(3600);
    const [lanAddr, lanPrefix, wanAddr, wanPrefix] = await Promise.all([rows(LAN, 'IPv6Address'), rows(LAN, 'IPv6Prefix'), rows(WAN, 'IPv6Address'), rows(WAN, 'IPv6Prefix')]);
    expect([...lanAddr.keys(), ...lanPrefix.keys(), ...wanAddr.keys(), ...wanPrefix.keys()]).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 1, 2]);
    // NumberOfEntries are derived from the tables.
    expect(await sim.values(LAN)).toMatchObject({ IPv6AddressNumberOfEntries: 3, IPv6PrefixNumberOfEntries: 3 });
    expect(await sim.values(WAN)).toMatchObject({ IPv6AddressNumberOfEntries: 2, IPv6PrefixNumberOfEntries: 2 });
    expect(await sim.values('Device.IP.Interface.3.')).toMatchObject({ IPv6AddressNumberOfEntries: 1, IPv6PrefixNumberOfEntries: 0 });
    expect(await sim.values('Device.IP.Interface.3.IPv6Address.1.')).toMatchObject({ IPAddress: '::1', Origin: 'WellKnown', Prefix: '' });

    const pd = wanPrefix.get(2)!;
    const ra = wanPrefix.get(1)!;
    expect(pd).toMatchObject({ Origin: 'PrefixDelegation', StaticType: 'Inapplicable', PrefixStatus: 'Preferred', OnLink: false, Autonomous: false });
    expect(ra).toMatchObject({ Origin: 'RouterAdvertisement', StaticType: 'Inapplicable', Autonomous: true, PreferredLifetime: INFINITE });
    expect(String(pd.Prefix)).toMatch(/^2001:db8:[0-9a-f:]+\/56$/); // RFC 3849 documentation range
    expect(String(ra.Prefix)).toMatch(/^2001:db8:[0-9a-f:]+\/64$/);
    const child = lanPrefix.get(1)!;
    expect(child).toMatchObject({ Origin: 'Child', ParentPrefix: `${WAN}IPv6Prefix.2`, OnLink: true, Autonomous: true });
    expect(String(child.Prefix)).toMatch(/\/64$/);
    expect(inside(String(child.Prefix).split('/')[0], String(pd.Prefix))).toBe(true);
    // A child prefix lives no longer than its parent.
    expect([child.PreferredLifetime, child.ValidLifetime]).toEqual([pd.PreferredLifetime, pd.ValidLifetime]);

    const { ULAPrefix } = await sim.values('Device.IP.');
    expect(lanPrefix.get(2)).toMatchObject({ Prefix: ULAPrefix, Origin: 'AutoConfigured', ValidLifetime: INFINITE });
    expect(lanPrefix.get(3)).toMatchObject({ Origin: 'Child', ParentPrefix: `${LAN}IPv6Prefix.2` });
    expect(inside(String(lanPrefix.get(3)!.Prefix).split('/')[0], String(ULAPrefix))).toBe(true);

    // Every address is valid and canonical, lies in the prefix it names, and that prefix exists.
    for (const [iface, addrs] of [
      [LAN, lanAddr],
      [WAN, wanAddr],
    ] as const) {
      for (const a of addrs.values()) {
        expect(isIPv6(String(a.IPAddress)), String(a.IPAddress)).toBe(true);
        expect(canonical(String(a.IPAddress))).toBe(a.IPAddress);
        expect(a).toMatchObject({ Status: 'Enabled', IPAddressStatus: 'Preferred', Anycast: false });
        if (a.Prefix === '') continue;
        expect(String(a.Prefix).startsWith(`${iface}IPv6Prefix.`)).toBe(true);
        const p = await sim.values(`${a.Prefix}.`);
        expect(inside(String(a.IPAddress), String(p.Prefix)), `${a.IPAddress} in ${p.Prefix}`).toBe(true);
      }
    }
    for (const p of [...lanPrefix.values(), ...wanPrefix.values()]) {
      if (p.ParentPrefix === '') continue;
      const parent = await sim.values(`${p.ParentPrefix}.`);
      expect(['AutoConfigured', 'PrefixDelegation', 'RouterAdvertisement']).toContain(parent.Origin);
      expect(inside(String(p.Prefix).split('/')[0], String(parent.Prefix))).toBe(true);
    }
  });

  it("derives link-local addresses: EUI-64 of br-lan's MAC, the network's interface identifier on wwan0", async () => {
    sim = simulated(9);
    sim.advance(120);
    const mac = String((await sim.values('Device.Ethernet.Link.1.')).MACAddress);
    const lanLL = String((await sim.values(`${LAN}IPv6Address.1.`)).IPAddress);
    expect(hex(lanLL)).toBe(`fe80000000000000${eui64(mac)}`);
    // A new MAC on the Link gives a new link-local address.
    await sim.set('Device.Ethernet.Link.1.', { MACAddress: '02:00:00:AA:BB:CC' });
    expect((await sim.values(`${LAN}IPv6Address.1.`)).IPAddress).toBe('fe80::ff:feaa:bbcc');
    // wwan0 has no MAC: its link-local and global addresses share the identifier from NAS.
    const [ll, global] = await Promise.all([1, 2].map(async (n) => hex(String((await sim.values(`${WAN}IPv6Address.${n}.`)).IPAddress))));
    expect(ll.slice(0, 16)).toBe('fe80000000000000');
    expect(global.slice(16)).toBe(ll.slice(16));
  });

  it('is the same plan for the same seed and another for another seed', async () => {
    const plan = async (seed: number): Promise<Value[]> => {
      sim = simulated(seed);
      sim.advance(600);
      const prefixes = [...(await rows(WAN, 'IPv6Prefix')).values(), ...(await rows(LAN, 'IPv6Prefix')).values()].map((r) => r.Prefix);
      const addresses = [...(await rows(WAN, 'IPv6Address')).values(), ...(await rows(LAN, 'IPv6Address')).values()].map((r) => r.IPAddress);
      sim.stop();
      return [...prefixes, ...addresses];
    };
    const a = await plan(3);
    expect(await plan(3)).toEqual(a);
    expect(await plan(4)).not.toEqual(a);
    sim = simulated();
  });

  it('renews the delegated prefix: its lifetimes move forward at T1, half the preferred lifetime', async () => {
    sim = simulated();
    sim.advance(60);
    const before = await sim.values(`${WAN}IPv6Prefix.2.`);
    const ms = (v: Value) => Date.parse(String(v));
    expect(ms(before.PreferredLifetime)).toBeGreaterThan(ms((await sim.values('Device.Time.')).CurrentLocalTime));
    expect(ms(before.ValidLifetime)).toBeGreaterThan(ms(before.PreferredLifetime));
    sim.advance(6 * 3600);
    const after = await sim.values(`${WAN}IPv6Prefix.2.`);
    expect(ms(after.PreferredLifetime) - ms(before.PreferredLifetime)).toBe(6 * 3600 * 1000);
    expect(after.PrefixStatus).toBe('Preferred');
    expect((await sim.values(`${LAN}IPv6Address.2.`)).PreferredLifetime).toBe(after.PreferredLifetime);
  });

  it('detaches an interface from IPv6 with IPv6Enable: its rows go, and come back with their settings', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set(`${LAN}IPv6Address.3.`, { Enable: false });
    await sim.set(LAN, { IPv6Enable: false });
    expect(await sim.instances(`${LAN}IPv6Address.`)).toEqual([]);
    expect(await sim.values(LAN)).toMatchObject({ IPv6AddressNumberOfEntries: 0, IPv6PrefixNumberOfEntries: 0, Status: 'Up' }); // IPv4 still runs
    expect(await sim.instances(`${WAN}IPv6Address.`)).toEqual([1, 2]);
    // With both stacks detached the interface is operationally down.
    await sim.set(LAN, { IPv4Enable: false });
    expect((await sim.values(LAN)).Status).toBe('Down');
    await sim.set(LAN, { IPv4Enable: true, IPv6Enable: true });
    expect(await sim.instances(`${LAN}IPv6Address.`)).toEqual([1, 2, 3]);
    expect(await sim.values(`${LAN}IPv6Address.3.`)).toMatchObject({ Enable: false, Status: 'Disabled', IPAddressStatus: 'Invalid' });
    // Device.IP.IPv6Enable switches the whole stack off.
    await sim.set('Device.IP.', { IPv6Enable: false });
    expect((await sim.values('Device.IP.')).IPv6Status).toBe('Disabled');
    for (const n of [1, 2, 3]) expect(await sim.instances(`Device.IP.Interface.${n}.IPv6Prefix.`)).toEqual([]);
    for (const n of [1, 2, 3]) expect(await sim.instances(`Device.IP.Interface.${n}.IPv6Address.`)).toEqual([]);
  });

  it('takes the ULA rows from Device.IP.ULAPrefix and ULAEnable, and refuses a prefix that is no ULA /48', async () => {
    sim = simulated();
    await sim.set('Device.IP.', { ULAPrefix: 'FD00:1234:ABCD:0::/48' });
    expect((await sim.values('Device.IP.')).ULAPrefix).toBe('fd00:1234:abcd::/48');
    expect((await sim.values(`${LAN}IPv6Prefix.3.`)).Prefix).toBe('fd00:1234:abcd::/64');
    expect((await sim.values(`${LAN}IPv6Address.3.`)).IPAddress).toBe('fd00:1234:abcd::1');
    for (const bad of ['2001:db8::/48', 'fd00:1::/56', 'fd00::1/48']) {
      expect((await refusal(() => sim.set('Device.IP.', { ULAPrefix: bad }))).paramErrors[0]).toMatchObject({ param: 'ULAPrefix', code: ErrorCode.InvalidValue });
    }
    await sim.set(LAN, { ULAEnable: false });
    expect(await sim.instances(`${LAN}IPv6Prefix.`)).toEqual([]); // no data session yet, no ULA: nothing but link-local
    expect(await sim.instances(`${LAN}IPv6Address.`)).toEqual([1]);
  });

  it('gets the WAN rows and the delegated /64 with the data session, and only for a PDN type that has IPv6', async () => {
    sim = simulated();
    expect(await sim.instances(`${WAN}IPv6Address.`)).toEqual([]);
    expect(await sim.instances(`${LAN}IPv6Prefix.`)).toEqual([2, 3]);
    sim.advance(60);
    expect(await sim.instances(`${WAN}IPv6Prefix.`)).toEqual([1, 2]);
    expect(await sim.instances(`${LAN}IPv6Prefix.`)).toEqual([1, 2, 3]);
    await sim.set('Device.Cellular.AccessPoint.1.', { IPVersion: 4 });
    sim.advance(10);
    expect(await sim.instances(`${WAN}IPv6Address.`)).toEqual([]);
    expect(await sim.instances(`${LAN}IPv6Address.`)).toEqual([1, 3]);
    expect((await sim.values(WAN)).Status).toBe('Up'); // IPv4 still runs over the session
  });

  it('reports addresses Inaccessible while their interface is not Up', async () => {
    sim = simulated();
    sim.advance(60);
    await sim.set('Device.Ethernet.Link.1.', { Enable: false });
    expect((await sim.values(LAN)).Status).toBe('LowerLayerDown');
    expect((await sim.values(`${LAN}IPv6Address.2.`)).IPAddressStatus).toBe('Inaccessible');
    expect((await sim.values(`${LAN}IPv6Prefix.1.`)).PrefixStatus).toBe('Inaccessible');
  });

  it('takes Enable but refuses what TR-181 lets change only on Static rows (7012)', async () => {
    sim = simulated();
    sim.advance(60);
    for (const [path, change] of [
      [`${LAN}IPv6Address.2.`, { IPAddress: '2001:db8::99' }],
      [`${LAN}IPv6Address.2.`, { PreferredLifetime: INFINITE }],
      [`${WAN}IPv6Prefix.2.`, { Prefix: '2001:db8:1::/56' }],
      [`${LAN}IPv6Prefix.1.`, { ParentPrefix: `${LAN}IPv6Prefix.2` }],
      [`${LAN}IPv6Prefix.1.`, { OnLink: false }],
    ] as const) {
      const e = await refusal(() => sim.set(path, change));
      expect(e.paramErrors[0], JSON.stringify(change)).toMatchObject({ param: Object.keys(change)[0], code: ErrorCode.InvalidValue });
    }
    // Writing the value it already has is no change, and the trailing "." of a reference is no difference.
    await sim.set(`${LAN}IPv6Prefix.1.`, { ParentPrefix: `${WAN}IPv6Prefix.2.`, OnLink: true });
    await sim.set(`${WAN}IPv6Prefix.2.`, { Enable: false });
    expect(await sim.values(`${WAN}IPv6Prefix.2.`)).toMatchObject({ Enable: false, Status: 'Disabled', PrefixStatus: 'Invalid' });
  });

  it('serves every IPv6 value as its schema types it, at boot, with the session and days later', async () => {
    for (const [seed, t] of [
      [1, 0],
      [2, 60],
      [3, 5 * 86_400],
    ]) {
      sim = simulated(seed);
      sim.advance(t);
      const objects = (await sim.readAll()).filter((o) => /^Device\.IP\./.test(o.path));
      expect(expectSchemaTyped(objects)).toBeGreaterThan(t === 0 ? 60 : 150);
      sim.stop();
    }
    sim = simulated();
  });
});

describe('simulated platform: IPv6 rows in notifications', () => {
  let sim: SimFixture;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    sim.stop();
    vi.useRealTimers();
  });

  it('reports the rows of the data session as they come and go', async () => {
    sim = simulated();
    const changes: Change[] = [];
    sim.model.changes.subscribe((c) => {
      if (/^Device\.IP\.Interface\.\d+\.IPv6(Address|Prefix)\./.test(c.path)) changes.push(c);
    });
    for (let i = 0; i < 4; i++) {
      sim.advance(15);
      vi.advanceTimersByTime(15_000);
    }
    const created = changes.map((c) => `${c.kind} ${c.path}`);
    expect(created).toEqual(expect.arrayContaining([`created ${WAN}IPv6Address.2.`, `created ${WAN}IPv6Prefix.2.`, `created ${LAN}IPv6Prefix.1.`]));
    expect(created.every((c) => c.startsWith('created'))).toBe(true);
    await sim.set('Device.Cellular.AccessPoint.1.', { Enable: false });
    sim.advance(15);
    vi.advanceTimersByTime(15_000);
    const gone = changes.slice(created.length).map((c) => `${c.kind} ${c.path}`);
    expect(gone).toEqual(expect.arrayContaining([`deleted ${WAN}IPv6Address.1.`, `deleted ${LAN}IPv6Address.2.`]));
    expect(gone).toHaveLength(created.length);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const POOL = 'Device.DHCPv4.Server.Pool.1.';

/** Every Host with its lease and its Wi-Fi association, checked against each other. */
async function expectConsistent(sim: SimFixture): Promise<Array<Record<string, unknown>>> {
  const hosts = [];
  for (const n of await sim.instances('Device.Hosts.Host.')) {
    const host = await sim.values(`Device.Hosts.Host.${n}.`);
    hosts.push(host);
    expect((await sim.values(`Device.Hosts.Host.${n}.IPv4Address.1.`)).IPAddress).toBe(host.IPAddress);
    if (host.DHCPClient !== '') {
      // A reference value: the lease's path without the trailing ".".
      expect(host.DHCPClient).toBe(`${POOL}Client.${n}`);
      const lease = await sim.values(`${host.DHCPClient as string}.`);
      expect(lease).toMatchObject({ Chaddr: host.PhysAddress, Active: host.Active });
      expect((await sim.values(`${host.DHCPClient as string}.IPv4Address.1.`)).IPAddress).toBe(host.IPAddress);
    }
    if (host.AssociatedDevice !== '') {
      expect(host).toMatchObject({ InterfaceType: 'Wi-Fi', Active: true });
      const station = await sim.values(`${host.AssociatedDevice as string}.`);
      expect(station.MACAddress).toBe(host.PhysAddress);
      // The station's AccessPoint i serves SSID i, the host's Layer1Interface.
      expect(host.Layer1Interface).toBe(`Device.WiFi.SSID.${/AccessPoint\.(\d+)\./.exec(host.AssociatedDevice as string)![1]}`);
    }
  }
  // Every associated station is an active host.
  for (const ap of [1, 2, 3, 4]) {
    for (const n of await sim.instances(`Device.WiFi.AccessPoint.${ap}.AssociatedDevice.`)) {
      const mac = (await sim.values(`Device.WiFi.AccessPoint.${ap}.AssociatedDevice.${n}.`)).MACAddress;
      expect(
        hosts.find((h) => h.PhysAddress === mac),
        String(mac),
      ).toMatchObject({ Active: true, AssociatedDevice: `Device.WiFi.AccessPoint.${ap}.AssociatedDevice.${n}` });
    }
  }
  const addresses = hosts.map((h) => h.IPAddress);
  expect(new Set(addresses).size).toBe(addresses.length);
  return hosts;
}

describe('simulated platform: Device.Hosts and the DHCPv4 server', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('lists no one at boot, then the wired devices and residents with leases from the pool', async () => {
    sim = simulated();
    expect(await sim.instances('Device.Hosts.Host.')).toEqual([]);
    sim.advance(3600);
    const hosts = await expectConsistent(sim);
    expect(hosts.filter((h) => h.InterfaceType === 'Ethernet').map((h) => h.Layer1Interface)).toEqual(['Device.Ethernet.Interface.1', 'Device.Ethernet.Interface.2', 'Device.Ethernet.Interface.4']);
    expect(hosts.filter((h) => h.InterfaceType === 'Wi-Fi' && h.Active).length).toBeGreaterThanOrEqual(5);
    for (const h of hosts) {
      const last = Number((h.IPAddress as string).split('.')[3]);
      expect(h.IPAddress).toMatch(/^192\.168\.1\.\d+$/);
      expect(last).toBeGreaterThanOrEqual(100);
      expect(last).toBeLessThanOrEqual(249);
      expect(h.Layer3Interface).toBe('Device.IP.Interface.1');
    }
    expect((await sim.values(POOL)).ClientNumberOfEntries).toBe(hosts.filter((h) => h.DHCPClient !== '').length);
  });

  it("lists each connected host's IPv6 addresses: link-local, and SLAAC in br-lan's global and ULA /64s", async () => {
    sim = simulated();
    sim.advance(3600);
    const prefixes = new Map<string, string>();
    for (const n of await sim.instances('Device.IP.Interface.1.IPv6Prefix.')) {
      const p = await sim.values(`Device.IP.Interface.1.IPv6Prefix.${n}.`);
      if (p.OnLink === true && p.Autonomous === true) prefixes.set(String(p.Prefix).startsWith('fd') ? 'ula' : 'global', String(p.Prefix).split('::/')[0]);
    }
    expect([...prefixes.keys()].sort()).toEqual(['global', 'ula']);
    const hosts = await sim.instances('Device.Hosts.Host.');
    let counted = 0;
    for (const n of hosts) {
      const host = await sim.values(`Device.Hosts.Host.${n}.`);
      const rows = await sim.instances(`Device.Hosts.Host.${n}.IPv6Address.`);
      expect(host.IPv6AddressNumberOfEntries).toBe(rows.length);
      if (host.Active !== true) {
        expect(rows).toEqual([]);
        continue;
      }
      counted++;
      expect(rows).toEqual([1, 2, 3]);
      const [ll, gua, ula] = await Promise.all(rows.map(async (k) => String((await sim.values(`Device.Hosts.Host.${n}.IPv6Address.${k}.`)).IPAddress)));
      // Modified EUI-64 of the host's MAC: the same interface identifier in every prefix.
      const mac = String(host.PhysAddress).split(':');
      const iid = `${(parseInt(mac[0], 16) ^ 2).toString(16)}${mac[1]}:${mac[2]}ff:fe${mac[3]}:${mac[4]}${mac[5]}`.replace(/(^|:)0+(?=[0-9a-f])/g, '$1');
      expect(ll).toBe(`fe80::${iid}`);
      expect(gua.startsWith(prefixes.get('global')!)).toBe(true);
      expect(ula.startsWith(prefixes.get('ula')!)).toBe(true);
      expect(gua.endsWith(iid) && ula.endsWith(iid)).toBe(true);
    }
    expect(counted).toBeGreaterThan(3);
    // Without IPv6 on the WAN the delegated /64 goes, and with it the hosts' global addresses.
    await sim.set('Device.IP.Interface.2.', { IPv6Enable: false });
    const active = (await Promise.all(hosts.map(async (n) => [n, (await sim.values(`Device.Hosts.Host.${n}.`)).Active] as const))).find(([, a]) => a === true)![0];
    expect(await sim.instances(`Device.Hosts.Host.${active}.IPv6Address.`)).toEqual([1, 3]);
  });

  it('keeps Hosts, leases and associations consistent as visitors come and go, for a day', async () => {
    sim = simulated(7);
    await sim.set('Device.WiFi.SSID.4.', { Enable: true }); // the guest network, so the tablet visits too
    const seenInactive = new Set<string>();
    for (let i = 0; i < 48; i++) {
      sim.advance(1800);
      for (const h of await expectConsistent(sim)) if (!h.Active) seenInactive.add(h.HostName as string);
    }
    // Visitors that left keep their lease (and their Host row) for a while.
    expect([...seenInactive].some((name) => ['Galaxy-S23', 'iPad'].includes(name))).toBe(true);
  });

  it("lets a visitor's lease run out a lease time after it left, with the same instance number when it is back", async () => {
    sim = simulated();
    await sim.set(POOL, { LeaseTime: 120 });
    const phone = 8; // wired 1-3, then the stations in order: the visitor phone is eighth
    let listed = 0;
    let unlisted = 0;
    for (let i = 0; i < 24 * 60; i++) {
      sim.advance(60);
      const hosts = await sim.instances('Device.Hosts.Host.');
      const active = hosts.includes(phone) && (await sim.values(`Device.Hosts.Host.${phone}.`)).Active === true;
      if (hosts.includes(phone)) listed++;
      else unlisted++;
      // A lease is renewed every 60 s while connected: it never lapses during a visit.
      if (active) expect(await sim.instances(`${POOL}Client.`)).toContain(phone);
    }
    expect(listed).toBeGreaterThan(0);
    expect(unlisted).toBeGreaterThan(0);
  });

  it('moves the clients when the pool moves, and reports a pool outside the LAN as misconfigured', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set(POOL, { MinAddress: '192.168.1.20', MaxAddress: '192.168.1.29' });
    const hosts = await expectConsistent(sim);
    for (const h of hosts) expect(h.IPAddress).toMatch(/^192\.168\.1\.2\d$/);
    expect((await sim.values(POOL)).Status).toBe('Enabled');
    await sim.set('Device.IP.Interface.1.IPv4Address.1.', { IPAddress: '10.0.0.1' });
    expect((await sim.values(POOL)).Status).toBe('Error_Misconfigured');
  });

  it('refuses a pool the server cannot run (7012), applying nothing', async () => {
    sim = simulated();
    const before = await sim.values(POOL);
    for (const [bad, param] of [
      [{ MinAddress: '192.168.1.200', MaxAddress: '192.168.1.100' }, 'MinAddress'],
      [{ MaxAddress: '192.168.1.50' }, 'MaxAddress'],
      [{ MinAddress: '' }, 'MinAddress'],
      [{ LeaseTime: 60 }, 'LeaseTime'],
      [{ LeaseTime: -1 }, 'LeaseTime'],
      [{ SubnetMask: '255.0.255.0' }, 'SubnetMask'],
      [{ Interface: 'Device.IP.Interface.2' }, 'Interface'],
      [{ Interface: 'Device.IP.Interface.2.' }, 'Interface'],
    ] as const) {
      const e = await refusal(() => sim.set(POOL, bad));
      expect(e.code, JSON.stringify(bad)).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors.map((p) => p.param)).toContain(param);
    }
    expect(await sim.values(POOL)).toEqual(before);
  });

  it('serves no leases while the server is off; the hosts stay, without a DHCPClient', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set('Device.DHCPv4.Server.', { Enable: false });
    expect(await sim.instances(`${POOL}Client.`)).toEqual([]);
    expect((await sim.values(POOL)).Status).toBe('Disabled');
    const hosts = await expectConsistent(sim);
    expect(hosts.length).toBeGreaterThan(0);
    for (const h of hosts) expect(h.DHCPClient).toBe('');
  });

  it('gives another seed other devices, and the same seed the same ones', async () => {
    const macs = async (seed: number) => {
      const s = simulated(seed);
      s.advance(3600);
      const out = await Promise.all((await s.instances('Device.Hosts.Host.')).map(async (n) => (await s.values(`Device.Hosts.Host.${n}.`)).PhysAddress));
      s.stop();
      return out;
    };
    sim = simulated();
    expect(await macs(3)).toEqual(await macs(3));
    expect(await macs(3)).not.toEqual(await macs(4));
  });

  it('serves every Hosts and DHCPv4 value as its schema types it', async () => {
    sim = simulated(11);
    sim.advance(5 * 3600);
    const objects = (await sim.readAll()).filter((o) => /^Device\.(Hosts|DHCPv4)\./.test(o.path));
    expect(expectSchemaTyped(objects)).toBeGreaterThan(100);
  });
});

describe('simulated platform: hosts and leases in notifications', () => {
  let sim: SimFixture;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    sim.stop();
    vi.useRealTimers();
  });

  it('reports Hosts and leases as they appear (ObjectCreation)', async () => {
    sim = simulated();
    const changes: Change[] = [];
    sim.model.changes.subscribe((c) => changes.push(c));
    for (let i = 0; i < 8; i++) {
      sim.advance(15);
      vi.advanceTimersByTime(15_000);
    }
    const created = (prefix: string) => changes.filter((c) => c.kind === 'created' && c.path.startsWith(prefix)).map((c) => c.path);
    const hosts = created('Device.Hosts.Host.').filter((p) => /^Device\.Hosts\.Host\.\d+\.$/.test(p));
    expect(hosts.sort()).toEqual((await sim.instances('Device.Hosts.Host.')).map((n) => `Device.Hosts.Host.${n}.`).sort());
    expect(created(`${POOL}Client.`).length).toBe((await sim.instances(`${POOL}Client.`)).length);
    expect(hosts.length).toBeGreaterThanOrEqual(8);
    // A connected host's IPv6 addresses appear with it (its link-local at least).
    const v6 = created('Device.Hosts.Host.').filter((p) => p.includes('.IPv6Address.'));
    expect(v6.filter((p) => p.endsWith('.IPv6Address.1.')).length).toBeGreaterThanOrEqual(8);
  });
});

/**
 * Writable parameters of the simulated gateway that take effect (issue 13), each written by a
 * Controller over a real WebSocket and its consequence read back through the data model:
 * DHCPv4 Pool ReservedAddresses are never leased to a client (TR-181 DHCPv4Server:1); the
 * AccessPoint's WMM access categories (AC.{i}.Stats) count what its SSID counts; a radio's
 * OperatingStandards holds its stations to the newest standard both sides have, and its
 * AutoChannelEnable gives the channel back to the automatic selection, and its RegulatoryDomain
 * decides the channels it may use (TR-181 WiFiRadio:1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

const POOL = 'Device.DHCPv4.Server.Pool.1.';

describe('simulated gateway: writable parameters that take effect', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  /** Polls `read` until it gives a value (the simulated clients join seconds after boot). */
  const until = async <T>(read: () => Promise<T | undefined>): Promise<T> => {
    for (;;) {
      const v = await read();
      if (v !== undefined) return v;
      await new Promise((res) => setTimeout(res, 250));
    }
  };
  /** MAC address → leased IPv4 address, of every client of the br-lan pool. */
  const leases = async (): Promise<Map<string, string>> => {
    const rows = await getObjects(f.controller, [`${POOL}Client.*.Chaddr`, `${POOL}Client.*.IPv4Address.1.IPAddress`]);
    const out = new Map<string, string>();
    for (const [path, v] of Object.entries(rows)) {
      if (v.Chaddr !== undefined) out.set(v.Chaddr, rows[`${path}IPv4Address.1.`]?.IPAddress ?? '');
    }
    return out;
  };

  it('a DHCPv4 pool never leases its ReservedAddresses: the client holding one moves to a free address', { timeout: 30_000 }, async () => {
    const before = await until(async () => {
      const l = await leases();
      return l.size > 0 && [...l.values()].every((a) => a !== '') ? l : undefined;
    });
    const [mac, address] = [...before][0];
    await set(f.controller, POOL, { ReservedAddresses: `192.168.1.250,${address}` });
    const after = await leases();
    expect(after.get(mac)).toMatch(/^192\.168\.1\.\d+$/);
    expect(after.get(mac)).not.toBe(address);
    expect([...after.values()]).not.toContain(address);
    // The Hosts table names the same address as the lease.
    const hosts = await getObjects(f.controller, ['Device.Hosts.Host.*.']);
    expect(Object.values(hosts).find((h) => h.PhysAddress === mac)?.IPAddress).toBe(after.get(mac));
    // Cleared, the client gets its first address back (the allocation is a function of the pool).
    await set(f.controller, POOL, { ReservedAddresses: '' });
    expect((await leases()).get(mac)).toBe(address);
    const bad = await trySet(f.controller, POOL, { ReservedAddresses: '192.168.1.300' });
    expect(bad.ok).toBe(false);
  });

  it("an AccessPoint's four access categories count what its SSID counts", { timeout: 30_000 }, async () => {
    const sumOfAcs = async (): Promise<{ cats: string[]; bytes: bigint }> => {
      const rows = await getObjects(f.controller, ['Device.WiFi.AccessPoint.2.AC.*.AccessCategory', 'Device.WiFi.AccessPoint.2.AC.*.Stats.BytesSent']);
      const cats = Object.values(rows).flatMap((v) => (v.AccessCategory === undefined ? [] : [v.AccessCategory]));
      const bytes = Object.values(rows).reduce((s, v) => s + BigInt(v.BytesSent ?? 0), 0n);
      return { cats, bytes };
    };
    const ssidBytes = async (): Promise<bigint> => BigInt(Object.values(await getObjects(f.controller, ['Device.WiFi.SSID.2.Stats.BytesSent']))[0].BytesSent);
    // Read in turn, the counters only grow: the SSID's lies between the categories' sums around it.
    const before = await until(async () => {
      const s = await sumOfAcs();
      return s.bytes > 0n ? s : undefined;
    });
    const ssid = await ssidBytes();
    const after = await sumOfAcs();
    expect(before.cats).toEqual(['BE', 'BK', 'VI', 'VO']);
    expect(before.bytes).toBeLessThanOrEqual(ssid);
    expect(ssid).toBeLessThanOrEqual(after.bytes);
  });

  it("Radio OperatingStandards without ac and ax: the 5 GHz stations re-associate as 802.11n, at 802.11n's rates", { timeout: 90_000 }, async () => {
    const stations = async (): Promise<Array<Record<string, string>>> =>
      Object.entries(await getObjects(f.controller, ['Device.WiFi.AccessPoint.2.AssociatedDevice.*.'])).flatMap(([path, v]) => (/AssociatedDevice\.\d+\.$/.test(path) ? [v] : []));
    // Seed 42: the laptop (802.11ax) and the TV (802.11ac) are AccessPoint 2's residents.
    await until(async () => ((await stations()).length === 2 ? true : undefined));
    expect((await stations()).map((v) => v.OperatingStandard).sort()).toEqual(['ac', 'ax']);
    await set(f.controller, 'Device.WiFi.Radio.2.', { OperatingStandards: 'a,n' });
    // The BSS reloads: both leave and associate again, in 802.11n.
    const back = await until(async () => {
      const now = await stations();
      return now.length === 2 && now.every((v) => v.OperatingStandard === 'n') ? now : undefined;
    });
    for (const v of back) expect(Number(v.LastDataDownlinkRate)).toBeLessThanOrEqual(300_000);
    expect(await get(f.controller, 'Device.WiFi.Radio.2.OperatingStandards')).toBe('a,n');
  });

  it('Radio AutoChannelEnable: a manual Channel ends the automatic selection; switched on again it picks the channel', { timeout: 30_000 }, async () => {
    const radio = 'Device.WiFi.Radio.1.';
    const read = async () => (await getObjects(f.controller, [radio]))[radio];
    const auto = await read();
    expect(auto).toMatchObject({ AutoChannelEnable: 'true', ChannelLastSelectionReason: 'Auto_Startup' });
    const manual = auto.Channel === '13' ? '12' : '13';
    await set(f.controller, radio, { Channel: manual });
    expect(await read()).toMatchObject({ Channel: manual, AutoChannelEnable: 'false', ChannelLastSelectionReason: 'Manual' });
    await set(f.controller, radio, { AutoChannelEnable: 'true' });
    expect(await read()).toMatchObject({ Channel: auto.Channel, AutoChannelEnable: 'true', ChannelLastSelectionReason: 'Auto_User' });
    expect((await trySet(f.controller, radio, { Channel: manual, AutoChannelEnable: 'true' })).ok).toBe(false);
    // A manual Channel in a Set that fails later (Radio 2 refuses an unknown country) is undone
    // with what it implied: the automatic selection is back on, with its channel.
    const failed = await f.controller.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: radio, paramSettings: [{ param: 'Channel', value: manual, required: true }] },
          { objPath: 'Device.WiFi.Radio.2.', paramSettings: [{ param: 'RegulatoryDomain', value: 'ZZ ', required: true }] },
        ],
      },
    });
    expect(failed.body.msgBody).toBe('error');
    expect(await read()).toMatchObject({ Channel: auto.Channel, AutoChannelEnable: 'true' });
  });

  it("Radio RegulatoryDomain: the US domain opens 5 GHz channels 149-165, which the EU's forbids", { timeout: 30_000 }, async () => {
    const radio = 'Device.WiFi.Radio.2.';
    expect((await trySet(f.controller, radio, { Channel: '149' })).ok).toBe(false);
    await set(f.controller, radio, { RegulatoryDomain: 'US ' });
    expect(await get(f.controller, `${radio}PossibleChannels`)).toMatch(/,149,153,157,161,165$/);
    await set(f.controller, radio, { Channel: '149' });
    expect(await get(f.controller, `${radio}Channel`)).toBe('149');
  });
});

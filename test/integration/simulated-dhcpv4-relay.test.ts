/**
 * Device.DHCPv4.Relay of the simulated gateway (TR-181 DHCPv4Relay:1), written by a Controller
 * over a real WebSocket: a Forwarding row relaying br-lan's requests takes the clients it
 * matches away from the local DHCPv4 server (their Pool Client rows go, their Hosts row names
 * no DHCPClient); LocallyServed, Order, Relay.Enable and Delete give them back; the rows and
 * the relay's setting persist over a restart; bad input is refused with 7012 and leaves nothing
 * half-applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

const RELAY = 'Device.DHCPv4.Relay.';
const LAN = 'Device.IP.Interface.1';

describe('simulated gateway: DHCPv4 relay', () => {
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
  /**
   * The MAC addresses holding a lease of br-lan's pool, of the clients seen at the first look:
   * more simulated clients join over the first minutes, and whether they are relayed is the
   * same rule over again, not what a step checks.
   */
  let known: Set<string> | undefined;
  const served = async (): Promise<string[]> =>
    Object.values(await getObjects(f.controller, ['Device.DHCPv4.Server.Pool.1.Client.*.Chaddr']))
      .flatMap((v) => (v.Chaddr === undefined || (known && !known.has(v.Chaddr)) ? [] : [v.Chaddr]))
      .sort();
  /** Host MAC → its DHCPClient reference. */
  const hostClients = async (): Promise<Map<string, string>> =>
    new Map(
      Object.values(await getObjects(f.controller, ['Device.Hosts.Host.*.']))
        .filter((h) => h.PhysAddress !== undefined)
        .map((h) => [h.PhysAddress, h.DHCPClient]),
    );

  it('relays the clients a Forwarding row matches; LocallyServed, Order, Relay.Enable and Delete give them back', { timeout: 60_000 }, async () => {
    expect((await getObjects(f.controller, [RELAY]))[RELAY]).toEqual({ Enable: 'true', Status: 'Enabled', ForwardingNumberOfEntries: '0' });
    const all = await until(async () => {
      const s = await served();
      return s.length >= 2 ? s : undefined;
    });
    known = new Set(all);
    const [mac, ...others] = all;

    // One client, by its MAC, to a DHCP server beyond the WAN.
    const row = await add(f.controller, `${RELAY}Forwarding.`, { Enable: 'true', Interface: LAN, Chaddr: mac, DHCPServerIPAddress: '10.20.30.40' });
    expect(row).toBe(`${RELAY}Forwarding.1.`);
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Status: 'Enabled', Order: '1', LocallyServed: 'false', ChaddrMask: '', VendorClassID: '', VendorClassIDMode: 'Exact' });
    expect(await served()).toEqual(others);
    const hosts = await hostClients();
    expect(hosts.get(mac)).toBe('');
    for (const m of others) expect(hosts.get(m)).toMatch(/^Device\.DHCPv4\.Server\.Pool\.1\.Client\.\d+$/);

    // Served locally again.
    await set(f.controller, row, { LocallyServed: 'true' });
    expect(await served()).toEqual(all);

    // ChaddrExclude: the row now relays every client but that one.
    await set(f.controller, row, { LocallyServed: 'false', ChaddrExclude: 'true' });
    expect(await served()).toEqual([mac]);
    // A second row, matching everyone, comes after it in Order: it takes only what row 1 leaves, `mac`.
    const everyone = await add(f.controller, `${RELAY}Forwarding.`, { Enable: 'true', Interface: LAN, DHCPServerIPAddress: '10.20.30.41' });
    expect(await get(f.controller, `${everyone}Order`)).toBe('2');
    expect(await served()).toEqual([]);
    // Row 1 serving its clients locally: they come back, `mac` stays relayed by row 2.
    await set(f.controller, row, { LocallyServed: 'true' });
    expect(await served()).toEqual(others);
    // Row 1 after row 2 in Order: row 2 relays everyone.
    await set(f.controller, row, { Order: '3' });
    expect(await served()).toEqual([]);
    await set(f.controller, row, { Order: '1' });

    // The relay function off: every client is the local server's again.
    await set(f.controller, RELAY, { Enable: 'false' });
    expect(await get(f.controller, `${RELAY}Status`)).toBe('Disabled');
    expect(await get(f.controller, `${everyone}Status`)).toBe('Disabled');
    expect(await served()).toEqual(all);
    await set(f.controller, RELAY, { Enable: 'true' });
    expect(await served()).toEqual(others);

    await del(f.controller, row, everyone);
    expect(await served()).toEqual(all);
    expect(await get(f.controller, `${RELAY}ForwardingNumberOfEntries`)).toBe('0');
  });

  it('refuses a non-IPv4 DHCPServerIPAddress and an Interface the relay cannot sit on, applying nothing', { timeout: 30_000 }, async () => {
    const row = await add(f.controller, `${RELAY}Forwarding.`, { Enable: 'true', Interface: LAN, DHCPServerIPAddress: '10.20.30.40', LocallyServed: 'true' });
    for (const bad of ['2001:db8::1', 'dhcp.example.net', '10.20.30.400']) {
      const r = await trySet(f.controller, row, { DHCPServerIPAddress: bad });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    }
    // The WAN, and an interface that does not exist; with a valid change beside it that must not land either.
    for (const iface of ['Device.IP.Interface.2', 'Device.IP.Interface.9']) {
      const r = await trySet(f.controller, row, { DHCPServerIPAddress: '10.9.9.9', Interface: iface });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    }
    expect((await getObjects(f.controller, [row]))[row]).toMatchObject({ Interface: LAN, DHCPServerIPAddress: '10.20.30.40', Status: 'Enabled' });
    const refused = await tryAdd(f.controller, `${RELAY}Forwarding.`, { Enable: 'true', Interface: 'Device.IP.Interface.2', DHCPServerIPAddress: '10.20.30.40' });
    expect(refused.ok).toBe(false);
    expect(await get(f.controller, `${RELAY}ForwardingNumberOfEntries`)).toBe('1');
    // No server and not locally served: TR-181 would drop the requests; the row is misconfigured and relays nothing.
    await set(f.controller, row, { LocallyServed: 'false', DHCPServerIPAddress: '' });
    expect(await get(f.controller, `${row}Status`)).toBe('Error_Misconfigured');
    await del(f.controller, row);
  });

  it('keeps the rows and Relay.Enable over a restart on the same data directory', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'usp-relay-'));
    let g = await startAgent({ dataDir });
    try {
      const macs = async (): Promise<string[]> =>
        Object.values(await getObjects(g.controller, ['Device.DHCPv4.Server.Pool.1.Client.*.Chaddr']))
          .flatMap((v) => (v.Chaddr === undefined ? [] : [v.Chaddr]))
          .sort();
      const [mac] = await until(async () => {
        const m = await macs();
        return m.length >= 2 ? m : undefined;
      });
      const row = await add(g.controller, `${RELAY}Forwarding.`, { Enable: 'true', Interface: LAN, Chaddr: mac, DHCPServerIPAddress: '10.20.30.40', Alias: 'isp-relay' });
      expect(await macs()).not.toContain(mac);
      const { port } = g;
      await g.close();
      g = await startAgent({ dataDir, port });
      expect((await getObjects(g.controller, [row]))[row]).toMatchObject({ Alias: 'isp-relay', Enable: 'true', Status: 'Enabled', Chaddr: mac, DHCPServerIPAddress: '10.20.30.40' });
      // Once the relayed client is back on the LAN (its Host active again), it holds no local lease.
      const host = await until(async () => Object.values(await getObjects(g.controller, ['Device.Hosts.Host.*.'])).find((h) => h.PhysAddress === mac && h.Active === 'true' && h.IPAddress !== ''));
      expect(host.DHCPClient).toBe('');
      expect(await macs()).not.toContain(mac);
      await set(g.controller, RELAY, { Enable: 'false' });
      await g.close();
      g = await startAgent({ dataDir, port });
      expect(await get(g.controller, `${RELAY}Enable`)).toBe('false');
    } finally {
      await g.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

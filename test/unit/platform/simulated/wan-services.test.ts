import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const ROUTES = 'Device.Routing.Router.1.IPv4Forwarding.';

describe('simulated platform: routing, DNS, firewall and the APN', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('routes by default over the 5G WAN once the data session is up', async () => {
    sim = simulated();
    // Before the modem attaches only the LAN route exists.
    expect(await sim.instances(ROUTES)).toEqual([3]);
    sim.advance(60);
    expect(await sim.instances(ROUTES)).toEqual([1, 2, 3]);
    const wan = await sim.values('Device.IP.Interface.2.IPv4Address.1.');
    const [def, wanNet, lan] = await Promise.all([1, 2, 3].map((n) => sim.values(`${ROUTES}${n}.`)));
    expect(def).toMatchObject({ DestIPAddress: '', DestSubnetMask: '', Interface: 'Device.IP.Interface.2', Origin: '3GPP-NAS', StaticRoute: false, Status: 'Enabled' });
    // The next hop is the other host of the /30 the network assigned.
    const host = (ip: unknown) => Number(String(ip).split('.')[3]);
    expect(String(def.GatewayIPAddress).split('.').slice(0, 3)).toEqual(String(wan.IPAddress).split('.').slice(0, 3));
    expect(host(def.GatewayIPAddress)).toBe(host(wan.IPAddress) + 1);
    expect(wanNet).toMatchObject({ DestIPAddress: String(wan.IPAddress).replace(/\.\d+$/, `.${host(wan.IPAddress) - 1}`), DestSubnetMask: '255.255.255.252' });
    expect(lan).toMatchObject({ DestIPAddress: '192.168.1.0', DestSubnetMask: '255.255.255.0', Interface: 'Device.IP.Interface.1', StaticRoute: true });
    // The LAN route follows br-lan's address.
    await sim.set('Device.IP.Interface.1.IPv4Address.1.', { IPAddress: '10.20.30.1', SubnetMask: '255.255.0.0' });
    expect(await sim.values(`${ROUTES}3.`)).toMatchObject({ DestIPAddress: '10.20.0.0', DestSubnetMask: '255.255.0.0' });
  });

  it("resolves through the network's two DNS servers, which a Controller cannot re-point", async () => {
    sim = simulated();
    const servers = async (table: string) => Promise.all([1, 2].map((n) => sim.values(`${table}${n}.`)));
    expect((await servers('Device.DNS.Client.Server.')).map((s) => s.Status)).toEqual(['Error', 'Error']); // no data session yet
    sim.advance(60);
    const client = await servers('Device.DNS.Client.Server.');
    const relay = await servers('Device.DNS.Relay.Forwarding.');
    for (const s of [...client, ...relay]) {
      expect(s).toMatchObject({ Status: 'Enabled', Type: '3GPP-NAS', Interface: 'Device.IP.Interface.2' });
      expect(s.DNSServer).toMatch(/^198\.51\.100\.\d+$/); // RFC 5737 documentation range
    }
    expect(relay.map((s) => s.DNSServer)).toEqual(client.map((s) => s.DNSServer));
    const e = await refusal(() => sim.set('Device.DNS.Client.Server.1.', { DNSServer: '9.9.9.9' }));
    expect(e.paramErrors[0]).toMatchObject({ param: 'DNSServer', code: ErrorCode.InvalidValue });
    await sim.set('Device.DNS.Relay.', { Enable: false });
    expect((await sim.values('Device.DNS.Relay.Forwarding.1.')).Status).toBe('Disabled');
  });

  it('resolves through the Static servers a Controller adds in place of the network ones, and cannot resolve with none', async () => {
    sim = simulated();
    sim.advance(60);
    expect((await sim.values('Device.DNS.Client.')).Status).toBe('Enabled');
    await sim.del('Device.DNS.Client.Server.1.');
    await sim.del('Device.DNS.Client.Server.2.');
    // No server left to ask: the client is in error (TR-181 Client.Status).
    expect(await sim.values('Device.DNS.Client.')).toMatchObject({ Status: 'Error', ServerNumberOfEntries: 0 });
    expect((await refusal(() => sim.add('Device.DNS.Client.Server.', { DNSServer: 'resolver.example' }))).paramErrors[0]).toMatchObject({ param: 'DNSServer' });
    const n = await sim.add('Device.DNS.Client.Server.', { Enable: true, DNSServer: '9.9.9.9' });
    expect(await sim.values(`Device.DNS.Client.Server.${n}.`)).toMatchObject({ Status: 'Enabled', Type: 'Static', DNSServer: '9.9.9.9', Alias: `cpe-${n}` });
    expect((await sim.values('Device.DNS.Client.')).Status).toBe('Enabled');
    await sim.set(`Device.DNS.Client.Server.${n}.`, { Enable: false });
    expect((await sim.values('Device.DNS.Client.')).Status).toBe('Error');
  });

  it('keeps the firewall to what it supports, and dates its last change', async () => {
    sim = simulated();
    expect(await sim.values('Device.Firewall.')).toMatchObject({
      Enable: true,
      Config: 'Low',
      Type: 'Stateful',
      LastChange: '2025-03-10T08:00:00Z',
      LevelNumberOfEntries: 1,
      ChainNumberOfEntries: 1,
    });
    expect((await refusal(() => sim.set('Device.Firewall.', { Config: 'Policy' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set('Device.Firewall.', { Config: 'Advanced', AdvancedLevel: '' }))).code).toBe(ErrorCode.InvalidValue);
    sim.advance(90);
    await sim.set('Device.Firewall.', { Config: 'High' });
    expect(await sim.values('Device.Firewall.')).toMatchObject({ Config: 'High', LastChange: '2025-03-10T08:01:30Z' });
    expect(await sim.values('Device.Firewall.Level.1.')).toMatchObject({ Chain: 'Device.Firewall.Chain.1', DefaultPolicy: 'Drop' });
  });

  it('takes a new APN like a modem: the session restarts, and an APN the operator does not know leaves the WAN down', async () => {
    sim = simulated();
    sim.advance(60);
    const wanStatus = async () => (await sim.values('Device.IP.Interface.2.')).Status;
    expect(await wanStatus()).toBe('Up');
    await sim.set('Device.Cellular.AccessPoint.1.', { APN: 'no.such.apn' });
    sim.advance(10);
    expect(await wanStatus()).toBe('LowerLayerDown');
    expect((await sim.values('Device.Cellular.Interface.1.')).Status).toBe('Up'); // still attached to the cell
    expect(await sim.instances(ROUTES)).toEqual([3]);
    await sim.set('Device.Cellular.AccessPoint.1.', { APN: 'fwa.simnet' });
    sim.advance(1);
    expect(await wanStatus()).toBe('LowerLayerDown'); // the PDU session takes a moment
    sim.advance(3);
    expect(await wanStatus()).toBe('Up');
    expect((await sim.values('Device.Cellular.AccessPoint.1.')).APN).toBe('fwa.simnet');
    for (const bad of ['-internet', 'internet.gprs', 'a b', 'x'.repeat(64)]) {
      expect((await refusal(() => sim.set('Device.Cellular.AccessPoint.1.', { APN: bad }))).code, bad).toBe(ErrorCode.InvalidValue);
    }
  });

  it('serves every value of these areas as its schema types it', async () => {
    for (const t of [0, 60, 86_400]) {
      sim = simulated(5);
      sim.advance(t);
      const objects = (await sim.readAll()).filter((o) => /^Device\.(Routing|DNS|Firewall|Cellular\.AccessPoint)\./.test(o.path));
      expect(expectSchemaTyped(objects)).toBeGreaterThan(40);
      sim.stop();
    }
    sim = simulated();
  });
});

describe('simulated platform: routes in notifications', () => {
  let sim: SimFixture;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    sim.stop();
    vi.useRealTimers();
  });

  it('reports the routes of the data session as they come and go', async () => {
    sim = simulated();
    const changes: Change[] = [];
    sim.model.changes.subscribe((c) => {
      if (c.path.startsWith(ROUTES)) changes.push(c);
    });
    for (let i = 0; i < 4; i++) {
      sim.advance(15);
      vi.advanceTimersByTime(15_000);
    }
    expect(changes.map((c) => [c.kind, c.path])).toEqual([
      ['created', `${ROUTES}1.`],
      ['created', `${ROUTES}2.`],
    ]);
    await sim.set('Device.Cellular.AccessPoint.1.', { Enable: false });
    sim.advance(15);
    vi.advanceTimersByTime(15_000);
    expect(changes.slice(2).map((c) => [c.kind, c.path])).toEqual([
      ['deleted', `${ROUTES}1.`],
      ['deleted', `${ROUTES}2.`],
    ]);
  });

  it("relays DNS to Static forwarders a Controller adds in place of the network's", async () => {
    sim = simulated();
    sim.advance(60);
    const FWD = 'Device.DNS.Relay.Forwarding.';
    await sim.del(`${FWD}2.`);
    expect((await refusal(() => sim.add(FWD, { DNSServer: 'resolver.example' }))).paramErrors[0]?.param).toBe('DNSServer');
    expect((await refusal(() => sim.add(FWD, { DNSServer: '9.9.9.9', Interface: 'Device.IP.Interface.1' }))).paramErrors[0]?.param).toBe('Interface');
    const n = await sim.add(FWD, { Enable: true, DNSServer: '2620:fe::fe', Interface: 'Device.IP.Interface.2.' });
    expect(n).toBe(3);
    expect(await sim.values(`${FWD}3.`)).toMatchObject({ Type: 'Static', Status: 'Enabled', DNSServer: '2620:fe::fe', Interface: 'Device.IP.Interface.2' });
    expect((await sim.values('Device.DNS.Relay.')).ForwardNumberOfEntries).toBe(2);
    // A Static forwarder can be re-pointed; a network-assigned one cannot.
    await sim.set(`${FWD}3.`, { DNSServer: '9.9.9.9' });
    expect((await refusal(() => sim.set(`${FWD}1.`, { DNSServer: '9.9.9.9' }))).code).toBe(ErrorCode.InvalidValue);
    // The same server twice is one forwarder (DNSServer is the table's unique key: 7025).
    expect((await refusal(() => sim.add(FWD, { DNSServer: '9.9.9.9' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    // The DNS client keeps its own two servers.
    expect(await sim.instances('Device.DNS.Client.Server.')).toEqual([1, 2]);
  });
});

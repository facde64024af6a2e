/**
 * The LAN/WAN profiles of TR-181 on the simulated gateway, checked by a Controller over a real
 * WebSocket: GetSupportedDM lists every required object, parameter and command of each profile
 * with the access the profile demands (the required items written out independently from the
 * BBF XML in lan-wan-profile-items.ts), and what a Controller writes, adds and deletes in those
 * tables takes effect and is there again after the agent restarts on the same data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, get, operate, set, tryAdd } from '../peers/controller-steps.js';
import { getObjects, responseOf } from '../peers/get-objects.js';
import type { TestController } from '../peers/TestController.js';
import { LAN_WAN_PROFILES, missingItems, type SupportedDescription } from './lan-wan-profile-items.js';

/** The whole supported model as GetSupportedDM describes it. */
async function supportedModel(c: TestController): Promise<Map<string, SupportedDescription>> {
  const r = responseOf(
    await c.send({
      reqType: 'getSupportedDm',
      getSupportedDm: {
        objPaths: ['Device.'],
        firstLevelOnly: false,
        returnCommands: true,
        returnEvents: false,
        returnParams: true,
        returnUniqueKeySets: false,
      },
    }),
  );
  if (r.respType !== 'getSupportedDmResp') throw new Error(r.respType);
  const out = new Map<string, SupportedDescription>();
  for (const o of r.getSupportedDmResp.reqObjResults[0].supportedObjs ?? []) {
    out.set(o.supportedObjPath, {
      access: o.access,
      params: new Map((o.supportedParams ?? []).map((p) => [p.paramName, p.access])),
      commands: new Set((o.supportedCommands ?? []).map((c) => c.commandName)),
    });
  }
  return out;
}

describe('simulated gateway: LAN/WAN profiles in GetSupportedDM', () => {
  let f: AgentFixture;
  let model: Map<string, SupportedDescription>;
  beforeAll(async () => {
    f = await startAgent();
    model = await supportedModel(f.controller);
  });
  afterAll(async () => {
    await f.close();
  });

  it.each(LAN_WAN_PROFILES.map((p) => [p.profile, p] as const))('serves every item of %s', (_name, profile) => {
    expect(missingItems(profile, model)).toEqual([]);
  });
});

/** One agent, then a second on the same data directory (and port) once the first is closed. */
function restartable() {
  let f: AgentFixture | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'usp-lan-wan-'));
  return {
    get c(): TestController {
      return f!.controller;
    },
    async start() {
      f = await startAgent({ dataDir });
    },
    async restart() {
      const { port } = f!;
      await f!.close();
      f = await startAgent({ dataDir, port });
    },
    async close() {
      await f?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const BRIDGE = 'Device.Bridging.Bridge.1.';

describe('simulated gateway: Bridge:1 and VLANBridge:1 over USP', () => {
  const a = restartable();
  beforeAll(async () => {
    await a.start();
  });
  afterAll(async () => {
    await a.close();
  });

  it('deletes a shipped port, adds one over the freed LAN port, reads its Stats and STP, and keeps it all over a restart', async () => {
    await del(a.c, `${BRIDGE}Port.5.`);
    expect((await tryAdd(a.c, `${BRIDGE}Port.`, { LowerLayers: 'Device.Ethernet.Interface.1' })).ok).toBe(false);
    const port = await add(a.c, `${BRIDGE}Port.`, { Enable: 'true', LowerLayers: 'Device.Ethernet.Interface.4' });
    expect(port).toBe(`${BRIDGE}Port.10.`);
    await set(a.c, `${BRIDGE}STP.`, { Enable: 'true', Protocol: 'STP' });
    const bridge2 = await add(a.c, 'Device.Bridging.Bridge.', { Enable: 'true' });
    const before = await getObjects(a.c, [`${BRIDGE}Port.1.LowerLayers`, `${port}Name`, `${port}Stats.BytesSent`, 'Device.Ethernet.Interface.4.Stats.BytesSent']);
    expect(before[`${BRIDGE}Port.1.`].LowerLayers.split(',')).toEqual([2, 3, 4, 6, 7, 8, 9, 10].map((n) => `${BRIDGE}Port.${n}`));
    expect(before[port].Name).toBe('lan4');
    // The port counts what the Ethernet port below it counts.
    expect(BigInt(before[`${port}Stats.`].BytesSent)).toBeLessThanOrEqual(BigInt(before['Device.Ethernet.Interface.4.Stats.'].BytesSent));

    await a.restart();
    const after = await getObjects(a.c, [`${BRIDGE}Port.*.Name`, `${BRIDGE}STP.`, 'Device.Bridging.BridgeNumberOfEntries', `${bridge2}Status`]);
    expect(
      Object.keys(after)
        .filter((p) => p.includes('.Port.'))
        .sort(),
    ).toEqual([1, 10, 2, 3, 4, 6, 7, 8, 9].map((n) => `${BRIDGE}Port.${n}.`).sort());
    expect(after[`${BRIDGE}STP.`]).toMatchObject({ Enable: 'true', Status: 'Enabled', Protocol: 'STP' });
    expect(after['Device.Bridging.'].BridgeNumberOfEntries).toBe('2');
    expect(after[bridge2].Status).toBe('Enabled');
    expect(await get(a.c, `${port}Status`)).toBe('Up');
  });
});

describe('simulated gateway: NAT:1 over USP', () => {
  const a = restartable();
  beforeAll(async () => {
    await a.start();
  });
  afterAll(async () => {
    await a.close();
  });

  it("deletes the WAN's NAT setting and adds it back, the port mappings following, and keeps it over a restart", async () => {
    const mapping = await add(a.c, 'Device.NAT.PortMapping.', {
      Enable: 'true',
      RemoteHost: '',
      ExternalPort: '2222',
      InternalPort: '22',
      Protocol: 'TCP',
      InternalClient: '192.168.1.10',
    });
    await del(a.c, 'Device.NAT.InterfaceSetting.1.');
    expect(await get(a.c, `${mapping}Status`)).toMatch(/^(Inactive|Disabled)$/);
    const setting = await add(a.c, 'Device.NAT.InterfaceSetting.', { Enable: 'true', Interface: 'Device.IP.Interface.2' });
    expect(setting).toBe('Device.NAT.InterfaceSetting.2.');
    await a.restart();
    const v = await getObjects(a.c, ['Device.NAT.InterfaceSetting.', 'Device.NAT.InterfaceSettingNumberOfEntries']);
    expect(Object.keys(v).filter((p) => p.includes('InterfaceSetting.'))).toEqual([setting]);
    expect(v[setting]).toMatchObject({ Enable: 'true', Interface: 'Device.IP.Interface.2' });
    expect(v[setting].Status).toMatch(/^Enabled/);
    expect(v['Device.NAT.'].InterfaceSettingNumberOfEntries).toBe('1');
  });
});

describe('simulated gateway: DNSRelay:1 over USP', () => {
  const a = restartable();
  beforeAll(async () => {
    await a.start();
  });
  afterAll(async () => {
    await a.close();
  });

  it('replaces a network forwarder by a Static one, refuses a duplicate, and keeps it over a restart', async () => {
    await del(a.c, 'Device.DNS.Relay.Forwarding.1.');
    const fwd = await add(a.c, 'Device.DNS.Relay.Forwarding.', { Enable: 'true', DNSServer: '9.9.9.9', Interface: '' });
    const dup = await tryAdd(a.c, 'Device.DNS.Relay.Forwarding.', { DNSServer: '9.9.9.9' });
    expect(dup.ok).toBe(false);
    await a.restart();
    const v = await getObjects(a.c, ['Device.DNS.Relay.']);
    expect(Object.keys(v).filter((p) => p.includes('.Forwarding.'))).toEqual(['Device.DNS.Relay.Forwarding.2.', fwd]);
    expect(v[fwd]).toMatchObject({ DNSServer: '9.9.9.9', Type: 'Static', Enable: 'true' });
    expect(v['Device.DNS.Relay.Forwarding.2.'].Type).toBe('3GPP-NAS');
    expect(v['Device.DNS.Relay.'].ForwardNumberOfEntries).toBe('2');
  });
});

describe('simulated gateway: Hosts:3 over USP', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  it("reads a connected host's IPv6 addresses under its Host row, counted", async () => {
    // The first wired device connects once its port's link is up, seconds after boot.
    let hosts: Record<string, Record<string, string>> = {};
    // Each wildcard path of one Get is read on its own: a host that joins between the two reads
    // has no count in that answer yet, so wait for one that has both.
    const ready = (h: Record<string, string>) => h.Active === 'true' && h.IPv6AddressNumberOfEntries !== undefined;
    for (let i = 0; i < 100 && !Object.values(hosts).some(ready); i++) {
      hosts = await getObjects(f.controller, ['Device.Hosts.Host.*.Active', 'Device.Hosts.Host.*.IPv6AddressNumberOfEntries']);
      if (!Object.values(hosts).some(ready)) await new Promise((r) => setTimeout(r, 100));
    }
    const [path, host] = Object.entries(hosts).find(([, h]) => ready(h))!;
    const v6 = await getObjects(f.controller, [`${path}IPv6Address.*.IPAddress`]);
    expect(Object.keys(v6)).toHaveLength(Number(host.IPv6AddressNumberOfEntries));
    expect(v6[`${path}IPv6Address.1.`].IPAddress).toMatch(/^fe80::/);
  });
});

describe('simulated gateway: IPInterface:1/2 and IPv6Interface:1 over USP', () => {
  const a = restartable();
  beforeAll(async () => {
    await a.start();
  });
  afterAll(async () => {
    await a.close();
  });

  it('adds an interface with a Static address, resets br-lan, refuses to delete the WAN, and keeps the rows over a restart', async () => {
    const ipif = await add(a.c, 'Device.IP.Interface.', { Enable: 'true', LowerLayers: 'Device.Ethernet.Link.2', IPv6Enable: 'false' });
    expect(ipif).toBe('Device.IP.Interface.4.');
    const address = await add(a.c, `${ipif}IPv4Address.`, { Enable: 'true', IPAddress: '192.0.2.10', SubnetMask: '255.255.255.0' });
    const alias = await add(a.c, 'Device.IP.Interface.1.IPv4Address.', { Enable: 'true', IPAddress: '10.10.0.1', SubnetMask: '255.255.255.0' });
    await del(a.c, alias);
    const wan = await a.c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: ['Device.IP.Interface.2.'] } });
    expect(wan.body.msgBody).toBe('error');
    expect((await operate(a.c, 'Device.IP.Interface.1.Reset()')).ok).toBe(true);
    expect(Number(await get(a.c, 'Device.IP.Interface.1.LastChange'))).toBeLessThan(5);
    await set(a.c, ipif, { ULAEnable: 'false' });

    await a.restart();
    const v = await getObjects(a.c, ['Device.IP.Interface.', 'Device.IP.InterfaceNumberOfEntries']);
    expect(v['Device.IP.'].InterfaceNumberOfEntries).toBe('4');
    expect(v[ipif]).toMatchObject({ Enable: 'true', LowerLayers: 'Device.Ethernet.Link.2', IPv6Enable: 'false', Name: 'ipif4', IPv4AddressNumberOfEntries: '1' });
    expect(v[address]).toMatchObject({ IPAddress: '192.0.2.10', AddressingType: 'Static', Status: 'Enabled' });
    expect(v[alias]).toBeUndefined();
    expect(v['Device.IP.Interface.1.'].IPv4AddressNumberOfEntries).toBe('1');
  });
});

describe('simulated gateway: DHCPv4Server:1 over USP', () => {
  const a = restartable();
  beforeAll(async () => {
    await a.start();
  });
  afterAll(async () => {
    await a.close();
  });

  it('adds a pool, an option and a static address, and keeps them over a restart', async () => {
    const pool = await add(a.c, 'Device.DHCPv4.Server.Pool.', {
      Enable: 'false',
      Interface: 'Device.IP.Interface.1',
      MinAddress: '192.168.1.50',
      MaxAddress: '192.168.1.60',
      SubnetMask: '255.255.255.0',
      Order: '2',
    });
    expect(pool).toBe('Device.DHCPv4.Server.Pool.2.');
    const option = await add(a.c, 'Device.DHCPv4.Server.Pool.1.Option.', { Enable: 'true', Tag: '42', Value: 'c0a80101' });
    const fixed = await add(a.c, 'Device.DHCPv4.Server.Pool.1.StaticAddress.', { Enable: 'true', Chaddr: '02:00:00:00:00:01', Yiaddr: '192.168.1.5' });
    const refused = await tryAdd(a.c, 'Device.DHCPv4.Server.Pool.1.StaticAddress.', { Chaddr: '02:00:00:00:00:02', Yiaddr: '192.168.1.5' });
    expect(refused.ok).toBe(false);
    await a.restart();
    const v = await getObjects(a.c, ['Device.DHCPv4.Server.']);
    expect(v['Device.DHCPv4.Server.'].PoolNumberOfEntries).toBe('2');
    expect(v[pool]).toMatchObject({ Enable: 'false', Status: 'Disabled', MinAddress: '192.168.1.50', Order: '2' });
    expect(v[option]).toMatchObject({ Tag: '42', Value: 'c0a80101' });
    expect(v[fixed]).toMatchObject({ Chaddr: '02:00:00:00:00:01', Yiaddr: '192.168.1.5', Enable: 'true' });
    expect(v['Device.DHCPv4.Server.Pool.1.'].StaticAddressNumberOfEntries).toBe('1');
  });
});

/**
 * Device.VXLAN on the simulated gateway (TR-181 VXLANBasic:1), by a Controller over a real
 * WebSocket: a Tunnel with an endpoint and an Interface on it come Up and count traffic, follow
 * the Tunnel's Enable, and bad VNIs, endpoints and lower layers are refused (7012) with nothing
 * kept; ICMP keepalives are counted, one per KeepAliveTimeout; Delete removes the rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

const TUNNEL = 'Device.VXLAN.Tunnel.';
const code = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number => (r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1));

describe('simulated gateway: a Controller adds VXLAN tunnels', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  it('ships no tunnel; a Tunnel and its Interface come Up, count, follow Enable, and go with Delete', async () => {
    const c = f.controller;
    expect((await getObjects(c, ['Device.VXLAN.']))['Device.VXLAN.']).toMatchObject({ TunnelNumberOfEntries: '0' });
    const tunnel = await add(c, TUNNEL, { Enable: 'true', RemoteEndpoints: '198.51.100.7,198.51.100.8', RemotePort: '8472' });
    const iface = await add(c, `${tunnel}Interface.`, { Enable: 'true', VNI: '-1', LowerLayers: 'Device.IP.Interface.2' });
    const rows = await getObjects(c, [tunnel, iface]);
    expect(rows[tunnel]).toMatchObject({ Status: 'Enabled', ConnectedRemoteEndpoint: '198.51.100.7', InterfaceNumberOfEntries: '1', KeepAlivePolicy: 'None', RemotePort: '8472' });
    // VNI -1: the device chooses, the lowest free.
    expect(rows[iface]).toMatchObject({ Status: 'Up', VNI: '1', Name: expect.stringMatching(/^vxlan-usp\d+-1$/) });
    const bytes = async (): Promise<number> => Number((await getObjects(c, [`${tunnel}Stats.BytesReceived`]))[`${tunnel}Stats.`].BytesReceived);
    // VXLANAdv:1: the encapsulation carries no checksum or sequence number of its own.
    expect((await getObjects(c, [`${iface}Stats.`]))[`${iface}Stats.`]).toMatchObject({ DiscardChecksumReceived: '0', DiscardSequenceNumberReceived: '0' });
    const first = await bytes();
    await expect.poll(bytes, { timeout: 30_000, interval: 500 }).toBeGreaterThan(first);

    // ICMP keepalive: one echo a second here, each answered by the simulated WAN.
    await set(c, tunnel, { KeepAlivePolicy: 'ICMP', KeepAliveTimeout: '1' });
    const echoes = async (): Promise<Record<string, string>> => (await getObjects(c, [`${tunnel}Stats.`]))[`${tunnel}Stats.`]!;
    await expect.poll(async () => Number((await echoes()).KeepAliveSent), { timeout: 20_000, interval: 500 }).toBeGreaterThan(1);
    const k = await echoes();
    expect(k.KeepAliveReceived).toBe(k.KeepAliveSent);

    await trySet(c, tunnel, { Enable: 'false' });
    expect(await getObjects(c, [tunnel, iface])).toMatchObject({ [tunnel]: { Status: 'Disabled', ConnectedRemoteEndpoint: '' }, [iface]: { Status: 'LowerLayerDown' } });
    await del(c, tunnel);
    expect((await getObjects(c, ['Device.VXLAN.']))['Device.VXLAN.']).toMatchObject({ TunnelNumberOfEntries: '0' });
  });

  it('refuses bad endpoints, VNIs and lower layers (7012) and a keepalive period of 0 (7012), keeping nothing', async () => {
    const c = f.controller;
    const badTunnels: Array<Record<string, string>> = [{ RemoteEndpoints: 'vtep.example.com' }, { RemoteEndpoints: '198.51.100.7', DeliveryHeaderProtocol: 'IPv6' }, { DefaultDSCPMark: '64' }];
    for (const params of badTunnels) expect(code(await tryAdd(c, TUNNEL, params)), JSON.stringify(params)).toBe(7012);
    const tunnel = await add(c, TUNNEL, { RemoteEndpoints: '2001:db8::7', DeliveryHeaderProtocol: 'IPv6' });
    await add(c, `${tunnel}Interface.`, { VNI: '100' });
    const badInterfaces: Array<Record<string, string>> = [{ VNI: '0' }, { VNI: '16777216' }, { VNI: '100' }, { LowerLayers: 'Device.IP.Interface.99', VNI: '5' }];
    for (const params of badInterfaces) expect(code(await tryAdd(c, `${tunnel}Interface.`, params)), JSON.stringify(params)).toBe(7012);
    expect(code(await trySet(c, tunnel, { KeepAlivePolicy: 'ICMP', KeepAliveTimeout: '0' }))).toBe(7012);
    const rows = await getObjects(c, [`${tunnel}Interface.*.VNI`]);
    expect(Object.values(rows).map((r) => r.VNI)).toEqual(['100']);
    await del(c, tunnel);
  });

  it('keeps Filter rows (VXLANAdv:1): Status follows the row they name, Order shifts, bad Interface and VLAN ID refused', async () => {
    const c = f.controller;
    const tunnel = await add(c, TUNNEL, { RemoteEndpoints: '198.51.100.9' });
    const iface = await add(c, `${tunnel}Interface.`, { VNI: '7' });
    const first = await add(c, 'Device.VXLAN.Filter.', { Enable: 'true', Interface: iface.slice(0, -1), VLANIDCheck: '10', DSCPMarkPolicy: '46' });
    const all = await add(c, 'Device.VXLAN.Filter.', { Enable: 'true', AllInterfaces: 'true', Order: '1' });
    let rows = await getObjects(c, ['Device.VXLAN.', first, all]);
    expect(rows['Device.VXLAN.']).toMatchObject({ FilterNumberOfEntries: '2' });
    // The second took Order 1: the first moved down.
    expect(rows[first]).toMatchObject({ Status: 'Enabled', Order: '2', VLANIDCheck: '10', DSCPMarkPolicy: '46' });
    expect(rows[all]).toMatchObject({ Status: 'Enabled', Order: '1' });
    const bad: Array<Record<string, string>> = [{ Interface: 'Device.VXLAN.Tunnel.99' }, { Interface: 'Device.IP.Interface.1' }, { VLANIDCheck: '4095' }];
    for (const params of bad) {
      expect(code(await tryAdd(c, 'Device.VXLAN.Filter.', params)), JSON.stringify(params)).toBe(7012);
    }
    // The Interface it names goes: the row is misconfigured (TR-181), the AllInterfaces one is not.
    await del(c, tunnel);
    rows = await getObjects(c, [first, all]);
    expect(rows[first]!.Status).toBe('Error_Misconfigured');
    expect(rows[all]!.Status).toBe('Enabled');
    await del(c, first);
    await del(c, all);
  });
});

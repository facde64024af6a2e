import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { MAX_VLANS } from '../../../../platform/simulated/bridging.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const BRIDGE = 'Device.Bridging.Bridge.1.';

describe('simulated platform: Device.Bridging (br-lan)', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('stacks the management port on the four LAN ports and the four SSIDs', async () => {
    sim = simulated();
    sim.advance(600);
    expect(await sim.values(BRIDGE)).toMatchObject({ Name: 'br-lan', Status: 'Enabled', Standard: '802.1Q-2011', PortNumberOfEntries: 9, VLANNumberOfEntries: 0 });
    const ports = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => sim.values(`${BRIDGE}Port.${n}.`)));
    expect(ports.map((p) => p.Name)).toEqual(['br-lan', 'lan1', 'lan2', 'lan3', 'lan4', 'wl0', 'wl1', 'wl2', 'wl0.1']);
    expect(ports[0]).toMatchObject({ ManagementPort: true, Status: 'Up', LowerLayers: [2, 3, 4, 5, 6, 7, 8, 9].map((n) => `${BRIDGE}Port.${n}`).join(',') });
    expect(ports.map((p) => p.LowerLayers).slice(1)).toEqual([
      'Device.Ethernet.Interface.1',
      'Device.Ethernet.Interface.2',
      'Device.Ethernet.Interface.3',
      'Device.Ethernet.Interface.4',
      'Device.WiFi.SSID.1',
      'Device.WiFi.SSID.2',
      'Device.WiFi.SSID.3',
      'Device.WiFi.SSID.4',
    ]);
    // lan3 has no cable and the guest SSID ships disabled: their ports wait on the layer below.
    expect(ports.map((p) => p.Status)).toEqual(['Up', 'Up', 'Up', 'LowerLayerDown', 'Up', 'Up', 'Up', 'Up', 'LowerLayerDown']);
    expect(ports.map((p) => p.PortState)).toEqual(['Forwarding', 'Forwarding', 'Forwarding', 'Disabled', 'Forwarding', 'Forwarding', 'Forwarding', 'Forwarding', 'Disabled']);
    // br-lan's IP interface sits on the Ethernet.Link over the management port (TR-181's stack).
    expect((await sim.values('Device.IP.Interface.1.')).LowerLayers).toBe('Device.Ethernet.Link.1');
    expect((await sim.values('Device.Ethernet.Link.1.')).LowerLayers).toBe(`${BRIDGE}Port.1`);
  });

  it('follows the layers below: a disabled Ethernet port, an enabled guest SSID', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set('Device.Ethernet.Interface.1.', { Enable: false });
    await sim.set('Device.WiFi.SSID.4.', { Enable: true });
    sim.advance(7);
    expect(await sim.values(`${BRIDGE}Port.2.`)).toMatchObject({ Status: 'LowerLayerDown', LastChange: 7 });
    expect(await sim.values(`${BRIDGE}Port.9.`)).toMatchObject({ Status: 'Up', LastChange: 7 });
    await sim.set(`${BRIDGE}Port.3.`, { Enable: false });
    expect(await sim.values(`${BRIDGE}Port.3.`)).toMatchObject({ Status: 'Down', PortState: 'Disabled' });
  });

  it('adds, changes and deletes VLANs, with the count following', async () => {
    sim = simulated();
    const iptv = await sim.add(`${BRIDGE}VLAN.`, { Enable: true, Name: 'iptv', VLANID: 100 });
    const voice = await sim.add(`${BRIDGE}VLAN.`, { Enable: true, Name: 'voice' }); // VLANID left to the agent
    expect([iptv, voice]).toEqual([1, 2]);
    expect(await sim.values(`${BRIDGE}VLAN.1.`)).toEqual({ Enable: true, Alias: 'cpe-1', Name: 'iptv', VLANID: 100 });
    expect((await sim.values(`${BRIDGE}VLAN.2.`)).VLANID).toBe(2);
    expect((await sim.values(BRIDGE)).VLANNumberOfEntries).toBe(2);
    await sim.set(`${BRIDGE}VLAN.2.`, { VLANID: 200, Name: 'voip', Enable: false });
    expect(await sim.values(`${BRIDGE}VLAN.2.`)).toMatchObject({ VLANID: 200, Name: 'voip', Enable: false });
    await sim.del(`${BRIDGE}VLAN.1.`);
    expect(await sim.instances(`${BRIDGE}VLAN.`)).toEqual([2]);
    // Instance numbers are never reused.
    expect(await sim.add(`${BRIDGE}VLAN.`, { VLANID: 300 })).toBe(3);
  });

  it('refuses a VLANID out of 1..4094 with 7012, and a VLANID already used with 7025', async () => {
    sim = simulated();
    for (const vid of [0, 4095, 5000, -1]) {
      const e = await refusal(() => sim.add(`${BRIDGE}VLAN.`, { VLANID: vid }));
      expect(e.code, String(vid)).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors).toEqual([expect.objectContaining({ param: 'VLANID', code: ErrorCode.InvalidValue })]);
    }
    await sim.add(`${BRIDGE}VLAN.`, { VLANID: 100 });
    expect((await refusal(() => sim.set(`${BRIDGE}VLAN.1.`, { VLANID: 4095 }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.add(`${BRIDGE}VLAN.`, { VLANID: 100 }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    // Nothing of the refused rows is left behind.
    expect(await sim.instances(`${BRIDGE}VLAN.`)).toEqual([1]);
    expect((await sim.values(`${BRIDGE}VLAN.1.`)).VLANID).toBe(100);
  });

  it('holds at most MaxVLANEntries VLANs (7005)', async () => {
    sim = simulated();
    expect((await sim.values('Device.Bridging.')).MaxVLANEntries).toBe(MAX_VLANS);
    for (let i = 0; i < MAX_VLANS; i++) await sim.add(`${BRIDGE}VLAN.`, { VLANID: 10 + i });
    expect((await refusal(() => sim.add(`${BRIDGE}VLAN.`, { VLANID: 999 }))).code).toBe(ErrorCode.ResourcesExceeded);
  });

  it('puts ports in VLANs: references must name rows of this bridge, and a deleted VLAN reads as ""', async () => {
    sim = simulated();
    await sim.add(`${BRIDGE}VLAN.`, { Enable: true, VLANID: 100 });
    const member = await sim.add(`${BRIDGE}VLANPort.`, { Enable: true, VLAN: `${BRIDGE}VLAN.1`, Port: `${BRIDGE}Port.5`, Untagged: false });
    expect(await sim.values(`${BRIDGE}VLANPort.${member}.`)).toMatchObject({ VLAN: `${BRIDGE}VLAN.1`, Port: `${BRIDGE}Port.5`, Untagged: false });
    const refs: Array<Record<string, Value>> = [
      { VLAN: `${BRIDGE}VLAN.7` },
      { Port: `${BRIDGE}Port.10` },
      { Port: 'Device.Bridging.Bridge.2.Port.1' },
      { Port: `${BRIDGE}Port.10.` },
      { VLAN: `${BRIDGE}Port.1` },
    ];
    for (const bad of refs) {
      const e = await refusal(() => sim.set(`${BRIDGE}VLANPort.${member}.`, bad));
      expect(e.code, JSON.stringify(bad)).toBe(ErrorCode.InvalidValue);
    }
    // Without VLAN and Port (its unique key) a membership means nothing: the Add fails.
    expect((await refusal(() => sim.add(`${BRIDGE}VLANPort.`, { Enable: true }))).code).toBe(ErrorCode.InvalidValue);
    await sim.del(`${BRIDGE}VLAN.1.`);
    expect((await sim.values(`${BRIDGE}VLANPort.${member}.`)).VLAN).toBe('');
  });

  it('takes references a Controller writes with the trailing ".", and stores and serves them without it', async () => {
    sim = simulated();
    await sim.add(`${BRIDGE}VLAN.`, { VLANID: 100 });
    await sim.add(`${BRIDGE}VLAN.`, { VLANID: 200 });
    const member = await sim.add(`${BRIDGE}VLANPort.`, { VLAN: `${BRIDGE}VLAN.1.`, Port: `${BRIDGE}Port.5.` });
    expect(await sim.values(`${BRIDGE}VLANPort.${member}.`)).toMatchObject({ VLAN: `${BRIDGE}VLAN.1`, Port: `${BRIDGE}Port.5` });
    await sim.set(`${BRIDGE}VLANPort.${member}.`, { VLAN: `${BRIDGE}VLAN.2.` });
    expect((await sim.values(`${BRIDGE}VLANPort.${member}.`)).VLAN).toBe(`${BRIDGE}VLAN.2`);
    // The same key written the other way is the same membership (7025).
    expect((await refusal(() => sim.add(`${BRIDGE}VLANPort.`, { VLAN: `${BRIDGE}VLAN.2`, Port: `${BRIDGE}Port.5` }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    // A port's own stacking, written back with the dot, is no change.
    await sim.set(`${BRIDGE}Port.5.`, { LowerLayers: 'Device.Ethernet.Interface.4.' });
    expect((await sim.values(`${BRIDGE}Port.5.`)).LowerLayers).toBe('Device.Ethernet.Interface.4');
  });

  it("takes a port's PVID only for a configured VLAN, and checks what the switch can do", async () => {
    sim = simulated();
    const port = `${BRIDGE}Port.5.`;
    expect((await refusal(() => sim.set(port, { PVID: 100 }))).paramErrors[0]?.param).toBe('PVID');
    await sim.add(`${BRIDGE}VLAN.`, { VLANID: 100 });
    await sim.set(port, { PVID: 100, AcceptableFrameTypes: 'AdmitOnlyVLANTagged', TPID: 0x88a8 });
    expect(await sim.values(port)).toMatchObject({ PVID: 100, AcceptableFrameTypes: 'AdmitOnlyVLANTagged', TPID: 34984 });
    const unable: Array<Record<string, Value>> = [{ TPID: 1234 }, { Type: 'ProviderNetworkPort' }, { LowerLayers: 'Device.Ethernet.Interface.1' }, { ManagementPort: true }];
    for (const bad of unable) {
      expect((await refusal(() => sim.set(port, bad))).code, JSON.stringify(bad)).toBe(ErrorCode.InvalidValue);
    }
  });

  it('serves every bridging value as its schema types it, VLAN rows included', async () => {
    sim = simulated();
    sim.advance(3600);
    await sim.add(`${BRIDGE}VLAN.`, { Enable: true, VLANID: 100, Name: 'iptv' });
    await sim.add(`${BRIDGE}VLANPort.`, { Enable: true, VLAN: `${BRIDGE}VLAN.1`, Port: `${BRIDGE}Port.2`, Untagged: true });
    const bridging = (await sim.readAll()).filter((o) => o.path.startsWith('Device.Bridging.'));
    expect(bridging.map((o) => o.path)).toContain(`${BRIDGE}VLANPort.1.`);
    expect(expectSchemaTyped(bridging)).toBeGreaterThan(150);
  });

  it('deletes a port and adds it back over the freed interface; the management port follows', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.del(`${BRIDGE}Port.5.`); // lan4
    expect(await sim.instances(`${BRIDGE}Port.`)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    expect((await sim.values(`${BRIDGE}Port.1.`)).LowerLayers).toBe([2, 3, 4, 6, 7, 8, 9].map((n) => `${BRIDGE}Port.${n}`).join(','));
    // A second port over an interface another port holds is refused; over the freed one it is taken.
    expect((await refusal(() => sim.add(`${BRIDGE}Port.`, { LowerLayers: 'Device.Ethernet.Interface.1' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.add(`${BRIDGE}Port.`, { LowerLayers: 'Device.Ethernet.Interface.5' }))).code).toBe(ErrorCode.InvalidValue); // the WAN port
    const n = await sim.add(`${BRIDGE}Port.`, { Enable: true, LowerLayers: 'Device.Ethernet.Interface.4.' });
    expect(n).toBe(10); // never a number a deleted row had
    expect(await sim.values(`${BRIDGE}Port.10.`)).toMatchObject({ Name: 'lan4', Status: 'Up', LowerLayers: 'Device.Ethernet.Interface.4', ManagementPort: false, Alias: 'cpe-10' });
    expect((await sim.values(`${BRIDGE}Port.1.`)).LowerLayers).toContain(`${BRIDGE}Port.10`);
    expect((await sim.values(BRIDGE)).PortNumberOfEntries).toBe(9);
    // A port with nothing below it waits for its layer; the management port's stacking is not a Controller's to write.
    const bare = await sim.add(`${BRIDGE}Port.`, { Enable: true });
    expect(await sim.values(`${BRIDGE}Port.${bare}.`)).toMatchObject({ Status: 'LowerLayerDown', LowerLayers: '', Name: `br-lan-p${bare}` });
    expect((await refusal(() => sim.set(`${BRIDGE}Port.1.`, { LowerLayers: 'Device.Ethernet.Interface.2' }))).code).toBe(ErrorCode.InvalidValue);
  });

  it("deleting the management port takes br-lan's Ethernet.Link down", async () => {
    sim = simulated();
    sim.advance(600);
    expect((await sim.values('Device.Ethernet.Link.1.')).Status).toBe('Up');
    await sim.del(`${BRIDGE}Port.1.`);
    expect((await sim.values('Device.Ethernet.Link.1.')).Status).toBe('LowerLayerDown');
    await sim.add(`${BRIDGE}Port.`, { Enable: true, ManagementPort: true });
    expect((await sim.values('Device.Ethernet.Link.1.')).Status).toBe('Up');
  });

  it("counts each port's traffic as the interface below it does, and the management port as br-lan", async () => {
    sim = simulated();
    sim.advance(3600);
    const eth = await sim.values('Device.Ethernet.Interface.2.Stats.');
    const port = await sim.values(`${BRIDGE}Port.3.Stats.`);
    expect(port.BytesSent).toBe(eth.BytesSent);
    expect(port.UnicastPacketsReceived).toBe(eth.UnicastPacketsReceived);
    const link = await sim.values('Device.Ethernet.Link.1.Stats.');
    const mgmt = await sim.values(`${BRIDGE}Port.1.Stats.`);
    expect(BigInt(String(mgmt.BytesSent))).toBeGreaterThan(0n);
    expect(BigInt(String(mgmt.BytesSent))).toBeLessThanOrEqual(BigInt(String(link.BytesSent)));
    const wifi = await sim.values(`${BRIDGE}Port.6.Stats.`);
    sim.advance(60);
    const later = await sim.values(`${BRIDGE}Port.6.Stats.`);
    expect(BigInt(String(later.BytesSent))).toBeGreaterThan(BigInt(String(wifi.BytesSent)));
    expect(Number(later.PacketsSent)).toBe(Number(later.UnicastPacketsSent) + Number(later.MulticastPacketsSent) + Number(later.BroadcastPacketsSent));
    // The guest SSID ships disabled: its port has carried nothing.
    expect((await sim.values(`${BRIDGE}Port.9.Stats.`)).BytesSent).toBe('0');
  });

  it('reads and keeps STP settings, refusing timers 802.1D forbids', async () => {
    sim = simulated();
    expect(await sim.values(`${BRIDGE}STP.`)).toEqual({ Enable: false, Status: 'Disabled', Protocol: 'RSTP', BridgePriority: 32768, HelloTime: 200, MaxAge: 2000, ForwardingDelay: 15 });
    await sim.set(`${BRIDGE}STP.`, { Enable: true, BridgePriority: 4096, MaxAge: 1200 });
    expect(await sim.values(`${BRIDGE}STP.`)).toMatchObject({ Enable: true, Status: 'Enabled', BridgePriority: 4096, MaxAge: 1200 });
    expect((await refusal(() => sim.set(`${BRIDGE}STP.`, { ForwardingDelay: 4 }))).paramErrors[0]?.param).toBe('ForwardingDelay');
    expect((await sim.values(`${BRIDGE}Port.2.`)).PathCost).toBe(4); // 1 Gbit/s
    expect((await sim.values(`${BRIDGE}Port.5.`)).PathCost).toBe(19); // lan4, 100 Mbit/s
  });

  it('adds a second bridge, moves a port into it, and deletes it with its rows', async () => {
    sim = simulated();
    sim.advance(600);
    const b = await sim.add('Device.Bridging.Bridge.', { Enable: true, Standard: '802.1D-2004' });
    expect(b).toBe(2);
    expect(await sim.values('Device.Bridging.Bridge.2.')).toMatchObject({ Name: 'br-lan1', Status: 'Enabled', Standard: '802.1D-2004', PortNumberOfEntries: 0 });
    await sim.del(`${BRIDGE}Port.9.`); // the guest SSID leaves br-lan...
    await sim.add('Device.Bridging.Bridge.2.Port.', { Enable: true, ManagementPort: true });
    await sim.add('Device.Bridging.Bridge.2.Port.', { Enable: true, LowerLayers: 'Device.WiFi.SSID.4' }); // ...for the guest bridge
    expect((await sim.values('Device.Bridging.Bridge.2.Port.1.')).LowerLayers).toBe('Device.Bridging.Bridge.2.Port.2');
    expect((await sim.values('Device.Bridging.Bridge.2.Port.2.')).Name).toBe('wl0.1');
    expect((await sim.values('Device.Bridging.')).BridgeNumberOfEntries).toBe(2);
    await sim.del('Device.Bridging.Bridge.2.');
    expect(await sim.instances('Device.Bridging.Bridge.')).toEqual([1]);
    expect(await sim.add('Device.Bridging.Bridge.', {})).toBe(3);
    expect(await sim.instances('Device.Bridging.Bridge.3.Port.')).toEqual([]);
  });
});

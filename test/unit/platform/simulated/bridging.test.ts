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
      'Device.Ethernet.Interface.1', 'Device.Ethernet.Interface.2', 'Device.Ethernet.Interface.3', 'Device.Ethernet.Interface.4',
      'Device.WiFi.SSID.1', 'Device.WiFi.SSID.2', 'Device.WiFi.SSID.3', 'Device.WiFi.SSID.4',
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
      { VLAN: `${BRIDGE}VLAN.7` }, { Port: `${BRIDGE}Port.10` }, { Port: 'Device.Bridging.Bridge.2.Port.1' }, { Port: `${BRIDGE}Port.10.` }, { VLAN: `${BRIDGE}Port.1` },
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

  it('takes a port\'s PVID only for a configured VLAN, and checks what the switch can do', async () => {
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
});

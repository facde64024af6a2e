import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { MAX_PORT_MAPPINGS } from '../../../../platform/simulated/nat.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const PM = 'Device.NAT.PortMapping.';

/**
 * A web server on the NAS, open to one remote site. (RemoteHost is given: left out, or "", the
 * agent's Transaction currently generates a value for it, see the `fails` test below.)
 */
const HTTPS = { Enable: true, RemoteHost: '203.0.113.7', ExternalPort: 443, InternalPort: 8443, Protocol: 'TCP', InternalClient: '192.168.1.10', Description: 'NAS web' };

describe('simulated platform: Device.NAT', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('masquerades on the 5G WAN', async () => {
    sim = simulated();
    expect(await sim.values('Device.NAT.')).toEqual({
      MaxNumberOfPortMappings: MAX_PORT_MAPPINGS,
      InterfaceSettingNumberOfEntries: 1,
      PortMappingNumberOfEntries: 0,
    });
    expect(await sim.values('Device.NAT.InterfaceSetting.1.')).toMatchObject({ Enable: true, Status: 'Enabled', Interface: 'Device.IP.Interface.2' });
  });

  it('adds a port mapping that shows in PortMappingNumberOfEntries and goes live with the WAN', async () => {
    sim = simulated();
    const n = await sim.add(PM, HTTPS);
    expect(n).toBe(1);
    expect((await sim.values('Device.NAT.')).PortMappingNumberOfEntries).toBe(1);
    // Before the data session is up the mapping is installed but carries nothing.
    expect(await sim.values(`${PM}1.`)).toMatchObject({ ...HTTPS, Status: 'Inactive', Origin: 'Controller', Interface: 'Device.IP.Interface.2', LeaseDuration: 0, RemainingLeaseTime: 0 });
    sim.advance(60);
    expect((await sim.values(`${PM}1.`)).Status).toBe('Enabled');
    await sim.set(`${PM}1.`, { Enable: false });
    expect((await sim.values(`${PM}1.`)).Status).toBe('Disabled');
    await sim.del(`${PM}1.`);
    expect((await sim.values('Device.NAT.')).PortMappingNumberOfEntries).toBe(0);
  });

  it('refuses a second mapping with the same RemoteHost+ExternalPort+Protocol (7025), not one for UDP', async () => {
    sim = simulated();
    await sim.add(PM, HTTPS);
    expect((await refusal(() => sim.add(PM, { ...HTTPS, InternalClient: '192.168.1.11' }))).code).toBe(ErrorCode.DuplicateUniqueKey);
    expect(await sim.add(PM, { ...HTTPS, Protocol: 'UDP' })).toBe(3); // 2 was taken by the refused row, and is not reused
    expect(await sim.instances(PM)).toEqual([1, 3]);
  });

  it('refuses what the gateway cannot install (7012), applying nothing', async () => {
    sim = simulated();
    await sim.add(PM, { ...HTTPS, ExternalPort: 8000, ExternalPortEndRange: 8010, InternalPort: 8000 });
    for (const [bad, param] of [
      [{ ExternalPort: 8005 }, 'ExternalPort'], // overlaps 8000-8010
      [{ ExternalPort: 0 }, 'ExternalPort'], // every port, so overlaps too
      [{ ExternalPort: 9000, ExternalPortEndRange: 8999 }, 'ExternalPortEndRange'],
      [{ ExternalPort: 9000, LeaseDuration: 3600 }, 'LeaseDuration'],
      [{ ExternalPort: 9000, Interface: 'Device.IP.Interface.1' }, 'Interface'],
      [{ ExternalPort: 9000, Interface: 'Device.IP.Interface.1.' }, 'Interface'],
      [{ ExternalPort: 9000, InternalClient: 'not a host!' }, 'InternalClient'],
    ] as const) {
      const e = await refusal(() => sim.add(PM, { ...HTTPS, ...bad }));
      expect(e.code, JSON.stringify(bad)).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors.map((p) => p.param)).toContain(param);
    }
    expect(await sim.instances(PM)).toEqual([1]);
    expect((await refusal(() => sim.set(`${PM}1.`, { ExternalPortEndRange: 7000 }))).code).toBe(ErrorCode.InvalidValue);
    expect((await sim.values(`${PM}1.`)).ExternalPortEndRange).toBe(8010);
  });

  it('holds at most MaxNumberOfPortMappings (7005)', async () => {
    sim = simulated();
    for (let i = 0; i < MAX_PORT_MAPPINGS; i++) await sim.add(PM, { ...HTTPS, ExternalPort: 10_000 + i });
    expect((await refusal(() => sim.add(PM, { ...HTTPS, ExternalPort: 20_000 }))).code).toBe(ErrorCode.ResourcesExceeded);
    expect((await sim.values('Device.NAT.')).PortMappingNumberOfEntries).toBe(MAX_PORT_MAPPINGS);
  });

  it('reports why a mapping carries nothing: a client outside the LAN, NAT off, the firewall, the WAN down', async () => {
    sim = simulated();
    sim.advance(60);
    await sim.add(PM, HTTPS);
    const status = async () => (await sim.values(`${PM}1.`)).Status;
    expect(await status()).toBe('Enabled');
    await sim.set(`${PM}1.`, { InternalClient: '10.1.2.3' });
    expect(await status()).toBe('Error_Misconfigured');
    await sim.set(`${PM}1.`, { InternalClient: HTTPS.InternalClient });

    await sim.set('Device.NAT.InterfaceSetting.1.', { Enable: false });
    expect(await status()).toBe('Inactive');
    await sim.set('Device.NAT.InterfaceSetting.1.', { Enable: true });

    await sim.set('Device.Firewall.', { Config: 'Advanced' });
    await sim.set('Device.Firewall.Level.1.', { PortMappingEnabled: false });
    expect(await status()).toBe('Inactive');
    expect((await sim.values('Device.NAT.InterfaceSetting.1.')).Status).toBe('Enabled_PortMappingDisabled');
    await sim.set('Device.Firewall.', { Config: 'Low' });
    expect(await status()).toBe('Enabled');

    await sim.set('Device.Cellular.Interface.1.', { Enable: false });
    expect(await status()).toBe('Inactive');
  });

  it("turns NAT off when the WAN's InterfaceSetting is deleted, and on again with a new row for it", async () => {
    sim = simulated();
    sim.advance(60);
    await sim.add(PM, HTTPS);
    await sim.del('Device.NAT.InterfaceSetting.1.');
    expect((await sim.values('Device.NAT.')).InterfaceSettingNumberOfEntries).toBe(0);
    expect((await sim.values(`${PM}1.`)).Status).toBe('Inactive');
    // Only the WAN can masquerade; a row not yet pointed at it is misconfigured.
    expect((await refusal(() => sim.add('Device.NAT.InterfaceSetting.', { Interface: 'Device.IP.Interface.1' }))).code).toBe(ErrorCode.InvalidValue);
    const n = await sim.add('Device.NAT.InterfaceSetting.', { Enable: true });
    expect(n).toBe(2);
    expect((await sim.values('Device.NAT.InterfaceSetting.2.')).Status).toBe('Error_Misconfigured');
    await sim.set('Device.NAT.InterfaceSetting.2.', { Interface: 'Device.IP.Interface.2.' });
    expect(await sim.values('Device.NAT.InterfaceSetting.2.')).toMatchObject({ Status: 'Enabled', Interface: 'Device.IP.Interface.2', TCPTranslationTimeout: 7440 });
    expect((await sim.values(`${PM}1.`)).Status).toBe('Enabled');
    // One row per interface.
    expect((await refusal(() => sim.add('Device.NAT.InterfaceSetting.', { Interface: 'Device.IP.Interface.2' }))).code).toBe(ErrorCode.InvalidValue);
  });

  // RemoteHost is a writable string in the unique key with a schema default: the agent must not
  // generate a value for it (R-ADD.5 generation is for keys that would otherwise be empty).
  it('keeps RemoteHost "" (any remote host) when the Add leaves it out', async () => {
    sim = simulated();
    const { RemoteHost: _, ...anyRemote } = HTTPS;
    await sim.add(PM, anyRemote);
    expect((await sim.values(`${PM}1.`)).RemoteHost).toBe('');
  });

  it('serves every NAT value as its schema types it', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.add(PM, HTTPS);
    await sim.add(PM, { ...HTTPS, ExternalPort: 5000, ExternalPortEndRange: 5010, Protocol: 'UDP', Enable: false });
    const objects = (await sim.readAll()).filter((o) => o.path.startsWith('Device.NAT.'));
    expect(objects.map((o) => o.path)).toEqual(['Device.NAT.', 'Device.NAT.InterfaceSetting.1.', `${PM}1.`, `${PM}2.`]);
    expectSchemaTyped(objects);
  });
});

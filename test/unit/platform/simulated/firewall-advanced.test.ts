/**
 * The simulated gateway's Advanced firewall (TR-181 AdvancedFirewall:1): Levels, Chains and Rules
 * a Controller adds, and their effect on what the gateway does with traffic it has: a NAT port
 * mapping's Status follows whether the Level in effect lets its inbound connections through.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const PM = 'Device.NAT.PortMapping.';
const HTTPS = { Enable: true, RemoteHost: '203.0.113.7', ExternalPort: 443, InternalPort: 8443, Protocol: 'TCP', InternalClient: '192.168.1.10' };
const WAN = 'Device.IP.Interface.2';

describe('simulated platform: Device.Firewall Config Advanced', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  const mapping = async (): Promise<unknown> => (await sim.values(`${PM}1.`)).Status;

  it('ships one Level with its Chain; a Level added brings a Chain of its own', async () => {
    sim = simulated();
    expect(await sim.values('Device.Firewall.')).toMatchObject({ Config: 'Low', AdvancedLevel: 'Device.Firewall.Level.1', LevelNumberOfEntries: 1, ChainNumberOfEntries: 1 });
    expect(await sim.values('Device.Firewall.Chain.1.')).toMatchObject({ Creator: 'Defaults', Enable: true, RuleNumberOfEntries: 0 });
    const n = await sim.add('Device.Firewall.Level.', { Name: 'Custom' });
    expect(n).toBe(2);
    expect(await sim.values('Device.Firewall.Level.2.')).toMatchObject({ Name: 'Custom', Order: 2, Chain: 'Device.Firewall.Chain.2', Alias: 'cpe-2', PortMappingEnabled: true, DefaultPolicy: 'Drop' });
    expect(await sim.values('Device.Firewall.Chain.2.')).toMatchObject({ Creator: 'ACS', Enable: true, Name: 'Custom' });
  });

  it('the rules of the Level in effect decide a port mapping, in Order; TargetChain jumps', async () => {
    sim = simulated();
    await sim.add(PM, HTTPS);
    sim.advance(60);
    expect(await mapping()).toBe('Enabled');
    await sim.add('Device.Firewall.Level.', { Name: 'Custom' });
    await sim.set('Device.Firewall.', { Config: 'Advanced', AdvancedLevel: 'Device.Firewall.Level.2' });
    // No Rule decides it: the mapping is its pinhole through the default policy.
    expect(await mapping()).toBe('Enabled');
    const drop = await sim.add('Device.Firewall.Chain.2.Rule.', { Enable: true, SourceInterface: WAN, Protocol: 6, DestPort: 8000, DestPortRangeMax: 9000, Target: 'Drop' });
    expect(await sim.values(`Device.Firewall.Chain.2.Rule.${drop}.`)).toMatchObject({ Status: 'Enabled', Order: 1, Alias: `cpe-${drop}` });
    expect(await mapping()).toBe('Inactive');
    // An Accept put first (Order 1) wins; the Drop moves down to 2.
    const accept = await sim.add('Device.Firewall.Chain.2.Rule.', { Enable: true, Order: 1, DestIP: '192.168.1.0', DestMask: '/24', Target: 'Accept' });
    expect(await mapping()).toBe('Enabled');
    expect((await sim.values(`Device.Firewall.Chain.2.Rule.${drop}.`)).Order).toBe(2);
    await sim.set(`Device.Firewall.Chain.2.Rule.${accept}.`, { DestIPExclude: true });
    expect(await mapping()).toBe('Inactive');
    await sim.set(`Device.Firewall.Chain.2.Rule.${accept}.`, { Enable: false });
    // A jump to a chain that accepts TCP 8443, placed first.
    const chain = await sim.add('Device.Firewall.Chain.', { Enable: true, Name: 'nas' });
    await sim.add(`Device.Firewall.Chain.${chain}.Rule.`, { Enable: true, Protocol: 6, DestPort: 8443, Target: 'Accept' });
    await sim.add('Device.Firewall.Chain.2.Rule.', { Enable: true, Order: 1, Target: 'TargetChain', TargetChain: `Device.Firewall.Chain.${chain}` });
    expect(await mapping()).toBe('Enabled');
    await sim.set(`Device.Firewall.Chain.${chain}.`, { Enable: false });
    expect(await mapping()).toBe('Inactive');
    await sim.set(`Device.Firewall.Chain.${chain}.`, { Enable: true });
    await sim.set('Device.Firewall.Level.2.', { PortMappingEnabled: false });
    expect(await mapping()).toBe('Inactive');
    expect((await sim.values('Device.NAT.InterfaceSetting.1.')).Status).toBe('Enabled_PortMappingDisabled');
    await sim.set('Device.Firewall.', { Config: 'Low' });
    expect(await mapping()).toBe('Enabled');
  });

  it('refuses bad rules and settings with 7012, and deleting what is in use with 7024', async () => {
    sim = simulated();
    await sim.add('Device.Firewall.Level.', {});
    await sim.set('Device.Firewall.', { Config: 'Advanced', AdvancedLevel: 'Device.Firewall.Level.2' });
    const rule = 'Device.Firewall.Chain.2.Rule.';
    const code = async (f: () => Promise<unknown>): Promise<number> => {
      const e = await refusal(f);
      return e.paramErrors?.[0]?.code ?? e.code;
    };
    expect(await code(() => sim.add(rule, { SourceInterface: 'Device.IP.Interface.99' }))).toBe(ErrorCode.InvalidValue);
    expect(await code(() => sim.add(rule, { Protocol: 6, DestPort: 8000, DestPortRangeMax: 7000 }))).toBe(ErrorCode.InvalidValue);
    expect(await code(() => sim.add(rule, { Protocol: 300 }))).toBe(ErrorCode.InvalidValue);
    expect(await code(() => sim.add(rule, { Target: 'TargetChain', TargetChain: 'Device.Firewall.Chain.2' }))).toBe(ErrorCode.InvalidValue);
    expect(await code(() => sim.add(rule, { Target: 'TargetChain', TargetChain: 'Device.Firewall.Chain.9' }))).toBe(ErrorCode.InvalidValue);
    await sim.add(rule, { Target: 'TargetChain', TargetChain: 'Device.Firewall.Chain.1' });
    expect(await code(() => sim.add('Device.Firewall.Chain.1.Rule.', { Target: 'TargetChain', TargetChain: 'Device.Firewall.Chain.2' }))).toBe(ErrorCode.InvalidValue);
    expect(await code(() => sim.set('Device.Firewall.', { AdvancedLevel: 'Device.Firewall.Level.42' }))).toBe(ErrorCode.InvalidValue);
    expect(await sim.instances(rule)).toEqual([1]);
    expect((await refusal(() => sim.del('Device.Firewall.Level.2.'))).code).toBe(ErrorCode.DeleteFailure);
    expect((await refusal(() => sim.del('Device.Firewall.Chain.2.'))).code).toBe(ErrorCode.DeleteFailure);
    // A Chain a Rule jumps to, deleted: the Rule reads Error_Misconfigured and can still be disabled.
    const spareChain = await sim.add('Device.Firewall.Chain.', { Enable: true });
    const jumper = await sim.add('Device.Firewall.Chain.1.Rule.', { Enable: true, Target: 'TargetChain', TargetChain: `Device.Firewall.Chain.${spareChain}` });
    await sim.del(`Device.Firewall.Chain.${spareChain}.`);
    expect((await sim.values(`Device.Firewall.Chain.1.Rule.${jumper}.`)).Status).toBe('Error_Misconfigured');
    await sim.set(`Device.Firewall.Chain.1.Rule.${jumper}.`, { Enable: false });
    await sim.del(`Device.Firewall.Chain.1.Rule.${jumper}.`);
    await sim.set('Device.Firewall.', { AdvancedLevel: 'Device.Firewall.Level.1' });
    // Level 2's Chain holds a Rule: it stays when the Level goes. A fresh Level's empty Chain goes with it.
    await sim.del('Device.Firewall.Level.2.');
    expect(await sim.instances('Device.Firewall.Chain.')).toEqual([1, 2]);
    const spare = await sim.add('Device.Firewall.Level.', {});
    await sim.del(`Device.Firewall.Level.${spare}.`);
    expect(await sim.instances('Device.Firewall.Chain.')).toEqual([1, 2]);
  });
});

/**
 * The simulated gateway's Device.QoS.App.{i}., Flow.{i}. and Classification.{i}.App
 * (QoSDynamicFlow:1): rows a Controller adds, their references checked, Status from what they
 * name, deleted Policer and App rows leaving no reference behind, bad input refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import { refusal, type SimFixture, simulated } from './fixture.js';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

const running: SimFixture[] = [];
const gateway = (): SimFixture => {
  const gw = simulated(12);
  running.push(gw);
  return gw;
};
afterEach(() => {
  for (const gw of running.splice(0)) gw.stop();
});
const SIP = 'urn:dslforum-org:sip';
const PPPOE = 'urn:dslforum-org:pppoe';
const AUDIO = 'urn:dslforum-org:sdp-audio-rtpavp';
const status = async (gw: SimFixture, path: string): Promise<unknown> => (await gw.values(path)).Status;

describe('simulated QoS App and Flow', () => {
  it('serves the bounds and the Annex A protocols, and counts the rows', async () => {
    const gw = gateway();
    expect(await gw.values('Device.QoS.')).toMatchObject({
      MaxAppEntries: 8,
      MaxFlowEntries: 16,
      AppNumberOfEntries: 0,
      FlowNumberOfEntries: 0,
      AvailableAppList: 'urn:dslforum-org:sip,urn:dslforum-org:h.323,urn:dslforum-org:h.248,urn:dslforum-org:mgcp,urn:dslforum-org:pppoe',
    });
    const a = await gw.add('Device.QoS.App.', { ProtocolIdentifier: SIP });
    await gw.add('Device.QoS.Flow.', { App: `Device.QoS.App.${a}` });
    expect(await gw.values('Device.QoS.')).toMatchObject({ AppNumberOfEntries: 1, FlowNumberOfEntries: 1 });
  });

  it('an App and its Flows: values kept, Status from Enable, the Policer and the App', async () => {
    const gw = gateway();
    const p = await gw.add('Device.QoS.Policer.', { Enable: true, CommittedRate: 128000 });
    const a = await gw.add('Device.QoS.App.', {
      ProtocolIdentifier: SIP,
      Name: 'voice',
      DefaultPolicer: `Device.QoS.Policer.${p}.`,
      DefaultTrafficClass: 4,
      DefaultForwardingPolicy: 2,
      DefaultDSCPMark: 26,
      DefaultEthernetPriorityMark: -2,
    });
    expect(await gw.values(`Device.QoS.App.${a}.`)).toMatchObject({
      Enable: false,
      Status: 'Disabled',
      Alias: `cpe-${a}`,
      ProtocolIdentifier: SIP,
      Name: 'voice',
      // Stored without the trailing dot (TR-369 reference form).
      DefaultPolicer: `Device.QoS.Policer.${p}`,
      DefaultTrafficClass: 4,
      DefaultForwardingPolicy: 2,
      DefaultDSCPMark: 26,
      DefaultEthernetPriorityMark: -2,
    });
    await gw.set(`Device.QoS.App.${a}.`, { Enable: true });
    expect(await status(gw, `Device.QoS.App.${a}.`)).toBe('Enabled');
    const f = await gw.add('Device.QoS.Flow.', { Enable: true, Type: AUDIO, App: `Device.QoS.App.${a}`, TrafficClass: 5, DSCPMark: 46, Name: 'rtp audio' });
    expect(await gw.values(`Device.QoS.Flow.${f}.`)).toMatchObject({ Status: 'Enabled', Type: AUDIO, App: `Device.QoS.App.${a}`, TrafficClass: 5, DSCPMark: 46, EthernetPriorityMark: -1 });
    // A disabled Policer cannot police the App's traffic: App Error, and its Flow with it.
    await gw.set(`Device.QoS.Policer.${p}.`, { Enable: false });
    expect([await status(gw, `Device.QoS.App.${a}.`), await status(gw, `Device.QoS.Flow.${f}.`)]).toEqual(['Error', 'Error']);
    await gw.set(`Device.QoS.Policer.${p}.`, { Enable: true });
    await gw.set(`Device.QoS.App.${a}.`, { Enable: false });
    expect(await status(gw, `Device.QoS.Flow.${f}.`)).toBe('Error');
    await gw.set(`Device.QoS.App.${a}.`, { Enable: true });
    // An SDP media flow does not belong to the PPPoE App.
    await gw.set(`Device.QoS.App.${a}.`, { ProtocolIdentifier: PPPOE });
    expect(await status(gw, `Device.QoS.Flow.${f}.`)).toBe('Error');
    await gw.set(`Device.QoS.Flow.${f}.`, { Type: PPPOE, TypeParameters: 'ServiceName=internet,ACName=bras%201' });
    expect(await gw.values(`Device.QoS.Flow.${f}.`)).toMatchObject({ Status: 'Enabled', TypeParameters: 'ServiceName=internet,ACName=bras%201' });
    await gw.set(`Device.QoS.Flow.${f}.`, { Enable: false });
    expect(await status(gw, `Device.QoS.Flow.${f}.`)).toBe('Disabled');
  });

  it('a Classification into an App is in effect while the App is Enabled', async () => {
    const gw = gateway();
    const a = await gw.add('Device.QoS.App.', { Enable: true, ProtocolIdentifier: SIP });
    const k = await gw.add('Device.QoS.Classification.', { Enable: true, AllInterfaces: true, Protocol: 17, DestPort: 5060, App: `Device.QoS.App.${a}.` });
    expect(await gw.values(`Device.QoS.Classification.${k}.`)).toMatchObject({ App: `Device.QoS.App.${a}`, TrafficClass: -1, Status: 'Enabled' });
    await gw.set(`Device.QoS.App.${a}.`, { Enable: false });
    expect(await status(gw, `Device.QoS.Classification.${k}.`)).toBe('Error_Misconfigured');
    // TR-181: App and TrafficClass are mutually exclusive.
    const both = await refusal(() => gw.set(`Device.QoS.Classification.${k}.`, { TrafficClass: 3 }));
    expect([both.code, both.paramErrors?.map((e) => e.param)]).toEqual([7012, ['TrafficClass']]);
    expect((await refusal(() => gw.add('Device.QoS.Classification.', { TrafficClass: 3, App: `Device.QoS.App.${a}` }))).code).toBe(7012);
    await gw.set(`Device.QoS.Classification.${k}.`, { App: '', TrafficClass: 3 });
    expect(await gw.values(`Device.QoS.Classification.${k}.`)).toMatchObject({ App: '', TrafficClass: 3 });
  });

  it('deleting a Policer or an App empties every reference to it; the referring rows stay', async () => {
    const gw = gateway();
    const p = await gw.add('Device.QoS.Policer.', { Enable: true, CommittedRate: 64000 });
    const other = await gw.add('Device.QoS.Policer.', { Enable: true, CommittedRate: 64000 });
    const pRef = `Device.QoS.Policer.${p}`;
    const a = await gw.add('Device.QoS.App.', { Enable: true, DefaultPolicer: pRef });
    const aRef = `Device.QoS.App.${a}`;
    const f = await gw.add('Device.QoS.Flow.', { Enable: true, App: aRef, Policer: pRef });
    const f2 = await gw.add('Device.QoS.Flow.', { Enable: true, App: aRef, Policer: `Device.QoS.Policer.${other}` });
    const k = await gw.add('Device.QoS.Classification.', { Enable: true, AllInterfaces: true, Policer: pRef, App: aRef });
    await gw.set('Device.QoS.', { DefaultPolicer: pRef });

    // A transaction that fails after the Delete puts the row and every reference back.
    const policer = { node: gw.model.requireNode('Device.QoS.Policer.{i}.'), keys: [p] };
    const failing = Transaction.run(gw.model, {}, async (tx) => {
      await tx.delete(policer);
      throw new Error('a later object of the request failed');
    });
    await expect(failing).rejects.toThrow('a later object');
    expect(await gw.values(`Device.QoS.Flow.${f}.`)).toMatchObject({ Policer: pRef, App: aRef });
    expect((await gw.values(`Device.QoS.Classification.${k}.`)).Policer).toBe(pRef);
    expect((await gw.values('Device.QoS.')).DefaultPolicer).toBe(pRef);

    await gw.del(`Device.QoS.Policer.${p}.`);
    expect((await gw.values('Device.QoS.')).DefaultPolicer).toBe('');
    expect((await gw.values(`Device.QoS.App.${a}.`)).DefaultPolicer).toBe('');
    expect((await gw.values(`Device.QoS.Flow.${f}.`)).Policer).toBe('');
    expect((await gw.values(`Device.QoS.Flow.${f2}.`)).Policer).toBe(`Device.QoS.Policer.${other}`);
    expect((await gw.values(`Device.QoS.Classification.${k}.`)).Policer).toBe('');
    expect([await status(gw, `Device.QoS.App.${a}.`), await status(gw, `Device.QoS.Flow.${f}.`), await status(gw, `Device.QoS.Classification.${k}.`)]).toEqual(['Enabled', 'Enabled', 'Enabled']);

    await gw.del(`Device.QoS.App.${a}.`);
    expect(await gw.instances('Device.QoS.Flow.')).toEqual([f, f2]);
    expect((await gw.values(`Device.QoS.Flow.${f}.`)).App).toBe('');
    expect((await gw.values(`Device.QoS.Flow.${f2}.`)).App).toBe('');
    expect((await gw.values(`Device.QoS.Classification.${k}.`)).App).toBe('');
  });

  it('a reference that names no row (a Controller cannot set one: 7012 at the USP edge) makes the Status Error', async () => {
    const gw = gateway();
    const a = await gw.add('Device.QoS.App.', { Enable: true, DefaultPolicer: 'Device.QoS.Policer.9' });
    const f = await gw.add('Device.QoS.Flow.', { Enable: true, App: 'Device.QoS.App.9' });
    const f2 = await gw.add('Device.QoS.Flow.', { Enable: true, Policer: 'Device.QoS.Policer.9' });
    const k = await gw.add('Device.QoS.Classification.', { Enable: true, AllInterfaces: true, App: 'Device.QoS.App.9' });
    expect([
      await status(gw, `Device.QoS.App.${a}.`),
      await status(gw, `Device.QoS.Flow.${f}.`),
      await status(gw, `Device.QoS.Flow.${f2}.`),
      await status(gw, `Device.QoS.Classification.${k}.`),
    ]).toEqual(['Error', 'Error', 'Error', 'Error_Misconfigured']);
  });

  it('refuses references to another table, unknown protocols and flow types, bad marks (7012), and rows past the bounds (7005), keeping nothing', async () => {
    const gw = gateway();
    const a = await gw.add('Device.QoS.App.', { ProtocolIdentifier: PPPOE });
    const bad: Array<[string, Record<string, string | number>, string]> = [
      ['App', { DefaultPolicer: 'Device.QoS.Queue.1' }, 'DefaultPolicer'],
      ['App', { ProtocolIdentifier: 'urn:example:quic' }, 'ProtocolIdentifier'],
      ['App', { DefaultDSCPMark: 64 }, 'DefaultDSCPMark'],
      ['App', { DefaultDSCPMark: -2, DefaultEthernetPriorityMark: -2 }, 'DefaultEthernetPriorityMark'],
      ['Flow', { App: 'Device.QoS.Policer.1' }, 'App'],
      ['Flow', { Policer: 'Device.QoS.App.1' }, 'Policer'],
      ['Flow', { Type: 'urn:example:flow' }, 'Type'],
      ['Flow', { Type: AUDIO, TypeParameters: 'ServiceName=x' }, 'TypeParameters'],
      ['Flow', { Type: PPPOE, TypeParameters: 'ServiceName' }, 'TypeParameters'],
      ['Flow', { EthernetPriorityMark: 8 }, 'EthernetPriorityMark'],
      ['Classification', { App: 'Device.QoS.Flow.1' }, 'App'],
    ];
    for (const [table, values, param] of bad) {
      const e = await refusal(() => gw.add(`Device.QoS.${table}.`, values));
      expect([table, values, e.code, e.paramErrors?.map((x) => x.param)]).toEqual([table, values, 7012, [param]]);
    }
    const s = await refusal(() => gw.set(`Device.QoS.App.${a}.`, { ProtocolIdentifier: 'urn:example:quic' }));
    expect(s.code).toBe(7012);
    expect((await gw.values(`Device.QoS.App.${a}.`)).ProtocolIdentifier).toBe(PPPOE);
    expect(await gw.values('Device.QoS.')).toMatchObject({ AppNumberOfEntries: 1, FlowNumberOfEntries: 0, ClassificationNumberOfEntries: 0 });

    for (let i = 1; i < 8; i++) await gw.add('Device.QoS.App.', {});
    expect((await refusal(() => gw.add('Device.QoS.App.', {}))).code).toBe(7005);
    for (let i = 0; i < 16; i++) await gw.add('Device.QoS.Flow.', {});
    expect((await refusal(() => gw.add('Device.QoS.Flow.', {}))).code).toBe(7005);
  });
});

const fleet = simulatedFleet(14);

describe('simulated QoS App and Flow on a fleet', () => {
  it('an idle gateway builds none of it; a gateway a Controller uses it on runs the fleet’s code', async () => {
    const [builder, used, idle] = fleet(3);
    expect(used.model.pendingGroups()).toContain('simulated QoS');
    const a = await used.add('Device.QoS.App.', { Enable: true, ProtocolIdentifier: SIP });
    const f = await used.add('Device.QoS.Flow.', { Enable: true, App: `Device.QoS.App.${a}`, Type: AUDIO });
    expect((await used.values(`Device.QoS.Flow.${f}.`)).Status).toBe('Enabled');
    expect(used.model.pendingGroups()).not.toContain('simulated QoS');
    expect(idle.model.pendingGroups()).toContain('simulated QoS');
    for (const path of ['Device.QoS.App.{i}.', 'Device.QoS.Flow.{i}.']) expectSharedCode(path, builder.binding(path), used.binding(path));
    // The other gateways' tables stay empty: the rows are the gateway's own.
    expect(await builder.instances('Device.QoS.App.')).toEqual([]);
  });
});

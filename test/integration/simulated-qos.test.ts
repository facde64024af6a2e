/**
 * Device.QoS on the simulated gateway (TR-181 QoS:1), by a Controller over a real WebSocket: a
 * Shaper on the WAN, a Queue and a Classification into its traffic class, a Policer the
 * Classification names, each with its Status; TR-106 Order; bad input refused (7012 / 7005)
 * with nothing changed; Device.QoS.'s bounds and Default* kept; App and Flow rows
 * (QoSDynamicFlow:1) with their strong references checked here, at the USP edge, and emptied
 * when the Policer or App they name is deleted; GetSupportedDM's Device.QoS. objects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects, responseOf } from '../peers/get-objects.js';

const WAN = 'Device.IP.Interface.2';
const errCode = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number | undefined => (r.ok ? undefined : (r.paramErrCode ?? r.errCode));

describe('simulated gateway: a Controller configures QoS', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  it('serves the bounds and the Annex A App protocols, and keeps the Default* results', async () => {
    const c = f.controller;
    expect((await getObjects(c, ['Device.QoS.']))['Device.QoS.']).toMatchObject({
      MaxClassificationEntries: '32',
      MaxQueueEntries: '16',
      MaxShaperEntries: '4',
      MaxAppEntries: '8',
      MaxFlowEntries: '16',
      AvailableAppList: 'urn:dslforum-org:sip,urn:dslforum-org:h.323,urn:dslforum-org:h.248,urn:dslforum-org:mgcp,urn:dslforum-org:pppoe',
      AppNumberOfEntries: '0',
      FlowNumberOfEntries: '0',
      ClassificationNumberOfEntries: '0',
    });
    await set(c, 'Device.QoS.', { DefaultDSCPMark: '10', DefaultTrafficClass: '7' });
    expect((await getObjects(c, ['Device.QoS.']))['Device.QoS.']).toMatchObject({ DefaultDSCPMark: '10', DefaultTrafficClass: '7' });
    expect(errCode(await trySet(c, 'Device.QoS.', { DefaultDSCPMark: '64' }))).toBe(7012);
  });

  it('Shaper, Queue, Policer and Classification rows with their Status', async () => {
    const c = f.controller;
    const s = await add(c, 'Device.QoS.Shaper.', { Enable: 'true', Interface: WAN, ShapingRate: '1000000' });
    expect((await getObjects(c, [s]))[s]).toMatchObject({ Status: 'Enabled', Interface: WAN, ShapingRate: '1000000' });
    const p = await add(c, 'Device.QoS.Policer.', { Enable: 'true', CommittedRate: '200000', MeterType: 'TwoRateThreeColor', PeakRate: '400000' });
    expect((await getObjects(c, [p]))[p]).toMatchObject({ Status: 'Enabled', PossibleMeterTypes: 'SimpleTokenBucket,SingleRateThreeColor,TwoRateThreeColor', TotalCountedPackets: '0' });
    const k = await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', Protocol: '6', DestPort: '443', TrafficClass: '5', Policer: p.slice(0, -1) });
    // Class 5 has no Queue yet: the Classification cannot take effect.
    expect((await getObjects(c, [`${k}Status`]))[k]!.Status).toBe('Error_Misconfigured');
    const q = await add(c, 'Device.QoS.Queue.', { Enable: 'true', Interface: WAN, TrafficClasses: '5,6', Precedence: '2' });
    expect(await getObjects(c, [`${q}Status`, `${k}Status`])).toEqual({ [q]: { Status: 'Enabled' }, [k]: { Status: 'Enabled' } });
    await set(c, q, { Enable: 'false' });
    expect((await getObjects(c, [`${k}Status`]))[k]!.Status).toBe('Error_Misconfigured');
    await set(c, q, { Enable: 'true' });
    // TR-106 Order: a new row at Order 1 moves the other one down.
    const k2 = await add(c, 'Device.QoS.Classification.', { Order: '1', Interface: 'Device.IP.Interface.1', DSCPCheck: '46' });
    expect(await getObjects(c, ['Device.QoS.Classification.*.Order'])).toEqual({ [k2]: { Order: '1' }, [k]: { Order: '2' } });
    await del(c, k2);
  });

  it('a route takes a ForwardingPolicy for Classifications to pick (QoS:1), kept across reads', async () => {
    const c = f.controller;
    const route = Object.keys(await getObjects(c, ['Device.Routing.Router.1.IPv4Forwarding.*.Enable'])).at(-1)!;
    await set(c, route, { ForwardingPolicy: '3' });
    expect((await getObjects(c, [`${route}ForwardingPolicy`]))[route]!.ForwardingPolicy).toBe('3');
    const k = await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', ForwardingPolicy: '3' });
    expect((await getObjects(c, [`${k}ForwardingPolicy`, `${k}Status`]))[k]).toEqual({ ForwardingPolicy: '3', Status: 'Enabled' });
    await del(c, k);
  });

  it('refuses bad input with 7012 or 7005 and changes nothing', async () => {
    const c = f.controller;
    const before = await getObjects(c, ['Device.QoS.']);
    const bad: Array<[string, Record<string, string>, number]> = [
      ['Shaper', { ShapingRate: '0' }, 7012],
      ['Shaper', { Interface: 'Device.IP.Interface.9' }, 7012],
      ['Queue', { SchedulerAlgorithm: 'SP', Precedence: '0' }, 7012],
      ['Classification', { SourceIP: '10.0.0.1', DestIP: '2001:db8::1' }, 7012],
      ['Classification', { Policer: 'Device.QoS.Policer.99' }, 7012],
      ['Classification', { DSCPMark: '-2', EthernetPriorityMark: '-2' }, 7012],
      ['Policer', { ConformingAction: '99' }, 7012],
      ['Policer', { Enable: 'true', CommittedRate: '0' }, 7012],
    ];
    for (const [table, params, code] of bad) expect([table, params, errCode(await tryAdd(c, `Device.QoS.${table}.`, params))]).toEqual([table, params, code]);
    expect(await getObjects(c, ['Device.QoS.'])).toEqual(before);
    // Past MaxQueueEntries (a Shaper's Interface is a unique key: rows without one would clash first).
    const have = Number(before['Device.QoS.']!.QueueNumberOfEntries);
    const extra: string[] = [];
    for (let i = have; i < 16; i++) extra.push(await add(c, 'Device.QoS.Queue.', {}));
    expect(errCode(await tryAdd(c, 'Device.QoS.Queue.', {}))).toBe(7005);
    await del(c, ...extra);
  });

  it('App and Flow rows: references checked (7012), Status, a deleted Policer and App leave no reference', async () => {
    const c = f.controller;
    const p = await add(c, 'Device.QoS.Policer.', { Enable: 'true', CommittedRate: '128000', Alias: 'voice-policer' });
    // Key-based addressing (TR-369 R-ARC.11) is stored as the instance number.
    const a = await add(c, 'Device.QoS.App.', { Enable: 'true', ProtocolIdentifier: 'urn:dslforum-org:sip', DefaultPolicer: 'Device.QoS.Policer.[Alias=="voice-policer"].', DefaultTrafficClass: '4' });
    expect((await getObjects(c, [a]))[a]).toMatchObject({ Status: 'Enabled', DefaultPolicer: p.slice(0, -1), DefaultTrafficClass: '4' });
    const fl = await add(c, 'Device.QoS.Flow.', { Enable: 'true', Type: 'urn:dslforum-org:sdp-audio-rtpavp', App: a, Policer: p, DSCPMark: '46' });
    const k = await add(c, 'Device.QoS.Classification.', { Enable: 'true', AllInterfaces: 'true', Protocol: '17', DestPort: '5060', App: a.slice(0, -1) });
    expect(await getObjects(c, [`${fl}Status`, `${fl}App`, `${k}Status`])).toEqual({ [fl]: { Status: 'Enabled', App: a.slice(0, -1) }, [k]: { Status: 'Enabled' } });
    // Switching the App to PPPoE leaves its SDP media flow in Error.
    await set(c, a, { ProtocolIdentifier: 'urn:dslforum-org:pppoe' });
    expect((await getObjects(c, [`${fl}Status`]))[fl]!.Status).toBe('Error');

    const before = await getObjects(c, ['Device.QoS.App.', 'Device.QoS.Flow.']);
    const bad: Array<[string, Record<string, string>]> = [
      ['App', { DefaultPolicer: 'Device.QoS.Policer.99' }],
      ['App', { ProtocolIdentifier: 'urn:example:quic' }],
      ['App', { DefaultDSCPMark: '64' }],
      ['Flow', { App: 'Device.QoS.App.99' }],
      ['Flow', { Policer: 'Device.QoS.Policer.99' }],
      ['Flow', { Type: 'urn:dslforum-org:sdp-audio-rtpavp', TypeParameters: 'ServiceName=x' }],
      ['Classification', { App: 'Device.QoS.App.99' }],
      ['Classification', { App: a, TrafficClass: '3' }],
    ];
    for (const [table, params] of bad) expect([table, params, errCode(await tryAdd(c, `Device.QoS.${table}.`, params))]).toEqual([table, params, 7012]);
    expect(errCode(await trySet(c, fl, { App: 'Device.QoS.App.99' }))).toBe(7012);
    expect(await getObjects(c, ['Device.QoS.App.', 'Device.QoS.Flow.'])).toEqual(before);

    // One Delete of both: the references go empty, the Flow and the Classification stay.
    await del(c, p, a);
    expect(await getObjects(c, [`${fl}App`, `${fl}Policer`, `${k}App`, `${k}Status`])).toEqual({ [fl]: { App: '', Policer: '' }, [k]: { App: '', Status: 'Enabled' } });
    await del(c, fl, k);
  });

  it('GetSupportedDM lists App and Flow as tables a Controller adds to, and Classification.App as writable', async () => {
    const r = responseOf(
      await f.controller.send({
        reqType: 'getSupportedDm',
        getSupportedDm: { objPaths: ['Device.QoS.'], firstLevelOnly: false, returnCommands: false, returnEvents: false, returnParams: true, returnUniqueKeySets: false },
      }),
    );
    if (r.respType !== 'getSupportedDmResp') throw new Error(r.respType);
    const objs = r.getSupportedDmResp.reqObjResults[0]!.supportedObjs ?? [];
    expect(objs.map((o) => `${o.supportedObjPath} ${o.access}`)).toEqual([
      'Device.QoS. OBJ_READ_ONLY',
      'Device.QoS.Classification.{i}. OBJ_ADD_DELETE',
      'Device.QoS.App.{i}. OBJ_ADD_DELETE',
      'Device.QoS.Flow.{i}. OBJ_ADD_DELETE',
      'Device.QoS.Policer.{i}. OBJ_ADD_DELETE',
      'Device.QoS.Queue.{i}. OBJ_ADD_DELETE',
      'Device.QoS.QueueStats.{i}. OBJ_ADD_DELETE',
      'Device.QoS.Shaper.{i}. OBJ_ADD_DELETE',
    ]);
    const classification = objs.find((o) => o.supportedObjPath === 'Device.QoS.Classification.{i}.');
    expect(classification?.supportedParams?.find((q) => q.paramName === 'App')?.access).toBe('PARAM_READ_WRITE');
    const flow = objs.find((o) => o.supportedObjPath === 'Device.QoS.Flow.{i}.');
    expect(flow?.supportedParams?.map((q) => `${q.paramName} ${q.access}`)).toEqual([
      'Enable PARAM_READ_WRITE',
      'Status PARAM_READ_ONLY',
      'Alias PARAM_READ_WRITE',
      'Type PARAM_READ_WRITE',
      'TypeParameters PARAM_READ_WRITE',
      'Name PARAM_READ_WRITE',
      'App PARAM_READ_WRITE',
      'ForwardingPolicy PARAM_READ_WRITE',
      'TrafficClass PARAM_READ_WRITE',
      'Policer PARAM_READ_WRITE',
      'DSCPMark PARAM_READ_WRITE',
      'EthernetPriorityMark PARAM_READ_WRITE',
    ]);
  });
});

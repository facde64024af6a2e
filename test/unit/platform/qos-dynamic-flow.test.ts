/** The App and Flow row checks every platform makes (TR-181 QoSDynamicFlow:1, Annex A URNs). */
import { describe, expect, it } from 'vitest';
import { ANNEX_A_PROTOCOLS, appOf, appProblems, flowFitsApp, flowKind, flowProblems, typeParameterNames } from '../../../platform/qos-dynamic-flow.js';

const params = (bad: Array<{ param: string }>): string[] => bad.map((b) => b.param);

describe('QoS App and Flow row checks', () => {
  it('accepts an empty App and one of every Annex A protocol', () => {
    expect(appProblems({}, ANNEX_A_PROTOCOLS)).toEqual([]);
    for (const p of ANNEX_A_PROTOCOLS) expect(appProblems({ ProtocolIdentifier: p, DefaultPolicer: 'Device.QoS.Policer.1', DefaultDSCPMark: 46 }, ANNEX_A_PROTOCOLS)).toEqual([]);
  });

  it('refuses a protocol the device does not list, marks out of range, both marks derived, a reference of another table', () => {
    expect(params(appProblems({ ProtocolIdentifier: 'urn:example:quic' }, ANNEX_A_PROTOCOLS))).toEqual(['ProtocolIdentifier']);
    expect(params(appProblems({ DefaultDSCPMark: 64, DefaultEthernetPriorityMark: 8 }, ANNEX_A_PROTOCOLS))).toEqual(['DefaultDSCPMark', 'DefaultEthernetPriorityMark']);
    expect(params(appProblems({ DefaultDSCPMark: -3 }, ANNEX_A_PROTOCOLS))).toEqual(['DefaultDSCPMark']);
    expect(params(appProblems({ DefaultDSCPMark: -2, DefaultEthernetPriorityMark: -2 }, ANNEX_A_PROTOCOLS))).toEqual(['DefaultEthernetPriorityMark']);
    expect(params(appProblems({ DefaultPolicer: 'Device.QoS.Queue.1' }, ANNEX_A_PROTOCOLS))).toEqual(['DefaultPolicer']);
  });

  it('names flow kinds by their Type URN', () => {
    expect(flowKind('')).toBe('');
    expect(flowKind('urn:dslforum-org:sdp-audio-rtpavp')).toBe('sdp');
    expect(flowKind('urn:dslforum-org:sdp-video-RTPSAVP')).toBe('sdp');
    expect(flowKind('urn:dslforum-org:pppoe')).toBe('pppoe');
    // Annex A drops the non-alphanumerics of the SDP fields: "rtp/avp" is written rtpavp.
    expect(flowKind('urn:dslforum-org:sdp-audio-rtp/avp')).toBeUndefined();
    expect(flowKind('urn:dslforum-org:sdp-audio')).toBeUndefined();
    expect(flowKind('urn:example:flow')).toBeUndefined();
  });

  it('fits SDP flows to signalling Apps and the PPPoE flow to the PPPoE App', () => {
    expect(flowFitsApp('urn:dslforum-org:sdp-audio-rtpavp', 'urn:dslforum-org:sip')).toBe(true);
    expect(flowFitsApp('urn:dslforum-org:sdp-audio-rtpavp', 'urn:dslforum-org:pppoe')).toBe(false);
    expect(flowFitsApp('urn:dslforum-org:pppoe', 'urn:dslforum-org:pppoe')).toBe(true);
    expect(flowFitsApp('urn:dslforum-org:pppoe', 'urn:dslforum-org:h.248')).toBe(false);
    expect(flowFitsApp('', 'urn:dslforum-org:pppoe')).toBe(true);
    expect(flowFitsApp('urn:dslforum-org:pppoe', '')).toBe(true);
  });

  it('reads TypeParameters as form-urlencoded name=value pairs', () => {
    expect(typeParameterNames('')).toEqual([]);
    expect(typeParameterNames('ServiceName=isp+one,AC%4eame=bras%201')).toEqual(['ServiceName', 'ACName']);
    expect(typeParameterNames('ServiceName')).toBeUndefined();
    expect(typeParameterNames('a=b=c')).toBeUndefined();
    expect(typeParameterNames('a=%zz')).toBeUndefined();
  });

  it('accepts a Flow of either kind with the parameters its type defines', () => {
    expect(flowProblems({})).toEqual([]);
    expect(flowProblems({ Type: 'urn:dslforum-org:sdp-video-rtpavp', App: 'Device.QoS.App.1', Policer: 'Device.QoS.Policer.2', DSCPMark: 34 })).toEqual([]);
    expect(flowProblems({ Type: 'urn:dslforum-org:pppoe', TypeParameters: 'ServiceName=internet,ACName=bras1,PPPDomain=isp.example' })).toEqual([]);
  });

  it('refuses an unknown Type, parameters its type does not define or given twice, references of another table, bad marks', () => {
    expect(params(flowProblems({ Type: 'urn:example:flow' }))).toEqual(['Type']);
    expect(params(flowProblems({ Type: 'urn:dslforum-org:sdp-audio-rtpavp', TypeParameters: 'ServiceName=x' }))).toEqual(['TypeParameters']);
    expect(params(flowProblems({ Type: 'urn:dslforum-org:pppoe', TypeParameters: 'Realm=x' }))).toEqual(['TypeParameters']);
    expect(params(flowProblems({ Type: 'urn:dslforum-org:pppoe', TypeParameters: 'ACName=a,ACName=b' }))).toEqual(['TypeParameters']);
    expect(params(flowProblems({ Type: 'urn:dslforum-org:pppoe', TypeParameters: 'ACName' }))).toEqual(['TypeParameters']);
    expect(params(flowProblems({ App: 'Device.QoS.Policer.1', Policer: 'Device.QoS.App.1' }))).toEqual(['App', 'Policer']);
    expect(params(flowProblems({ DSCPMark: 64, EthernetPriorityMark: -3 }))).toEqual(['DSCPMark', 'EthernetPriorityMark']);
    expect(params(flowProblems({ DSCPMark: -2, EthernetPriorityMark: -2 }))).toEqual(['EthernetPriorityMark']);
  });

  it('reads App references', () => {
    expect(appOf('Device.QoS.App.3')).toBe(3);
    expect(appOf('Device.QoS.App.3.')).toBeUndefined();
    expect(appOf('Device.QoS.Flow.3')).toBeUndefined();
    expect(appOf(undefined)).toBeUndefined();
  });
});

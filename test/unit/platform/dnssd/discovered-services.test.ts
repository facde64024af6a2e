import { describe, expect, it } from 'vitest';
import { labelsOf, RecordType, type ResourceRecord } from '../../../../platform/dnssd/dns-message.js';
import { DiscoveredServices, LIMITS } from '../../../../platform/dnssd/discovered-services.js';

const T0 = Date.UTC(2026, 0, 1);
const TYPE = labelsOf('_ipp._tcp.local');

/** What a responder (avahi) sends for one service: PTR, SRV, TXT and the target's A. */
function announce(instance: string, opts: { ttl?: number; srvTtl?: number; port?: number; txt?: string[]; host?: string } = {}): ResourceRecord[] {
  const name = [instance, ...TYPE];
  const host = labelsOf(opts.host ?? 'printer.local');
  return [
    { name: TYPE, type: RecordType.PTR, ttl: opts.ttl ?? 4500, cacheFlush: false, data: name },
    { name, type: RecordType.SRV, ttl: opts.srvTtl ?? 120, cacheFlush: true, data: { priority: 1, weight: 2, port: opts.port ?? 631, target: host } },
    { name, type: RecordType.TXT, ttl: opts.ttl ?? 4500, cacheFlush: true, data: (opts.txt ?? ['rp=ipp/print']).map((s) => Buffer.from(s)) },
    { name: host, type: RecordType.A, ttl: 120, cacheFlush: true, data: '192.168.1.20' },
  ];
}

describe('DiscoveredServices: the Service table from mDNS records', () => {
  it('a service with PTR and SRV is a row: TR-181 names, target with its dot, TXT pairs, addresses', () => {
    const d = new DiscoveredServices();
    d.take(announce('Office Printer', { txt: ['rp=ipp/print', 'Color', 'Color=F', '=x', 'note='] }), T0);
    expect(d.list(T0)).toEqual([
      {
        key: 'office printer\u0000_ipp\u0000_tcp\u0000local',
        instanceName: 'Office Printer',
        applicationProtocol: 'ipp',
        transportProtocol: 'TCP',
        domain: 'local',
        target: 'printer.local.',
        port: 631,
        priority: 1,
        weight: 2,
        timeToLive: 120,
        status: 'LeaseActive',
        lastUpdate: T0,
        // RFC 6763 6.4: the first "Color" wins; an empty key is ignored; "Color" alone is a boolean attribute.
        textRecords: [
          { key: 'rp', value: 'ipp/print' },
          { key: 'Color', value: '' },
          { key: 'note', value: '' },
        ],
        addresses: ['192.168.1.20'],
      },
    ]);
  });

  it('a PTR alone asks for SRV, TXT; a new service type asks for its instances', () => {
    const d = new DiscoveredServices();
    const follow = d.take([{ name: labelsOf('_services._dns-sd._udp.local'), type: RecordType.PTR, ttl: 4500, cacheFlush: false, data: TYPE }], T0);
    expect(follow).toEqual([{ name: TYPE, type: RecordType.PTR }]);
    expect(d.serviceTypes(T0)).toEqual([TYPE]);
    const more = d.take([announce('P')[0]!], T0);
    expect(more.map((q) => q.type).sort()).toEqual([RecordType.TXT, RecordType.SRV].sort());
    expect(d.list(T0)).toEqual([]);
  });

  it('records expire as their TTL says: the SRV after 120 s takes the row with it', () => {
    const d = new DiscoveredServices();
    d.take(announce('P'), T0);
    expect(d.list(T0 + 119_000)).toHaveLength(1);
    expect(d.list(T0 + 120_000)).toEqual([]);
  });

  it('a refreshed record lives on; the refresh is asked at 80 % and 90 % of its TTL', () => {
    const d = new DiscoveredServices();
    d.take(announce('P'), T0);
    expect(d.nextDue()).toBe(T0 + 96_000);
    expect(d.refreshesDue(T0 + 95_000)).toEqual([]);
    expect(d.refreshesDue(T0 + 96_000)).toEqual([{ name: ['P', ...TYPE], type: RecordType.SRV }]);
    expect(d.refreshesDue(T0 + 97_000)).toEqual([]);
    expect(d.refreshesDue(T0 + 108_000)).toEqual([{ name: ['P', ...TYPE], type: RecordType.SRV }]);
    d.take(announce('P').slice(1, 2), T0 + 110_000);
    expect(d.list(T0 + 200_000)).toHaveLength(1);
  });

  it('a goodbye (TTL 0) reads GoodbyeReceived and removes the row one second later', () => {
    const d = new DiscoveredServices();
    d.take(announce('P'), T0);
    d.take(announce('P', { ttl: 0, srvTtl: 0 }), T0 + 5000);
    expect(d.list(T0 + 5000)).toMatchObject([{ status: 'GoodbyeReceived', timeToLive: 0, port: 631 }]);
    expect(d.list(T0 + 6000)).toEqual([]);
    // A goodbye of a service never heard adds nothing.
    d.take(announce('Q', { ttl: 0, srvTtl: 0 }), T0 + 7000);
    expect(d.list(T0 + 7000)).toEqual([]);
  });

  it('bounded: services, text records per service, service types', () => {
    const d = new DiscoveredServices();
    for (let i = 0; i < LIMITS.services + 20; i++) d.take(announce(`P${i}`), T0);
    expect(d.list(T0)).toHaveLength(LIMITS.services);
    const txt = Array.from({ length: 100 }, (_, i) => `k${i}=v`);
    const e = new DiscoveredServices();
    e.take(announce('P', { txt }), T0);
    expect(e.list(T0)[0]!.textRecords).toHaveLength(LIMITS.textRecordsPerService);
    const types = new DiscoveredServices();
    for (let i = 0; i < LIMITS.serviceTypes + 10; i++)
      types.take([{ name: labelsOf('_services._dns-sd._udp.local'), type: RecordType.PTR, ttl: 10, cacheFlush: false, data: [`_t${i}`, '_tcp', 'local'] }], T0);
    expect(types.serviceTypes(T0)).toHaveLength(LIMITS.serviceTypes);
  });

  it('ignores PTRs that are not a service type and its instance, and service types that are not _app._tcp|_udp', () => {
    const d = new DiscoveredServices();
    d.take([{ name: labelsOf('_ipp._tcp.local'), type: RecordType.PTR, ttl: 10, cacheFlush: false, data: labelsOf('other._http._tcp.local') }], T0);
    d.take([{ name: labelsOf('_services._dns-sd._udp.local'), type: RecordType.PTR, ttl: 10, cacheFlush: false, data: labelsOf('_ipp._sctp.local') }], T0);
    d.take([{ name: labelsOf('_services._dns-sd._udp.local'), type: RecordType.PTR, ttl: 10, cacheFlush: false, data: labelsOf('_waytoolongservicename._tcp.local') }], T0);
    expect(d.serviceTypes(T0)).toEqual([]);
    expect(d.list(T0)).toEqual([]);
  });
});

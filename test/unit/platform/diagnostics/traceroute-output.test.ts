/** parseTraceRouteOutput against recorded traceroute and BusyBox traceroute runs (TR-181 TraceRoute()). */
import { describe, expect, it } from 'vitest';
import { parseTraceRouteOutput } from '../../../../platform/diagnostics/traceroute-output.js';
import { recording, recordingNames } from './recorded.js';

const parse = (name: string, maxHops = 30) => {
  const r = recording(name);
  return parseTraceRouteOutput(r.stdout, r.stderr, maxHops);
};

describe('parseTraceRouteOutput', () => {
  it('every recorded traceroute run parses to a TR-181 status', () => {
    const names = recordingNames().filter((n) => n.includes('traceroute'));
    expect(names.length).toBeGreaterThanOrEqual(13);
    for (const n of names) expect(['Complete', 'Error_CannotResolveHostName', 'Error_NoRouteToHost', 'Error_MaxHopCountExceeded', 'Error_Internal', 'Error_Other']).toContain(parse(n).status);
  });

  it.each(['traceroute-loopback', 'busybox-traceroute-loopback'])('%s: one hop, the destination, three times', (name) => {
    const o = parse(name);
    expect(o.status).toBe('Complete');
    expect(o.address).toBe('127.0.0.1');
    expect(o.hops).toEqual([{ address: '127.0.0.1', errorCode: 0, rtTimes: [0, 0, 0], unreachable: false }]);
  });

  it('IPv6 loopback', () => {
    expect(parse('traceroute-loopback6')).toMatchObject({ status: 'Complete', address: '::1', hops: [{ address: '::1' }] });
  });

  it.each(['traceroute-unknown-host', 'busybox-traceroute-unknown-host'])('%s → Error_CannotResolveHostName', (name) => {
    expect(parse(name)).toMatchObject({ status: 'Error_CannotResolveHostName', hops: [] });
  });

  it.each(['traceroute-no-route', 'busybox-traceroute-no-route'])('%s → Error_NoRouteToHost', (name) => {
    expect(parse(name, 2).status).toBe('Error_NoRouteToHost');
  });

  it.each(['traceroute-max-hops', 'busybox-traceroute-max-hops'])('%s: the host not reached within MaxHopCount', (name) => {
    const o = parse(name, 1);
    expect(o.status).toBe('Error_MaxHopCountExceeded');
    expect(o.hops).toHaveLength(1);
    expect(o.hops[0]).toMatchObject({ address: '192.0.2.1', errorCode: 0 });
    expect(o.hops[0].rtTimes).toHaveLength(3);
  });

  it.each(['traceroute-timeout', 'busybox-traceroute-timeout'])('%s: unanswered probes (*) leave hops without address or times', (name) => {
    const o = parse(name, 2);
    expect(o.status).toBe('Error_MaxHopCountExceeded');
    expect(o.hops).toEqual([
      { address: '', errorCode: 0, rtTimes: [], unreachable: false },
      { address: '', errorCode: 0, rtTimes: [], unreachable: false },
    ]);
  });

  it.each([
    ['traceroute-host-unreachable', 17],
    ['busybox-traceroute-host-unreachable', 30],
  ])('%s: !H from a router → Error_NoRouteToHost, ICMPv6 code 3', (name, hops) => {
    const o = parse(name);
    expect(o.status).toBe('Error_NoRouteToHost');
    expect(o.hops).toHaveLength(hops);
    expect(o.hops[hops - 1]).toMatchObject({ address: 'fd00::2', errorCode: 3, unreachable: true });
  });

  it('IPv4 annotations are ICMP codes, and the first of several responders is kept', () => {
    const out = 'traceroute to 10.1.1.1 (10.1.1.1), 30 hops max, 60 byte packets\n 1  10.0.0.1  1.2 ms  10.0.0.2  2.7 ms !X  *\n';
    expect(parseTraceRouteOutput(out, '', 30)).toMatchObject({ status: 'Error_NoRouteToHost', hops: [{ address: '10.0.0.1', errorCode: 13, rtTimes: [1, 3] }] });
  });
});

/** parsePingOutput against recorded iputils and BusyBox ping runs (TR-181 IPPing() results). */
import { describe, expect, it } from 'vitest';
import { parsePingOutput } from '../../../../platform/diagnostics/ping-output.js';
import { recording, recordingNames } from './recorded.js';

const parse = (name: string) => {
  const r = recording(name);
  return parsePingOutput(r.stdout, r.stderr);
};

describe('parsePingOutput', () => {
  it('every recorded ping run parses to a TR-181 status', () => {
    const names = recordingNames().filter((n) => n.includes('ping'));
    expect(names.length).toBeGreaterThanOrEqual(11);
    for (const n of names) expect(['Complete', 'Error_CannotResolveHostName', 'Error_NoRouteToHost', 'Error_Internal', 'Error_Other']).toContain(parse(n).status);
  });

  it.each(['iputils-ping-loopback', 'busybox-ping-loopback'])('%s: 3 of 3 answered, times in microseconds', (name) => {
    const o = parse(name);
    expect(o).toMatchObject({ status: 'Complete', address: '127.0.0.1', sent: 3, received: 3 });
    expect(o.minUs).toBeGreaterThan(0);
    expect(o.minUs!).toBeLessThanOrEqual(o.avgUs!);
    expect(o.avgUs!).toBeLessThanOrEqual(o.maxUs!);
  });

  it('reads the exact iputils and BusyBox statistics lines', () => {
    expect(parse('iputils-ping-loopback')).toMatchObject({ minUs: 16, avgUs: 16, maxUs: 18 });
    expect(parse('busybox-ping-loopback')).toMatchObject({ minUs: 36, avgUs: 46, maxUs: 61 });
  });

  it.each(['iputils-ping-loopback6', 'busybox-ping-loopback6'])('%s: IPv6 header with and without a space', (name) => {
    expect(parse(name)).toMatchObject({ status: 'Complete', address: '::1', sent: 2, received: 2 });
  });

  it.each(['iputils-ping-unknown-host', 'busybox-ping-unknown-host', 'iputils-ping-family'])('%s → Error_CannotResolveHostName', (name) => {
    expect(parse(name)).toMatchObject({ status: 'Error_CannotResolveHostName', address: '' });
  });

  it.each(['iputils-ping-no-route', 'busybox-ping-no-route'])('%s → Error_NoRouteToHost', (name) => {
    expect(parse(name).status).toBe('Error_NoRouteToHost');
  });

  it.each(['iputils-ping-timeout', 'busybox-ping-timeout'])('%s: nothing answered is a Complete test with every request failed', (name) => {
    const o = parse(name);
    expect(o).toMatchObject({ status: 'Complete', address: '198.51.100.1', sent: 2, received: 0 });
    expect(o.avgUs).toBeUndefined();
  });

  it('no statistics and a socket refusal is our own problem (Error_Internal); anything else Error_Other', () => {
    expect(parsePingOutput('', 'ping: socket: Operation not permitted\n').status).toBe('Error_Internal');
    expect(parsePingOutput('', 'ping: something new\n')).toMatchObject({ status: 'Error_Other', detail: 'ping: something new' });
  });
});

/** The ping/traceroute command lines per flavour: what each tool is asked for, and what BusyBox cannot be. */
import { describe, expect, it } from 'vitest';
import type { DiagnosticTool } from '../../../../platform/diagnostics/diagnostic-tools.js';
import { pingArgs } from '../../../../platform/diagnostics/ping-command.js';
import { traceRouteArgs } from '../../../../platform/diagnostics/traceroute-command.js';

const FULL: DiagnosticTool = { cmd: '/usr/bin/ping', prefix: [], flavour: 'full' };
const BUSYBOX: DiagnosticTool = { cmd: '/bin/busybox', prefix: ['ping'], flavour: 'busybox' };
const PING = { host: 'example.net', count: 3, timeoutMs: 500, dataBlockSize: 100, dscp: 46, device: 'br-lan', family: 'IPv6' as const };

describe('pingArgs', () => {
  it('iputils: per-reply wait in fractions of a second, DSCP as the TOS byte (-Q), once a second', () => {
    expect(pingArgs(FULL, PING)).toEqual(['-c', '3', '-s', '100', '-n', '-W', '0.5', '-i', '1', '-Q', '184', '-w', '4', '-I', 'br-lan', '-6', 'example.net']);
  });

  it('BusyBox: whole seconds, no DSCP option', () => {
    expect(pingArgs(BUSYBOX, PING)).toEqual(['ping', '-c', '3', '-s', '100', '-W', '1', '-i', '1', '-w', '4', '-I', 'br-lan', '-6', 'example.net']);
  });

  it('a Timeout over 1 s spaces the requests by it, so each wait ends before the next request; waits are capped at 60 s', () => {
    expect(pingArgs(FULL, { ...PING, dscp: 0, device: undefined, family: 'Any', timeoutMs: 2500 })).toEqual(['-c', '3', '-s', '100', '-n', '-W', '2.5', '-i', '2.5', '-w', '10', 'example.net']);
    expect(pingArgs(FULL, { ...PING, dscp: 0, device: undefined, family: 'IPv4', count: 1, timeoutMs: 4_000_000 })).toContain('60');
  });
});

describe('traceRouteArgs', () => {
  const TRACE = { host: '192.0.2.9', tries: 2, timeoutMs: 1500, dataBlockSize: 38, dscp: 10, maxHops: 12, device: 'eth1.2', family: 'IPv4' as const };

  it('both flavours take -m, -q, -w, -t (TOS), -i and the packet length (data plus IPv4/UDP headers)', () => {
    expect(traceRouteArgs({ cmd: 'traceroute', prefix: [], flavour: 'full' }, TRACE)).toEqual(['-n', '-m', '12', '-q', '2', '-w', '1.5', '-t', '40', '-i', 'eth1.2', '-4', '192.0.2.9', '66']);
    expect(traceRouteArgs({ cmd: 'busybox', prefix: ['traceroute'], flavour: 'busybox' }, TRACE)).toEqual([
      'traceroute',
      '-n',
      '-m',
      '12',
      '-q',
      '2',
      '-w',
      '2',
      '-t',
      '40',
      '-i',
      'eth1.2',
      '-4',
      '192.0.2.9',
      '66',
    ]);
  });

  it('BusyBox refuses packets under 46 bytes: a tiny DataBlockSize is raised to that', () => {
    expect(traceRouteArgs({ cmd: 'busybox', prefix: ['traceroute'], flavour: 'busybox' }, { ...TRACE, dataBlockSize: 1, dscp: 0, device: undefined }).at(-1)).toBe('46');
  });
});

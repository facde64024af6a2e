/**
 * Device.Time. on Linux from chrony, the pieces without a daemon: chronyc's CSV output as chrony
 * 4.3 printed it (test/fixtures/chrony, recorded from real chronyd runs), what a Client row
 * becomes in the sources file, the checks before a write, and the TZif zone file. That chronyd
 * takes the file and synchronizes is test/integration/linux-time-chrony.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasFailed, isSynchronized, LOCAL_REFERENCE_ID, parseChronyState, parseSources, parseTracking } from '../../../../platform/linux/chrony.js';
import { clientProblems, isServerName, renderSources, serverList } from '../../../../platform/linux/chrony-sources.js';
import { standardTime, tzifFooter, tzifOf } from '../../../../platform/linux/tzif.js';
import { parseTimeOption, timeSetting } from '../../../../agent/defaults/time-option.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/chrony/${name}`, import.meta.url), 'utf8');
const client = { Enable: true, Mode: 'Unicast', Port: 123, Version: 4, MinPoll: 6, MaxPoll: 10, IBurst: true, Servers: 'ntp.example.net' };

describe('chronyc -c output', () => {
  it('tracking: the reference and its leap status', () => {
    expect(parseTracking(fixture('tracking-synchronized.csv'))).toEqual({ referenceId: '7F000002', address: '127.0.0.2', stratum: 9, leap: 'Normal' });
    expect(parseTracking(fixture('tracking-unsynchronized.csv'))).toEqual({ referenceId: '00000000', address: '', stratum: 0, leap: 'Not synchronised' });
    expect(parseTracking(fixture('tracking-local-reference.csv')).referenceId).toBe(LOCAL_REFERENCE_ID);
  });

  it('sources: mode, state, name as configured, reach', () => {
    expect(parseSources(fixture('sources-synchronized.csv'))).toEqual([
      { mode: 'server', state: 'combined', name: '127.0.0.1', stratum: 8, reach: 0o77 },
      { mode: 'server', state: 'selected', name: '127.0.0.2', stratum: 8, reach: 0o77 },
      { mode: 'server', state: 'unreachable', name: '127.0.0.3', stratum: 0, reach: 0 },
    ]);
    expect(parseSources(fixture('sources-configured-names.csv')).map((s) => s.name)).toEqual(['127.0.0.2', 'localhost']);
    expect(parseSources(fixture('sources-empty.csv'))).toEqual([]);
  });

  it('one run of tracking, sources and ntpdata: each NTP source gets its request counters; one that never answered has failed', () => {
    const state = parseChronyState(fixture('tracking-sources-ntpdata.csv'));
    expect(state.tracking).toMatchObject({ address: '127.0.0.1', leap: 'Normal' });
    expect(state.sources).toEqual([
      { mode: 'server', state: 'selected', name: '127.0.0.1', stratum: 8, reach: 255, sent: 22, received: 22, goodReceived: 22 },
      { mode: 'server', state: 'unreachable', name: '127.0.0.3', stratum: 0, reach: 0, sent: 17, received: 0, goodReceived: 0 },
    ]);
    expect(state.sources.map(hasFailed)).toEqual([false, true]);
    // Fewer requests than an iburst: not failed yet.
    expect(hasFailed({ ...state.sources[1]!, sent: 3 })).toBe(false);
    // Without ntpdata (or a list that changed between the commands) nothing is known to have failed.
    const [tracking, sourcesOnly] = [fixture('tracking-synchronized.csv'), fixture('sources-synchronized.csv')];
    expect(parseChronyState(tracking + sourcesOnly).sources.some(hasFailed)).toBe(false);
  });

  it('other output (an error text, another version) is refused, not read as a state', () => {
    expect(() => parseTracking('506 Cannot talk to daemon\n')).toThrow(/no tracking record/);
    expect(() => parseSources('506 Cannot talk to daemon\n')).toThrow(/no source/);
    expect(() => parseTracking('')).toThrow();
    expect(() => parseChronyState('506 Cannot talk to daemon\n')).toThrow(/no tracking record/);
    // The reference removed by a reload: tracking -N cannot name it (chronyc's reply comes first, the address reads "?"); the rest is read.
    const gone = parseChronyState(fixture('tracking-sources-ntpdata-reference-gone.csv'));
    expect(gone.tracking).toMatchObject({ referenceId: '7F000001', address: '?', leap: 'Normal' });
    expect(gone.sources).toEqual([{ mode: 'server', state: 'unreachable', name: '127.0.0.3', stratum: 0, reach: 0, sent: 8, received: 0, goodReceived: 0 }]);
    expect(isSynchronized(gone.tracking, gone.sources)).toBe(false);
  });

  it('synchronized: a selected source and a leap status other than Not synchronised (not the holdover or local reference)', () => {
    const synced = parseTracking(fixture('tracking-synchronized.csv'));
    expect(isSynchronized(synced, parseSources(fixture('sources-synchronized.csv')))).toBe(true);
    // chrony keeps its last reference (leap Normal) after every source is removed.
    expect(isSynchronized(synced, parseSources(fixture('sources-empty.csv')))).toBe(false);
    expect(isSynchronized(synced, parseSources(fixture('sources-unreachable.csv')))).toBe(false);
    expect(isSynchronized(parseTracking(fixture('tracking-local-reference.csv')), [])).toBe(false);
    expect(isSynchronized(parseTracking(fixture('tracking-unsynchronized.csv')), parseSources(fixture('sources-synchronized.csv')))).toBe(false);
  });
});

describe('the sources file', () => {
  it('one server line per entry of each enabled Client, under a comment naming the row; none when Time is disabled', () => {
    const c = { path: 'Device.Time.Client.1', servers: ['ntp.example.net', '192.0.2.1'], port: 123, minPoll: 6, maxPoll: 10, version: 4, iburst: true };
    const text = renderSources(true, [c, { ...c, path: 'Device.Time.Client.2', servers: ['2001:db8::1'], port: 1123, iburst: false }]);
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'server ntp.example.net port 123 minpoll 6 maxpoll 10 version 4 iburst',
      'server 192.0.2.1 port 123 minpoll 6 maxpoll 10 version 4 iburst',
      'server 2001:db8::1 port 1123 minpoll 6 maxpoll 10 version 4',
      '',
    ]);
    expect(text).toContain('# Device.Time.Client.2\n');
    expect(
      renderSources(false, [c])
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#')),
    ).toEqual([]);
  });

  it('Servers: a list of host names and addresses, nothing chronyd would read as another word or directive', () => {
    expect(serverList(' a.example , 192.0.2.1 ')).toEqual(['a.example', '192.0.2.1']);
    expect(serverList('')).toEqual([]);
    for (const ok of ['pool.ntp.org', 'localhost', '192.0.2.1', '2001:db8::1', 'a-b.c1']) expect(isServerName(ok)).toBe(true);
    for (const bad of ['a b', 'x iburst', 'a..b', '-a.example', 'a.example\nserver evil', 'a_b.example', '']) expect(isServerName(bad)).toBe(false);
  });

  it('refuses bad servers, too many, twice the same, another Mode and poll exponents out of range', () => {
    expect(clientProblems(client)).toEqual([]);
    expect(clientProblems({ ...client, Servers: 'ok.example,bad name' }).map((b) => b.param)).toEqual(['Servers']);
    expect(clientProblems({ ...client, Servers: 'a,b,c,d,e,f' })[0]?.message).toMatch(/at most 5/);
    expect(clientProblems({ ...client, Servers: 'a.example,A.example' })[0]?.message).toMatch(/twice/);
    expect(clientProblems({ ...client, Mode: 'Broadcast' }).map((b) => b.param)).toEqual(['Mode']);
    expect(clientProblems({ ...client, MinPoll: 11 }).map((b) => b.param)).toEqual(['MinPoll']);
    expect(clientProblems({ ...client, MaxPoll: 30 }).map((b) => b.param)).toEqual(['MaxPoll']);
  });
});

describe('LocalTimeZone as a TZif file', () => {
  it('reads the POSIX TZ string ending /etc/localtime-style files, and writes one the C library applies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-tzif-'));
    try {
      const cet = 'CET-1CEST,M3.5.0,M10.5.0/3';
      expect(standardTime(cet)).toEqual({ name: 'CET', utoff: 3600 });
      expect(standardTime('<+0530>-5:30')).toEqual({ name: '+0530', utoff: 19800 });
      expect(standardTime('EST5EDT,M3.2.0,M11.1.0')).toEqual({ name: 'EST', utoff: -18000 });
      const file = join(dir, 'localtime');
      writeFileSync(file, tzifOf(cet));
      expect(tzifFooter(readFileSync(file))).toBe(cet);
      expect(tzifFooter(Buffer.from('not a tzif file\n'))).toBeUndefined();
      // The C library (date(1), glibc) reads it as a zone with summer time: July is CEST, January CET.
      const at = (epoch: number): string => execFileSync('date', ['-d', `@${epoch}`, '+%Z %z'], { env: { ...process.env, TZ: `:${file}` }, encoding: 'utf8' }).trim();
      expect(at(1782000000)).toBe('CEST +0200');
      expect(at(1796000000)).toBe('CET +0100');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--time and --time-zone-file', () => {
  it('chrony or off; a zone file makes settings; anything else names the option and the choices', () => {
    expect(timeSetting(undefined, undefined)).toBeUndefined();
    expect(timeSetting('off', '/etc/localtime')).toBe(false);
    expect(timeSetting('chrony', undefined)).toEqual({});
    expect(timeSetting(undefined, '/etc/localtime')).toEqual({ zoneFile: '/etc/localtime' });
    expect(() => parseTimeOption('ntpd')).toThrow(/--time "ntpd": give chrony .* or off/);
  });
});

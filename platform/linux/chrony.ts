/**
 * chrony, the NTP client of Device.Time. on generic Linux (time.ts): `chronyc -c` output parsed
 * once into structured values, and the chronyc calls the agent makes. chronyc's CSV mode prints
 * one record per line with the fields of its human-readable report, in the same order:
 *
 * - `tracking`: Reference ID (hex), address, stratum, reference time, system time offset, last
 *   offset, RMS offset, frequency, residual frequency, skew, root delay, root dispersion,
 *   update interval, leap status ("Normal", "Insert second", "Delete second", "Not synchronised").
 * - `sources`: mode (`^` server, `=` peer, `#` reference clock), state (`*` selected, `+`
 *   combined, `-` not combined, `?` unreachable, `x` falseticker, `~` too variable), name,
 *   stratum, poll (log2 s), reach (the register of the last eight polls, in octal), seconds
 *   since the last sample (4294967295: never), offsets.
 *
 * - `ntpdata`: per NTP source (reference clocks left out), in the order of `sources`: its
 *   address, ..., and last the counters Total TX, Total RX, Total valid RX, Total good RX
 *   (fields 31-34 in chrony 4.3; later versions append more).
 *
 * The three are read by ONE chronyc run (commands on its standard input), so they describe the
 * same moment and cost one process. `-N` prints each source as configured (the host name a
 * Controller wrote, not its address), so a source is matched to the Device.Time.Client.{i} row
 * that names it; `-n` keeps chronyc from resolving addresses back to names (no DNS lookup on a Get).
 */
import { cachedSource, type CachedSource } from '../../datamodel/tree/binding-helpers.js';
import type { CommandRunner } from '../exec/CommandRunner.js';

/** chrony's leap status: "Not synchronised" is the only one of an unsynchronized clock. */
export type LeapStatus = 'Normal' | 'Insert second' | 'Delete second' | 'Not synchronised';

/** `chronyc -c tracking`: what the system clock is synchronized to. */
export interface ChronyTracking {
  /** The reference's ID, 8 hex digits: 00000000 before any synchronization, 7F7F0101 the `local` reference. */
  referenceId: string;
  /** The address of the source synchronized to ("" for none or a reference clock). */
  address: string;
  stratum: number;
  leap: LeapStatus;
}

/** One line of `chronyc -c sources`. */
export interface ChronySource {
  mode: 'server' | 'peer' | 'refclock';
  /** `*` selected: the clock is synchronized to this source. */
  state: 'selected' | 'combined' | 'notCombined' | 'unreachable' | 'falseticker' | 'variable';
  /** As configured with `-N` (a host name or an address). */
  name: string;
  stratum: number;
  /** Reach register: a bit per poll answered, of the last eight. */
  reach: number;
  /** NTP sources: requests sent, responses received and those that passed every test (`ntpdata`'s Total TX, Total RX, Total good RX). */
  sent?: number;
  received?: number;
  goodReceived?: number;
}

/** chronyc's CSV text for the `local` reference (`local stratum N` without a source). */
export const LOCAL_REFERENCE_ID = '7F7F0101';

const LEAPS: readonly LeapStatus[] = ['Normal', 'Insert second', 'Delete second', 'Not synchronised'];
const MODES = { '^': 'server', '=': 'peer', '#': 'refclock' } as const;
const STATES = { '*': 'selected', '+': 'combined', '-': 'notCombined', '?': 'unreachable', x: 'falseticker', '~': 'variable' } as const;
const TRACKING_FIELDS = 14;
const SOURCE_FIELDS = 10;
/** chrony 4.3's `ntpdata` record; later versions append fields. */
const NTPDATA_FIELDS = 34;
/** Requests a source is sent without a good answer before its Client reads Error_FailedToSynchronize: an iburst, or four polls. */
export const FAILED_AFTER_REQUESTS = 4;
/** More sources than any chrony configuration holds: a longer output is not read further. */
export const MAX_SOURCES = 64;

/** Parses `chronyc -c tracking`; throws on output of another shape (another chronyc version, an error text). */
export function parseTracking(text: string): ChronyTracking {
  const line = text.split('\n').find((l) => l.trim() !== '');
  const f = line?.split(',') ?? [];
  const leap = f[13]?.trim() as LeapStatus | undefined;
  if (f.length !== TRACKING_FIELDS || !/^[0-9A-Fa-f]{8}$/.test(f[0]!) || leap === undefined || !LEAPS.includes(leap)) {
    throw new Error(`chronyc -c tracking printed no tracking record: ${JSON.stringify((line ?? '').slice(0, 120))}`);
  }
  return { referenceId: f[0]!.toUpperCase(), address: f[1]!, stratum: Number(f[2]), leap };
}

/** One `chronyc -c sources` line. */
function sourceOf(line: string): ChronySource {
  const f = line.split(',');
  const mode = MODES[f[0] as keyof typeof MODES];
  const state = STATES[f[1] as keyof typeof STATES];
  if (f.length !== SOURCE_FIELDS || mode === undefined || state === undefined || f[2] === '') {
    throw new Error(`chronyc -c sources printed a line that is no source: ${JSON.stringify(line.slice(0, 120))}`);
  }
  // Reach is the octal register in CSV too ("377": the last eight polls answered).
  return { mode, state, name: f[2]!, stratum: Number(f[3]), reach: parseInt(f[5]!, 8) };
}

/** Parses `chronyc -c sources` (no lines: no source); throws on a line of another shape. */
export function parseSources(text: string): ChronySource[] {
  return lines(text)
    .slice(0, MAX_SOURCES)
    .map((l) => sourceOf(l));
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/**
 * chronyc's reply when it could not do part of a command, written apart from the CSV so it may
 * come first: "503 No such source" when `tracking -N` looks up the name of a reference that is
 * no longer a source (it then prints "?" as the address).
 */
const REPLY_RE = /^\d{3} \D/;

/**
 * Parses the output of one chronyc run of `tracking`, `sources`, `ntpdata` (CSV): the tracking
 * record, the source lines, then an ntpdata record per NTP source in the same order, whose
 * counters go onto its source (not when the two lists differ in length: one changed between the
 * commands). Reply lines are skipped. Throws when there is no tracking record.
 */
export function parseChronyState(text: string): ChronyState {
  const all = lines(text).filter((l) => !REPLY_RE.test(l));
  const tracking = parseTracking(all.find((l) => l.split(',').length === TRACKING_FIELDS) ?? all[0] ?? '');
  const sources = all
    .filter((l) => l.split(',').length === SOURCE_FIELDS)
    .slice(0, MAX_SOURCES)
    .map((l) => sourceOf(l));
  const ntp = all.map((l) => l.split(',')).filter((f) => f.length >= NTPDATA_FIELDS);
  const ntpSources = sources.filter((s) => s.mode !== 'refclock');
  // Aligned by position, as chronyc prints both; a list that changed between the commands (a reload) is not matched.
  if (ntp.length === ntpSources.length) {
    ntpSources.forEach((s, i) => {
      s.sent = Number(ntp[i]![30]);
      s.received = Number(ntp[i]![31]);
      s.goodReceived = Number(ntp[i]![33]);
    });
  }
  return { tracking, sources };
}

/** Every request of this source went unanswered (or failed chrony's tests) after FAILED_AFTER_REQUESTS: it failed to give the time. */
export function hasFailed(s: ChronySource): boolean {
  return s.sent !== undefined && s.goodReceived === 0 && s.sent >= FAILED_AFTER_REQUESTS;
}

/**
 * TR-181 Device.Time.Status Synchronized: "One or more time client was able to configure the
 * time of the CPE". chrony keeps its last reference with leap status Normal after every source
 * is gone (holdover) and reports its `local` reference the same way, so synchronized means a
 * selected source now, with a leap status other than "Not synchronised".
 */
export function isSynchronized(tracking: ChronyTracking, sources: readonly ChronySource[]): boolean {
  return tracking.leap !== 'Not synchronised' && sources.some((s) => s.state === 'selected');
}

/** What chronyc reports, read together. */
export interface ChronyState {
  tracking: ChronyTracking;
  sources: ChronySource[];
}

/**
 * The chronyc calls of the agent, through the shared runner (counted, bounded by its timeout).
 * `socket` is chronyd's command socket (`bindcmdaddress`), given to chronyc as `-h`; default
 * chronyc's own (/run/chrony/chronyd.sock, or UDP port 323 when it cannot use that).
 */
export class Chronyc {
  private readonly reading: CachedSource<ChronyState>;

  constructor(
    private readonly runner: CommandRunner,
    private readonly socket?: string,
    /** How long one reading serves every Get of Device.Time. and its Client rows, ms. */
    cacheMs = 1000,
    now: () => number = Date.now,
  ) {
    this.reading = cachedSource(
      async () => parseChronyState(await runner.run('chronyc', this.args('-N', '-n', '-c'), { input: 'tracking\nsources\nntpdata\n', display: 'chronyc -N -n -c (tracking, sources, ntpdata)' })),
      { maxAgeMs: cacheMs, now },
    );
  }

  private args(...command: string[]): string[] {
    return [...(this.socket !== undefined ? ['-h', this.socket] : []), ...command];
  }

  /** Tracking and sources; rejects when chronyd does not answer. */
  state(): Promise<ChronyState> {
    return this.reading.read();
  }

  /** `chronyc reload sources` (chrony 4.0+): chronyd reads its `sourcedir` files again. */
  async reloadSources(): Promise<void> {
    await this.runner.run('chronyc', this.args('reload', 'sources'));
    this.reading.invalidate();
  }
}

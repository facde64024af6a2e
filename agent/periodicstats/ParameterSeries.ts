/**
 * The lists of one Parameter.{i} row (TR-181 Values, SampleSeconds, SuspectData, Failures): the
 * completed samples, oldest first, bounded by ReportSamples, plus at most one provisional entry
 * that ForceSample() added for the interval still running ("sneak preview"), replaced by the
 * final value when that interval completes.
 */
import { isNumericType, IntervalStatistic, isFailure, rangeOf, type RangeState } from './sample-statistic.js';
import type { ParameterConfig } from './sampleset-config.js';

interface Entry {
  value: string;
  seconds: number;
  suspect: 0 | 1;
}

export class ParameterSeries {
  private readonly done: Entry[] = [];
  private preview?: Entry;
  failures = 0;
  private range: RangeState = 'in';
  /** The parameter's TR-106 type, learnt at its first reading ('' until then). */
  private type = '';
  private numeric = false;
  stat: IntervalStatistic;
  /** When this series began collecting in the current interval (ms): a row enabled mid-interval has fewer SampleSeconds. */
  since: number;

  constructor(
    public cfg: ParameterConfig,
    now: number,
  ) {
    this.since = now;
    this.stat = this.freshStatistic(undefined);
  }

  /** Learns the type from a reading: SampleMode and CalculationMode apply to numeric types only. */
  learnType(type: string, list: boolean): void {
    if (this.type !== '') return;
    this.type = type;
    this.numeric = isNumericType(type, list);
    this.stat = this.freshStatistic(this.stat.lastReading);
  }

  /** Whether this row wants readings between sample ends (Minimum, Maximum, Average). */
  get wantsInternalSamples(): boolean {
    return this.cfg.enable && this.cfg.calculationMode !== 'Latest';
  }

  /**
   * Ends the interval [start, end) (ms): its statistic becomes the newest value, the next
   * interval starts from the last reading. `cap` is ReportSamples.
   */
  complete(start: number, end: number, cap: number): void {
    this.preview = undefined;
    this.done.push(this.entry(Math.max(start, this.since), end));
    if (this.done.length > cap) this.done.splice(0, this.done.length - cap);
    const s = this.stat.statistic();
    if (this.numeric && s?.num !== undefined) {
      const now = rangeOf(s.num, this.cfg.low, this.cfg.high);
      if (now !== undefined) {
        if (isFailure(this.range, now)) this.failures++;
        this.range = now;
      }
    }
    this.since = end;
    this.stat = this.freshStatistic(this.stat.lastReading);
  }

  /** ForceSample(): the running interval's statistic so far, as a provisional newest value. */
  previewAt(start: number, now: number): void {
    this.preview = this.entry(Math.max(start, this.since), now);
  }

  /** Drops every stored value (the SampleSet restarted: TR-181 discards stored samples). */
  reset(now: number): void {
    this.done.length = 0;
    this.preview = undefined;
    this.failures = 0;
    this.range = 'in';
    this.since = now;
    this.stat = this.freshStatistic(this.stat.lastReading);
  }

  /** The lists as TR-181 reads them, the newest `cap` entries. */
  list(which: 'Values' | 'SampleSeconds' | 'SuspectData', cap: number): string {
    const all = this.preview ? [...this.done, this.preview] : this.done;
    const shown = all.length > cap ? all.slice(all.length - cap) : all;
    if (which === 'Values') return shown.map((e) => escapeItem(e.value)).join(',');
    return shown.map((e) => (which === 'SampleSeconds' ? e.seconds : e.suspect)).join(',');
  }

  private entry(start: number, end: number): Entry {
    const s = this.stat.statistic();
    const stat = this.stat;
    const full = Math.max(0, Math.round((end - start) / 1000));
    // The share of the interval the parameter answered for (all of it unless readings failed).
    const seconds = stat.tried === 0 ? (s ? full : 0) : Math.round((full * stat.answered) / stat.tried);
    return { value: s?.text ?? '', seconds, suspect: stat.suspect || !s ? 1 : 0 };
  }

  private freshStatistic(previous: IntervalStatistic['lastReading']): IntervalStatistic {
    return new IntervalStatistic(this.type, this.numeric, this.cfg.sampleMode, this.cfg.calculationMode, previous);
  }
}

/** A value with a comma would split the list: TR-106 lists of strings escape it as %2C (and % as %25). */
function escapeItem(v: string): string {
  return v.includes(',') || v.includes('%') ? v.replace(/%/g, '%25').replace(/,/g, '%2C') : v;
}

/**
 * Samples one enabled Device.PeriodicStatistics.SampleSet.{i} (TR-181 PeriodicStatsAdv:2): one
 * timer for the whole set, never one per Parameter. Sample intervals follow each other with no
 * gap and complete at TimeReference ± k × SampleInterval (the first may be shorter); with the
 * Unknown Time they complete at the enable moment + k × SampleInterval. Between completions the
 * timer also wakes for internal samples, but only while a Parameter calculates a Minimum, Maximum
 * or Average. Times are the wall clock (real UTC).
 */
import type { AccessView } from '../../datamodel/access/AccessView.js';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { dateTimeOf, UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import { ParameterSeries } from './ParameterSeries.js';
import { INTERNAL_SAMPLES } from './periodicstats-limits.js';
import { SamplePass } from './read-sampled.js';
import type { ParameterConfig, SampleSetConfig } from './sampleset-config.js';

/** setTimeout's limit; a longer wait is done in steps. */
const MAX_TIMER_MS = 2_147_483_647;
/** A timer may fire a little early by the wall clock (Node's timers run on another clock). */
const EARLY_MS = 5;

/** What a runner reaches of its gateway (one object per gateway: no closures per set). */
export interface RunnerDeps {
  readonly model: DataModel;
  readonly log: Logger;
  now(): number;
  /** The permissions of a Controller row; undefined when it no longer exists. */
  accessFor(controllerPath: string): Promise<AccessView | undefined>;
  /** A sample completed (or was previewed): tell subscribers (ValueChange, Push!); `failuresMoved`: the Parameter rows whose Failures grew. */
  sampled(runner: SampleSetRunner, completed: boolean, failuresMoved: readonly number[]): void;
}

interface SetEntry {
  start: number;
  end: number;
}

export class SampleSetRunner {
  readonly series = new Map<number, ParameterSeries>();
  private readonly done: SetEntry[] = [];
  private preview?: SetEntry;
  /** The running interval: it began at `start` and completes at `end` (ms). */
  private start = 0;
  private end = 0;
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;
  /** Intervals completed since the set was enabled (FetchSamples with the Unknown Time). */
  completed = 0;
  running = false;
  /** When the last completed interval ended (ms). */
  private lastEnd = 0;
  /** Counts restarts and stops: a pass begun before one applies nothing after it. */
  private generation = 0;

  constructor(
    public cfg: SampleSetConfig,
    private readonly deps: RunnerDeps,
  ) {}

  /** (Re)starts collection now: stored samples are discarded and the first interval begins (TR-181 Enable, SampleInterval, TimeReference). */
  restart(): void {
    const now = this.deps.now();
    this.generation++;
    this.done.length = 0;
    this.preview = undefined;
    this.completed = 0;
    for (const s of this.series.values()) s.reset(now);
    this.syncParameters(now);
    this.start = now;
    this.end = this.nextEnd(now);
    this.running = true;
    void this.pass('baseline');
    this.arm();
  }

  /** Follows a configuration change that does not restart collection (ReportSamples, FetchSamples, Parameter rows). */
  update(cfg: SampleSetConfig): void {
    this.cfg = cfg;
    this.syncParameters(this.deps.now());
    if (this.running) this.arm();
  }

  /** Stops sampling; what was collected stays readable (until the set is enabled again). */
  stop(): void {
    this.generation++;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** ForceSample(): the running interval so far becomes a provisional newest value of every list. */
  async forceSample(): Promise<void> {
    if (!this.running) return;
    await this.pass('preview');
  }

  /** TR-181 SampleSet.{i}.ReportStartTime, ReportEndTime and SampleSeconds. */
  setValue(name: string): Value {
    const shown = this.shown();
    if (name === 'SampleSeconds') return shown.map((e) => Math.round((e.end - e.start) / 1000)).join(',');
    if (shown.length === 0) return UNKNOWN_TIME;
    return name === 'ReportStartTime' ? dateTimeOf(shown[0].start) : dateTimeOf(shown[shown.length - 1].end);
  }

  private shown(): SetEntry[] {
    const all = this.preview ? [...this.done, this.preview] : this.done;
    const cap = this.cfg.reportSamples;
    return all.length > cap ? all.slice(all.length - cap) : all;
  }

  /** Series for enabled rows with a Reference; a new, re-enabled or re-pointed row starts afresh. */
  private syncParameters(now: number): void {
    const wanted = new Map<number, ParameterConfig>();
    for (const p of this.cfg.parameters) if (p.enable && p.parsed) wanted.set(p.n, p);
    for (const [n, s] of this.series) {
      const p = wanted.get(n);
      if (!p || p.reference !== s.cfg.reference || p.sampleMode !== s.cfg.sampleMode || p.calculationMode !== s.cfg.calculationMode) this.series.delete(n);
      else s.cfg = p;
    }
    for (const [n, p] of wanted) if (!this.series.has(n)) this.series.set(n, new ParameterSeries(p, now));
  }

  /** The first interval end strictly after `now`: TimeReference ± k × SampleInterval, or `start` + k × SampleInterval. */
  private nextEnd(now: number): number {
    const period = Math.max(1, this.cfg.sampleInterval) * 1000;
    const phase = this.cfg.timeReference ?? this.start;
    const k = Math.floor((now - phase) / period) + 1;
    return phase + k * period;
  }

  /** The wait until the next internal sample or the interval's end, whichever is first. */
  private nextWake(now: number): number {
    const internal = [...this.series.values()].some((s) => s.wantsInternalSamples);
    if (!internal) return this.end;
    const step = (this.cfg.sampleInterval * 1000) / Math.min(INTERNAL_SAMPLES, Math.max(1, this.cfg.sampleInterval));
    const k = Math.floor((this.end - now - EARLY_MS) / step);
    return k <= 0 ? this.end : this.end - k * step;
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (!this.running) return;
    const due = this.nextWake(this.deps.now());
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.deps.now() + EARLY_MS < due) return this.arm();
        void this.pass(due >= this.end ? 'complete' : 'internal').finally(() => this.arm());
      },
      Math.min(Math.max(0, due - this.deps.now()), MAX_TIMER_MS),
    );
    this.timer.unref();
  }

  /** One reading of every sampled parameter; passes never overlap (a slow one delays the next). */
  private pass(kind: 'baseline' | 'internal' | 'complete' | 'preview'): Promise<void> {
    const generation = this.generation;
    const run = async (): Promise<void> => {
      try {
        await this.read(kind, generation);
      } catch (e) {
        this.deps.log.error('periodic statistics sample failed', { sampleSet: this.cfg.path, error: e instanceof Error ? e.message : String(e) });
      }
    };
    const p = (this.busy ?? Promise.resolve()).then(run);
    this.busy = p;
    return p.finally(() => {
      if (this.busy === p) this.busy = undefined;
    });
  }

  private async read(kind: 'baseline' | 'internal' | 'complete' | 'preview', generation: number): Promise<void> {
    // A restart or stop while this pass waited: its readings belong to an interval that is gone.
    const stale = (): boolean => generation !== this.generation;
    const owner = this.cfg.controller;
    const access = owner === '' ? undefined : await this.deps.accessFor(owner);
    const pass = owner !== '' && !access ? undefined : new SamplePass(this.deps.model, { controllerPath: owner || undefined, access });
    for (const s of this.series.values()) {
      const r = pass ? await pass.read(s.cfg.parsed!) : ({ ok: false, why: "the SampleSet's Controller no longer exists" } as const);
      if (stale()) return;
      if (!r.ok) {
        if (kind !== 'baseline') s.stat.missed();
        continue;
      }
      s.learnType(r.type, r.list);
      if (kind === 'baseline') s.stat.baseline(r.value);
      else s.stat.take(r.value);
    }
    if (!this.running || stale()) return;
    const now = this.deps.now();
    if (kind === 'complete') this.complete(now);
    else if (kind === 'preview') {
      this.preview = { start: this.start, end: now };
      for (const s of this.series.values()) s.previewAt(this.start, now);
      this.deps.sampled(this, false, []);
    }
  }

  /** The running interval completes; the next starts where it ended (or now, after a stall or a clock jump). */
  private complete(now: number): void {
    const end = this.end;
    const cap = this.cfg.reportSamples;
    this.preview = undefined;
    this.done.push({ start: this.start, end });
    this.lastEnd = end;
    if (this.done.length > cap) this.done.splice(0, this.done.length - cap);
    const failuresMoved: number[] = [];
    for (const [n, s] of this.series) {
      const before = s.failures;
      s.complete(this.start, end, cap);
      if (s.failures !== before) failuresMoved.push(n);
    }
    this.completed++;
    this.start = end;
    this.end = this.nextEnd(Math.max(now, end));
    if (this.end - this.cfg.sampleInterval * 1000 > end) this.start = now;
    this.deps.sampled(this, true, failuresMoved);
  }

  /**
   * Whether the interval that just completed ends a fetch interval (TR-181 FetchSamples): with
   * FetchSamples in [1:ReportSamples], every FetchSamples intervals, at TimeReference ± k ×
   * FetchSamples × SampleInterval when a TimeReference is set.
   */
  fetchDue(): boolean {
    const { fetchSamples, reportSamples, sampleInterval, timeReference } = this.cfg;
    if (fetchSamples < 1 || fetchSamples > reportSamples) return false;
    if (timeReference === undefined) return this.completed % fetchSamples === 0;
    const fetchPeriod = fetchSamples * sampleInterval;
    const sinceReference = Math.round((this.lastEnd - timeReference) / 1000);
    return ((sinceReference % fetchPeriod) + fetchPeriod) % fetchPeriod === 0;
  }
}

/**
 * One Parameter's statistic over one sample interval (TR-181 PeriodicStatistics.SampleSet.{i}.
 * Parameter.{i}.SampleMode, CalculationMode, LowThreshold/HighThreshold and Failures). Readings
 * come in as the sampler takes them; `statistic()` is the value the interval stores. Numeric
 * parameters honour SampleMode and CalculationMode; any other type is sampled as Current/Latest,
 * as TR-181 requires ("Parameters of non-numeric types can only support Current/Latest").
 */
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_VALUE_CHARS } from './periodicstats-limits.js';

export type SampleMode = 'Current' | 'Change';
export type CalculationMode = 'Latest' | 'Minimum' | 'Maximum' | 'Average';

const NUMERIC = new Set(['int', 'unsignedInt', 'long', 'unsignedLong', 'decimal']);
const INTEGER = new Set(['int', 'unsignedInt', 'long', 'unsignedLong']);

/** Whether a TR-106 type takes part in SampleMode Change, Minimum/Maximum/Average and the thresholds. */
export function isNumericType(type: string, list: boolean): boolean {
  return !list && NUMERIC.has(type);
}

/** One sampled value: its text as stored, and its number when the parameter is numeric. */
interface Sampled {
  text: string;
  num?: number;
}

/**
 * The readings of one interval. Change mode differences each reading with the one before it
 * (the previous interval's last reading carries over, so no change is lost between intervals);
 * a counter that goes down was reset, which makes the interval suspect (TR-181 SuspectData).
 */
export class IntervalStatistic {
  private latest?: Sampled;
  private min?: Sampled;
  private max?: Sampled;
  private sum = 0;
  private count = 0;
  /** A reading failed or a counter went backwards this interval. */
  suspect = false;
  /** Readings tried and readings that answered (SampleSeconds scales by their ratio). */
  tried = 0;
  answered = 0;

  constructor(
    private readonly type: string,
    private readonly numeric: boolean,
    private readonly mode: SampleMode,
    private readonly calc: CalculationMode,
    /** The last reading before this interval (Change mode), as the TR-106 value. */
    private previous: Value | undefined,
  ) {}

  /** The last reading taken: the next interval's starting point. */
  get lastReading(): Value | undefined {
    return this.previous;
  }

  /** A reading that could not be taken (the parameter is gone or may no longer be read). */
  missed(): void {
    this.tried++;
    this.suspect = true;
  }

  /** A baseline reading (the interval's start, Change mode): sets the starting point only. */
  baseline(v: Value): void {
    this.previous = v;
  }

  take(v: Value): void {
    this.tried++;
    this.answered++;
    if (!this.numeric) {
      this.latest = { text: clip(String(v)) };
      return;
    }
    let num = Number(v);
    if (!Number.isFinite(num)) {
      this.suspect = true;
      return;
    }
    if (this.mode === 'Change') {
      const before = this.previous;
      this.previous = v;
      if (before === undefined) return; // nothing to differ from yet
      const diff = INTEGER.has(this.type) ? Number(BigInt(String(v)) - BigInt(String(before))) : num - Number(before);
      if (diff < 0 && this.type.startsWith('unsigned')) {
        // A counter that went down was reset: its change since the reset is its value.
        this.suspect = true;
        num = Number(v);
      } else num = diff;
      this.record({ text: String(num), num });
      return;
    }
    this.previous = v;
    this.record({ text: String(v), num });
  }

  private record(s: Sampled): void {
    this.latest = s;
    if (this.min === undefined || s.num! < this.min.num!) this.min = s;
    if (this.max === undefined || s.num! > this.max.num!) this.max = s;
    this.sum += s.num!;
    this.count++;
  }

  /** The interval's value as stored in Values, and its number for the thresholds; undefined when nothing was read. */
  statistic(): Sampled | undefined {
    if (!this.numeric) return this.latest;
    switch (this.calc) {
      case 'Latest':
        return this.latest;
      case 'Minimum':
        return this.min;
      case 'Maximum':
        return this.max;
      case 'Average': {
        if (this.count === 0) return undefined;
        const avg = this.sum / this.count;
        return { text: formatAverage(avg), num: avg };
      }
    }
  }
}

/** An average as a decimal: whole numbers without a point, others to three places. */
function formatAverage(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

function clip(s: string): string {
  return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) : s;
}

export type RangeState = 'in' | 'low' | 'high';

/**
 * TR-181 Parameter.{i}.Failures: a new statistic moving from "in range" to out of range, or
 * between low and high, counts one failure. Equal thresholds disable the mechanism.
 */
export function rangeOf(value: number, low: number, high: number): RangeState | undefined {
  if (low === high) return undefined;
  if (value <= low) return 'low';
  if (value >= high) return 'high';
  return 'in';
}

/** Whether the move from `before` to `now` is a failure (in → out, low ↔ high). */
export function isFailure(before: RangeState, now: RangeState): boolean {
  return now !== 'in' && now !== before;
}

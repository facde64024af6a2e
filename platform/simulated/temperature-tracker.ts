/**
 * The polling side of one TR-181 TemperatureSensor: readings every PollingInterval, the last
 * good one (Value, LastUpdate), the extremes since the last reset (MinValue/MinTime,
 * MaxValue/MaxTime) and when each alarm threshold was first met (LowAlarmTime,
 * HighAlarmTime). Readings are taken lazily: a read first takes every poll that fell due since
 * the previous one, at the times it fell due, so the result does not depend on when or how
 * often a Controller looks, only on the clock and the configuration.
 *
 * This state is not persisted: TR-181 counts a reboot as a reset of the sensor.
 */
import { UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import { dateTime } from './SimContext.js';

/** TR-181: below absolute zero, "no good reading since the last reset" or "alarm not configured". */
export const NO_READING = -274;
/** The polling interval the device picks when PollingInterval is 0, seconds. */
export const DEFAULT_POLL_S = 30;
/**
 * At most this many overdue polls are taken at once; after a longer jump of the clock (a
 * suspended VM, a test's fake clock) the older ones are skipped, as a starved poller would.
 */
const MAX_CATCH_UP_POLLS = 200_000;

export interface SensorConfig {
  enabled: boolean;
  pollingIntervalS: number;
  lowAlarm: number;
  highAlarm: number;
}

interface Reading {
  at: number;
  value: number;
}

export class SensorTracker {
  /** Wall-clock ms of the last reset; undefined until the sensor is first enabled. */
  private resetAt: number | undefined;
  private nextPollAt = Infinity;
  private last: Reading | undefined;
  private min: Reading | undefined;
  private max: Reading | undefined;
  private lowAlarmAt: number | undefined;
  private highAlarmAt: number | undefined;
  private booted = false;

  /**
   * `read` is the sensor's °C at a wall-clock instant; `config` its current configuration (read
   * on every use: the agent loads the saved one after the platform has registered).
   */
  constructor(
    private readonly bootedAt: number,
    private readonly probeDelayMs: number,
    private readonly read: (ms: number) => number,
    private readonly config: () => SensorConfig,
  ) {}

  /** Takes every poll due up to `now`. */
  advance(now: number): void {
    const cfg = this.config();
    if (!this.booted) {
      this.booted = true;
      // Power-on is a reset; the first reading comes once the hwmon driver has probed.
      if (cfg.enabled) this.reset(this.bootedAt, this.bootedAt + this.probeDelayMs);
    }
    if (!cfg.enabled || this.nextPollAt > now) return;
    const interval = intervalMs(cfg);
    const due = Math.floor((now - this.nextPollAt) / interval) + 1;
    if (due > MAX_CATCH_UP_POLLS) this.nextPollAt += (due - MAX_CATCH_UP_POLLS) * interval;
    for (; this.nextPollAt <= now; this.nextPollAt += interval) this.take(this.nextPollAt, cfg);
  }

  /** Reset() (or Enable going true): forget the readings and alarms, and read again at once. */
  reset(now: number, firstPollAt = now): void {
    this.resetAt = now;
    this.nextPollAt = firstPollAt;
    this.last = this.min = this.max = undefined;
    this.lowAlarmAt = this.highAlarmAt = undefined;
  }

  /** TR-181: a change of LowAlarmValue/HighAlarmValue resets LowAlarmTime/HighAlarmTime. */
  clearAlarm(which: 'low' | 'high'): void {
    if (which === 'low') this.lowAlarmAt = undefined;
    else this.highAlarmAt = undefined;
  }

  /** A new PollingInterval counts from the last reading (from now if there is none yet); never before now. */
  reschedule(now: number): void {
    const cfg = this.config();
    if (this.nextPollAt === Infinity) return;
    this.nextPollAt = Math.max(now, (this.last?.at ?? now) + intervalMs(cfg));
  }

  /** The TR-181 read-only values, as of the last advance. */
  values(): Record<string, Value> {
    const time = (ms: number | undefined): string => (ms === undefined ? UNKNOWN_TIME : dateTime(ms));
    return {
      ResetTime: time(this.resetAt),
      Value: this.last?.value ?? NO_READING,
      LastUpdate: time(this.last?.at),
      MinValue: this.min?.value ?? NO_READING,
      MinTime: time(this.min?.at),
      MaxValue: this.max?.value ?? NO_READING,
      MaxTime: time(this.max?.at),
      LowAlarmTime: time(this.lowAlarmAt),
      HighAlarmTime: time(this.highAlarmAt),
    };
  }

  private take(at: number, cfg: SensorConfig): void {
    const value = Math.round(this.read(at));
    const reading = { at, value };
    this.last = reading;
    // The first time an extreme is reached is its time; equal readings later do not move it.
    if (!this.min || value < this.min.value) this.min = reading;
    if (!this.max || value > this.max.value) this.max = reading;
    if (cfg.lowAlarm !== NO_READING && value <= cfg.lowAlarm) this.lowAlarmAt ??= at;
    if (cfg.highAlarm !== NO_READING && value >= cfg.highAlarm) this.highAlarmAt ??= at;
  }
}

function intervalMs(cfg: SensorConfig): number {
  return (cfg.pollingIntervalS > 0 ? cfg.pollingIntervalS : DEFAULT_POLL_S) * 1000;
}

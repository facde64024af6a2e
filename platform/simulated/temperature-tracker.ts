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
import type { Value } from '../../datamodel/value/Value.js';
import { pollIntervalMs, SensorReadings } from '../sensor-readings.js';

export { NO_READING } from '../sensor-readings.js';
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

export class SensorTracker extends SensorReadings {
  private nextPollAt = Infinity;
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
  ) {
    super();
  }

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
    this.forget(now);
    this.nextPollAt = firstPollAt;
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
    return this.readings();
  }

  private take(at: number, cfg: SensorConfig): void {
    this.record(at, Math.round(this.read(at)), cfg.lowAlarm, cfg.highAlarm);
  }
}

function intervalMs(cfg: SensorConfig): number {
  return pollIntervalMs(cfg.pollingIntervalS);
}

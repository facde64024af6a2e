/**
 * What a TR-181 TemperatureSensor's polls found since its last reset: the last good reading
 * (Value, LastUpdate), the extremes (MinValue/MinTime, MaxValue/MaxTime) and when each alarm
 * threshold was first met (LowAlarmTime, HighAlarmTime), -274 and the Unknown Time for "none
 * yet". One copy for the simulated gateway's sensors (simulated/temperature-tracker.ts) and the
 * kernel's (linux/temperature-status.ts); each keeps its own polling and configuration.
 */
import { dateTimeOf, UNKNOWN_TIME, type Value } from '../datamodel/value/Value.js';

/** TR-181: below absolute zero, "no good reading since the last reset" or "alarm not configured". */
/** The TemperatureSensor.{i} parameters every platform's sensors serve (the simulated ones add Alias). */
export const SENSOR_PARAMS = [
  'Enable',
  'Status',
  'ResetTime',
  'Name',
  'Value',
  'LastUpdate',
  'MinValue',
  'MinTime',
  'MaxValue',
  'MaxTime',
  'LowAlarmValue',
  'LowAlarmTime',
  'HighAlarmValue',
  'HighAlarmTime',
  'PollingInterval',
] as const;

export const NO_READING = -274;
/** The polling interval the device picks when PollingInterval is 0, seconds. */
export const DEFAULT_POLL_S = 30;

/** PollingInterval in ms, 0 being the device's choice (DEFAULT_POLL_S). */
export function pollIntervalMs(pollingIntervalS: number): number {
  return (pollingIntervalS > 0 ? pollingIntervalS : DEFAULT_POLL_S) * 1000;
}

export interface SensorReading {
  at: number;
  value: number;
}

/** A base class, not a member object: a fleet gateway's sensors stay one object each (issue 14). */
export class SensorReadings {
  /** Wall-clock ms of the last reset; undefined until there was one. */
  resetAt: number | undefined;
  last: SensorReading | undefined;
  min: SensorReading | undefined;
  max: SensorReading | undefined;
  lowAlarmAt: number | undefined;
  highAlarmAt: number | undefined;

  /** A reset at `now` (power-on, Reset(), Enable going true): the readings and alarm times go. */
  protected forget(now: number): void {
    this.resetAt = now;
    this.last = this.min = this.max = undefined;
    this.lowAlarmAt = this.highAlarmAt = undefined;
  }

  /** One good reading of `value` °C at `at`, against the alarm values configured now. */
  protected record(at: number, value: number, lowAlarm: number, highAlarm: number): void {
    const reading = { at, value };
    this.last = reading;
    // The first time an extreme is reached is its time; equal readings later do not move it.
    if (!this.min || value < this.min.value) this.min = reading;
    if (!this.max || value > this.max.value) this.max = reading;
    if (lowAlarm !== NO_READING && value <= lowAlarm) this.lowAlarmAt ??= at;
    if (highAlarm !== NO_READING && value >= highAlarm) this.highAlarmAt ??= at;
  }

  /** The read-only values the polls give. */
  readings(): Record<string, Value> {
    const time = (ms: number | undefined): string => (ms === undefined ? UNKNOWN_TIME : dateTimeOf(ms));
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
}

/**
 * Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}. on Linux and OpenWrt (TR-181
 * TempStatus:1, TempStatusAdv:2): one row per kernel sensor (temperature-sysfs.ts), polled by
 * the agent every PollingInterval (30 s when 0, the device's choice) with the semantics the
 * simulated gateway serves: Value/LastUpdate the last good reading, MinValue/MaxValue (and their
 * times) since the last reset, LowAlarmTime/HighAlarmTime when a threshold was first met, -274
 * and the Unknown Time for "none yet". A reset is the agent's start, Reset(), or Enable going
 * true. A sensor whose file no longer reads (the chip stopped answering, the driver left) has
 * Status Error and keeps its last good reading.
 *
 * Enable, the alarm values and PollingInterval are the agent's own (the kernel has no such
 * settings: Enable false stops the polling of that sensor), kept in the agent's store by sensor
 * name (temperature-settings.ts) and in effect from the first poll after a restart; the factory
 * alarm values are the chip's own limits (hwmon min, max else crit; a thermal zone's critical
 * trip point).
 */
import type { CommandBinding, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { DEFAULT_POLL_S, NO_READING, pollIntervalMs, SENSOR_PARAMS, SensorReadings } from '../sensor-readings.js';
import type { HostFiles } from './HostFiles.js';
import { sensorIdentities, SensorSettings } from './temperature-settings.js';
import { findSensors, milliCelsius, type SensorSource } from './temperature-sysfs.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.';
/** PollingInterval a Controller may set, seconds (0: the device's choice). A sysfs read is cheap; a slow I2C chip still answers within one. */
const POLLING_RANGE = { min: 1, max: 86_400 } as const;
/** How long one scan of the sysfs classes serves further reads, ms. */
const SCAN_MS = 1000;

/** One sensor's configuration (written, else the chip's), and (SensorReadings) what its polls found since the last reset. */
class Sensor extends SensorReadings {
  nextPollAt: number;
  failed = false;

  constructor(
    public source: SensorSource,
    /** Its identity across restarts (temperature-settings.ts). */
    public id: string,
    private readonly settings: SensorSettings,
    now: number,
  ) {
    super();
    this.nextPollAt = now;
    this.forget(now);
  }

  get enabled(): boolean {
    return this.settings.of(this.id).Enable ?? true;
  }
  get pollingIntervalS(): number {
    return this.settings.of(this.id).PollingInterval ?? 0;
  }
  get lowAlarm(): number {
    return this.settings.of(this.id).LowAlarmValue ?? this.source.low ?? NO_READING;
  }
  get highAlarm(): number {
    return this.settings.of(this.id).HighAlarmValue ?? this.source.high ?? NO_READING;
  }

  intervalMs(): number {
    return pollIntervalMs(this.pollingIntervalS);
  }

  reset(now: number): void {
    this.forget(now);
    this.nextPollAt = now;
  }

  /** One poll; a file that does not read is an error, and no reading. */
  take(at: number, celsius: number | undefined): void {
    this.nextPollAt = at + this.intervalMs();
    this.failed = celsius === undefined;
    if (celsius !== undefined) this.record(at, celsius, this.lowAlarm, this.highAlarm);
  }

  values(): Record<string, Value> {
    const enabled = this.enabled;
    return {
      Enable: enabled,
      Status: !enabled ? 'Disabled' : this.failed ? 'Error' : 'Enabled',
      Name: this.source.name,
      ...this.readings(),
      LowAlarmValue: this.lowAlarm,
      HighAlarmValue: this.highAlarm,
      PollingInterval: this.pollingIntervalS,
    };
  }
}

/** The sensors of the host and their poller: a Get takes the polls due, and a timer takes them between Gets. */
class SensorPoller {
  private readonly numbers = new InstanceMap();
  private readonly sensors = new Map<string, Sensor>();
  private present: string[] = [];
  /** The identities of `present`, same order. */
  private presentIds: string[] = [];
  private scannedAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly files: HostFiles,
    private readonly now: () => number,
    private readonly settings: SensorSettings,
  ) {}

  /** Rescans sysfs (at most every SCAN_MS) and takes every poll that fell due; one at a time. */
  advance(): Promise<void> {
    this.running ??= this.advanceNow().finally(() => {
      this.running = undefined;
      this.schedule();
    });
    return this.running;
  }

  private async advanceNow(): Promise<void> {
    const now = this.now();
    if (now - this.scannedAt >= SCAN_MS || now < this.scannedAt) {
      this.scannedAt = now;
      const found = await findSensors(this.files);
      const ids = sensorIdentities(found.map((f) => f.name));
      found.forEach((source, i) => {
        const s = this.sensors.get(source.key);
        // Found for the first time: the agent starts watching it, which is its reset.
        if (!s) this.sensors.set(source.key, new Sensor(source, ids[i]!, this.settings, now));
        else {
          s.source = source;
          s.id = ids[i]!;
        }
      });
      this.present = found.map((f) => f.key);
      this.presentIds = ids;
      this.numbers.list(this.present);
    }
    for (const key of this.present) {
      const s = this.sensors.get(key)!;
      if (!s.enabled || s.nextPollAt > now) continue;
      s.take(now, milliCelsius(await this.files.attr(s.source.input)));
    }
  }

  /** The next poll between Gets, at the earliest due (never sooner than a second). */
  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const due = this.present.map((k) => this.sensors.get(k)!).filter((s) => s.enabled);
    if (due.length === 0) return;
    const wait = Math.max(1000, Math.min(...due.map((s) => s.nextPollAt)) - this.now());
    this.timer = setTimeout(() => void this.advance(), Math.min(wait, DEFAULT_POLL_S * 1000));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async list(): Promise<number[]> {
    await this.advance();
    return this.present.map((k) => this.numbers.numberOf(k)).sort((a, b) => a - b);
  }

  async sensor(keys: InstanceKeys): Promise<Sensor> {
    await this.advance();
    const key = this.numbers.keyOf(keys[0]);
    const s = key !== undefined && this.present.includes(key) ? this.sensors.get(key) : undefined;
    if (!s) throw new UspError(ErrorCode.ObjectDoesNotExist, `no temperature sensor ${keys[0]}`);
    return s;
  }

  /** Reset() and Enable going true: forget the readings, poll at once. */
  async reset(keys: InstanceKeys): Promise<void> {
    const s = await this.sensor(keys);
    s.reset(this.now());
    await this.advance();
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const s = await this.sensor(keys);
    validate(s, changes);
    const now = this.now();
    const before = { low: s.lowAlarm, high: s.highAlarm, poll: s.pollingIntervalS, enabled: s.enabled };
    // Kept first (the store, saved with the transaction): the getters below read the new values.
    this.settings.write(s.id, changes, this.presentIds);
    // TR-181: a new alarm value resets its alarm time.
    if (s.lowAlarm !== before.low) s.lowAlarmAt = undefined;
    if (s.highAlarm !== before.high) s.highAlarmAt = undefined;
    // The new interval counts from the last reading, never before now.
    if (s.pollingIntervalS !== before.poll) s.nextPollAt = Math.max(now, (s.last?.at ?? now) + s.intervalMs());
    // TR-181 ResetTime: a Status transition from Disabled to Enabled is a reset.
    if (s.enabled && !before.enabled) s.reset(now);
    await this.advance();
  }
}

/** Refuses (7012) thresholds that cross and polling intervals out of range. */
function validate(s: Sensor, changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  const poll = changes.PollingInterval;
  if (poll !== undefined && poll !== 0 && !(Number(poll) >= POLLING_RANGE.min && Number(poll) <= POLLING_RANGE.max)) {
    bad.push({ param: 'PollingInterval', message: `0 (the device's choice) or ${POLLING_RANGE.min} to ${POLLING_RANGE.max} seconds` });
  }
  const low = Number(changes.LowAlarmValue ?? s.lowAlarm);
  const high = Number(changes.HighAlarmValue ?? s.highAlarm);
  if (low !== NO_READING && high !== NO_READING && low >= high && (changes.LowAlarmValue !== undefined || changes.HighAlarmValue !== undefined)) {
    const param = changes.HighAlarmValue !== undefined ? 'HighAlarmValue' : 'LowAlarmValue';
    bad.push({ param, message: `LowAlarmValue (${low}) must be below HighAlarmValue (${high}); ${NO_READING} leaves one unset` });
  }
  if (bad.length > 0) {
    throw new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), {
      paramErrors: bad.map((b) => ({ param: b.param, code: ErrorCode.InvalidValue, message: b.message })),
    });
  }
}

/**
 * Serves Device.DeviceInfo.TemperatureStatus. and TemperatureSensor.{i}. (with Reset()) from
 * the sysfs under `files`, the settings a Controller writes kept in `store` (without one, until
 * the agent stops). With a store the first poll waits for `stateLoaded()` (the agent has loaded
 * it), so no reading is judged by thresholds other than the saved ones; `stop()` ends the poll timer.
 */
export function registerTemperatureStatus(model: DataModel, files: HostFiles, now: () => number, store?: DataStore): { stop(): void; stateLoaded(): Promise<void> } {
  const poller = new SensorPoller(files, now, new SensorSettings(store));
  const reset: CommandBinding = {
    run: async ({ keys }) => {
      await poller.reset(keys);
      return {};
    },
  };
  const sensors: ObjectBinding = {
    params: SENSOR_PARAMS,
    commands: { 'Reset()': reset },
    list: () => poller.list(),
    get: async (keys) => (await poller.sensor(keys)).values(),
    set: (keys, changes) => poller.set(keys, changes),
  };
  model.register('Device.DeviceInfo.TemperatureStatus.', { params: [], get: () => ({}) });
  model.register(SENSOR, sensors);
  // The first poll at start: MinValue/MaxValue count from there, not from the first Get.
  if (!store) void poller.advance();
  return { stop: () => poller.stop(), stateLoaded: () => poller.advance() };
}

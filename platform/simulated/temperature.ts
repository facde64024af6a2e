/**
 * Device.DeviceInfo.TemperatureStatus. of the simulated gateway (TR-181 TempStatus:1,
 * TempStatusAdv:2): the hardware monitor's three sensors (CPU, 5G modem, Wi-Fi 6 GHz radio),
 * whose readings come from thermal.ts and are tracked by temperature-tracker.ts. Enable, the
 * alarm thresholds and PollingInterval are configuration and persist in the store; readings,
 * extremes and alarm times start afresh at every boot, which TR-181 counts as a reset.
 */
import type { CommandBinding, CommandInvocation, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import { NO_READING, SensorTracker } from './temperature-tracker.js';
import { SENSORS, type ThermalInputs, thermalModels } from './thermal.js';
import { SENSOR_PARAMS } from '../sensor-readings.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.';
/** Seconds after power-on before the hwmon drivers have probed and the first readings exist. */
const PROBE_DELAY_S = 4;
/** PollingInterval a Controller may set, seconds (0: the device's choice); the ADC is not read faster. */
const POLLING_RANGE = { min: 5, max: 86_400 } as const;

/** TemperatureStatus. itself serves nothing but its table: one binding for every gateway of a fleet (issue 14). */
const TEMPERATURE_STATUS: ObjectBinding = { params: [], get: () => ({}) };

const SIMULATED_SENSOR_PARAMS = ['Alias', ...SENSOR_PARAMS] as const;
const SENSOR_INSTANCES = SENSORS.map((_, i) => i + 1);

/** A sensor's configuration until written (a module function: nothing of the gateway in it). */
function sensorDefaults(keys: InstanceKeys): Record<string, Value> {
  const m = nth(SENSORS, keys[0]);
  return { Enable: true, Alias: m.alias, LowAlarmValue: m.lowAlarm, HighAlarmValue: m.highAlarm, PollingInterval: 0 };
}

/**
 * The sensors of one gateway. The heat model and the trackers are made at the first read, not
 * at boot: most gateways of a fleet are never asked (issue 14). A tracker made late still
 * starts at boot (bootedAt), and the heat model is a pure function of the seed and the clock,
 * so the readings are the same.
 */
class Sensors {
  readonly rows: WritableRows;
  private sensors: SensorTracker[] | undefined;

  constructor(
    readonly ctx: SimContext,
    private readonly inputs: ThermalInputs,
  ) {
    this.rows = new WritableRows(ctx, SENSOR, sensorDefaults);
  }

  private make(): SensorTracker[] {
    const { ctx, rows } = this;
    return thermalModels(ctx, this.inputs).map(
      (celsius, i) =>
        new SensorTracker(ctx.bootedAt, PROBE_DELAY_S * 1000, celsius, () => {
          const row = rows.row([i + 1]);
          return {
            enabled: row.Enable === true,
            pollingIntervalS: Number(row.PollingInterval),
            lowAlarm: Number(row.LowAlarmValue),
            highAlarm: Number(row.HighAlarmValue),
          };
        }),
    );
  }

  /** The sensor of `keys`, with every reading due until now taken. */
  current(keys: InstanceKeys): SensorTracker {
    nth(SENSORS, keys[0]);
    const s = nth((this.sensors ??= this.make()), keys[0]);
    s.advance(this.ctx.now());
    return s;
  }
}

/** TemperatureSensor.{i}.Reset(). */
class ResetCommand implements CommandBinding {
  constructor(private readonly sensors: Sensors) {}

  async run({ keys }: CommandInvocation): Promise<Record<string, Value>> {
    this.sensors.current(keys).reset(this.sensors.ctx.now());
    return {};
  }
}

/** TemperatureStatus.TemperatureSensor.{i}.: a class, its methods one copy for a whole fleet (issue 14). */
class SensorBinding implements ObjectBinding {
  readonly params = SIMULATED_SENSOR_PARAMS;
  readonly commands: Readonly<Record<string, CommandBinding>>;

  constructor(private readonly s: Sensors) {
    this.commands = { 'Reset()': new ResetCommand(s) };
  }

  list(): number[] {
    return SENSOR_INSTANCES;
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const sensor = this.s.current(keys);
    const row = this.s.rows.row(keys);
    return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled', Name: SENSORS[keys[0] - 1].name, ...sensor.values() };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { rows } = this.s;
    const before = rows.row(keys);
    validate({ ...before, ...changes }, changes);
    // Polls due so far are judged by the configuration they fell due under.
    const sensor = this.s.current(keys);
    rows.apply(keys, changes);
    const now = this.s.ctx.now();
    const changed = (p: string): boolean => changes[p] !== undefined && changes[p] !== before[p];
    // TR-181 ResetTime: a Status transition from Disabled to Enabled is a reset.
    if (changed('Enable') && changes.Enable === true) sensor.reset(now);
    if (changed('LowAlarmValue')) sensor.clearAlarm('low');
    if (changed('HighAlarmValue')) sensor.clearAlarm('high');
    if (changed('PollingInterval')) sensor.reschedule(now);
  }
}

/** Serves TemperatureStatus. and its TemperatureSensor.{i}. table, with the Reset() command. */
export function registerTemperatureStatus(ctx: SimContext, inputs: ThermalInputs): void {
  ctx.model.register('Device.DeviceInfo.TemperatureStatus.', TEMPERATURE_STATUS);
  ctx.model.register(SENSOR, new SensorBinding(new Sensors(ctx, inputs)));
}

/** Refuses (7012) thresholds that cross and polling faster than the sensor can be read. */
function validate(next: Record<string, Value>, changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  const poll = changes.PollingInterval;
  if (poll !== undefined && poll !== 0 && !(Number(poll) >= POLLING_RANGE.min && Number(poll) <= POLLING_RANGE.max)) {
    bad.push({ param: 'PollingInterval', message: `0 (the device's choice) or ${POLLING_RANGE.min} to ${POLLING_RANGE.max} seconds` });
  }
  const low = Number(next.LowAlarmValue);
  const high = Number(next.HighAlarmValue);
  if (low !== NO_READING && high !== NO_READING && low >= high && (changes.LowAlarmValue !== undefined || changes.HighAlarmValue !== undefined)) {
    const param = changes.HighAlarmValue !== undefined ? 'HighAlarmValue' : 'LowAlarmValue';
    bad.push({ param, message: `LowAlarmValue (${low}) must be below HighAlarmValue (${high}); ${NO_READING} leaves one unset` });
  }
  if (bad.length > 0) throw invalidParams(bad);
}

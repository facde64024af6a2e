/**
 * Device.IoTCapability.{i}. on Linux and OpenWrt, from the kernel only (nothing is claimed that
 * sysfs does not give):
 *
 * | source                                   | Class         | Type / Unit                         |
 * |------------------------------------------|---------------|-------------------------------------|
 * | LED with max_brightness 1 (GPIO)         | BinaryControl | Switch; Value: brightness > 0       |
 * | LED with max_brightness > 1 (PWM)        | LevelControl  | Brightness, "-" (0..max_brightness) |
 * | LED `trigger`                            | EnumControl   | OperatingMode; ValidValues: triggers|
 * | thermal zone / hwmon temperature input   | LevelSensor   | Temperature, degC                   |
 * | power supply `capacity`                  | LevelSensor   | Battery, %                          |
 * | power supply `temp`                      | LevelSensor   | Temperature, degC                   |
 * | GPIO inputs, IIO colour sensors, power supply `status`/`uevent`: iot-sensor-rows.ts        |
 *
 * Writes go to sysfs at once and are kept in the store (iot-settings.ts), which the agent writes
 * back at start. StepValue (default a tenth of the range) and the LevelSensor thresholds are the
 * agent's own; a sensor's thresholds default to the chip's limits (temperature-sysfs.ts) or the
 * supply's capacity alert levels, and are left out when there are none.
 */
import path from 'node:path';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { cachedSource, type CachedSource } from '../../datamodel/tree/binding-helpers.js';
import type { Value } from '../../datamodel/value/Value.js';
import { decimal, type IoTCapabilityRow, type IoTClass, type IoTSource } from '../iot/iot-classes.js';
import { registerIoTCapabilities } from '../iot/iot-bindings.js';
import { invalidValues } from '../iot/iot-validate.js';
import type { HostFiles } from './HostFiles.js';
import { IoTHostSettings } from './iot-settings.js';
import { kernelSensorClasses, kernelSensorRows } from './iot-sensor-rows.js';
import { findLeds, ledNamesSync, writeLed, type LedState } from './led-sysfs.js';
import { findSupplies, hasSupplyReadingsSync } from './power-supply-sysfs.js';
import { sensorIdentities } from './temperature-settings.js';
import { findSensors } from './temperature-sysfs.js';

/** How long one scan of sysfs serves every read, ms (a Get of the table reads each row's sub-objects). */
const SCAN_MS = 1000;

/** A row, with what its write needs. */
interface HostRow extends IoTCapabilityRow {
  led?: string;
  /** The threshold identity of a LevelSensor. */
  sensor?: string;
}

const defaultStep = (max: number): number => Math.max(1, Math.ceil(max / 10));

function ledRows(led: LedState, settings: IoTHostSettings): HostRow[] {
  const out: HostRow[] = [];
  const description = `LED ${led.name}`;
  if (led.maxBrightness === 1) {
    out.push({ key: `led:${led.name}`, led: led.name, class: 'BinaryControl', values: { Type: 'Switch', Description: description, Value: led.brightness > 0 } });
  } else {
    const step = settings.led(led.name).step ?? defaultStep(led.maxBrightness);
    out.push({
      key: `led:${led.name}`,
      led: led.name,
      class: 'LevelControl',
      values: { Type: 'Brightness', Description: description, Value: String(led.brightness), Unit: '-', MinValue: '0', MaxValue: String(led.maxBrightness), StepValue: decimal(step) },
    });
  }
  if (led.trigger !== undefined) {
    out.push({
      key: `led-trigger:${led.name}`,
      led: led.name,
      class: 'EnumControl',
      values: { Type: 'OperatingMode', Description: `${description} trigger`, Value: led.trigger, ValidValues: led.triggers.join(',') },
    });
  }
  return out;
}

function sensorRow(key: string, sensor: string, settings: IoTHostSettings, v: { type: string; unit: string; description: string; value?: number; low?: number; high?: number }): HostRow {
  const t = settings.threshold(sensor);
  const low = t.low ?? v.low;
  const high = t.high ?? v.high;
  return {
    key,
    sensor,
    class: 'LevelSensor',
    values: {
      Type: v.type,
      Description: v.description,
      Value: v.value === undefined ? undefined : decimal(v.value),
      Unit: v.unit,
      LowLevelThreshold: low === undefined ? undefined : decimal(low),
      HighLevelThreshold: high === undefined ? undefined : decimal(high),
    },
  };
}

/** Millidegrees to °C, keeping the sensor's resolution. */
const milli = (text: string | undefined): number | undefined => (text !== undefined && /^-?\d+$/.test(text) ? Number(text) / 1000 : undefined);

export class LinuxIoTSource implements IoTSource {
  private readonly scan: CachedSource<HostRow[]>;

  constructor(
    private readonly files: HostFiles,
    private readonly settings: IoTHostSettings,
    now: () => number,
  ) {
    this.scan = cachedSource(() => this.read(), { maxAgeMs: SCAN_MS, now });
  }

  rows(): Promise<HostRow[]> {
    return this.scan.read();
  }

  private async read(): Promise<HostRow[]> {
    const { files, settings } = this;
    const rows = (await findLeds(files)).flatMap((led) => ledRows(led, settings));
    const temps = await findSensors(files);
    const ids = sensorIdentities(temps.map((s) => s.name));
    for (const [i, s] of temps.entries()) {
      const id = `temperature:${ids[i]}`;
      rows.push(
        sensorRow(`temp:${s.key}`, id, settings, { type: 'Temperature', unit: 'degC', description: `Temperature ${s.name}`, value: milli(await files.attr(s.input)), low: s.low, high: s.high }),
      );
    }
    for (const p of await findSupplies(files)) {
      if (p.capacity !== undefined) {
        rows.push(
          sensorRow(`supply:${p.name}:capacity`, `capacity:${p.name}`, settings, {
            type: 'Battery',
            unit: '%',
            description: `Power supply ${p.name} capacity`,
            value: p.capacity,
            low: p.capacityLow,
            high: p.capacityHigh,
          }),
        );
      }
      if (p.celsius !== undefined) {
        rows.push(
          sensorRow(`supply:${p.name}:temp`, `supply-temperature:${p.name}`, settings, { type: 'Temperature', unit: 'degC', description: `Power supply ${p.name} temperature`, value: p.celsius }),
        );
      }
    }
    // After the LEDs and levels, so their instance numbers are as before these sensors were served.
    rows.push(...(await kernelSensorRows(files)));
    return rows;
  }

  async write(row: HostRow, changes: Record<string, Value>): Promise<void> {
    try {
      if (row.led !== undefined) await this.writeLed(row, row.led, changes);
      if (row.sensor !== undefined) {
        const n = (p: string): number | undefined => (changes[p] === undefined ? undefined : Number(changes[p]));
        this.settings.writeThreshold(row.sensor, { low: n('LowLevelThreshold'), high: n('HighLevelThreshold') });
      }
    } finally {
      this.scan.invalidate();
    }
  }

  private async writeLed(row: HostRow, led: string, changes: Record<string, Value>): Promise<void> {
    // The kernel takes whole brightness steps: a fraction is refused before anything is written.
    if (row.class === 'LevelControl' && changes.Value !== undefined && !Number.isInteger(Number(changes.Value))) {
      throw invalidValues([{ param: 'Value', message: `${String(changes.Value)}: LED ${led} takes whole brightness steps` }]);
    }
    if (row.class === 'EnumControl' && changes.Value !== undefined) {
      await writeLed(this.files, led, 'trigger', String(changes.Value));
      this.settings.writeLed(led, { trigger: String(changes.Value) });
    }
    if (row.class === 'LevelControl' && changes.StepValue !== undefined) this.settings.writeLed(led, { step: Number(changes.StepValue) });
    if ((row.class === 'LevelControl' || row.class === 'BinaryControl') && changes.Value !== undefined) {
      // A BinaryControl LED is a GPIO one (max_brightness 1); a LevelControl value is validated within 0..max_brightness.
      const brightness = row.class === 'BinaryControl' ? (changes.Value === true ? 1 : 0) : Math.round(Number(changes.Value));
      await writeLed(this.files, led, 'brightness', String(brightness));
      this.settings.writeLed(led, { brightness });
    }
  }

  /** At start: the stored LED settings written back to sysfs (trigger first: a trigger drives the brightness). */
  async restore(): Promise<void> {
    const present = new Set(ledNamesSync(this.files));
    for (const [name, s] of Object.entries(this.settings.leds())) {
      if (!present.has(name)) continue;
      if (s.trigger !== undefined) await writeLed(this.files, name, 'trigger', s.trigger).catch(() => undefined);
      if (s.brightness !== undefined) await writeLed(this.files, name, 'brightness', String(s.brightness)).catch(() => undefined);
    }
    this.scan.invalidate();
  }
}

/** Whether the thermal or hwmon class has a temperature input, read synchronously at registration. */
function hasTemperatureSync(files: HostFiles): boolean {
  if (files.listSync(files.sys('class', 'thermal')).some((z) => /^thermal_zone\d+$/.test(z))) return true;
  const hwmon = files.sys('class', 'hwmon');
  return files.listSync(hwmon).some((h) => [path.join(hwmon, h), path.join(hwmon, h, 'device')].some((d) => files.listSync(d).some((f) => /^temp\d+_input$/.test(f))));
}

/** The Classes the host's sysfs can give now: what GetSupportedDM then claims. */
export function hostIoTClasses(files: HostFiles): IoTClass[] {
  const classes: IoTClass[] = [];
  const leds = ledNamesSync(files);
  const max = leds.map((n) => Number(files.attrSync(files.sys('class', 'leds', n, 'max_brightness'))));
  if (max.some((m) => m === 1)) classes.push('BinaryControl');
  if (max.some((m) => m > 1)) classes.push('LevelControl');
  if (leds.some((n) => files.attrSync(files.sys('class', 'leds', n, 'trigger')) !== undefined)) classes.push('EnumControl');
  if (hasTemperatureSync(files) || hasSupplyReadingsSync(files)) classes.push('LevelSensor');
  classes.push(...kernelSensorClasses(files));
  return classes;
}

/**
 * Registers Device.IoTCapability. from the host's sysfs under `files`; the Controller's settings
 * kept in `store`. `stateLoaded()` (the store is loaded) writes the stored LED settings back.
 */
export function registerHostIoTCapabilities(model: DataModel, files: HostFiles, now: () => number, store?: DataStore): { stateLoaded(): Promise<void> } {
  const classes = hostIoTClasses(files);
  const source = new LinuxIoTSource(files, new IoTHostSettings(store), now);
  registerIoTCapabilities(model, source, classes);
  return { stateLoaded: () => (classes.length > 0 ? source.restore() : Promise.resolve()) };
}

/**
 * The kernel's temperature sensors, as TR-181 TemperatureSensor rows read them (TempStatus:1),
 * from the two sysfs classes of the kernel ABI (Documentation/ABI/testing/sysfs-class-thermal
 * and sysfs-class-hwmon, and Documentation/hwmon/sysfs-interface.rst):
 *
 * - `/sys/class/thermal/thermal_zoneN/`: `type` (the zone's name, "x86_pkg_temp", "cpu-thermal"),
 *   `temp` in millidegrees Celsius, `trip_point_K_type`/`trip_point_K_temp` (the `critical`
 *   trip is where the kernel shuts the system down).
 * - `/sys/class/hwmon/hwmonN/`: `name` (the chip), `tempK_input` in millidegrees Celsius,
 *   `tempK_label`, `tempK_min`/`tempK_max`/`tempK_crit` (the chip's alarm limits). Older drivers
 *   keep these under `hwmonN/device/`.
 *
 * A thermal zone is also published as a hwmon device by the thermal core (thermal_hwmon: its
 * sysfs directory lies under the zone's): those are skipped, so each sensor is one row.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { HostFiles } from './HostFiles.js';

/** At most this many sensors are served (hwmon chips can list dozens of inputs). */
export const MAX_SENSORS = 64;

/** One temperature input of the kernel. */
export interface SensorSource {
  /** Stable for the life of the agent: "thermal_zone0", "hwmon2/temp1". */
  key: string;
  /** TR-181 Name: the zone's type, or the chip's name with the input's label. */
  name: string;
  /** The file holding the reading, millidegrees Celsius. */
  input: string;
  /** The device's own limits, °C, as factory alarm values (undefined: none). */
  low?: number;
  high?: number;
}

const ZONE = /^thermal_zone(\d+)$/;
const HWMON = /^hwmon(\d+)$/;
const TEMP_INPUT = /^temp(\d+)_input$/;

/** Entries matching `re`, in the kernel's numeric order (thermal_zone10 after thermal_zone9). */
function numbered(entries: string[], re: RegExp): string[] {
  return entries.filter((e) => re.test(e)).sort((a, b) => Number(re.exec(a)![1]) - Number(re.exec(b)![1]));
}

/** A millidegree attribute as whole °C; undefined when absent or not a number. */
export function milliCelsius(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  return Math.round(Number(text.trim()) / 1000);
}

async function thermalZones(files: HostFiles): Promise<SensorSource[]> {
  const dir = files.sys('class', 'thermal');
  const out: SensorSource[] = [];
  for (const zone of numbered(await files.list(dir), ZONE)) {
    const base = path.join(dir, zone);
    const entries = await files.list(base);
    let high: number | undefined;
    for (const t of entries.filter((e) => /^trip_point_\d+_type$/.test(e))) {
      if ((await files.attr(path.join(base, t))) !== 'critical') continue;
      high = milliCelsius(await files.attr(path.join(base, t.replace(/_type$/, '_temp'))));
      break;
    }
    out.push({ key: zone, name: (await files.attr(path.join(base, 'type'))) ?? zone, input: path.join(base, 'temp'), high });
  }
  return out;
}

async function hwmonSensors(files: HostFiles): Promise<SensorSource[]> {
  const dir = files.sys('class', 'hwmon');
  const out: SensorSource[] = [];
  for (const hwmon of numbered(await files.list(dir), HWMON)) {
    const link = path.join(dir, hwmon);
    const real = await fs.realpath(link).catch(() => link);
    if (/\/thermal_zone\d+\//.test(`${real}/`)) continue;
    // The attributes are in hwmonN/, or in hwmonN/device/ for drivers older than the hwmon core's.
    let base = link;
    let entries = await files.list(base);
    if (!entries.some((e) => TEMP_INPUT.test(e))) {
      base = path.join(link, 'device');
      entries = await files.list(base);
    }
    const chip = (await files.attr(path.join(base, 'name'))) ?? (await files.attr(path.join(link, 'name'))) ?? hwmon;
    for (const input of numbered(entries, TEMP_INPUT)) {
      const t = input.replace(/_input$/, '');
      const label = await files.attr(path.join(base, `${t}_label`));
      const limit = async (what: string): Promise<number | undefined> => milliCelsius(await files.attr(path.join(base, `${t}_${what}`)));
      out.push({
        key: `${hwmon}/${t}`,
        name: `${chip} ${label ?? t}`,
        input: path.join(base, input),
        low: await limit('min'),
        high: (await limit('max')) ?? (await limit('crit')),
      });
    }
  }
  return out;
}

/** Every temperature sensor the kernel publishes: thermal zones first, then hwmon inputs. */
export async function findSensors(files: HostFiles): Promise<SensorSource[]> {
  return [...(await thermalZones(files)), ...(await hwmonSensors(files))].slice(0, MAX_SENSORS);
}

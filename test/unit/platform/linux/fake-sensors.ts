/**
 * A fake sysfs with temperature sensors, for hosts (like the test machine) that have none. Not a
 * recording: laid out from the kernel ABI (Documentation/ABI/testing/sysfs-class-thermal and
 * sysfs-class-hwmon, Documentation/hwmon/sysfs-interface.rst), as a small router shows it:
 *
 * - thermal_zone0, type "cpu-thermal", temp 48250 m°C, a passive trip at 85 °C and the critical
 *   one at 105 °C; the thermal core also publishes it as hwmon0 ("cpu_thermal", temp1_input),
 *   whose directory lies under the zone's (thermal_hwmon), so it is one sensor, not two.
 * - hwmon1 "mt7915_phy0" (a Wi-Fi chip's own sensor): temp1_input 52000, temp1_crit 110000.
 * - hwmon2 "lm75" on I2C, a driver of the old layout with its attributes in hwmon2/device/:
 *   temp1_input 31500, temp1_label "board", temp1_min 0, temp1_max 80000.
 *
 * /sys/class/thermal and /sys/class/hwmon hold symlinks into /sys/devices, as on a real kernel.
 */
import fs from 'node:fs';
import path from 'node:path';

const ZONE = 'devices/virtual/thermal/thermal_zone0';
const WIFI = 'devices/platform/soc/18000000.wifi/hwmon/hwmon1';
const LM75 = 'devices/platform/soc/11007000.i2c/i2c-0/0-0048/hwmon/hwmon2';

/** The files a test rewrites to change a reading, relative to the sysfs root. */
export const SENSOR_INPUTS = {
  cpu: `${ZONE}/temp`,
  wifi: `${WIFI}/temp1_input`,
  board: `${LM75}/device/temp1_input`,
} as const;

export function writeFakeSensors(sysRoot: string): void {
  const put = (rel: string, text: string): void => {
    const file = path.join(sysRoot, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${text}\n`);
  };
  const link = (cls: string, name: string, target: string): void => {
    fs.mkdirSync(path.join(sysRoot, 'class', cls), { recursive: true });
    fs.symlinkSync(path.join('..', '..', target), path.join(sysRoot, 'class', cls, name));
  };
  put(`${ZONE}/type`, 'cpu-thermal');
  put(`${ZONE}/temp`, '48250');
  put(`${ZONE}/mode`, 'enabled');
  put(`${ZONE}/trip_point_0_type`, 'passive');
  put(`${ZONE}/trip_point_0_temp`, '85000');
  put(`${ZONE}/trip_point_1_type`, 'critical');
  put(`${ZONE}/trip_point_1_temp`, '105000');
  put(`${ZONE}/hwmon0/name`, 'cpu_thermal');
  put(`${ZONE}/hwmon0/temp1_input`, '48250');
  link('thermal', 'thermal_zone0', ZONE);
  link('hwmon', 'hwmon0', `${ZONE}/hwmon0`);
  put(`${WIFI}/name`, 'mt7915_phy0');
  put(`${WIFI}/temp1_input`, '52000');
  put(`${WIFI}/temp1_crit`, '110000');
  link('hwmon', 'hwmon1', WIFI);
  put(`${LM75}/device/name`, 'lm75');
  put(`${LM75}/device/temp1_input`, '31500');
  put(`${LM75}/device/temp1_label`, 'board');
  put(`${LM75}/device/temp1_min`, '0');
  put(`${LM75}/device/temp1_max`, '80000');
  link('hwmon', 'hwmon2', LM75);
}

/** Sets one sensor's reading, m°C (written whole, as the kernel answers a read). */
export function setReading(sysRoot: string, input: string, milliCelsius: number): void {
  fs.writeFileSync(path.join(sysRoot, input), `${milliCelsius}\n`);
}

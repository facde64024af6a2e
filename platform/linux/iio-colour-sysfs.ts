/**
 * Colour sensors of the kernel's Industrial I/O subsystem (Documentation/ABI/testing/sysfs-bus-iio):
 * `/sys/bus/iio/devices/iio:deviceN/` with `name` (the driver: tcs3472, isl29125, apds9960)
 * and one raw reading per colour channel, `in_intensity_red_raw`, `in_intensity_green_raw`,
 * `in_intensity_blue_raw`. Some routers carry one to dim their LEDs to the room's light.
 *
 * This is the one MultiLevelSensor TR-181 lets a router's kernel fill honestly: the Types are
 * RGB and Location only, so a hwmon chip's several inputs (one Unit, but no Type for them) stay
 * LevelSensors. The readings are the chip's counts, with no physical unit (Unit "-").
 */
import path from 'node:path';
import type { HostFiles } from './HostFiles.js';

/** At most this many colour sensors are served. */
export const MAX_COLOUR_SENSORS = 4;

const CHANNELS = ['red', 'green', 'blue'] as const;
const DEVICE = /^iio:device(\d+)$/;

export interface ColourReading {
  /** "iio:device0": stable while the device stays. */
  device: string;
  /** The driver's name ("tcs3472"). */
  name: string;
  /** Red, green, blue counts; undefined where a read failed. */
  rgb: Array<number | undefined>;
}

const channelFile = (c: string): string => `in_intensity_${c}_raw`;
const devices = (entries: string[]): string[] => entries.filter((e) => DEVICE.test(e)).sort((a, b) => Number(DEVICE.exec(a)![1]) - Number(DEVICE.exec(b)![1]));

/** The IIO devices with all three colour channels, in device order. */
export async function findColourSensors(files: HostFiles): Promise<ColourReading[]> {
  const dir = files.sys('bus', 'iio', 'devices');
  const out: ColourReading[] = [];
  for (const device of devices(await files.list(dir))) {
    if (out.length >= MAX_COLOUR_SENSORS) break;
    const entries = new Set(await files.list(path.join(dir, device)));
    if (!CHANNELS.every((c) => entries.has(channelFile(c)))) continue;
    const rgb: Array<number | undefined> = [];
    for (const c of CHANNELS) {
      const s = await files.attr(path.join(dir, device, channelFile(c)));
      rgb.push(s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
    }
    out.push({ device, name: (await files.attr(path.join(dir, device, 'name'))) ?? device, rgb });
  }
  return out;
}

/** Whether a colour sensor is there, read synchronously at registration. */
export function hasColourSensorSync(files: HostFiles): boolean {
  const dir = files.sys('bus', 'iio', 'devices');
  return devices(files.listSync(dir)).some((d) => {
    const entries = new Set(files.listSync(path.join(dir, d)));
    return CHANNELS.every((c) => entries.has(channelFile(c)));
  });
}

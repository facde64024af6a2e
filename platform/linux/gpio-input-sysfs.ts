/**
 * The kernel's GPIO lines a board exports to user space in the input direction, from the sysfs
 * GPIO interface (Documentation/ABI/obsolete/sysfs-gpio): `/sys/class/gpio/<line>/` with
 * `direction` ("in" / "out"), `value` (0 / 1) and `active_low`. The kernel applies `active_low`
 * to `value` itself (the attribute reads the line's logical state), so `value` is taken as it
 * reads: inverting it again would report a closed lid as open.
 *
 * A line is exported as `gpioN` by a script, or under a name by OpenWrt's gpio-export driver
 * (the board's device tree names it: `tamper`, `water-leak`). Only the name says what a line
 * senses, and TR-181 BinarySensor Types are detections (DoorOpen, WaterDetected ...): a line is
 * served only when its name maps to one of them (sensorTypeOf). A bare `gpio17` input, a reset
 * or WPS button, says nothing TR-181 can type, and is left out rather than called a door.
 *
 * The gpio-keys driver (buttons) gives no state in sysfs at all (only the key codes it handles,
 * in `keys`/`switches`); its state is an input device's, which this reader does not open.
 */
import path from 'node:path';
import type { HostFiles } from './HostFiles.js';

/** At most this many lines are served (a SoC can export dozens). */
export const MAX_GPIO_INPUTS = 16;

/** One exported input line. */
export interface GpioInput {
  /** The entry's name under /sys/class/gpio ("tamper", "gpio17"). */
  name: string;
  /** The TR-181 BinarySensor Type its name gives. */
  type: string;
  /** The logical state (`value` with `active_low` already applied by the kernel); undefined when unreadable. */
  active?: boolean;
  activeLow: boolean;
}

/**
 * TR-181 IoTCapability BinarySensor Types, by the words a board's line names use for them. Whole
 * words only (split at `-`, `_`, `.`, a trailing number dropped): "recovery" is no cover switch.
 */
const TYPE_BY_WORD: ReadonlyMap<string, string> = new Map([
  ...['co2', 'dioxide'].map((w) => [w, 'CarbonDioxideDetected'] as const),
  ...['co', 'monoxide'].map((w) => [w, 'CarbonMonoxideDetected'] as const),
  ['smoke', 'SmokeDetected'],
  ...['water', 'leak', 'flood', 'moisture'].map((w) => [w, 'WaterDetected'] as const),
  ...['motion', 'pir', 'presence'].map((w) => [w, 'MotionDetected'] as const),
  ['window', 'WindowOpen'],
  // A tamper or lid switch trips when the enclosure's door or cover is opened.
  ...['door', 'lid', 'tamper', 'cover', 'intrusion'].map((w) => [w, 'DoorOpen'] as const),
]);

/** The BinarySensor Type a line's name gives, or undefined when it names no TR-181 detection. */
export function sensorTypeOf(name: string): string | undefined {
  const words = name
    .toLowerCase()
    .split(/[-_.\s]+/)
    .map((w) => (w === 'co2' ? w : w.replace(/\d+$/, '')));
  // "carbon-dioxide" before "co": the more specific word of a name wins.
  for (const w of ['co2', 'dioxide', 'monoxide']) if (words.includes(w)) return TYPE_BY_WORD.get(w);
  for (const w of words) {
    const type = TYPE_BY_WORD.get(w);
    if (type !== undefined) return type;
  }
  return undefined;
}

/** Entries of /sys/class/gpio that are lines (not the chips, not the export/unexport files). */
function lineEntries(entries: string[]): string[] {
  return entries.filter((e) => !/^gpiochip\d+$/.test(e) && e !== 'export' && e !== 'unexport').sort();
}

/** The exported input lines whose names give a BinarySensor Type, in name order. */
export async function findGpioInputs(files: HostFiles): Promise<GpioInput[]> {
  const dir = files.sys('class', 'gpio');
  const out: GpioInput[] = [];
  for (const name of lineEntries(await files.list(dir))) {
    if (out.length >= MAX_GPIO_INPUTS) break;
    const type = sensorTypeOf(name);
    if (type === undefined) continue;
    const attr = (a: string): Promise<string | undefined> => files.attr(path.join(dir, name, a));
    if ((await attr('direction')) !== 'in') continue;
    const value = await attr('value');
    out.push({ name, type, active: value === '1' ? true : value === '0' ? false : undefined, activeLow: (await attr('active_low')) === '1' });
  }
  return out;
}

/** Whether a typed input line is exported, read synchronously at registration. */
export function hasGpioInputsSync(files: HostFiles): boolean {
  const dir = files.sys('class', 'gpio');
  return lineEntries(files.listSync(dir)).some((n) => sensorTypeOf(n) !== undefined && files.attrSync(path.join(dir, n, 'direction')) === 'in');
}

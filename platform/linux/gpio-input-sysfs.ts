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

/** TR-181 IoTCapability BinarySensor Types, by the words a board's line names use for them (first match wins: CO2 before CO). */
const TYPE_BY_NAME: ReadonlyArray<readonly [RegExp, string]> = [
  [/co2|carbon[-_]?dioxide/i, 'CarbonDioxideDetected'],
  [/(^|[-_])co($|[-_])|carbon[-_]?monoxide/i, 'CarbonMonoxideDetected'],
  [/smoke/i, 'SmokeDetected'],
  [/water|leak|flood|moisture/i, 'WaterDetected'],
  [/motion|pir|presence/i, 'MotionDetected'],
  [/window/i, 'WindowOpen'],
  // A tamper or lid switch trips when the enclosure's door/cover is opened.
  [/door|lid|tamper|cover|case[-_]?open|intrusion/i, 'DoorOpen'],
];

/** The BinarySensor Type a line's name gives, or undefined when it names no TR-181 detection. */
export function sensorTypeOf(name: string): string | undefined {
  return TYPE_BY_NAME.find(([re]) => re.test(name))?.[1];
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

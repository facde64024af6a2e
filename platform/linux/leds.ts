/**
 * Device.LEDs.LED.{i}. on Linux and OpenWrt, from the kernel's /sys/class/leds (led-sysfs.ts):
 *
 * | sysfs                                   | TR-181                                                         |
 * |-----------------------------------------|----------------------------------------------------------------|
 * | brightness / max_brightness unreadable  | Status Error, no cycle elements, empty CycleElementReference   |
 * | trigger none (or absent), brightness 0  | Status Disabled                                                |
 * | anything else                           | Status InUse                                                   |
 * | active trigger ("netdev", "default-on") | Reason (none: ""); CyclePeriodRepetitions -1 (none: 0)         |
 * | trigger timer, delay_on / delay_off ms  | two elements: colour for delay_on, 000000 for delay_off        |
 * | any other state                         | one element, Duration 0: the colour (dark when off, no trigger)|
 * | name "green:wan", "dev:white:signal"    | Color of the lit elements (Linux LED_COLOR names), hex RGB     |
 * | max_brightness                          | MaxBrightness                                                  |
 *
 * Only the timer trigger has a cycle sysfs describes; heartbeat, netdev, phy0tpt and the other
 * event triggers blink with load or traffic, so their single element is the colour they light
 * with and Reason names the trigger. The element lit now follows `brightness` (a timer LED's
 * half is known only that way); what is left of it cannot be read, so CurrentCycleElement
 * Duration is the element's whole Duration (an upper bound). sysfs says nothing of where an LED
 * sits: Location is Front (a router's LEDs face the user) and the relative position 0,0
 * (TR-181: unknown).
 */
import path from 'node:path';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { cachedSource, type CachedSource } from '../../datamodel/tree/binding-helpers.js';
import { registerLEDs, type LedCycleElement, type LedRow, type LedSource } from '../leds/led-bindings.js';
import { registerProgrammableLEDs, type LedCycleControl } from '../leds/led-cycle-bindings.js';
import type { HostFiles } from './HostFiles.js';
import { MAX_LEDS, ledNamesSync, parseTriggers } from './led-sysfs.js';

/** How long one scan of sysfs serves every read, ms (a Get of the table reads each row's sub-objects). */
const SCAN_MS = 1000;
const DARK = '000000';

/** The colour names of the kernel's LED bindings (dt-bindings/leds/common.h) that are one RGB colour. */
const COLORS: Readonly<Record<string, string>> = {
  white: 'FFFFFF',
  red: 'FF0000',
  green: '00FF00',
  blue: '0000FF',
  amber: 'FFBF00',
  violet: '8F00FF',
  yellow: 'FFFF00',
  purple: '800080',
  orange: 'FFA500',
  pink: 'FFC0CB',
  cyan: '00FFFF',
  lime: 'BFFF00',
};

/**
 * The colour of LED `name` as hex RGB: "devicename:color:function" has it in the middle;
 * OpenWrt's "color:function" first. undefined for no colour word, infrared and multicolour LEDs
 * (whose colour is the mix of their channels): TR-181 forbids guessing one.
 */
export function ledColor(name: string): string | undefined {
  const parts = name.toLowerCase().split(':');
  const candidates = parts.length >= 3 ? [parts[1]] : parts;
  for (const c of candidates) if (COLORS[c] !== undefined) return COLORS[c];
  return undefined;
}

/** The raw attributes of one LED directory; any may be undefined (absent or unreadable). */
export interface LedFiles {
  brightness?: string;
  maxBrightness?: string;
  trigger?: string;
  delayOn?: string;
  delayOff?: string;
}

const whole = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);

/** One LED's TR-181 row from its sysfs attributes (pure: the unit tests feed it directly). */
export function ledRow(name: string, f: LedFiles): LedRow {
  const base = { name, location: 'Front' as const, x: 0, y: 0 };
  const brightness = whole(f.brightness);
  const max = whole(f.maxBrightness);
  if (brightness === undefined || max === undefined || max < 1) return { ...base, status: 'Error', reason: '', repetitions: 0, elements: [] };
  const { active } = parseTriggers(f.trigger);
  const trigger = active === undefined || active === 'none' ? undefined : active;
  const lit = brightness > 0;
  const color = ledColor(name);
  const status = trigger === undefined && !lit ? 'Disabled' : 'InUse';
  const row = { ...base, status, reason: trigger ?? '', repetitions: trigger === undefined ? 0 : -1, maxBrightness: max } as const;
  const on = whole(f.delayOn);
  const off = whole(f.delayOff);
  if (trigger === 'timer' && on !== undefined && off !== undefined) {
    const elements: LedCycleElement[] = [
      { color, durationMs: on },
      { color: DARK, durationMs: off },
    ];
    const index = lit ? 0 : 1;
    return { ...row, elements, current: { index, remainingMs: elements[index].durationMs } };
  }
  // A steady LED (or one an event trigger drives): one element that lasts until the state changes.
  const element: LedCycleElement = { color: trigger === undefined && !lit ? DARK : color, durationMs: 0 };
  return { ...row, elements: [element], current: { index: 0, remainingMs: 0, color: lit ? color : DARK } };
}

/** Every LED of the host's sysfs, read at most once a second. */
export class SysfsLedSource implements LedSource {
  private readonly scan: CachedSource<LedRow[]>;

  constructor(
    private readonly files: HostFiles,
    now: () => number,
  ) {
    this.scan = cachedSource(() => this.read(), { maxAgeMs: SCAN_MS, now });
  }

  leds(): Promise<LedRow[]> {
    return this.scan.read();
  }

  invalidate(): void {
    this.scan.invalidate();
  }

  private async read(): Promise<LedRow[]> {
    const dir = this.files.sys('class', 'leds');
    const names = (await this.files.list(dir)).sort().slice(0, MAX_LEDS);
    const out: LedRow[] = [];
    for (const name of names) {
      const attr = (a: string): Promise<string | undefined> => this.files.attr(path.join(dir, name, a));
      out.push(
        ledRow(name, {
          brightness: await attr('brightness'),
          maxBrightness: await attr('max_brightness'),
          trigger: await attr('trigger'),
          delayOn: await attr('delay_on'),
          delayOff: await attr('delay_off'),
        }),
      );
    }
    return out;
  }
}

/**
 * Registers Device.LEDs. over the host's sysfs when it has LEDs at registration: a host without
 * any claims no LED support in GetSupportedDM. With `cycles` (led-pattern-control.ts) a
 * Controller may rename the LEDs and program their cycles (LEDAdv:1).
 */
export function registerHostLEDs(model: DataModel, files: HostFiles, now: () => number, cycles?: LedCycleControl): boolean {
  if (ledNamesSync(files).length === 0) return false;
  if (cycles) registerProgrammableLEDs(model, new SysfsLedSource(files, now), cycles);
  else registerLEDs(model, new SysfsLedSource(files, now));
  return true;
}

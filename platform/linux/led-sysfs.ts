/**
 * The kernel's LEDs (Documentation/ABI/testing/sysfs-class-led): `/sys/class/leds/<name>/`
 * with `brightness` (0 is off), `max_brightness` (1 for a GPIO LED, up to 255 for a PWM one)
 * and `trigger`, which lists every trigger the kernel has with the active one in brackets
 * ("none timer [netdev] phy0tpt"). Names follow "devicename:color:function" ("green:wan",
 * "white:signal"; OpenWrt's DTS labels omit the device name).
 *
 * Writing `brightness` 0 also removes the trigger (the kernel's rule), so a Controller turning
 * an LED off sees the trigger become "none".
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { HostFiles } from './HostFiles.js';

/** At most this many LEDs are served (a switch with per-port LEDs can have dozens). */
export const MAX_LEDS = 64;

export interface LedState {
  name: string;
  brightness: number;
  maxBrightness: number;
  /** The triggers the kernel offers; empty when the file does not read. */
  triggers: string[];
  /** The active trigger (the one in brackets). */
  trigger?: string;
}

/** "none timer [netdev] phy0tpt" → the list and the bracketed one. */
export function parseTriggers(text: string | undefined): { triggers: string[]; active?: string } {
  const triggers: string[] = [];
  let active: string | undefined;
  for (const word of (text ?? '').split(/\s+/).filter((w) => w !== '')) {
    const m = /^\[(.+)\]$/.exec(word);
    triggers.push(m ? m[1] : word);
    if (m) active = m[1];
  }
  return { triggers, active };
}

const wholeNumber = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);

/** The LEDs of the host, by name; an LED whose brightness files do not read is left out. */
export async function findLeds(files: HostFiles): Promise<LedState[]> {
  const dir = files.sys('class', 'leds');
  const out: LedState[] = [];
  for (const name of (await files.list(dir)).sort()) {
    if (out.length >= MAX_LEDS) break;
    const base = path.join(dir, name);
    const brightness = wholeNumber(await files.attr(path.join(base, 'brightness')));
    const maxBrightness = wholeNumber(await files.attr(path.join(base, 'max_brightness')));
    if (brightness === undefined || maxBrightness === undefined || maxBrightness < 1) continue;
    const { triggers, active } = parseTriggers(await files.attr(path.join(base, 'trigger')));
    out.push({ name, brightness, maxBrightness, triggers, trigger: active });
  }
  return out;
}

/** Names of the LEDs present, read synchronously (at registration, to know which Classes to claim). */
export function ledNamesSync(files: HostFiles): string[] {
  const dir = files.sys('class', 'leds');
  return files.listSync(dir).filter((n) => wholeNumber(files.attrSync(path.join(dir, n, 'max_brightness'))) !== undefined);
}

/** The attributes the agent writes: `pattern` and `repeat` exist while the pattern trigger is active, `multi_intensity` on a multicolour LED. */
export type LedAttribute = 'brightness' | 'trigger' | 'pattern' | 'repeat' | 'multi_intensity';

/** Writes one attribute of LED `name`; the kernel's refusal (EINVAL, EACCES) is a 7012. */
export async function writeLed(files: HostFiles, name: string, attr: LedAttribute, value: string): Promise<void> {
  if (name.includes('/') || name.startsWith('.')) throw new UspError(ErrorCode.InvalidValue, `no LED ${name}`);
  const file = files.sys('class', 'leds', name, attr);
  try {
    // The attribute must exist (a sysfs file is never created); sysfs ignores the truncation.
    await fs.access(file);
    await fs.writeFile(file, `${value}\n`);
  } catch (e) {
    throw new UspError(ErrorCode.InvalidValue, `the kernel refused ${attr} ${value} for LED ${name}: ${(e as Error).message}`);
  }
}

/**
 * A programmed LED cycle (platform/leds/led-program.ts) as the kernel's `pattern` LED trigger
 * plays it (ledtrig-pattern, Documentation/leds/ledtrig-pattern.rst): the LED's `pattern` file
 * takes "brightness duration brightness duration ...", and the LED moves linearly from each
 * brightness to the next one over the first one's duration; `repeat` -1 plays it without end.
 * A step (no fade) is therefore a pair at the same brightness followed by a pair of duration 0.
 *
 * Colour becomes brightness: a single-colour LED lights an element at its own colour scaled
 * (green "00FF00" full, "008000" about half) and is dark at "000000"; any other colour it cannot
 * show is refused (TR-181: the CPE MUST NOT infer a different colour). A multicolour LED
 * (multi_intensity) shows one hue per cycle: multi_intensity holds it and brightness scales it,
 * so a cycle whose lit elements mix hues is refused.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { ProgramElement } from '../leds/led-program.js';

/** The most pairs ledtrig-pattern accepts (its MAX_PATTERNS). */
export const MAX_PATTERN_PAIRS = 1024;

const channels = (hex: string): [number, number, number] => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/**
 * The brightness (0..max) a single-colour LED of colour `ledColor` (hex RGB; undefined: unknown,
 * then any colour is read as grey levels) shows for `color`; undefined when it cannot show it.
 */
export function brightnessFor(color: string, max: number, ledColor: string | undefined): number | undefined {
  const want = channels(color);
  const peak = Math.max(...want);
  if (peak === 0) return 0;
  if (ledColor !== undefined) {
    // `color` must be the LED's own colour at some level: every channel the same fraction of it.
    const own = channels(ledColor);
    const level = peak / Math.max(...own);
    if (own.some((c, i) => Math.abs(c * level - want[i]) > 2)) return undefined;
  }
  return Math.max(1, Math.round((peak / 255) * max));
}

/** A multicolour LED's one hue for the whole cycle: the lit elements' colour at full level, as multi_intensity values. */
export function multicolorHue(elements: readonly ProgramElement[], channelCount: number): number[] | undefined {
  let hue: number[] | undefined;
  for (const e of elements) {
    const c = channels(e.color);
    const peak = Math.max(...c);
    if (peak === 0) continue;
    const full = c.map((v) => Math.round((v / peak) * 255));
    if (hue && full.some((v, i) => Math.abs(v - hue![i]) > 2)) return undefined;
    hue ??= full;
  }
  return (hue ?? [255, 255, 255]).slice(0, channelCount);
}

/**
 * The `pattern` text of `elements` (the enabled ones, in Order) at `levels` (each element's
 * brightness). An element fades in from the previous element's level over its FadeInterval (at
 * most its Duration), then holds its level for the rest of its Duration.
 */
export function patternText(elements: readonly ProgramElement[], levels: readonly number[]): string {
  const pairs: [number, number][] = [];
  elements.forEach((e, i) => {
    if (e.durationMs === 0) return;
    const level = levels[i];
    const before = levels[(i + elements.length - 1) % elements.length];
    const fade = Math.min(e.fadeMs, e.durationMs);
    if (fade > 0) pairs.push([before, fade]);
    if (e.durationMs - fade > 0) pairs.push([level, e.durationMs - fade]);
    pairs.push([level, 0]);
  });
  if (pairs.length > MAX_PATTERN_PAIRS) throw new UspError(ErrorCode.ResourcesExceeded, `the cycle needs ${pairs.length} pattern steps, the kernel takes ${MAX_PATTERN_PAIRS}`);
  return pairs.map(([b, d]) => `${b} ${d}`).join(' ');
}

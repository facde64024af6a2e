/**
 * Plays the cycles a Controller programs (LEDAdv:1, platform/leds/led-cycle-bindings.ts) on the
 * kernel's LEDs through the `pattern` trigger (led-pattern.ts has the text): the LED's active
 * trigger (and, for "none", its brightness) is kept in the program before the first one, and put
 * back when the last element is deleted or none is enabled. A cycle of zero length is its first
 * element held: trigger none at that brightness.
 *
 * The kernel forgets all of it at reboot, so the programs live in the agent's store and are
 * played again once it is loaded (stateLoaded). On OpenWrt, /etc/init.d/led writes the trigger
 * of the LEDs its UCI `system` `led` sections name when it (re)starts, which replaces a program on
 * those LEDs until the agent next starts (docs/platform-mapping.md); Status and Reason then say
 * what the LED does (inEffect).
 */
import path from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { LedRow } from '../leds/led-bindings.js';
import type { LedCycleControl } from '../leds/led-cycle-bindings.js';
import { isPlaying, LedPrograms, playedElements, type LedProgram } from '../leds/led-program.js';
import type { HostFiles } from './HostFiles.js';
import { brightnessFor, multicolorHue, patternText } from './led-pattern.js';
import { parseTriggers, writeLed } from './led-sysfs.js';
import { ledColor } from './leds.js';

const whole = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);

export class SysfsLedCycles implements LedCycleControl {
  readonly programs: LedPrograms;

  constructor(
    private readonly files: HostFiles,
    readonly now: () => number,
    store?: DataStore,
    private readonly log?: Logger,
  ) {
    this.programs = new LedPrograms(store);
  }

  /** The agent's own triggers are `pattern` and, for a held element, `none` (Reason ""); any other was written by someone else. */
  inEffect(row: Pick<LedRow, 'reason'>): boolean {
    return row.reason === '' || row.reason === 'pattern';
  }

  /** A single-colour LED shows its own colour at any level, or dark; a multicolour one any colour (one hue per cycle: play). */
  colorProblem(row: LedRow, color: string): string | undefined {
    const own = ledColor(row.name);
    if (own === undefined || brightnessFor(color, 255, own) !== undefined) return undefined;
    return `LED ${row.name} shows only ${own} at some level, or 000000`;
  }

  async play(row: LedRow, _before: LedProgram | undefined, after: LedProgram): Promise<void> {
    const attr = (a: string): Promise<string | undefined> => this.files.attr(this.files.sys('class', 'leds', row.name, a));
    if (!isPlaying(after)) {
      await this.release(row.name, after);
      return;
    }
    if (after.previousTrigger === undefined) {
      // Checked before the first program only: afterwards a kernel without it refuses the trigger write (7012 too).
      const { triggers, active } = parseTriggers(await attr('trigger'));
      if (!triggers.includes('pattern')) throw new UspError(ErrorCode.InvalidValue, `LED ${row.name}: the kernel has no pattern trigger (ledtrig-pattern)`);
      after.previousTrigger = active ?? 'none';
      if (after.previousTrigger === 'none') after.previousBrightness = whole(await attr('brightness')) ?? 0;
    }
    const max = row.maxBrightness ?? whole(await attr('max_brightness')) ?? 1;
    const played = playedElements(after);
    const channels = (await attr('multi_index'))?.split(/\s+/).filter((w) => w !== '').length;
    let levels: number[];
    if (channels) {
      const hue = multicolorHue(played, channels);
      if (!hue) throw new UspError(ErrorCode.InvalidValue, `LED ${row.name} shows one colour per cycle (multi_intensity): its lit elements mix colours`);
      await writeLed(this.files, row.name, 'multi_intensity', hue.join(' '));
      levels = played.map((e) => brightnessFor(e.color, max, undefined) ?? 0);
    } else {
      levels = played.map((e) => brightnessFor(e.color, max, ledColor(row.name)) ?? 0);
    }
    if (played.every((e) => e.durationMs === 0)) {
      await writeLed(this.files, row.name, 'trigger', 'none');
      await writeLed(this.files, row.name, 'brightness', String(levels[0]));
      return;
    }
    // The pattern trigger makes `pattern` and `repeat` appear; `pattern` (re)starts the cycle.
    await writeLed(this.files, row.name, 'trigger', 'pattern');
    await writeLed(this.files, row.name, 'repeat', '-1');
    await writeLed(this.files, row.name, 'pattern', patternText(played, levels));
  }

  /** The LED's own trigger again (its brightness too when it had none). */
  private async release(name: string, after: LedProgram): Promise<void> {
    const trigger = after.previousTrigger;
    if (trigger === undefined) return;
    await writeLed(this.files, name, 'trigger', trigger);
    if (trigger === 'none') await writeLed(this.files, name, 'brightness', String(after.previousBrightness ?? 0));
    after.previousTrigger = undefined;
    after.previousBrightness = undefined;
  }

  /** Plays the kept programs again (after a reboot the kernel has none); an LED that is gone or refuses is logged and skipped. */
  async stateLoaded(): Promise<void> {
    this.programs.load();
    for (const [name, p] of this.programs.entries()) {
      if (!isPlaying(p)) continue;
      const max = whole(await this.files.attr(path.join(this.files.sys('class', 'leds', name), 'max_brightness')));
      if (max === undefined) continue;
      const row: LedRow = { name, status: 'InUse', reason: '', repetitions: -1, location: 'Front', x: 0, y: 0, maxBrightness: max, elements: [] };
      try {
        const again = { ...p, startedAt: this.now() };
        await this.play(row, p, again);
        this.programs.put(name, again);
      } catch (e) {
        this.log?.warn('LED cycle not played again', { led: name, why: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}

/**
 * Device.LEDs.LED.{i}. of the simulated gateway: the four LEDs of its front panel, left to right
 * as its device image draws them (device-image.ts), each lit by what the gateway's firmware would
 * show:
 *
 * | n | LED           | lit                                                                   |
 * |---|---------------|-----------------------------------------------------------------------|
 * | 1 | green:power   | steady green                                                          |
 * | 2 | green:internet| steady green while a data session is up, steady red while it is not   |
 * | 3 | white:signal  | steady white while attached; blinks 500/500 ms while searching a cell  |
 * | 4 | blue:wlan     | steady blue                                                           |
 *
 * The definitions and every steady row are module constants shared by a fleet; a gateway builds
 * its source (a few closures) the first time something reads Device.LEDs., and a read computes
 * the two changing rows from the cellular state and the clock (the blinking LED's lit half and
 * what is left of it are known exactly: the simulation keeps the blink's clock).
 *
 * A Controller may rename the LEDs and program their cycles (LEDAdv:1, led-cycle-bindings.ts):
 * the simulated LEDs light any colour, a program lasts until the agent stops, and the element
 * lit now is computed from the simulation's clock when read (no timer runs for a cycle).
 */
import type { LedCycleElement, LedRow, LedSource } from '../leds/led-bindings.js';
import { registerProgrammableLEDs, type LedCycleControl } from '../leds/led-cycle-bindings.js';
import { LedPrograms } from '../leds/led-program.js';
import type { SimContext } from './SimContext.js';

const BLINK_MS = 500;
const GREEN = '00FF00';
const RED = 'FF0000';
const WHITE = 'FFFFFF';
const DARK = '000000';

const steady = (color: string): readonly LedCycleElement[] => Object.freeze([Object.freeze({ color, durationMs: 0 })]);
const at = (x: number): Pick<LedRow, 'location' | 'x' | 'y'> => ({ location: 'Front', x, y: 1 });

function steadyRow(name: string, x: number, reason: string, color: string): LedRow {
  return Object.freeze({ name, ...at(x), status: 'InUse', reason, repetitions: -1, maxBrightness: 1, elements: steady(color), current: Object.freeze({ index: 0, remainingMs: 0 }) });
}

const POWER = steadyRow('green:power', 1, 'Power On', GREEN);
const INTERNET_UP = steadyRow('green:internet', 2, 'Broadband Up', GREEN);
const INTERNET_DOWN = steadyRow('green:internet', 2, 'Broadband Down', RED);
const SIGNAL_ATTACHED = steadyRow('white:signal', 3, 'Cellular Attached', WHITE);
const SEARCHING: readonly LedCycleElement[] = Object.freeze([Object.freeze({ color: WHITE, durationMs: BLINK_MS }), Object.freeze({ color: DARK, durationMs: BLINK_MS })]);
const WLAN = steadyRow('blue:wlan', 4, 'WiFi On', '0000FF');

/** What the LEDs follow, from the gateway's cellular group. */
export interface SimLedInputs {
  attached(): boolean;
  sessionUp(): boolean;
}

class SimulatedLeds implements LedSource {
  constructor(
    private readonly now: () => number,
    private readonly inputs: SimLedInputs,
  ) {}

  leds(): Promise<readonly LedRow[]> {
    return Promise.resolve([POWER, this.inputs.sessionUp() ? INTERNET_UP : INTERNET_DOWN, this.signal(), WLAN]);
  }

  private signal(): LedRow {
    if (this.inputs.attached()) return SIGNAL_ATTACHED;
    const phase = this.now() % (2 * BLINK_MS);
    const index = phase < BLINK_MS ? 0 : 1;
    return { ...SIGNAL_ATTACHED, reason: 'Cellular Searching', elements: SEARCHING, current: { index, remainingMs: BLINK_MS - (phase % BLINK_MS) } };
  }
}

/** Playing a program costs the simulation nothing: reads compute the lit element from the clock. */
const playNothing = (): Promise<void> => Promise.resolve();

/** Registers the gateway's LEDs; `inputs` is asked at each read. */
export function registerLEDsSim(ctx: SimContext, inputs: SimLedInputs): void {
  const control: LedCycleControl = { programs: new LedPrograms(), now: ctx.now, play: playNothing };
  registerProgrammableLEDs(ctx.model, new SimulatedLeds(ctx.now, inputs), control);
}

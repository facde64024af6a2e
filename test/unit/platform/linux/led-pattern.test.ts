/**
 * LEDAdv:1 on Linux/OpenWrt: a programmed CycleElement table as the kernel's `pattern` trigger
 * text (ledtrig-pattern), and the writes to a sysfs tree in a temp dir (the pattern files as the
 * kernel's ABI documentation describes them: this machine has no LEDs) through transactions, as
 * the agent's handlers make them: take-over, refusal with nothing written, going back to the
 * LED's own trigger, and playing the kept programs again after a restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePath } from '../../../../datamodel/path/parse-path.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { PathResolver } from '../../../../datamodel/tree/resolve-path.js';
import { Transaction } from '../../../../datamodel/tree/Transaction.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import type { ProgramElement } from '../../../../platform/leds/led-program.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { brightnessFor, multicolorHue, patternText } from '../../../../platform/linux/led-pattern.js';
import { SysfsLedCycles } from '../../../../platform/linux/led-pattern-control.js';
import { registerHostLEDs } from '../../../../platform/linux/leds.js';

const schema = Schema.load();
const el = (n: number, color: string, durationMs: number, fadeMs = 0): ProgramElement => ({ n, enable: true, order: n, color, durationMs, fadeMs });

describe('the pattern text', () => {
  it('steps hold their level and jump; a fade ramps from the previous level', () => {
    expect(patternText([el(1, 'FFFFFF', 500), el(2, '000000', 500)], [255, 0])).toBe('255 500 255 0 0 500 0 0');
    // Element 2 fades in from element 1's level over 200 of its 1000 ms; element 1 fades in from element 2's (the cycle wraps).
    expect(patternText([el(1, '000000', 300, 0), el(2, '00FF00', 1000, 200)], [0, 1])).toBe('0 300 0 0 0 200 1 800 1 0');
    // A fade longer than the element is the whole element; an element of Duration 0 takes no time.
    expect(patternText([el(1, 'FF0000', 100, 400), el(2, '000000', 0)], [9, 0])).toBe('0 100 9 0');
  });

  it('refuses a cycle longer than the kernel takes', () => {
    const many = Array.from({ length: 400 }, (_, i) => el(i + 1, '000000', 10, 5));
    expect(() => patternText(many, new Array<number>(400).fill(0))).toThrow(expect.objectContaining({ code: 7005 }));
  });

  it('colour to brightness: the LED’s own colour at any level, never another one', () => {
    expect(brightnessFor('00FF00', 1, '00FF00')).toBe(1);
    expect(brightnessFor('008000', 255, '00FF00')).toBe(128);
    expect(brightnessFor('000000', 255, '00FF00')).toBe(0);
    expect(brightnessFor('FF0000', 255, '00FF00')).toBeUndefined();
    expect(brightnessFor('7F5F00', 255, 'FFBF00')).toBe(127);
    // An LED of unknown colour reads any colour as a grey level; a dim one is still lit.
    expect(brightnessFor('010000', 1, undefined)).toBe(1);
  });

  it('a multicolour LED shows one hue per cycle', () => {
    expect(multicolorHue([el(1, '800000', 100), el(2, 'FF0000', 100), el(3, '000000', 100)], 3)).toEqual([255, 0, 0]);
    expect(multicolorHue([el(1, 'FF0000', 100), el(2, '00FF00', 100)], 3)).toBeUndefined();
    expect(multicolorHue([el(1, '000000', 100)], 3)).toEqual([255, 255, 255]);
  });
});

let root: string;
const dir = (name: string): string => path.join(root, 'class', 'leds', name);
const file = (name: string, f: string): string => fs.readFileSync(path.join(dir(name), f), 'utf8').trim();
const led = (name: string, files: Record<string, string>): void => {
  fs.mkdirSync(dir(name), { recursive: true });
  for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(dir(name), f), `${v}\n`);
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-led-pattern-'));
  // The `pattern` and `repeat` files exist here from the start; the kernel makes them when the trigger becomes `pattern`.
  led('green:wan', { brightness: '1', max_brightness: '1', trigger: 'none timer pattern [netdev]', pattern: '', repeat: '-1' });
  led('multicolor:status', { brightness: '0', max_brightness: '255', trigger: '[none] timer pattern', multi_index: 'red green blue', multi_intensity: '255 255 255', pattern: '', repeat: '-1' });
  led('blue:wlan', { brightness: '1', max_brightness: '1', trigger: 'none [phy1tpt]' });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function agent(store: DataStore) {
  const model = new DataModel(schema);
  const files = new HostFiles({ sysRoot: root });
  const cycles = new SysfsLedCycles(files, () => 5_000, store);
  expect(registerHostLEDs(model, files, () => 5_000, cycles)).toBe(true);
  const at = async (p: string) => (await new PathResolver(model, {}).resolve(parsePath(p)))[0]!;
  return {
    cycles,
    values: async (p: string) => {
      const m = await at(p);
      return model.readValues({ node: m.node, keys: m.keys }, {});
    },
    add: async (p: string, params: Record<string, Value>) => {
      const m = await at(p);
      return Transaction.run(model, {}, async (tx) => (await tx.add(m.node, m.keys, params)).keys.at(-1)!);
    },
    set: async (p: string, values: Record<string, Value>) => {
      const m = await at(p);
      await Transaction.run(model, {}, (tx) => tx.set({ node: m.node, keys: m.keys }, values));
    },
    del: async (p: string) => {
      const m = await at(p);
      await Transaction.run(model, {}, (tx) => tx.delete({ node: m.node, keys: m.keys }));
    },
  };
}

// LEDs sort by name: 1 blue:wlan, 2 green:wan, 3 multicolor:status.
const L = 'Device.LEDs.LED.';

describe('programming sysfs LEDs', () => {
  it('plays a programmed cycle through the pattern trigger and gives the LED back its trigger', async () => {
    const store = new DataStore();
    const a = agent(store);
    await a.set(`${L}2.`, { Name: 'Internet' });
    expect(await a.values(`${L}2.`)).toMatchObject({ Name: 'Internet', Reason: 'netdev' });
    const n = await a.add(`${L}2.CycleElement.`, { Enable: true, Color: '00FF00', Duration: 200 });
    expect(n).toBe(2);
    await a.add(`${L}2.CycleElement.`, { Enable: true, Color: '000000', Duration: 800, FadeInterval: 100 });
    expect(file('green:wan', 'trigger')).toBe('pattern');
    expect(file('green:wan', 'repeat')).toBe('-1');
    expect(file('green:wan', 'pattern')).toBe('1 200 1 0 1 100 0 700 0 0');
    expect(await a.values(`${L}2.`)).toMatchObject({ Name: 'Internet', Reason: 'Controller Cycle', CycleElementNumberOfEntries: 2 });
    // Red on a green LED: refused, nothing written.
    await expect(a.set(`${L}2.CycleElement.2.`, { Color: 'FF0000' })).rejects.toMatchObject({ code: 7012 });
    expect(file('green:wan', 'pattern')).toBe('1 200 1 0 1 100 0 700 0 0');
    // Another writer (IoTCapability's OperatingMode, /etc/init.d/led) takes the LED: Reason says so, the rows stay.
    led('green:wan', { trigger: 'none timer pattern [netdev]' });
    const other = agent(store);
    other.cycles.programs.load();
    expect(await other.values(`${L}2.`)).toMatchObject({ Reason: 'netdev', CycleElementNumberOfEntries: 2 });
    expect(await other.values(`${L}2.CurrentCycleElement.`)).toMatchObject({ CycleElementReference: 'Device.LEDs.LED.2.CycleElement.1' });
    led('green:wan', { trigger: 'pattern' });
    await a.del(`${L}2.CycleElement.2.`);
    await a.del(`${L}2.CycleElement.3.`);
    expect(file('green:wan', 'trigger')).toBe('netdev');
    expect(await a.values(`${L}2.`)).toMatchObject({ Name: 'Internet', CycleElementNumberOfEntries: 1 });
  });

  it('a multicolour LED takes the cycle’s hue in multi_intensity; mixed hues and an LED without the trigger are refused', async () => {
    const a = agent(new DataStore());
    await a.add(`${L}3.CycleElement.`, { Enable: true, Color: '0000FF', Duration: 500 });
    await a.add(`${L}3.CycleElement.`, { Enable: true, Color: '000080', Duration: 500 });
    expect(file('multicolor:status', 'multi_intensity')).toBe('0 0 255');
    expect(file('multicolor:status', 'pattern')).toBe('255 500 255 0 128 500 128 0');
    await expect(a.add(`${L}3.CycleElement.`, { Enable: true, Color: 'FF0000', Duration: 500 })).rejects.toMatchObject({ code: 7012 });
    expect(file('multicolor:status', 'pattern')).toBe('255 500 255 0 128 500 128 0');
    await expect(a.add(`${L}1.CycleElement.`, { Enable: true, Color: '0000FF', Duration: 500 })).rejects.toMatchObject({ code: 7012 });
    expect(file('blue:wlan', 'trigger')).toBe('none [phy1tpt]');
  });

  it('plays the kept programs again at start (the kernel forgets them at reboot)', async () => {
    const store = new DataStore();
    const a = agent(store);
    await a.add(`${L}2.CycleElement.`, { Enable: true, Color: '00FF00', Duration: 0 });
    // One element of Duration 0: held, no pattern needed.
    expect(file('green:wan', 'trigger')).toBe('none');
    expect(file('green:wan', 'brightness')).toBe('1');
    await a.add(`${L}2.CycleElement.`, { Enable: true, Color: '000000', Duration: 400 });
    // A reboot: the kernel is back to its own trigger.
    led('green:wan', { trigger: 'none timer pattern [netdev]', pattern: '' });
    const b = agent(store);
    await b.cycles.stateLoaded();
    expect(file('green:wan', 'trigger')).toBe('pattern');
    expect(file('green:wan', 'pattern')).toBe('0 400 0 0');
    expect(await b.values(`${L}2.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.2.CycleElement.3', Color: '000000', Duration: 400 });
    // The trigger it had before the first program is the one it goes back to.
    await b.del(`${L}2.CycleElement.2.`);
    await b.del(`${L}2.CycleElement.3.`);
    expect(file('green:wan', 'trigger')).toBe('netdev');
  });
});

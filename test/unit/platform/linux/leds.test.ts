/**
 * Device.LEDs.LED.{i}. on Linux/OpenWrt over a real directory tree: the recorded router layout
 * (test/fixtures/iot-sysfs/router) copied to a temp dir, plus a timer LED with delay_on/delay_off
 * and an LED whose brightness does not read, served through the data model as a Get would read it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { ledColor, ledRow, registerHostLEDs } from '../../../../platform/linux/leds.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/iot-sysfs/router', import.meta.url));
const schema = Schema.load();
const L = 'Device.LEDs.';

let root: string;
const now = (): number => 1_000_000;
const ledDir = (name: string): string => path.join(root, 'class', 'leds', name);
const write = (name: string, files: Record<string, string>): void => {
  fs.mkdirSync(ledDir(name), { recursive: true });
  for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(ledDir(name), f), `${v}\n`);
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-leds-sysfs-'));
  fs.cpSync(FIXTURE, root, { recursive: true });
  write('amber:status', { brightness: '1', max_brightness: '1', trigger: 'none [timer] heartbeat', delay_on: '250', delay_off: '750' });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

async function read(): Promise<Map<string, Record<string, unknown>>> {
  const model = new DataModel(schema);
  expect(registerHostLEDs(model, new HostFiles({ sysRoot: root }), now)).toBe(true);
  const out: ObjectValues[] = [];
  await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
  return new Map(out.filter((o) => o.path.startsWith(L)).map((o) => [o.path, o.values]));
}

describe('LED colours from the kernel names', () => {
  it('reads the colour field of both naming forms, and refuses to guess', () => {
    expect(ledColor('green:wan')).toBe('00FF00');
    expect(ledColor('tp-link:white:signal')).toBe('FFFFFF');
    expect(ledColor('mt76-phy0')).toBeUndefined();
    expect(ledColor('dev:ir:remote')).toBeUndefined();
    expect(ledColor('multicolor:status')).toBeUndefined();
    // A function named like a colour is not the colour of a three-part name.
    expect(ledColor('dev::red')).toBeUndefined();
  });
});

describe('ledRow', () => {
  it('unreadable or bad brightness is Status Error with no element', () => {
    expect(ledRow('green:wan', { maxBrightness: '1', trigger: '[none]' })).toMatchObject({ status: 'Error', elements: [] });
    expect(ledRow('green:wan', { maxBrightness: '1' }).current).toBeUndefined();
    expect(ledRow('green:wan', { brightness: 'x', maxBrightness: '1' })).toMatchObject({ status: 'Error' });
    expect(ledRow('green:wan', { brightness: '0', maxBrightness: '0' })).toMatchObject({ status: 'Error' });
  });

  it('a timer LED without readable delays falls back to one element', () => {
    const r = ledRow('red:alarm', { brightness: '1', maxBrightness: '1', trigger: '[timer]', delayOn: 'soon' });
    expect(r).toMatchObject({ status: 'InUse', reason: 'timer', repetitions: -1, elements: [{ color: 'FF0000', durationMs: 0 }] });
  });

  it('the dark half of a timer LED is current while brightness reads 0', () => {
    const r = ledRow('red:alarm', { brightness: '0', maxBrightness: '1', trigger: 'none [timer]', delayOn: '100', delayOff: '900' });
    expect(r.current).toEqual({ index: 1, remainingMs: 900 });
  });
});

describe('Device.LEDs over a router sysfs', () => {
  it('serves every LED with its status, trigger and cycle', async () => {
    const v = await read();
    expect(v.get(L)).toEqual({ LEDNumberOfEntries: 5 });
    const names = [1, 2, 3, 4, 5].map((n) => v.get(`${L}LED.${n}.`)?.Name);
    expect(names).toEqual(['amber:status', 'blue:wlan', 'green:power', 'green:wan', 'white:signal']);
    // The timer LED: two elements, lit now (brightness 1), forever.
    expect(v.get(`${L}LED.1.`)).toMatchObject({
      Status: 'InUse',
      Reason: 'timer',
      CyclePeriodRepetitions: -1,
      Location: 'Front',
      RelativeXPosition: 0,
      RelativeYPosition: 0,
      MaxBrightness: 1,
      CycleElementNumberOfEntries: 2,
    });
    expect(v.get(`${L}LED.1.CycleElement.1.`)).toMatchObject({ Order: 1, Color: 'FFBF00', Duration: 250, FadeInterval: 0 });
    expect(v.get(`${L}LED.1.CycleElement.2.`)).toMatchObject({ Order: 2, Color: '000000', Duration: 750, FadeInterval: 0 });
    expect(v.get(`${L}LED.1.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.1.CycleElement.1', Color: 'FFBF00', Duration: 250 });
    // default-on: steady green, one element.
    expect(v.get(`${L}LED.3.`)).toMatchObject({ Status: 'InUse', Reason: 'default-on', CyclePeriodRepetitions: -1, CycleElementNumberOfEntries: 1 });
    expect(v.get(`${L}LED.3.CycleElement.1.`)).toMatchObject({ Color: '00FF00', Duration: 0 });
    // netdev, dark between packets: the element is the colour it flashes, the current colour is dark.
    expect(v.get(`${L}LED.4.`)).toMatchObject({ Status: 'InUse', Reason: 'netdev' });
    expect(v.get(`${L}LED.4.CycleElement.1.`)).toMatchObject({ Color: '00FF00' });
    expect(v.get(`${L}LED.4.CurrentCycleElement.`)).toMatchObject({ Color: '000000', Duration: 0 });
    // No trigger, brightness 128 of 255: on by hand, no cycle running.
    expect(v.get(`${L}LED.5.`)).toMatchObject({ Status: 'InUse', Reason: '', CyclePeriodRepetitions: 0, MaxBrightness: 255 });
    expect(v.get(`${L}LED.5.CurrentCycleElement.`)).toMatchObject({ Color: 'FFFFFF' });
  });

  it('follows the kernel: the timer half that is lit, an LED switched off, one that stops reading', async () => {
    fs.writeFileSync(path.join(ledDir('amber:status'), 'brightness'), '0\n');
    fs.writeFileSync(path.join(ledDir('white:signal'), 'brightness'), '0\n');
    fs.rmSync(path.join(ledDir('green:wan'), 'brightness'));
    const v = await read();
    expect(v.get(`${L}LED.1.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.1.CycleElement.2', Color: '000000', Duration: 750 });
    expect(v.get(`${L}LED.5.`)).toMatchObject({ Status: 'Disabled', CyclePeriodRepetitions: 0 });
    expect(v.get(`${L}LED.5.CycleElement.1.`)).toMatchObject({ Color: '000000' });
    expect(v.get(`${L}LED.4.`)).toMatchObject({ Name: 'green:wan', Status: 'Error', CycleElementNumberOfEntries: 0 });
    expect(v.get(`${L}LED.4.CurrentCycleElement.`)).toEqual({ CycleElementReference: '' });
  });

  it('a sysfs without LEDs registers nothing', () => {
    fs.rmSync(path.join(root, 'class', 'leds'), { recursive: true });
    const model = new DataModel(schema);
    expect(registerHostLEDs(model, new HostFiles({ sysRoot: root }), now)).toBe(false);
    expect(model.bindingAt('Device.LEDs.LED.{i}.')).toBeUndefined();
  });
});

/**
 * Device.IoTCapability.{i}. on Linux over a real directory tree: the recorded router layout
 * (test/fixtures/iot-sysfs/router) copied to a temp dir, plus a power supply, read and written
 * by the sysfs source as the kernel's files. Bad values are refused (7012) with every file as it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { hostIoTClasses, registerHostIoTCapabilities } from '../../../../platform/linux/iot-capabilities.js';
import { parseTriggers } from '../../../../platform/linux/led-sysfs.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/iot-sysfs/router', import.meta.url));
const schema = Schema.load();
const T = 'Device.IoTCapability.';

let root: string;
let clock = 1_000_000;
const now = (): number => clock;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-iot-sysfs-'));
  fs.cpSync(FIXTURE, root, { recursive: true });
  const bat = path.join(root, 'class', 'power_supply', 'battery');
  fs.mkdirSync(bat, { recursive: true });
  for (const [f, v] of Object.entries({ capacity: '76', temp: '312', capacity_alert_min: '15', type: 'Battery' })) fs.writeFileSync(path.join(bat, f), `${v}\n`);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const sysfile = (...p: string[]): string => fs.readFileSync(path.join(root, 'class', ...p), 'utf8').trim();

function build(store = new DataStore()): { model: DataModel; read(): Promise<Map<string, Record<string, unknown>>>; stateLoaded(): Promise<void> } {
  const model = new DataModel(schema);
  const files = new HostFiles({ sysRoot: root });
  const r = registerHostIoTCapabilities(model, files, now, store);
  return {
    model,
    stateLoaded: r.stateLoaded,
    read: async () => {
      const out: ObjectValues[] = [];
      await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
      return new Map(out.filter((o) => o.path.startsWith(T) || o.path === 'Device.').map((o) => [o.path, o.values]));
    },
  };
}

const set = (model: DataModel, sub: string, n: number, changes: Record<string, unknown>): Promise<void> => Promise.resolve(model.bindingAt(`${T}{i}.${sub}.`)!.set!([n], changes as never, {}));
const refused = async (p: Promise<unknown>): Promise<UspError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(UspError);
  return e as UspError;
};

describe('linux IoT capabilities from sysfs', () => {
  it('parses the trigger list with the active one in brackets', () => {
    expect(parseTriggers('none timer [netdev] phy0tpt')).toEqual({ triggers: ['none', 'timer', 'netdev', 'phy0tpt'], active: 'netdev' });
    expect(parseTriggers(undefined)).toEqual({ triggers: [] });
  });

  it('claims the Classes the tree has: GPIO LEDs Binary, the PWM one Level, triggers Enum, sensors Level, then the kernel sensors', () => {
    expect(hostIoTClasses(new HostFiles({ sysRoot: root }))).toEqual(['BinaryControl', 'LevelControl', 'EnumControl', 'LevelSensor', 'BinarySensor', 'MultiLevelSensor', 'EnumSensor', 'BlobSensor']);
    expect(hostIoTClasses(new HostFiles({ sysRoot: path.join(root, 'nothing') }))).toEqual([]);
  });

  it('serves one row per LED control and trigger, the thermal zone and the battery', async () => {
    const { read } = build();
    const v = await read();
    // 9 LED and thermal rows, the battery's two levels, then the GPIO inputs, colour sensor and charger (iot-sensor-rows.test.ts).
    expect(v.get('Device.')).toMatchObject({ IoTCapabilityNumberOfEntries: 16 });
    // Sorted LED names: blue:wlan, green:power, green:wan, white:signal (each a control and a trigger).
    expect(v.get(`${T}1.`)).toEqual({ Class: 'BinaryControl' });
    expect(v.get(`${T}1.BinaryControl.`)).toEqual({ Type: 'Switch', Description: 'LED blue:wlan', Value: true });
    expect(v.get(`${T}2.EnumControl.`)).toMatchObject({ Type: 'OperatingMode', Description: 'LED blue:wlan trigger', Value: 'phy1tpt' });
    expect(String(v.get(`${T}2.EnumControl.`)!.ValidValues).split(',')).toContain('netdev');
    expect(v.get(`${T}5.BinaryControl.`)).toMatchObject({ Description: 'LED green:wan', Value: false });
    expect(v.get(`${T}7.LevelControl.`)).toEqual({ Type: 'Brightness', Description: 'LED white:signal', Value: '128', Unit: '-', MinValue: '0', MaxValue: '255', StepValue: '26' });
    // The other Classes' sub-objects of a row read empty.
    expect(v.get(`${T}7.BinaryControl.`)).toEqual({});
    expect(v.get(`${T}9.LevelSensor.`)).toEqual({
      Type: 'Temperature',
      Description: 'Temperature cpu-thermal',
      Value: '47.5',
      Unit: 'degC',
      LowLevel: false,
      HighLevel: false,
      HighLevelThreshold: '110',
    });
    expect(v.get(`${T}10.LevelSensor.`)).toMatchObject({ Type: 'Battery', Unit: '%', Value: '76', LowLevelThreshold: '15', LowLevel: false });
    expect(v.get(`${T}11.LevelSensor.`)).toMatchObject({ Type: 'Temperature', Value: '31.2' });
  });

  it('writes brightness and trigger to sysfs; commands step and toggle', async () => {
    const { model, read } = build();
    await read();
    await set(model, 'LevelControl', 7, { Value: '200' });
    expect(sysfile('leds', 'white:signal', 'brightness')).toBe('200');
    await set(model, 'BinaryControl', 5, { Value: true });
    expect(sysfile('leds', 'green:wan', 'brightness')).toBe('1');
    await set(model, 'EnumControl', 6, { Value: 'timer' });
    expect(sysfile('leds', 'green:wan', 'trigger')).toBe('timer');
    const node = model.bindingAt(`${T}{i}.LevelControl.`)!;
    await set(model, 'LevelControl', 7, { StepValue: '50' });
    await node.commands!['StepUp()'].run({ keys: [7], objectPath: `${T}7.LevelControl.`, input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal });
    expect(sysfile('leds', 'white:signal', 'brightness')).toBe('250');
    await node.commands!['StepUp()'].run({ keys: [7], objectPath: `${T}7.LevelControl.`, input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal });
    expect(sysfile('leds', 'white:signal', 'brightness')).toBe('255');
    const toggle = model.bindingAt(`${T}{i}.BinaryControl.`)!.commands!['Toggle()'];
    await toggle.run({ keys: [1], objectPath: `${T}1.BinaryControl.`, input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal });
    expect(sysfile('leds', 'blue:wlan', 'brightness')).toBe('0');
  });

  it('refuses an out-of-range level, an unknown trigger and a Set on another Class (7012), changing nothing', async () => {
    const { model, read } = build();
    await read();
    const before = fs.readFileSync(path.join(root, 'class', 'leds', 'white:signal', 'brightness'), 'utf8');
    expect((await refused(set(model, 'LevelControl', 7, { Value: '256' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refused(set(model, 'LevelControl', 7, { Value: '-1' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refused(set(model, 'LevelControl', 7, { Value: '12.5' }))).code).toBe(ErrorCode.InvalidValue);
    const step = await refused(set(model, 'LevelControl', 7, { Value: '10', StepValue: '0' }));
    expect(step.paramErrors?.map((p) => p.param)).toEqual(['StepValue']);
    expect(fs.readFileSync(path.join(root, 'class', 'leds', 'white:signal', 'brightness'), 'utf8')).toBe(before);
    const trig = await refused(set(model, 'EnumControl', 6, { Value: 'disco' }));
    expect(trig.code).toBe(ErrorCode.InvalidValue);
    expect(trig.paramErrors?.[0]).toMatchObject({ param: 'Value', code: ErrorCode.InvalidValue });
    expect(sysfile('leds', 'green:wan', 'trigger')).toContain('[netdev]');
    expect((await refused(set(model, 'BinaryControl', 7, { Value: true }))).code).toBe(ErrorCode.InvalidValue);
  });

  it('keeps thresholds and LED settings in the store and writes the LEDs back at start', async () => {
    const store = new DataStore();
    const a = build(store);
    await a.read();
    await set(a.model, 'LevelSensor', 9, { HighLevelThreshold: '45', LowLevelThreshold: '10' });
    expect((await a.read()).get(`${T}9.LevelSensor.`)).toMatchObject({ HighLevelThreshold: '45', HighLevel: true, LowLevelThreshold: '10', LowLevel: false });
    await set(a.model, 'EnumControl', 8, { Value: 'heartbeat' });
    await set(a.model, 'LevelControl', 7, { Value: '64' });
    // A reboot: the kernel's defaults are back (a trigger file lists them all); the agent restarts on the same store.
    fs.writeFileSync(path.join(root, 'class', 'leds', 'white:signal', 'brightness'), '128\n');
    fs.writeFileSync(path.join(root, 'class', 'leds', 'white:signal', 'trigger'), '[none] timer heartbeat\n');
    clock += 5000;
    const b = build(store);
    await b.stateLoaded();
    expect(sysfile('leds', 'white:signal', 'trigger')).toBe('heartbeat');
    expect(sysfile('leds', 'white:signal', 'brightness')).toBe('64');
    // (The trigger file now holds what the agent wrote, not the kernel's bracketed list: that row is not read back here.)
    const cpu = [...(await b.read()).values()].find((v) => v.Description === 'Temperature cpu-thermal');
    expect(cpu).toMatchObject({ HighLevelThreshold: '45', LowLevelThreshold: '10' });
  });
});

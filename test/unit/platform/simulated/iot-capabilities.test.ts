/**
 * The simulated gateway's Device.IoTCapability.{i}.: one row per Class, sensors that move with
 * the clock (seeded), writes that take effect (the mode drives the fan), bad values refused.
 */
import { describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { registerSimulatedPlatform } from '../../../../platform/simulated/index.js';

const schema = Schema.load();
const T = 'Device.IoTCapability.';

function gateway(seed = 1): { model: DataModel; read(): Promise<Map<string, Record<string, unknown>>>; advance(s: number): void; stop(): void } {
  let now = Date.UTC(2026, 5, 1, 6, 0, 0);
  const model = new DataModel(schema);
  const sim = registerSimulatedPlatform(model, { seed, now: () => now, store: new DataStore() });
  return {
    model,
    advance: (s) => {
      now += s * 1000;
    },
    stop: sim.stop,
    read: async () => {
      const all: ObjectValues[] = [];
      await readSubtree(model, { node: model.root, keys: [] }, 1, {}, all);
      const rows: ObjectValues[] = [];
      for (const n of await model.bindingAt('Device.IoTCapability.{i}.')!.list!([], {})) {
        await readSubtree(model, { node: model.requireNode('Device.IoTCapability.{i}.'), keys: [n] }, 0, {}, rows);
      }
      return new Map([...all, ...rows].map((o) => [o.path, o.values]));
    },
  };
}

const set = (model: DataModel, sub: string, n: number, changes: Record<string, unknown>): Promise<void> => Promise.resolve(model.bindingAt(`${T}{i}.${sub}.`)!.set!([n], changes as never, {}));

describe('simulated IoT capabilities', () => {
  it('one row per Class, each with its sub-object', async () => {
    const g = gateway();
    const v = await g.read();
    expect(v.get('Device.')).toMatchObject({ IoTCapabilityNumberOfEntries: 8 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => v.get(`${T}${n}.`)!.Class)).toEqual([
      'BinaryControl',
      'LevelControl',
      'EnumControl',
      'BinarySensor',
      'LevelSensor',
      'MultiLevelSensor',
      'EnumSensor',
      'BlobSensor',
    ]);
    expect(v.get(`${T}2.LevelControl.`)).toEqual({ Type: 'Brightness', Description: 'Dimmable light', Value: '60', Unit: '%', MinValue: '0', MaxValue: '100', StepValue: '10' });
    expect(v.get(`${T}5.LevelSensor.`)).toMatchObject({ Type: 'Temperature', Unit: 'degC', LowLevelThreshold: '16', HighLevelThreshold: '28' });
    expect(String(v.get(`${T}6.MultiLevelSensor.`)!.Values).split(',')).toHaveLength(3);
    expect(v.get(`${T}2.BinaryControl.`)).toEqual({});
    g.stop();
  });

  it('sensors move over time; the door opens now and then and its event is the blob', async () => {
    const g = gateway(7);
    const temps = new Set<unknown>();
    const door = new Set<unknown>();
    let blob: unknown;
    for (let i = 0; i < 400; i++) {
      const v = await g.read();
      temps.add(v.get(`${T}5.LevelSensor.`)!.Value);
      door.add(v.get(`${T}4.BinarySensor.`)!.Value);
      blob = v.get(`${T}8.BlobSensor.`)!.Value;
      g.advance(30);
    }
    expect(temps.size).toBeGreaterThan(5);
    expect(door).toEqual(new Set([true, false]));
    expect(JSON.parse(Buffer.from(String(blob), 'base64').toString())).toMatchObject({ event: 'DoorOpen' });
    g.stop();
  });

  it('writes take effect: the dimmer steps, Boost runs the fan High; thresholds flip the indicators', async () => {
    const g = gateway();
    await g.read();
    const step = g.model.bindingAt(`${T}{i}.LevelControl.`)!.commands!['StepUp()'];
    await step.run({ keys: [2], objectPath: `${T}2.LevelControl.`, input: {}, commandKey: '', ctx: {}, signal: new AbortController().signal });
    expect((await g.read()).get(`${T}2.LevelControl.`)!.Value).toBe('70');
    await set(g.model, 'EnumControl', 3, { Value: 'Boost' });
    expect((await g.read()).get(`${T}7.EnumSensor.`)!.Value).toBe('High');
    // The fan is plugged into the smart plug; the lamp lights the colour sensor.
    const rgbBefore = (await g.read()).get(`${T}6.MultiLevelSensor.`)!.Values;
    await set(g.model, 'BinaryControl', 1, { Value: false });
    await set(g.model, 'LevelControl', 2, { Value: '0' });
    const after = await g.read();
    expect(after.get(`${T}7.EnumSensor.`)!.Value).toBe('Off');
    expect(after.get(`${T}6.MultiLevelSensor.`)!.Values).not.toBe(rgbBefore);
    await set(g.model, 'LevelSensor', 5, { HighLevelThreshold: '-40' });
    expect((await g.read()).get(`${T}5.LevelSensor.`)).toMatchObject({ HighLevel: true, HighLevelThreshold: '-40' });
    g.stop();
  });

  it('refuses out-of-range levels, unknown modes and a Set on another Class (7012)', async () => {
    const g = gateway();
    await g.read();
    for (const [sub, n, changes] of [
      ['LevelControl', 2, { Value: '101' }],
      ['LevelControl', 2, { StepValue: '0' }],
      ['EnumControl', 3, { Value: 'Turbo' }],
      ['BinaryControl', 2, { Value: false }],
    ] as const) {
      const e = await set(g.model, sub, n, changes).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e, `${sub} ${JSON.stringify(changes)}`).toBeInstanceOf(UspError);
      expect((e as UspError).code).toBe(ErrorCode.InvalidValue);
    }
    expect((await g.read()).get(`${T}2.LevelControl.`)!.Value).toBe('60');
    g.stop();
  });
});

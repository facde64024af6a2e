/**
 * The kernel sensors of Device.IoTCapability.{i}. (platform/linux/iot-sensor-rows.ts) over a
 * real directory tree, the router layout of test/fixtures/iot-sysfs/router copied to a temp dir:
 * GPIO inputs as BinarySensors (active_low applied by the kernel, not again), an IIO colour
 * sensor as an RGB MultiLevelSensor, a charger's status as an EnumSensor and its uevent as a
 * BlobSensor; lines and devices that give no honest row are left out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { findGpioInputs, sensorTypeOf } from '../../../../platform/linux/gpio-input-sysfs.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { findColourSensors } from '../../../../platform/linux/iio-colour-sysfs.js';
import { registerHostIoTCapabilities } from '../../../../platform/linux/iot-capabilities.js';
import { kernelSensorClasses, kernelSensorRows } from '../../../../platform/linux/iot-sensor-rows.js';
import { findSupplyStates, MAX_UEVENT_BYTES } from '../../../../platform/linux/power-supply-state.js';
import { expectSchemaTyped } from '../schema-typed.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/iot-sysfs/router', import.meta.url));
const schema = Schema.load();
const T = 'Device.IoTCapability.';

let root: string;
let files: HostFiles;
let clock = 1_000_000;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-iot-sensors-'));
  fs.cpSync(FIXTURE, root, { recursive: true });
  files = new HostFiles({ sysRoot: root });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (rel: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
const b64 = (s: unknown): string => Buffer.from(String(s), 'base64').toString('utf8');

describe('linux IoT kernel sensors', () => {
  it('types a GPIO line by its name, and only by a TR-181 detection', () => {
    expect(sensorTypeOf('tamper')).toBe('DoorOpen');
    expect(sensorTypeOf('lid')).toBe('DoorOpen');
    expect(sensorTypeOf('water-leak')).toBe('WaterDetected');
    expect(sensorTypeOf('co2-alarm')).toBe('CarbonDioxideDetected');
    expect(sensorTypeOf('co-alarm')).toBe('CarbonMonoxideDetected');
    expect(sensorTypeOf('pir')).toBe('MotionDetected');
    expect(sensorTypeOf('carbon-monoxide')).toBe('CarbonMonoxideDetected');
    expect(sensorTypeOf('door2')).toBe('DoorOpen');
    expect(sensorTypeOf('case_tamper')).toBe('DoorOpen');
    for (const n of ['gpio4', 'reset', 'wps', 'cooler', 'recovery', 'solid', 'spire']) expect(sensorTypeOf(n)).toBeUndefined();
  });

  it('serves the named input lines with their logical value; outputs and unnamed lines are left out', async () => {
    expect(await findGpioInputs(files)).toEqual([
      { name: 'tamper', type: 'DoorOpen', active: false, activeLow: true },
      { name: 'water-leak', type: 'WaterDetected', active: false, activeLow: false },
    ]);
    // active_low 1: the kernel already inverts `value`; a 1 read is the lid open, not shut.
    write('class/gpio/tamper/value', '1\n');
    expect((await findGpioInputs(files))[0]).toMatchObject({ active: true });
    // A line turned to an output is no sensor any more; an unreadable value is unknown, not false.
    write('class/gpio/water-leak/direction', 'out\n');
    write('class/gpio/tamper/value', 'x\n');
    expect(await findGpioInputs(files)).toEqual([{ name: 'tamper', type: 'DoorOpen', active: undefined, activeLow: true }]);
  });

  it('reads the IIO colour channels; a device without all three is no colour sensor', async () => {
    expect(await findColourSensors(files)).toEqual([{ device: 'iio:device0', name: 'tcs3472', rgb: [412, 530, 298] }]);
    write('bus/iio/devices/iio:device1/name', 'ads1015\n');
    write('bus/iio/devices/iio:device1/in_voltage0_raw', '1000\n');
    write('bus/iio/devices/iio:device0/in_intensity_green_raw', 'busy\n');
    expect(await findColourSensors(files)).toEqual([{ device: 'iio:device0', name: 'tcs3472', rgb: [412, undefined, 298] }]);
  });

  it("reads a supply's status (an undefined one as Unknown) and its uevent, cut at a page", async () => {
    expect(await findSupplyStates(files)).toEqual([{ name: 'charger', status: 'Charging', uevent: expect.stringContaining('POWER_SUPPLY_STATUS=Charging') as unknown }]);
    write('class/power_supply/charger/status', 'Exploding\n');
    write('class/power_supply/charger/uevent', 'X'.repeat(MAX_UEVENT_BYTES * 2));
    const [s] = await findSupplyStates(files);
    expect(s.status).toBe('Unknown');
    expect(s.uevent).toHaveLength(MAX_UEVENT_BYTES);
  });

  it('builds one row per source with the TR-181 Class, Type and values', async () => {
    expect(kernelSensorClasses(files)).toEqual(['BinarySensor', 'MultiLevelSensor', 'EnumSensor', 'BlobSensor']);
    const rows = await kernelSensorRows(files);
    expect(rows.map((r) => [r.key, r.class])).toEqual([
      ['gpio:tamper', 'BinarySensor'],
      ['gpio:water-leak', 'BinarySensor'],
      ['iio:iio:device0', 'MultiLevelSensor'],
      ['supply:charger:status', 'EnumSensor'],
      ['supply:charger:uevent', 'BlobSensor'],
    ]);
    expect(rows[0].values).toEqual({ Type: 'DoorOpen', Description: 'GPIO input tamper (active low)', Value: false });
    expect(rows[2].values).toEqual({ Type: 'RGB', Description: 'Colour sensor tcs3472 (iio:device0)', Values: '412,530,298', ValueNames: 'Red,Green,Blue', Unit: '-' });
    expect(rows[3].values).toEqual({ Type: 'OperatingState', Description: 'Power supply charger status', Value: 'Charging', ValidValues: 'Unknown,Charging,Discharging,Not charging,Full' });
    expect(rows[4].values).toMatchObject({ Type: 'text' });
    expect(b64(rows[4].values.Value)).toBe(fs.readFileSync(path.join(root, 'class/power_supply/charger/uevent'), 'utf8'));
    // A channel that could not be read leaves the whole list out rather than misplace the others.
    write('bus/iio/devices/iio:device0/in_intensity_red_raw', '\n');
    expect((await kernelSensorRows(files))[2].values.Values).toBeUndefined();
  });

  it('claims no kernel sensor Class where sysfs has none', () => {
    expect(kernelSensorClasses(new HostFiles({ sysRoot: path.join(root, 'nothing') }))).toEqual([]);
    fs.rmSync(path.join(root, 'class', 'gpio', 'tamper'), { recursive: true });
    fs.rmSync(path.join(root, 'class', 'gpio', 'water-leak'), { recursive: true });
    expect(kernelSensorClasses(files)).not.toContain('BinarySensor');
  });

  it('appends the sensors after the LEDs and thermal zone, and drops a removed line keeping the others numbered', async () => {
    const model = new DataModel(schema);
    registerHostIoTCapabilities(model, files, () => clock, undefined);
    const read = async (): Promise<Map<string, Record<string, unknown>>> => {
      const out: ObjectValues[] = [];
      await readSubtree(model, { node: model.root, keys: [] }, 0, {}, out);
      // Every value as its schema types it: the Types within TR-181's enumerations, Values a decimal list, the blob base64.
      expectSchemaTyped(
        out.filter((o) => o.path.startsWith(T)).map((o) => ({ ...o, values: Object.fromEntries(Object.entries(o.values).filter(([, x]) => x !== undefined)) })),
        { everyServed: false },
      );
      return new Map(out.filter((o) => o.path.startsWith(T) || o.path === 'Device.').map((o) => [o.path, o.values]));
    };
    let v = await read();
    expect(v.get('Device.')).toMatchObject({ IoTCapabilityNumberOfEntries: 14 });
    expect(v.get(`${T}9.LevelSensor.`)).toMatchObject({ Type: 'Temperature' });
    expect(v.get(`${T}10.BinarySensor.`)).toEqual({ Type: 'DoorOpen', Description: 'GPIO input tamper (active low)', Value: false });
    expect(v.get(`${T}11.BinarySensor.`)).toMatchObject({ Type: 'WaterDetected' });
    expect(v.get(`${T}12.MultiLevelSensor.`)).toMatchObject({ Type: 'RGB', Values: '412,530,298' });
    expect(v.get(`${T}13.EnumSensor.`)).toMatchObject({ Value: 'Charging' });
    expect(v.get(`${T}14.`)).toEqual({ Class: 'BlobSensor' });
    // The other Classes' sub-objects of a sensor row read empty.
    expect(v.get(`${T}12.BinarySensor.`)).toEqual({});
    fs.rmSync(path.join(root, 'class', 'gpio', 'tamper'), { recursive: true });
    clock += 5_000;
    v = await read();
    expect(v.get('Device.')).toMatchObject({ IoTCapabilityNumberOfEntries: 13 });
    expect(v.has(`${T}10.`)).toBe(false);
    expect(v.get(`${T}11.BinarySensor.`)).toMatchObject({ Type: 'WaterDetected' });
  });
});

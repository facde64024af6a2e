/**
 * Device.IoTCapability.{i}. (TR-181 2.13+, the IoT capability profiles BinaryControl:1 ...
 * BlobSensor:1): what a capability of the device itself looks like to every platform. TR-181
 * puts the capabilities of proxied devices under Device.Node.{i}.; these rows are the router's
 * own LEDs, sensors and (simulated) switches. A row has a Class and, of its eight sub-objects,
 * serves the one its Class names (iot-bindings.ts).
 */
import type { Value } from '../../datamodel/value/Value.js';

export const IOT_ROW = 'Device.IoTCapability.{i}.';

/** The TR-181 Class enumeration, which is also the name of the row's sub-object. */
export type IoTClass = 'BinaryControl' | 'LevelControl' | 'EnumControl' | 'BinarySensor' | 'LevelSensor' | 'MultiLevelSensor' | 'EnumSensor' | 'BlobSensor';

export const IOT_CLASSES: readonly IoTClass[] = ['BinaryControl', 'LevelControl', 'EnumControl', 'BinarySensor', 'LevelSensor', 'MultiLevelSensor', 'EnumSensor', 'BlobSensor'];

/**
 * The sub-object parameters served per Class: each profile's items plus Description (the row's
 * name on the device: an operator needs to know which LED it is). LastChange/LastContactTime and
 * the BinarySensor tuning values are left out: no platform source here has them.
 */
export const IOT_CLASS_PARAMS: Readonly<Record<IoTClass, readonly string[]>> = {
  BinaryControl: ['Type', 'Description', 'Value'],
  LevelControl: ['Type', 'Description', 'Value', 'Unit', 'MinValue', 'MaxValue', 'StepValue'],
  EnumControl: ['Type', 'Description', 'Value', 'ValidValues'],
  BinarySensor: ['Type', 'Description', 'Value'],
  LevelSensor: ['Type', 'Description', 'Value', 'Unit', 'LowLevel', 'LowLevelThreshold', 'HighLevel', 'HighLevelThreshold'],
  MultiLevelSensor: ['Type', 'Description', 'Values', 'ValueNames', 'Unit'],
  EnumSensor: ['Type', 'Description', 'Value', 'ValidValues'],
  BlobSensor: ['Type', 'Description', 'Value'],
};

/** One capability as its source reports it now. */
export interface IoTCapabilityRow {
  /** Stable for the life of the agent ("led:green:wan:brightness"): the row keeps its instance number. */
  key: string;
  class: IoTClass;
  /**
   * The values of the sub-object `class` names, typed as the schema says (decimals as canonical
   * strings, lists comma-joined). LevelSensor rows give Value and the thresholds; LowLevel and
   * HighLevel are computed from them (levelIndicators).
   */
  values: Record<string, Value | undefined>;
}

/** Where a platform's capabilities come from, and where a Controller's writes go. */
export interface IoTSource {
  /** The capabilities present now, in a stable order (new rows are numbered in this order). */
  rows(): Promise<readonly IoTCapabilityRow[]>;
  /**
   * Applies already-validated changes (iot-validate.ts) to one row's sub-object; throws a
   * UspError (7012) when the device refuses, having changed nothing.
   */
  write(row: IoTCapabilityRow, changes: Record<string, Value>): Promise<void>;
}

/**
 * TR-181 LevelSensor: LowLevel is true when Value is at or below LowLevelThreshold, HighLevel
 * when at or above HighLevelThreshold. A threshold nobody set and the device does not give is
 * left out (undefined), and its indicator is false.
 */
export function levelIndicators(value: Value | undefined, low: Value | undefined, high: Value | undefined): { LowLevel: boolean; HighLevel: boolean } {
  const v = value === undefined ? NaN : Number(value);
  return {
    LowLevel: low !== undefined && Number.isFinite(v) && v <= Number(low),
    HighLevel: high !== undefined && Number.isFinite(v) && v >= Number(high),
  };
}

/** A decimal as TR-106 writes it: no exponent, at most `digits` decimals, no trailing zeros. */
export function decimal(n: number, digits = 3): string {
  const s = n.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

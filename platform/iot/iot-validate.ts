/**
 * What a Controller may write to a capability, checked before anything reaches the device, so a
 * refused Set changes nothing (TR-369 R-SET: the whole object fails with 7012 and one
 * ParamError per refused parameter). The schema has already checked the types; the ranges and
 * the lists are the row's own (MinValue..MaxValue, ValidValues).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { IoTCapabilityRow } from './iot-classes.js';

type Bad = Array<{ param: string; message: string }>;

/** Items of a comma-joined TR-106 list. */
export function listItems(list: Value | undefined): string[] {
  return typeof list === 'string' && list !== '' ? list.split(',') : [];
}

function checkLevel(row: IoTCapabilityRow, changes: Record<string, Value>, bad: Bad): void {
  const min = Number(row.values.MinValue);
  const max = Number(row.values.MaxValue);
  if (changes.Value !== undefined) {
    const v = Number(changes.Value);
    if (!(v >= min && v <= max)) bad.push({ param: 'Value', message: `${changes.Value} is outside MinValue ${row.values.MinValue} to MaxValue ${row.values.MaxValue}` });
  }
  if (changes.StepValue !== undefined) {
    const s = Number(changes.StepValue);
    if (!(s > 0 && s <= max - min)) bad.push({ param: 'StepValue', message: `${changes.StepValue}: a step above 0 and at most MaxValue - MinValue (${max - min})` });
  }
}

/** Refuses (7012, nothing written) values outside the row's range or list. */
export function validateChanges(row: IoTCapabilityRow, changes: Record<string, Value>): void {
  const bad: Bad = [];
  if (row.class === 'LevelControl') checkLevel(row, changes, bad);
  if (row.class === 'EnumControl' && changes.Value !== undefined && !listItems(row.values.ValidValues).includes(String(changes.Value))) {
    bad.push({ param: 'Value', message: `${JSON.stringify(changes.Value)} is not one of ValidValues (${String(row.values.ValidValues)})` });
  }
  if (row.class === 'LevelSensor') {
    for (const p of ['LowLevelThreshold', 'HighLevelThreshold']) {
      if (changes[p] !== undefined && !Number.isFinite(Number(changes[p]))) bad.push({ param: p, message: `${String(changes[p])} is not a number` });
    }
  }
  if (bad.length > 0) throw invalidValues(bad);
}

/** A 7012 with one ParamError per refused parameter. */
export function invalidValues(bad: Bad): UspError {
  return new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), {
    paramErrors: bad.map((b) => ({ param: b.param, code: ErrorCode.InvalidValue, message: b.message })),
  });
}

/** StepUp()/StepDown() of a LevelControl: Value moved by StepValue, held within MinValue..MaxValue. */
export function steppedLevel(row: IoTCapabilityRow, direction: 1 | -1): number {
  const v = Number(row.values.Value) + direction * Number(row.values.StepValue);
  return Math.min(Number(row.values.MaxValue), Math.max(Number(row.values.MinValue), v));
}

/** StepUp()/StepDown() of an EnumControl: the next (previous) item of ValidValues, held at the ends. */
export function steppedEnum(row: IoTCapabilityRow, direction: 1 | -1): string {
  const items = listItems(row.values.ValidValues);
  const i = items.indexOf(String(row.values.Value));
  return items[Math.min(items.length - 1, Math.max(0, i + direction))] ?? String(row.values.Value);
}

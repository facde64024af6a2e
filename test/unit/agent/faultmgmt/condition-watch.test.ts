/**
 * The agent's own alarm sources (agent/faultmgmt/condition-watch.ts) over a data model whose
 * TemperatureSensor and MemoryStatus bindings the test drives: the thresholds, the hysteresis
 * that keeps a reading wavering at HighAlarmValue from raising and clearing, and the sources
 * that say nothing (a disabled sensor, no reading, no threshold).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUILTIN_ALARM_TYPES } from '../../../../agent/faultmgmt/builtin-alarms.js';
import { ConditionWatch } from '../../../../agent/faultmgmt/condition-watch.js';
import { FaultMgmt } from '../../../../agent/faultmgmt/FaultMgmt.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { Value } from '../../../../datamodel/value/Value.js';
import { testSchema } from '../../../peers/agent-fixture.js';

const quiet = { rowCreated: () => {}, rowDeleted: () => {}, rowChanged: () => {} };
let sensor: Record<string, Value>;
let memory: Record<string, Value>;
let fm: FaultMgmt;
let watch: ConditionWatch;

beforeEach(() => {
  sensor = { Enable: true, Name: 'cpu', Value: 40, HighAlarmValue: 50 };
  memory = { Total: 100_000, Free: 50_000 };
  const model = new DataModel(testSchema());
  model.register('Device.DeviceInfo.MemoryStatus.', { params: ['Total', 'Free'], get: () => ({ ...memory }) });
  model.register('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.', { params: ['Enable', 'Name', 'Value', 'HighAlarmValue'], list: () => [1], get: () => ({ ...sensor }) });
  fm = new FaultMgmt(BUILTIN_ALARM_TYPES, new DataStore(undefined), quiet, 'x');
  watch = new ConditionWatch(model, fm, { log: silentLogger });
});

const severities = (): string[] => fm.log.active.map((a) => `${a.raise.probableCause}:${a.raise.perceivedSeverity}`);

describe('temperature', () => {
  it('raises at HighAlarmValue, Critical 10 °C above, and clears only 2 °C below it', async () => {
    sensor.Value = 50;
    await watch.check();
    expect(severities()).toEqual(['Temperature Unacceptable:Major']);
    sensor.Value = 60;
    await watch.check();
    expect(severities()).toEqual(['Temperature Unacceptable:Critical']);
    sensor.Value = 49;
    await watch.check();
    expect(severities()).toEqual(['Temperature Unacceptable:Critical']);
    sensor.Value = 48;
    await watch.check();
    expect(severities()).toEqual([]);
  });

  it('a sensor disabled, without a reading or without a threshold raises nothing and clears what it raised', async () => {
    sensor.Value = 70;
    await watch.check();
    expect(severities()).toHaveLength(1);
    sensor.Enable = false;
    await watch.check();
    expect(severities()).toEqual([]);
    sensor = { ...sensor, Enable: true, HighAlarmValue: -274 };
    await watch.check();
    sensor = { ...sensor, HighAlarmValue: 50, Value: -274 };
    await watch.check();
    expect(severities()).toEqual([]);
  });
});

describe('a sensor that leaves', () => {
  it('takes its alarm with it', async () => {
    sensor.Value = 70;
    await watch.check();
    expect(severities()).toHaveLength(1);
    sensor = { ...sensor, Name: 'another', Value: 20 };
    await watch.check();
    expect(severities()).toEqual([]);
  });
});

describe('memory', () => {
  it('raises below 5 % free, keeps it up to 10 %, clears above', async () => {
    memory.Free = 4_000;
    await watch.check();
    expect(severities()).toEqual(['Out Of Memory:Major']);
    memory.Free = 9_000;
    await watch.check();
    expect(severities()).toEqual(['Out Of Memory:Major']);
    memory.Free = 11_000;
    await watch.check();
    expect(severities()).toEqual([]);
  });

  it('a MemoryStatus that reads no Total says nothing', async () => {
    memory = { Total: 0, Free: 0 };
    await watch.check();
    expect(severities()).toEqual([]);
  });
});

describe('a phased watch (a fleet gateway)', () => {
  afterEach(() => vi.useRealTimers());

  it('checks once per period, on its own second of it', async () => {
    vi.useFakeTimers();
    const model = new DataModel(testSchema());
    model.register('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.', { params: ['Enable', 'Name', 'Value', 'HighAlarmValue'], list: () => [1], get: () => ({ ...sensor }) });
    const phased = new ConditionWatch(model, fm, { log: silentLogger, periodMs: 10_000, phase: 0.5 });
    const checks: number[] = [];
    phased.check = async () => {
      checks.push(Date.now());
    };
    const t0 = Date.now();
    phased.start();
    await vi.advanceTimersByTimeAsync(30_000);
    phased.stop();
    // The 1 s ticks are numbered from 0: step 5 of 10, so the 6th, 16th and 26th second.
    expect(checks.map((t) => t - t0)).toEqual([6000, 16_000, 26_000]);
  });
});

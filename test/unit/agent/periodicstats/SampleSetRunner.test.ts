/**
 * The sampler's clock (agent/periodicstats/SampleSetRunner.ts, PeriodicStatsService.ts) under a
 * fake clock: intervals end at TimeReference ± k × SampleInterval (the first one shorter),
 * FetchSamples' Push! falls on TimeReference ± k × FetchSamples × SampleInterval, Average reads
 * between interval ends, a disabled set has no timer, and changing SampleInterval restarts.
 * Over the real schema and an in-memory store; the sampled parameter is a test binding whose
 * value is the fake clock's seconds.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyDefaults } from '../../../../agent/defaults/apply-defaults.js';
import { registerPeriodicStatistics } from '../../../../agent/periodicstats/register-periodicstats.js';
import type { PeriodicStatsService } from '../../../../agent/periodicstats/PeriodicStatsService.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import type { Change } from '../../../../datamodel/tree/ChangeFeed.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const schema = Schema.load();
const SET = 'Device.PeriodicStatistics.SampleSet.1.';
const T0 = Date.parse('2026-01-01T00:00:00.500Z');

let model: DataModel;
let service: PeriodicStatsService;
let pushes: Array<{ at: number; args: Record<string, Value> }>;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  model = new DataModel(schema);
  // The sampled parameter: Device.DeviceInfo.UpTime reads the fake clock's whole seconds since T0.
  const upTime = () => ({ UpTime: Math.floor((Date.now() - T0) / 1000) });
  model.register('Device.DeviceInfo.', { params: ['UpTime'], get: upTime });
  model.register('Device.LocalAgent.', { params: ['UpTime'], get: upTime });
  service = registerPeriodicStatistics(model, new DataStore(), { log: silentLogger, links: { profileAccess: () => Promise.resolve(undefined) } });
  pushes = [];
  model.changes.subscribe((c: Change) => {
    if (c.kind === 'event' && c.event === 'Push!') pushes.push({ at: Date.now(), args: c.args });
  });
});
afterEach(() => {
  service.stop();
  vi.useRealTimers();
});

async function start(settings: Record<string, Value>, parameter: Record<string, Value> = {}): Promise<void> {
  const row: Record<string, Value> = {};
  for (const [k, v] of Object.entries(settings)) row[`${SET}${k}`] = v;
  for (const [k, v] of Object.entries({ Enable: true, Reference: 'Device.DeviceInfo.UpTime', ...parameter })) row[`${SET}Parameter.1.${k}`] = v;
  await applyDefaults(model, { [`${SET}Enable`]: true, ...row });
  await service.start();
}

const read = async (path: string, name: string): Promise<Value | undefined> => {
  const node = model.requireNode(path.includes('Parameter') ? 'Device.PeriodicStatistics.SampleSet.{i}.Parameter.{i}.' : 'Device.PeriodicStatistics.SampleSet.{i}.');
  const keys = [...path.matchAll(/\.(\d+)\./g)].map((m) => Number(m[1]));
  return (await model.readValues({ node, keys }, {}))[name];
};

describe('SampleSetRunner', () => {
  it('ends intervals on TimeReference + k × SampleInterval and pushes on TimeReference + k × FetchSamples × SampleInterval', async () => {
    await start({ SampleInterval: 10, ReportSamples: 4, FetchSamples: 2, TimeReference: '2026-01-01T00:00:05Z' });
    await vi.advanceTimersByTimeAsync(50_000);
    // The first interval is 4.5 s (to 00:00:05), then whole ones: 15, 25, 35, 45.
    expect(await read(SET, 'ReportEndTime')).toBe('2026-01-01T00:00:45Z');
    expect(await read(SET, 'ReportStartTime')).toBe('2026-01-01T00:00:05Z');
    expect(await read(SET, 'SampleSeconds')).toBe('10,10,10,10');
    // Push! at 05, 25 and 45 (TimeReference + k × 20 s).
    expect(pushes.map((p) => new Date(p.at).toISOString().slice(14, 19))).toEqual(['00:05', '00:25', '00:45']);
    expect(pushes[2].args['Parameter.1.Values']).toBe('14,24,34,44');
  });

  it('Average and Maximum read between interval ends (ten readings per interval), with one timer for the set', async () => {
    await start({ SampleInterval: 10, ReportSamples: 2 }, { CalculationMode: 'Average' });
    await applyDefaults(model, { [`${SET}Parameter.2.Enable`]: true, [`${SET}Parameter.2.Reference`]: 'Device.LocalAgent.UpTime', [`${SET}Parameter.2.CalculationMode`]: 'Maximum' });
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_090);
    // Readings at 1..10 s of the interval: 1, 2, ... 10; their mean 5.5, their maximum 10.
    expect(await read(`${SET}Parameter.1.`, 'Values')).toBe('5.5');
    expect(await read(`${SET}Parameter.1.`, 'SampleSeconds')).toBe('10');
    expect(await read(`${SET}Parameter.2.`, 'Values')).toBe('10');
  });

  it('a disabled set keeps no timer; enabling starts one; a new SampleInterval discards the samples', async () => {
    await start({ SampleInterval: 1, ReportSamples: 5, Enable: false });
    expect(vi.getTimerCount()).toBe(0);
    await applyDefaults(model, { [`${SET}Enable`]: true });
    await vi.advanceTimersByTimeAsync(3_050);
    expect(vi.getTimerCount()).toBe(1);
    expect(String(await read(`${SET}Parameter.1.`, 'Values')).split(',')).toHaveLength(3);
    await applyDefaults(model, { [`${SET}SampleInterval`]: 2 });
    await vi.advanceTimersByTimeAsync(10);
    expect(await read(`${SET}Parameter.1.`, 'Values')).toBe('');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await read(SET, 'SampleSeconds')).toBe('2');
    await applyDefaults(model, { [`${SET}Enable`]: false });
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a reading still running when SampleInterval changes is dropped: the new interval starts empty and completes whole', async () => {
    // Device.LocalAgent.UpTime answers 500 ms late (a slow provider).
    model.register('Device.LocalAgent.', { params: ['UpTime'], get: () => new Promise((r) => setTimeout(() => r({ UpTime: 7 }), 500)) }, { override: true });
    await start({ SampleInterval: 1, ReportSamples: 5 }, { Reference: 'Device.LocalAgent.UpTime' });
    // The first interval ends at 1 s: its reading is in flight until 1.5 s.
    await vi.advanceTimersByTimeAsync(1_200);
    await applyDefaults(model, { [`${SET}SampleInterval`]: 2 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await read(`${SET}Parameter.1.`, 'Values')).toBe('');
    expect(await read(SET, 'SampleSeconds')).toBe('');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await read(`${SET}Parameter.1.`, 'Values')).toBe('7');
    expect(await read(SET, 'SampleSeconds')).toBe('2');
  });
});

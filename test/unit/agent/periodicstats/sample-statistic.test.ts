/**
 * One Parameter's statistic per interval (agent/periodicstats/sample-statistic.ts) and its lists
 * (ParameterSeries.ts): SampleMode, CalculationMode, the threshold/failure states of TR-181
 * Parameter.{i}.Failures, ForceSample()'s provisional entry, and the ReportSamples bound.
 */
import { describe, expect, it } from 'vitest';
import { ParameterSeries } from '../../../../agent/periodicstats/ParameterSeries.js';
import { IntervalStatistic, isFailure, rangeOf } from '../../../../agent/periodicstats/sample-statistic.js';
import type { ParameterConfig } from '../../../../agent/periodicstats/sampleset-config.js';
import { parsePath } from '../../../../datamodel/path/parse-path.js';

function stat(calc: 'Latest' | 'Minimum' | 'Maximum' | 'Average', mode: 'Current' | 'Change' = 'Current', type = 'unsignedInt'): IntervalStatistic {
  return new IntervalStatistic(type, true, mode, calc, undefined);
}

describe('IntervalStatistic', () => {
  it('Latest, Minimum, Maximum and Average of the readings of one interval', () => {
    const readings = [5, 2, 9, 4];
    const of = (calc: 'Latest' | 'Minimum' | 'Maximum' | 'Average') => {
      const s = stat(calc);
      for (const r of readings) s.take(r);
      return s.statistic()?.text;
    };
    expect([of('Latest'), of('Minimum'), of('Maximum'), of('Average')]).toEqual(['4', '2', '9', '5']);
    const s = stat('Average');
    s.take(1);
    s.take(2);
    expect(s.statistic()?.text).toBe('1.5');
  });

  it('Change mode differs each reading from the one before, from the baseline on; a counter that goes down is suspect', () => {
    const s = stat('Latest', 'Change', 'unsignedLong');
    s.baseline('18446744073709551000');
    s.take('18446744073709551610');
    expect(s.statistic()?.text).toBe('610');
    expect(s.suspect).toBe(false);
    s.take('7');
    expect(s.suspect).toBe(true);
    expect(s.statistic()?.text).toBe('7');
  });

  it('a non-numeric parameter is sampled as Current/Latest whatever the modes say', () => {
    const s = new IntervalStatistic('string', false, 'Change', 'Average', undefined);
    s.take('a');
    s.take('b');
    expect(s.statistic()?.text).toBe('b');
  });

  it('a missed reading makes the interval suspect', () => {
    const s = stat('Latest');
    s.missed();
    expect(s.suspect).toBe(true);
    expect(s.statistic()).toBeUndefined();
  });
});

describe('thresholds (TR-181 Failures)', () => {
  it('in range strictly between; out of range at or beyond a threshold; equal thresholds disable it', () => {
    expect(rangeOf(5, 0, 10)).toBe('in');
    expect(rangeOf(0, 0, 10)).toBe('low');
    expect(rangeOf(10, 0, 10)).toBe('high');
    expect(rangeOf(99, 3, 3)).toBeUndefined();
  });

  it('counts in → out and low ↔ high, not staying out nor coming back', () => {
    expect(isFailure('in', 'high')).toBe(true);
    expect(isFailure('in', 'low')).toBe(true);
    expect(isFailure('low', 'high')).toBe(true);
    expect(isFailure('high', 'high')).toBe(false);
    expect(isFailure('high', 'in')).toBe(false);
  });
});

const cfg = (over: Partial<ParameterConfig> = {}): ParameterConfig => ({
  n: 1,
  enable: true,
  reference: 'Device.DeviceInfo.UpTime',
  parsed: parsePath('Device.DeviceInfo.UpTime'),
  sampleMode: 'Current',
  calculationMode: 'Latest',
  low: 0,
  high: 0,
  ...over,
});

describe('ParameterSeries', () => {
  it('keeps the newest ReportSamples values, oldest first, with their SampleSeconds and SuspectData', () => {
    const s = new ParameterSeries(cfg(), 0);
    s.learnType('unsignedInt', false);
    for (let i = 1; i <= 5; i++) {
      s.stat.take(i * 10);
      s.complete((i - 1) * 1000, i * 1000, 3);
    }
    expect(s.list('Values', 3)).toBe('30,40,50');
    expect(s.list('SampleSeconds', 3)).toBe('1,1,1');
    expect(s.list('SuspectData', 3)).toBe('0,0,0');
    // A smaller ReportSamples truncates what is read.
    expect(s.list('Values', 2)).toBe('40,50');
  });

  it("ForceSample()'s preview is one provisional entry, replaced by the interval's final value", () => {
    const s = new ParameterSeries(cfg(), 0);
    s.learnType('unsignedInt', false);
    s.stat.take(1);
    s.previewAt(0, 400);
    s.stat.take(2);
    s.previewAt(0, 700);
    expect(s.list('Values', 5)).toBe('2');
    expect(s.list('SampleSeconds', 5)).toBe('1');
    s.stat.take(3);
    s.complete(0, 2000, 5);
    expect(s.list('Values', 5)).toBe('3');
    expect(s.list('SampleSeconds', 5)).toBe('2');
  });

  it('counts Failures on completed values and forgets them on reset', () => {
    const s = new ParameterSeries(cfg({ low: 10, high: 20 }), 0);
    s.learnType('int', false);
    for (const [i, v] of [15, 25, 30, 5, 15].entries()) {
      s.stat.take(v);
      s.complete(i * 1000, (i + 1) * 1000, 10);
    }
    expect(s.failures).toBe(2);
    s.reset(6000);
    expect(s.failures).toBe(0);
    expect(s.list('Values', 10)).toBe('');
  });

  it('escapes commas in string values so the list keeps one item per sample', () => {
    const s = new ParameterSeries(cfg(), 0);
    s.learnType('string', false);
    s.stat.take('a,b');
    s.complete(0, 1000, 3);
    expect(s.list('Values', 3)).toBe('a%2Cb');
  });
});

/**
 * One Device.PeriodicStatistics.SampleSet.{i}. row and its Parameter.{i} rows as the sampler
 * uses them, read from the agent's store (values never stored read as the schema default).
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { ParsedPath } from '../../datamodel/path/Path.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import type { CalculationMode, SampleMode } from './sample-statistic.js';

export const SAMPLE_SET_TABLE = 'Device.PeriodicStatistics.SampleSet.';
export const SAMPLE_SET_NODE = 'Device.PeriodicStatistics.SampleSet.{i}.';
export const PARAMETER_NODE = 'Device.PeriodicStatistics.SampleSet.{i}.Parameter.{i}.';

export interface ParameterConfig {
  readonly n: number;
  readonly enable: boolean;
  readonly reference: string;
  /** The parsed Reference; undefined when empty (nothing to sample). */
  readonly parsed?: ParsedPath;
  readonly sampleMode: SampleMode;
  readonly calculationMode: CalculationMode;
  readonly low: number;
  readonly high: number;
}

export interface SampleSetConfig {
  readonly n: number;
  /** "Device.PeriodicStatistics.SampleSet.3." */
  readonly path: string;
  readonly enable: boolean;
  /** Seconds. */
  readonly sampleInterval: number;
  readonly reportSamples: number;
  readonly fetchSamples: number;
  /** ms since the epoch; undefined for the Unknown Time (the agent picks the phase). */
  readonly timeReference?: number;
  /** The owning Controller row ("" when made by the factory-defaults file). */
  readonly controller: string;
  readonly parameters: readonly ParameterConfig[];
}

/** The row of SampleSet `n`, or undefined when it does not exist. */
export function readSampleSet(store: DataStore, n: number): SampleSetConfig | undefined {
  const path = `${SAMPLE_SET_TABLE}${n}.`;
  const row = store.row(path);
  if (!row) return undefined;
  const parameters: ParameterConfig[] = [];
  for (const p of store.instances(`${path}Parameter.`)) {
    const r = store.row(`${path}Parameter.${p}.`) ?? {};
    const reference = String(r.Reference ?? '');
    parameters.push({
      n: p,
      enable: r.Enable === true,
      reference,
      parsed: parseReference(reference),
      sampleMode: r.SampleMode === 'Change' ? 'Change' : 'Current',
      calculationMode: calculationModeOf(r.CalculationMode),
      low: num(r.LowThreshold, 0),
      high: num(r.HighThreshold, 0),
    });
  }
  const tr = String(row.TimeReference ?? UNKNOWN_TIME);
  return {
    n,
    path,
    enable: row.Enable === true,
    sampleInterval: num(row.SampleInterval, 3600),
    reportSamples: num(row.ReportSamples, 24),
    fetchSamples: num(row.FetchSamples, 1),
    timeReference: tr === UNKNOWN_TIME ? undefined : Date.parse(tr),
    controller: String(row.Controller ?? ''),
    parameters,
  };
}

function calculationModeOf(v: Value | undefined): CalculationMode {
  return v === 'Minimum' || v === 'Maximum' || v === 'Average' ? v : 'Latest';
}

function num(v: Value | undefined, dflt: number): number {
  return typeof v === 'number' ? v : v === undefined ? dflt : Number(v);
}

function parseReference(text: string): ParsedPath | undefined {
  if (text === '') return undefined;
  try {
    return parsePath(text);
  } catch {
    return undefined;
  }
}

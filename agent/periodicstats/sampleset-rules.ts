/**
 * What Set and Add accept on Device.PeriodicStatistics.SampleSet.{i} and its Parameter.{i}
 * rows: the bounds of periodicstats-limits.ts (7005 once a table is full), SampleInterval no
 * shorter than MinSampleInterval and ReportSamples no larger than MaxReportSamples (7012: the
 * parameter is supported, the value is refused; TR-181 "The CPE MAY reject a request to set
 * SampleInterval to less than MinSampleInterval"), and no Histogram calculation (not offered).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_PARAMETERS_PER_SET, MAX_REPORT_SAMPLES, MAX_SAMPLE_SETS } from './periodicstats-limits.js';
import { SAMPLE_SET_TABLE } from './sampleset-config.js';

/** stored-binding's validate sees keys ending in 0 for an Add. */
const adding = (keys: InstanceKeys): boolean => keys[keys.length - 1] === 0;

export function invalid(param: string, message: string, code: ErrorCode = ErrorCode.InvalidValue): UspError {
  return new UspError(code, message, { path: param, paramErrors: [{ param, code, message }] });
}

export function checkSampleSet(store: DataStore, keys: InstanceKeys, changes: Record<string, Value>, minSampleInterval: number): void {
  if (adding(keys) && store.instances(SAMPLE_SET_TABLE).length >= MAX_SAMPLE_SETS) {
    throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_SAMPLE_SETS} sample sets`);
  }
  if ('SampleInterval' in changes && Number(changes.SampleInterval) < minSampleInterval) {
    throw invalid('SampleInterval', `SampleInterval ${String(changes.SampleInterval)} is below Device.PeriodicStatistics.MinSampleInterval (${minSampleInterval} s)`);
  }
  if ('ReportSamples' in changes && Number(changes.ReportSamples) > MAX_REPORT_SAMPLES) {
    throw invalid('ReportSamples', `ReportSamples ${String(changes.ReportSamples)} is above Device.PeriodicStatistics.MaxReportSamples (${MAX_REPORT_SAMPLES})`);
  }
}

export function checkParameterRow(store: DataStore, keys: InstanceKeys, changes: Record<string, Value>): void {
  if (adding(keys) && store.instances(`${SAMPLE_SET_TABLE}${keys[0]}.Parameter.`).length >= MAX_PARAMETERS_PER_SET) {
    throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_PARAMETERS_PER_SET} Parameter rows per sample set`);
  }
  if (changes.CalculationMode === 'Histogram') {
    throw invalid('CalculationMode', 'CalculationMode Histogram is not supported: use Latest, Minimum, Maximum or Average');
  }
}

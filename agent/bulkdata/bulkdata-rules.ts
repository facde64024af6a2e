/**
 * What Set and Add accept on Device.BulkData.Profile.{i} and its sub-objects (TR-181 BulkData:1):
 * the bounds of bulkdata-limits.ts (7005 Resources Exceeded once reached), the minimum reporting
 * interval, the supported Protocols and EncodingTypes, references checked against the supported
 * model (check-reference.ts), and only http/https collection URLs.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { BULKDATA_ENCODINGS, MAX_PARAMETER_REFERENCES, MAX_PARAMETER_ROWS_PER_PROFILE, MAX_PROFILES, MAX_URI_PARAMETERS_PER_PROFILE } from './bulkdata-limits.js';
import { checkReference } from './check-reference.js';
import { PROFILE_TABLE } from './profile-config.js';

/** stored-binding's validate sees keys ending in 0 for an Add. */
const adding = (keys: InstanceKeys): boolean => keys[keys.length - 1] === 0;

/** The row a check is about, for messages (a new row has no number yet). */
function rowName(keys: InstanceKeys, table: string): string {
  return adding(keys) ? `a new ${PROFILE_TABLE}${keys[0]}.${table}. row` : `${PROFILE_TABLE}${keys[0]}.${table}.${keys[1]}.`;
}

function invalid(param: string, message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, message, { path: param, paramErrors: [{ param, code: ErrorCode.InvalidValue, message }] });
}

export function checkProfile(store: DataStore, keys: InstanceKeys, changes: Record<string, Value>, opts: { minInterval: number; protocols: readonly string[] }): void {
  if (adding(keys) && store.instances(PROFILE_TABLE).length >= MAX_PROFILES) {
    throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_PROFILES} bulk data profiles (Device.BulkData.MaxNumberOfProfiles)`);
  }
  if ('ReportingInterval' in changes && Number(changes.ReportingInterval) < opts.minInterval) {
    // 7012 (Invalid Value), not 7010: the parameter is supported, the value is what the agent
    // refuses (TR-181 ReportingInterval: "The CPE MAY reject ... less than MinReportingInterval").
    throw invalid('ReportingInterval', `ReportingInterval ${String(changes.ReportingInterval)} is below Device.BulkData.MinReportingInterval (${opts.minInterval} s)`);
  }
  // Protocol and EncodingType are enumerationRefs to #.Protocols and #.EncodingTypes.
  if ('Protocol' in changes && changes.Protocol !== '' && !opts.protocols.includes(String(changes.Protocol))) {
    throw invalid('Protocol', `Protocol must be one of ${opts.protocols.join(', ')} (Device.BulkData.Protocols)`);
  }
  if ('EncodingType' in changes && changes.EncodingType !== '' && !(BULKDATA_ENCODINGS as readonly string[]).includes(String(changes.EncodingType))) {
    throw invalid('EncodingType', `EncodingType must be one of ${BULKDATA_ENCODINGS.join(', ')} (Device.BulkData.EncodingTypes)`);
  }
}

export function checkParameterRow(model: DataModel, store: DataStore, keys: InstanceKeys, changes: Record<string, Value>): void {
  if (adding(keys)) {
    if (store.instances(`${PROFILE_TABLE}${keys[0]}.Parameter.`).length >= MAX_PARAMETER_ROWS_PER_PROFILE) {
      throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_PARAMETER_ROWS_PER_PROFILE} Parameter rows per bulk data profile`);
    }
    let total = 0;
    for (const n of store.instances(PROFILE_TABLE)) total += store.instances(`${PROFILE_TABLE}${n}.Parameter.`).length;
    if (total >= MAX_PARAMETER_REFERENCES) {
      throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_PARAMETER_REFERENCES} parameter references in all (Device.BulkData.MaxNumberOfParameterReferences)`);
    }
  }
  if ('Reference' in changes && changes.Reference !== '') checkReference(model, String(changes.Reference), `Reference of ${rowName(keys, 'Parameter')}`);
}

export function checkUriParameterRow(model: DataModel, store: DataStore, keys: InstanceKeys, changes: Record<string, Value>): void {
  if (adding(keys) && store.instances(`${PROFILE_TABLE}${keys[0]}.HTTP.RequestURIParameter.`).length >= MAX_URI_PARAMETERS_PER_PROFILE) {
    throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_URI_PARAMETERS_PER_PROFILE} RequestURIParameter rows per bulk data profile`);
  }
  if ('Reference' in changes && changes.Reference !== '') checkReference(model, String(changes.Reference), `Reference of ${rowName(keys, 'HTTP.RequestURIParameter')}`, { parameterOnly: true });
}

/** TR-181 HTTP.URL: the collection server, over HTTP or HTTPS only. */
export function checkHttp(changes: Record<string, Value>): void {
  if ('URL' in changes && changes.URL !== '') {
    let url: URL;
    try {
      url = new URL(String(changes.URL));
    } catch {
      throw invalid('URL', `URL ${JSON.stringify(changes.URL)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('URL', `URL scheme ${url.protocol.replace(/:$/, '')} is not supported (http or https only)`);
  }
  if ('Method' in changes && !['POST', 'PUT'].includes(String(changes.Method))) throw invalid('Method', 'Method must be POST or PUT (HTTP.MethodsSupported)');
  if ('Compression' in changes && !['None', 'GZIP', 'Deflate'].includes(String(changes.Compression))) {
    throw invalid('Compression', 'Compression must be None, GZIP or Deflate (HTTP.CompressionsSupported)');
  }
}

/** TR-181 MQTT.Reference: a Device.MQTT.Client.{i} row (or empty). */
export function checkMqtt(changes: Record<string, Value>): void {
  if ('Reference' in changes && changes.Reference !== '' && !/^Device\.MQTT\.Client\.\d+\.?$/.test(String(changes.Reference))) {
    throw invalid('Reference', `MQTT.Reference ${JSON.stringify(changes.Reference)} must name a Device.MQTT.Client.{i} row`);
  }
}

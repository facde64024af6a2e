/**
 * One Device.BulkData.Profile.{i} as the collection and delivery read it when a report is due:
 * its stored rows, typed (TR-181 BulkData:1). Read from the DataStore, the Profile's own
 * configuration, never through a controller's view.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import type { ParameterRow } from './collect-report.js';
import type { CsvEncodingSettings, CsvReportFormat } from './encode-csv.js';
import type { JsonEncodingSettings, JsonReportFormat } from './encode-json.js';
import type { TimestampFormat } from './report-timestamp.js';

export const PROFILE_TABLE = 'Device.BulkData.Profile.';

export interface ProfileConfig {
  /** "Device.BulkData.Profile.3." */
  readonly path: string;
  readonly n: number;
  readonly enable: boolean;
  readonly name: string;
  readonly protocol: string;
  readonly encodingType: string;
  readonly reportingInterval: number;
  /** Epoch ms; undefined for the Unknown Time. */
  readonly timeReference?: number;
  /** Path of the owning Device.LocalAgent.Controller.{i} row, "" when the agent made the profile (factory defaults). */
  readonly controller: string;
  readonly numberOfRetainedFailedReports: number;
  readonly parameters: readonly ParameterRow[];
  readonly json: JsonEncodingSettings;
  readonly csv: CsvEncodingSettings;
  readonly mqtt: { readonly reference: string; readonly publishTopic: string; readonly publishQoS: number; readonly publishRetain: boolean };
}

/** The Profile at `n` with its sub-objects, defaults filled in from the schema. */
export async function readProfile(model: DataModel, store: DataStore, n: number): Promise<ProfileConfig | undefined> {
  const path = `${PROFILE_TABLE}${n}.`;
  if (!store.row(path) && !store.instances(PROFILE_TABLE).includes(n)) return undefined;
  const read = async (supported: string, keys: number[]): Promise<Record<string, Value>> => model.readValues({ node: model.requireNode(supported), keys }, {});
  const p = await read('Device.BulkData.Profile.{i}.', [n]);
  const json = await read('Device.BulkData.Profile.{i}.JSONEncoding.', [n]);
  const csv = await read('Device.BulkData.Profile.{i}.CSVEncoding.', [n]);
  const mqtt = await read('Device.BulkData.Profile.{i}.MQTT.', [n]);
  const parameters: ParameterRow[] = [];
  for (const i of store.instances(`${path}Parameter.`)) {
    const row = store.row(`${path}Parameter.${i}.`) ?? {};
    parameters.push({ name: String(row.Name ?? ''), reference: String(row.Reference ?? ''), exclude: row.Exclude === true });
  }
  const timeReference = String(p.TimeReference ?? UNKNOWN_TIME);
  return {
    path,
    n,
    enable: p.Enable === true,
    name: String(p.Name ?? ''),
    protocol: String(p.Protocol ?? ''),
    encodingType: String(p.EncodingType ?? ''),
    reportingInterval: Number(p.ReportingInterval ?? 86400),
    timeReference: timeReference === UNKNOWN_TIME ? undefined : Date.parse(timeReference),
    controller: String(p.Controller ?? ''),
    numberOfRetainedFailedReports: Number(p.NumberOfRetainedFailedReports ?? 0),
    parameters,
    json: { reportFormat: String(json.ReportFormat ?? 'ObjectHierarchy') as JsonReportFormat, reportTimestamp: String(json.ReportTimestamp ?? 'Unix-Epoch') as TimestampFormat },
    csv: {
      fieldSeparator: String(csv.FieldSeparator ?? ','),
      rowSeparator: String(csv.RowSeparator ?? ''),
      escapeCharacter: String(csv.EscapeCharacter ?? '"'),
      reportFormat: String(csv.ReportFormat ?? 'ParameterPerColumn') as CsvReportFormat,
      rowTimestamp: String(csv.RowTimestamp ?? 'Unix-Epoch') as TimestampFormat,
    },
    mqtt: { reference: String(mqtt.Reference ?? ''), publishTopic: String(mqtt.PublishTopic ?? ''), publishQoS: Number(mqtt.PublishQoS ?? 0), publishRetain: mqtt.PublishRetain === true },
  };
}

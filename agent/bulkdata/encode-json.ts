/**
 * The JSON encoding of reports (TR-369 Annex A "Encoding of JSON Bulk Data"; TR-181
 * Profile.{i}.JSONEncoding.): one `{"Report":[...]}` document per delivery, one array element per
 * collection (retained failed ones first), each with "CollectionTime" unless ReportTimestamp is
 * None. ReportFormat NameValuePair gives each parameter as `"<report name>": value`;
 * ObjectHierarchy nests the name's dot-separated parts as objects. Values are JSON typed by
 * their TR-106 type: numbers for the integer and decimal types, true/false for boolean,
 * strings for the rest.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { CollectedReport, EncodedReport, ReportEncoder, ReportEntry } from './report-contract.js';
import { iso8601, unixEpoch, type TimestampFormat } from './report-timestamp.js';

export type JsonReportFormat = 'ObjectHierarchy' | 'NameValuePair';

export interface JsonEncodingSettings {
  readonly reportFormat: JsonReportFormat;
  readonly reportTimestamp: TimestampFormat;
}

const NUMBER_TYPES = new Set(['int', 'unsignedInt', 'long', 'unsignedLong', 'decimal']);

/** A ReportEncoder for these JSONEncoding settings. */
export function jsonEncoder(settings: JsonEncodingSettings): ReportEncoder {
  return (reports) => encodeJson(reports, settings);
}

export function encodeJson(reports: readonly CollectedReport[], settings: JsonEncodingSettings): EncodedReport {
  const items = reports.map((r) => (settings.reportFormat === 'NameValuePair' ? nameValuePair(r, settings) : objectHierarchy(r, settings)));
  return { body: `{"Report":[${items.join(',')}]}`, contentType: 'application/json; charset=UTF-8', reportFormat: settings.reportFormat };
}

/** "CollectionTime" as the first member, or nothing. */
function collectionTime(r: CollectedReport, format: TimestampFormat): string[] {
  if (format === 'Unix-Epoch') return [`"CollectionTime":${unixEpoch(r.collectedAt)}`];
  if (format === 'ISO-8601') return [`"CollectionTime":${JSON.stringify(iso8601(r.collectedAt))}`];
  return [];
}

function nameValuePair(r: CollectedReport, s: JsonEncodingSettings): string {
  const members = collectionTime(r, s.reportTimestamp);
  for (const e of r.entries) members.push(`${JSON.stringify(e.name)}:${jsonValue(e)}`);
  return `{${members.join(',')}}`;
}

/** A tree of name parts; leaves hold the encoded value. */
interface Branch {
  [part: string]: Branch | string;
}

function objectHierarchy(r: CollectedReport, s: JsonEncodingSettings): string {
  const root: Branch = {};
  for (const e of r.entries) {
    const parts = e.name.split('.').filter((p) => p !== '');
    let at = root;
    let clash = false;
    for (const part of parts.slice(0, -1)) {
      const next = at[part];
      if (typeof next === 'string') {
        clash = true;
        break;
      }
      at = next ?? (at[part] = {});
    }
    const leaf = parts[parts.length - 1];
    // A name that is both a value and an object (two rows named alike) keeps the first.
    if (clash || leaf === undefined || leaf in at) continue;
    at[leaf] = jsonValue(e);
  }
  const head = collectionTime(r, s.reportTimestamp);
  return `{${[...head, ...members(root)].join(',')}}`;
}

function members(b: Branch): string[] {
  return Object.keys(b).map((k) => {
    const v = b[k];
    return `${JSON.stringify(k)}:${typeof v === 'string' ? v : `{${members(v).join(',')}}`}`;
  });
}

/** The JSON text of one value, typed by its TR-106 type (long and decimal keep every digit). */
export function jsonValue(e: Pick<ReportEntry, 'value' | 'type'>): string {
  const v: Value = e.value;
  if (e.type === 'boolean' && typeof v === 'boolean') return v ? 'true' : 'false';
  if (NUMBER_TYPES.has(e.type)) {
    const text = String(v);
    if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) return text;
  }
  return JSON.stringify(typeof v === 'string' ? v : String(v));
}

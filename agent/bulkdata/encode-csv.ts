/**
 * The CSV encoding of reports (TR-369 Annex A "Encoding of CSV Bulk Data", RFC 4180; TR-181
 * Profile.{i}.CSVEncoding.). ParameterPerRow: a header "ReportTimestamp,ParameterName,
 * ParameterValue,ParameterType" and one row per parameter; ParameterPerColumn: a header of
 * "ReportTimestamp" and the report names, and one row per collection. The ReportTimestamp column
 * is left out when RowTimestamp is None. FieldSeparator, RowSeparator and EscapeCharacter may be
 * written as XML character references ("&#13;&#10;"), as TR-181 shows them.
 */
import type { CollectedReport, EncodedReport, ReportEncoder, ReportEntry } from './report-contract.js';
import { iso8601, unixEpoch, type TimestampFormat } from './report-timestamp.js';

export type CsvReportFormat = 'ParameterPerRow' | 'ParameterPerColumn';

export interface CsvEncodingSettings {
  readonly fieldSeparator: string;
  readonly rowSeparator: string;
  readonly escapeCharacter: string;
  readonly reportFormat: CsvReportFormat;
  readonly rowTimestamp: TimestampFormat;
}

/** RFC 4180's line break, used when RowSeparator is empty. */
const CRLF = '\r\n';

const NAMED: Readonly<Record<string, string>> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

/** "&#13;&#10;" → CR LF; "&#x2C;" → ","; "&quot;" → '"' (XML's five named ones); other text stays as it is. */
export function decodeCharRefs(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|amp|lt|gt|apos);/g, (_m, code: string) => {
    if (!code.startsWith('#')) return NAMED[code];
    return String.fromCodePoint(code.startsWith('#x') ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10));
  });
}

/** A ReportEncoder for these CSVEncoding settings. */
export function csvEncoder(settings: CsvEncodingSettings): ReportEncoder {
  return (reports) => encodeCsv(reports, settings);
}

export function encodeCsv(reports: readonly CollectedReport[], settings: CsvEncodingSettings): EncodedReport {
  const fs = decodeCharRefs(settings.fieldSeparator) || ',';
  const rs = decodeCharRefs(settings.rowSeparator) || CRLF;
  const esc = decodeCharRefs(settings.escapeCharacter);
  const field = (s: string): string => quote(s, fs, esc);
  const stamped = settings.rowTimestamp !== 'None';
  const stamp = (d: Date): string[] => (stamped ? [timestamp(d, settings.rowTimestamp)] : []);
  const rows: string[][] = [];
  if (settings.reportFormat === 'ParameterPerRow') {
    rows.push([...(stamped ? ['ReportTimestamp'] : []), 'ParameterName', 'ParameterValue', 'ParameterType']);
    for (const r of reports) for (const e of r.entries) rows.push([...stamp(r.collectedAt), e.name, valueText(e), e.type]);
  } else {
    // One column per report name, in first-seen order across the collections sent together.
    const names: string[] = [];
    const column = new Map<string, number>();
    for (const r of reports)
      for (const e of r.entries)
        if (!column.has(e.name)) {
          column.set(e.name, names.length);
          names.push(e.name);
        }
    rows.push([...(stamped ? ['ReportTimestamp'] : []), ...names]);
    for (const r of reports) {
      const values = new Array<string>(names.length).fill('');
      for (const e of r.entries) values[column.get(e.name)!] = valueText(e);
      rows.push([...stamp(r.collectedAt), ...values]);
    }
  }
  const body = rows.map((row) => row.map(field).join(fs)).join(rs) + rs;
  return { body, contentType: 'text/csv; charset=UTF-8', reportFormat: settings.reportFormat };
}

function timestamp(d: Date, format: TimestampFormat): string {
  return format === 'ISO-8601' ? iso8601(d) : String(unixEpoch(d));
}

function valueText(e: ReportEntry): string {
  return typeof e.value === 'boolean' ? (e.value ? 'true' : 'false') : String(e.value);
}

/** RFC 4180 §2: a field holding the separator, the escape character or a line break is enclosed, the escape character doubled. */
function quote(s: string, fs: string, esc: string): string {
  if (esc === '') return s;
  if (!s.includes(fs) && !s.includes(esc) && !s.includes('\n') && !s.includes('\r')) return s;
  return `${esc}${s.split(esc).join(esc + esc)}${esc}`;
}

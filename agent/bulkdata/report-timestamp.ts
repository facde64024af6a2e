/**
 * Timestamps in reports (TR-181 JSONEncoding.ReportTimestamp, CSVEncoding.RowTimestamp):
 * Unix-Epoch (whole seconds since 1970, a JSON number), ISO-8601 (UTC, whole seconds) or None.
 */
export type TimestampFormat = 'Unix-Epoch' | 'ISO-8601' | 'None';

export function unixEpoch(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

export function iso8601(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

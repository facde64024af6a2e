/**
 * The ReportEncoder of a Profile (TR-181 Profile.{i}.EncodingType with its JSONEncoding. or
 * CSVEncoding. settings), read when a report is encoded so a changed setting applies to the next.
 */
import { encodeCsv } from './encode-csv.js';
import { encodeJson } from './encode-json.js';
import type { ProfileConfig } from './profile-config.js';
import type { ReportEncoder } from './report-contract.js';

export function profileEncoder(current: () => ProfileConfig): ReportEncoder {
  return (reports) => {
    const cfg = current();
    return cfg.encodingType === 'CSV' ? encodeCsv(reports, cfg.csv) : encodeJson(reports, cfg.json);
  };
}

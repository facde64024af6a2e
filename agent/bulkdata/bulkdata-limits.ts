/**
 * What Device.BulkData. (TR-181 BulkData:1, TR-369 Annex A) states about this agent, and the
 * bounds it enforces: every profile, parameter row and report is bounded.
 */

/** Device.BulkData.Protocols. HTTP needs the HTTP channel from the composition root (channels.ts). */
export const BULKDATA_PROTOCOLS = ['HTTP', 'MQTT', 'USPEventNotif'] as const;
export type BulkDataProtocol = (typeof BULKDATA_PROTOCOLS)[number];

/** Device.BulkData.EncodingTypes. */
export const BULKDATA_ENCODINGS = ['JSON', 'CSV'] as const;

/** Device.BulkData.MaxNumberOfProfiles: an Add beyond it fails with 7005 (Resources Exceeded). */
export const MAX_PROFILES = 32;

/** Parameter.{i} rows one Profile may have; an Add beyond it fails with 7005. */
export const MAX_PARAMETER_ROWS_PER_PROFILE = 1024;

/**
 * Device.BulkData.MaxNumberOfParameterReferences: Parameter.{i} rows across all profiles. TR-181
 * counts the expansion of partial paths too; expansions are bounded per report instead
 * (MAX_REPORT_PARAMETERS), because counting them at Set time would mean reading the tree.
 */
export const MAX_PARAMETER_REFERENCES = 8192;

/** Parameters one report may carry; the rest of a larger expansion is left out (and logged). */
export const MAX_REPORT_PARAMETERS = 100_000;

/** HTTP.RequestURIParameter.{i} rows per Profile; an Add beyond it fails with 7005. */
export const MAX_URI_PARAMETERS_PER_PROFILE = 64;

/**
 * Device.BulkData.MinReportingInterval (seconds) unless the agent is started with another (tests
 * shorten it). TR-181 gives no default; a minute keeps a misconfigured profile from loading a CPE.
 */
export const DEFAULT_MIN_REPORTING_INTERVAL = 60;

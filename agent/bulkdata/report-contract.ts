/**
 * What passes between the two halves of Device.BulkData (TR-369 Annex A, TR-181 BulkData:1):
 * collection (a Profile's parameters read and named at one moment, then encoded as its
 * EncodingType says) and delivery (the Profile's Protocol: HTTP(S), MQTT or USPEventNotif).
 * Collection never knows how a report travels; delivery never reads the data model.
 */
import type { Value } from '../../datamodel/value/Value.js';

/** One parameter in a report: its report name after Parameter.{i}.Name substitution. */
export interface ReportEntry {
  /** The name the report carries (TR-181 Profile.{i}.Parameter.{i}.Name rules applied). */
  readonly name: string;
  /** The full parameter path it was read from. */
  readonly path: string;
  readonly value: Value;
  /** TR-106 base type of the parameter ("unsignedInt", "boolean", "string", ...), for JSON numbers. */
  readonly type: string;
}

/** One collection of a Profile's parameters: the values at one moment (one "report"). */
export interface CollectedReport {
  /** When the values were read: ReportTimestamp (JSON) / RowTimestamp (CSV). */
  readonly collectedAt: Date;
  readonly entries: readonly ReportEntry[];
}

/** A body ready for a collector: one or more collections, retained failed ones first. */
export interface EncodedReport {
  readonly body: string;
  /** "application/json; charset=UTF-8" or "text/csv; charset=UTF-8". */
  readonly contentType: string;
  /** Value of the BBF-Report-Format header: "ParameterPerRow", "ParameterPerColumn", "NameValuePair" or "ObjectHierarchy". */
  readonly reportFormat: string;
}

/** Encodes collections as the Profile's EncodingType says (JSON or CSV, with its sub-settings). */
export type ReportEncoder = (reports: readonly CollectedReport[]) => EncodedReport;

/** How one delivery attempt (with its retries) ended. */
export type DeliveryOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly retained: boolean };

/**
 * A Profile's way out. `deliver` never throws: failures are outcomes. A channel keeps what it
 * must retain (NumberOfRetainedFailedReports, bounded) and sends it with the next report.
 */
export interface ReportChannel {
  deliver(report: CollectedReport): Promise<DeliveryOutcome>;
  /** Stops retries and timers; retained reports stay persisted if the Profile asked for it. */
  stop(): void;
}

/** Settings of Device.BulkData.Profile.{i}.HTTP. as read when a report is due. */
export interface HttpTarget {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly method: 'POST' | 'PUT';
  readonly compression: 'None' | 'GZIP' | 'Deflate';
  readonly useDateHeader: boolean;
  /** RequestURIParameter.{i}: names with the current values of their References, in order. */
  readonly uriParameters: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly retryEnable: boolean;
  /** Seconds (TR-181 RetryMinimumWaitInterval, 1..65535). */
  readonly retryMinimumWaitInterval: number;
  /** Thousandths (TR-181 RetryIntervalMultiplier, 1000..65535). */
  readonly retryIntervalMultiplier: number;
  /** -1: as many as the agent's bound allows; 0: none. */
  readonly numberOfRetainedFailedReports: number;
  readonly persistAcrossReboot: boolean;
}

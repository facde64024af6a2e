/**
 * A Profile's HTTP(S) way out (TR-369 Annex A, TR-181 Device.BulkData.Profile.{i}.HTTP.): each
 * report, with the failed ones retained before it, is encoded, compressed as HTTP.Compression
 * says, and POSTed or PUT to HTTP.URL with the Annex A headers (Content-Type, BBF-Report-Format,
 * Content-Encoding, Date when HTTP.UseDateHeader) and the R-BULK.1 / RequestURIParameter query.
 *
 * A failed transfer is retried when HTTP.RetryEnable (the TR-369 back-off from
 * RetryMinimumWaitInterval and RetryIntervalMultiplier), until it succeeds, the next report is due
 * (`nextReportDue`, or the next `deliver`), or the channel stops; then the reports are retained
 * (NumberOfRetainedFailedReports, bounded; PersistAcrossReboot in the data directory) and go out
 * with the next report. Deliveries run one at a time, in order; while one is under way at most
 * one more report waits (a newer one sends the waiting one to the retained reports). Nothing here
 * throws or rejects: a collector that is down, slow, answers 500 or closes mid-request costs only
 * retries.
 */
import { promisify } from 'node:util';
import { deflate, gzip } from 'node:zlib';
import type { Logger } from '../../datamodel/Logger.js';
import { retryWaitMs } from '../../mtp/retry-backoff.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import { sendReportRequest, type ReportResult } from './http-request.js';
import type { CollectedReport, DeliveryOutcome, HttpTarget, ReportChannel, ReportEncoder } from './report-contract.js';
import { redactedUrl, reportUrl, type ReportIdentity } from './report-url.js';
import { RetainedReports, retainedReportsFile } from './retained-reports.js';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

/** Deadline of one transfer (connect to answer) unless `requestTimeoutMs` says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** What createHttpReportChannel needs. */
export interface HttpChannelOptions {
  /** Device.BulkData.Profile.{i}.HTTP. as it is now; read at each delivery. */
  target: () => HttpTarget;
  /** The Profile's EncodingType (JSON or CSV encoder); receives [retained..., new]. */
  encode: ReportEncoder;
  /** Stable name of the Profile (e.g. its Alias or instance number); names the retained-reports file. */
  profileKey: string;
  /** The agent's data directory; without it retained reports live in memory only. */
  dataDir?: string;
  log: Logger;
  /** Trust anchors for HTTPS collectors instead of Node's bundled CAs (the agent's --ca). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Where the device may send to: the download policy firmware downloads use. None: anywhere. */
  policy?: DownloadPolicy;
  /** R-BULK.1's oui, pc and sn (Device.DeviceInfo.); none: only the RequestURIParameters. */
  identity?: () => ReportIdentity | undefined;
  /** When the Profile's next report is due (ms since the epoch): retries stop before it. */
  nextReportDue?: () => number | undefined;
  /** Deadline of one transfer, ms (default DEFAULT_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Length of one TR-181 "second" in ms (default 1000); tests shorten the retry waits with it. */
  secondMs?: number;
  /** Uniform in [0, 1) for the retry draw; injectable for tests. */
  random?: () => number;
}

/**
 * The HTTP(S) ReportChannel of one Profile. Retained reports persisted by an earlier run (the
 * agent restarted) are read back at once and sent with the first report.
 */
export function createHttpReportChannel(opts: HttpChannelOptions): ReportChannel {
  const log = opts.log;
  const secondMs = opts.secondMs ?? 1000;
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const retained = new RetainedReports(opts.dataDir === undefined ? undefined : retainedReportsFile(opts.dataDir, opts.profileKey), log);
  const stopping = new AbortController();
  const ready = retained.load().then(() => {
    // A Profile that no longer asks for persistence must not find old reports after the next reboot.
    if (!readTarget(opts, log)?.persistAcrossReboot) return retained.save(false);
    return undefined;
  });
  /** Ends the retry waits of the delivery under way: a newer report is due. */
  let current: AbortController | undefined;
  let running = false;
  /** The one report waiting for the transfer under way; a newer one sends it to the retained ones. */
  let waiting: { report: CollectedReport; resolve: (o: DeliveryOutcome) => void } | undefined;

  const deliverOne = async (report: CollectedReport, due: AbortSignal): Promise<DeliveryOutcome> => {
    await ready;
    const target = readTarget(opts, log);
    const batch = [...retained.all, report];
    if (!target) return fail(batch, report, 'the Profile has no HTTP settings', undefined);
    const built = reportUrl(target.url, readIdentity(opts, log), target.uriParameters);
    if ('problem' in built) return fail(batch, report, built.problem, target);
    let body: Buffer;
    let headers: Record<string, string>;
    try {
      const encoded = opts.encode(batch);
      headers = { 'content-type': encoded.contentType, 'bbf-report-format': quoted(encoded.reportFormat) };
      body = await compress(Buffer.from(encoded.body, 'utf8'), target.compression);
      if (target.compression === 'GZIP') headers['content-encoding'] = 'gzip';
      else if (target.compression === 'Deflate') headers['content-encoding'] = 'deflate';
    } catch (e) {
      return fail(batch, report, `cannot encode the report: ${e instanceof Error ? e.message : String(e)}`, target);
    }
    const credentials = target.username !== '' ? { username: target.username, password: target.password } : built.userinfo;
    let result: ReportResult;
    for (let retry = 1; ; retry++) {
      result = await sendReportRequest({
        url: built.url,
        method: target.method,
        body,
        credentials,
        ca: opts.ca,
        policy: opts.policy,
        timeoutMs,
        signal: stopping.signal,
        headers: target.useDateHeader ? { ...headers, date: new Date().toUTCString() } : headers,
      });
      if (result.ok) {
        retained.remove(batch);
        await retained.save(target.persistAcrossReboot);
        log.debug('Bulk Data report delivered', { profile: opts.profileKey, reports: batch.length, status: result.status });
        return { ok: true };
      }
      log.warn('Bulk Data report transfer failed', { profile: opts.profileKey, url: redactedUrl(target.url), reason: result.reason, attempt: retry });
      if (!target.retryEnable || stopping.signal.aborted || due.aborted) break;
      // Clamped to the TR-181 ranges (1..65535 s, 1000..65535): a bad value must not end the retries.
      const m = clamp(target.retryMinimumWaitInterval, 1, 65535);
      const k = clamp(target.retryIntervalMultiplier, 1000, 65535);
      const waitMs = (retryWaitMs(retry, m, k, opts.random) * secondMs) / 1000;
      const next = opts.nextReportDue?.();
      if (next !== undefined && Date.now() + waitMs >= next) break;
      if (!(await sleep(waitMs, [due, stopping.signal]))) break;
    }
    return fail(batch, report, result.reason, target);
  };

  /** Retains what the limits allow of a failed batch and says whether the new report is among it. */
  const fail = async (batch: readonly CollectedReport[], report: CollectedReport, reason: string, target: HttpTarget | undefined): Promise<DeliveryOutcome> => {
    retained.retain(batch, target?.numberOfRetainedFailedReports ?? 0);
    await retained.save(target?.persistAcrossReboot ?? false);
    return { ok: false, reason, retained: retained.all.includes(report) };
  };

  /** Runs the waiting delivery once the one under way has ended: one transfer at a time, in order. */
  const pump = async (): Promise<void> => {
    if (running || !waiting) return;
    running = true;
    const { report, resolve } = waiting;
    waiting = undefined;
    const due = new AbortController();
    current = due;
    const outcome = await deliverOne(report, due.signal).catch((e: unknown): DeliveryOutcome => {
      log.error('Bulk Data delivery failed unexpectedly', { profile: opts.profileKey, error: String(e) });
      return { ok: false, reason: 'internal error', retained: false };
    });
    running = false;
    resolve(outcome);
    void pump();
  };

  return {
    deliver(report) {
      if (stopping.signal.aborted) return Promise.resolve({ ok: false, reason: 'the Bulk Data channel is stopped', retained: false });
      current?.abort(); // the next report is due: the one under way stops retrying (R-BULK.3)
      if (waiting) {
        // Bounded: at most one report waits. The older one never had its transfer; it is retained
        // (NumberOfRetainedFailedReports) and goes out with this one.
        const older = waiting;
        const target = readTarget(opts, log);
        retained.add(older.report, target?.numberOfRetainedFailedReports ?? 0);
        void retained.save(target?.persistAcrossReboot ?? false);
        older.resolve({ ok: false, reason: 'a newer report was due before this one could be sent', retained: retained.all.includes(older.report) });
      }
      return new Promise<DeliveryOutcome>((resolve) => {
        waiting = { report, resolve };
        void ready.then(pump);
      });
    },
    stop() {
      stopping.abort(new Error('the Bulk Data channel is stopped'));
      current?.abort();
    },
  };
}

function readTarget(opts: HttpChannelOptions, log: Logger): HttpTarget | undefined {
  try {
    return opts.target();
  } catch (e) {
    log.error('cannot read the Profile HTTP settings', { profile: opts.profileKey, error: String(e) });
    return undefined;
  }
}

function readIdentity(opts: HttpChannelOptions, log: Logger): ReportIdentity | undefined {
  try {
    return opts.identity?.();
  } catch (e) {
    log.error('cannot read the device identity for the Bulk Data Request-URI', { profile: opts.profileKey, error: String(e) });
    return undefined;
  }
}

function clamp(v: number, min: number, max: number): number {
  return Number.isFinite(v) ? Math.min(Math.max(v, min), max) : min;
}

/**
 * R-BULK.8's header value: Annex A shows it quoted (`BBF-Report-Format: "ParameterPerRow"`), and
 * collectors written against that example compare the quoted form. A value already quoted stays.
 */
function quoted(reportFormat: string): string {
  return /^".*"$/.test(reportFormat) ? reportFormat : `"${reportFormat}"`;
}

async function compress(body: Buffer, how: HttpTarget['compression']): Promise<Buffer> {
  if (how === 'GZIP') return gzipAsync(body);
  if (how === 'Deflate') return deflateAsync(body); // HTTP "deflate" is the zlib format (RFC 9110 §8.4.1.2)
  return body;
}

/** Waits `ms` unless a signal fires first; true when the whole wait passed. Timer unref'd. */
function sleep(ms: number, signals: readonly AbortSignal[]): Promise<boolean> {
  if (signals.some((s) => s.aborted)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const end = (full: boolean): void => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
      resolve(full);
    };
    const onAbort = (): void => end(false);
    const timer = setTimeout(() => end(true), ms);
    timer.unref();
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One Bulk Data report transfer over HTTP(S) (TR-369 Annex A "Enabling HTTP/HTTPS Bulk Data
 * Communication"): one POST or PUT of a ready body, with Basic credentials, and once more with
 * Digest credentials when the collector answers 401 with a Digest challenge (TR-181
 * Device.BulkData.Profile.{i}.HTTP.: Basic and Digest MUST be supported). Redirects are followed
 * with the same method and body (R-BULK.6 speaks of a collector reached through one), checked by
 * the download policy at every hop. Success is a 2xx status ("Use of HTTP Status Codes");
 * anything else, and every network or TLS failure, is a failed transfer the caller may retry.
 *
 * Bounded: one deadline for the whole exchange (connect, TLS, upload, answer), at most
 * MAX_RESPONSE_BYTES of the answer read (a collector that streams forever costs nothing), no
 * keep-alive socket left behind. Never rejects: failures are results.
 */
import { createReadStream } from 'node:fs';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import { digestAuthorization, parseDigestChallenge } from './digest-auth.js';

/** How much of a collector's answer is read before the connection is closed. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** One report to send. */
export interface ReportRequest {
  /** The Request-URI, query included, without userinfo (report-url.ts). */
  readonly url: URL;
  readonly method: 'POST' | 'PUT';
  /** Content-Type, BBF-Report-Format, Content-Encoding, Date: everything but authorization and length. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body; a file is read afresh for each exchange (a 401 round sends it again), never held in memory. */
  readonly body: Buffer | FileBody;
  /** HTTP.Username/Password (or the URL's userinfo); none: no Authorization header. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Trust anchors for HTTPS instead of Node's bundled CAs (the agent's --ca). */
  readonly ca?: string | Buffer | Array<string | Buffer>;
  /** Where the device may send to (transfer/download-policy.ts); none: anywhere. */
  readonly policy?: DownloadPolicy;
  /** Deadline for the whole exchange, 401 round included. */
  readonly timeoutMs: number;
  /** Ends the exchange at once (the channel is stopped). */
  readonly signal?: AbortSignal;
}

/** A body sent from a file (a packet capture): its path and its size, which must not change while it is sent. */
export interface FileBody {
  readonly file: string;
  readonly length: number;
}

/** How the transfer ended. */
export type ReportResult = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly reason: string; readonly status?: number };

class Deadline extends Error {}

/** Sends `r`; resolves with the outcome, never rejects. */
export async function sendReportRequest(r: ReportRequest): Promise<ReportResult> {
  const where = `${r.url.protocol}//${r.url.host}`;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Deadline(`no answer from ${where} within ${formatSeconds(r.timeoutMs)}`)), r.timeoutMs);
  timer.unref();
  const onStop = (): void => deadline.abort(r.signal?.reason ?? new Error('stopped'));
  if (r.signal?.aborted) onStop();
  else r.signal?.addEventListener('abort', onStop, { once: true });
  let url = r.url;
  try {
    for (let hop = 0; ; hop++) {
      const refused = await r.policy?.check(url);
      if (refused) return { ok: false, reason: hop === 0 ? refused : `redirect refused: ${refused}` };
      // Credentials go only to the configured collector's origin, never where a redirect points elsewhere.
      const credentials = url.origin === r.url.origin ? r.credentials : undefined;
      const basic = credentials && `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      // Basic goes unasked only inside TLS: over plain HTTP the password would cross the wire in
      // clear to a collector that may want Digest, so there it waits for the collector's challenge.
      const preemptive = url.protocol === 'https:' ? basic : undefined;
      let answer = await exchange(r, url, preemptive, deadline.signal);
      if (answer.status === 401 && credentials) {
        const challenge = parseDigestChallenge(answer.wwwAuthenticate);
        if (challenge) {
          const uri = `${url.pathname}${url.search}`;
          answer = await exchange(r, url, digestAuthorization(challenge, credentials.username, credentials.password, r.method, uri), deadline.signal);
        } else if (!preemptive && asksForBasic(answer.wwwAuthenticate)) {
          answer = await exchange(r, url, basic, deadline.signal);
        }
      }
      if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
      const here = `${url.protocol}//${url.host}`;
      if (REDIRECTS.has(answer.status) && answer.location !== undefined) {
        const next = redirectTarget(url, answer.location);
        if (typeof next === 'string') return { ok: false, status: answer.status, reason: `${here} redirected the report: ${next}` };
        if (hop >= MAX_REDIRECTS) return { ok: false, status: answer.status, reason: `more than ${MAX_REDIRECTS} redirects from ${where}` };
        url = next;
        continue;
      }
      return { ok: false, status: answer.status, reason: `${here} answered HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}` };
    }
  } catch (e) {
    if (deadline.signal.aborted) {
      const why: unknown = deadline.signal.reason;
      return { ok: false, reason: why instanceof Error ? why.message : String(why) };
    }
    return { ok: false, reason: describeError(e, `${url.protocol}//${url.host}`) };
  } finally {
    clearTimeout(timer);
    r.signal?.removeEventListener('abort', onStop);
  }
}

/**
 * Redirects followed with the same method and body. A report must reach the collector as sent, so
 * 301 and 302 keep POST/PUT too (RFC 9110 §15.4.2-3 allow it); 303 asks for a GET of something
 * else and counts as a failure.
 */
const REDIRECTS = new Set([301, 302, 307, 308]);
/** Most redirects followed for one report; one more is a failed transfer. */
export const MAX_REDIRECTS = 5;

/** Where a redirect points, or why it is not followed (R-BULK.6: an HTTPS collector is never left for HTTP). */
function redirectTarget(from: URL, location: string): URL | string {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return 'Location is not a URL';
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return `scheme ${next.protocol} is not supported`;
  if (from.protocol === 'https:' && next.protocol === 'http:') return 'from HTTPS to plain HTTP is refused';
  next.username = '';
  next.password = '';
  next.hash = '';
  return next;
}

interface Answer {
  status: number;
  statusText: string;
  wwwAuthenticate: string | string[] | undefined;
  location: string | undefined;
}

/** One request/answer; rejects on a network, TLS or abort error before the status is known. */
function exchange(r: ReportRequest, url: URL, authorization: string | undefined, signal: AbortSignal): Promise<Answer> {
  const headers: OutgoingHttpHeaders = {
    ...r.headers,
    'content-length': r.body.length,
    'user-agent': 'usp-agent',
    connection: 'close',
    ...(authorization ? { authorization } : {}),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: r.method,
        headers,
        signal,
        agent: false,
        ...(r.policy ? { lookup: r.policy.lookup } : {}),
        ...(url.protocol === 'https:' && r.ca ? { ca: r.ca } : {}),
      },
      (res) => {
        const answer: Answer = { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', wwwAuthenticate: res.headers['www-authenticate'], location: res.headers.location };
        // The status is what counts; the body is read (bounded) only so the exchange ends cleanly.
        let bytes = 0;
        const done = (): void => {
          resolve(answer);
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_RESPONSE_BYTES) done();
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    req.on('error', reject);
    if (Buffer.isBuffer(r.body)) req.end(r.body);
    else {
      const from = createReadStream(r.body.file);
      from.on('error', (e) => req.destroy(e));
      from.pipe(req);
    }
  });
}

/** A failure as the outcome's reason: what happened and where, without the URL's query. */
function describeError(e: unknown, where: string): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${where} closed the connection before answering`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host of ${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable`;
    case 'EDOWNLOADREFUSED':
      return message;
    default:
      return code ? `${where}: ${message} (${code})` : `${where}: ${message}`;
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** Whether a 401's WWW-Authenticate offers the Basic scheme (RFC 7617). */
function asksForBasic(headers: string | readonly string[] | undefined): boolean {
  const values = headers === undefined ? [] : typeof headers === 'string' ? [headers] : headers;
  return values.some((v) => /(^|[\s,])Basic(\s|,|$)/i.test(v));
}

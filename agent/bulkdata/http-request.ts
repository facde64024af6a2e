/**
 * One Bulk Data report transfer over HTTP(S) (TR-369 Annex A "Enabling HTTP/HTTPS Bulk Data
 * Communication"): one POST or PUT of a ready body, with Basic credentials, and once more with
 * Digest credentials when the collector answers 401 with a Digest challenge (TR-181
 * Device.BulkData.Profile.{i}.HTTP.: Basic and Digest MUST be supported). Success is a 2xx
 * status ("Use of HTTP Status Codes"); anything else, and every network or TLS failure, is a
 * failed transfer the caller may retry.
 *
 * Bounded: one deadline for the whole exchange (connect, TLS, upload, answer), at most
 * MAX_RESPONSE_BYTES of the answer read (a collector that streams forever costs nothing), no
 * keep-alive socket left behind. Never rejects: failures are results.
 */
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
  readonly body: Buffer;
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

/** How the transfer ended. */
export type ReportResult =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly reason: string; readonly status?: number };

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
  try {
    const refused = await r.policy?.check(r.url);
    if (refused) return { ok: false, reason: refused };
    const basic = r.credentials && `Basic ${Buffer.from(`${r.credentials.username}:${r.credentials.password}`).toString('base64')}`;
    let answer = await exchange(r, basic, deadline.signal);
    if (answer.status === 401 && r.credentials) {
      const challenge = parseDigestChallenge(answer.wwwAuthenticate);
      if (challenge) {
        const uri = `${r.url.pathname}${r.url.search}`;
        answer = await exchange(r, digestAuthorization(challenge, r.credentials.username, r.credentials.password, r.method, uri), deadline.signal);
      }
    }
    if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
    return { ok: false, status: answer.status, reason: `${where} answered HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}` };
  } catch (e) {
    if (deadline.signal.aborted) {
      const why = deadline.signal.reason;
      return { ok: false, reason: why instanceof Error ? why.message : String(why) };
    }
    return { ok: false, reason: describeError(e, where) };
  } finally {
    clearTimeout(timer);
    r.signal?.removeEventListener('abort', onStop);
  }
}

interface Answer { status: number; statusText: string; wwwAuthenticate: string | string[] | undefined }

/** One request/answer; rejects on a network, TLS or abort error before the status is known. */
function exchange(r: ReportRequest, authorization: string | undefined, signal: AbortSignal): Promise<Answer> {
  const headers: OutgoingHttpHeaders = {
    ...r.headers, 'content-length': r.body.length, 'user-agent': 'usp-agent', connection: 'close',
    ...(authorization ? { authorization } : {}),
  };
  const send = r.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(r.url, {
      method: r.method, headers, signal, agent: false,
      ...(r.policy ? { lookup: r.policy.lookup } : {}),
      ...(r.url.protocol === 'https:' && r.ca ? { ca: r.ca } : {}),
    }, (res) => {
      const answer: Answer = { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', wwwAuthenticate: res.headers['www-authenticate'] };
      // The status is what counts; the body is read (bounded) only so the exchange ends cleanly.
      let bytes = 0;
      const done = (): void => { resolve(answer); res.destroy(); };
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; if (bytes > MAX_RESPONSE_BYTES) done(); });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/** A failure as the outcome's reason: what happened and where, without the URL's query. */
function describeError(e: unknown, where: string): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'ECONNREFUSED': return `connection refused by ${where}`;
    case 'ECONNRESET': case 'EPIPE': return `${where} closed the connection before answering`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `cannot resolve the host of ${where}`;
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `${where} is unreachable`;
    case 'EDOWNLOADREFUSED': return message;
    default: return code ? `${where}: ${message} (${code})` : `${where}: ${message}`;
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/**
 * Streams a file from an HTTP(S) URL for FirmwareImage.{i}.Download() (TR-181: HTTPS must be
 * supported, HTTP may be, the URL carries no userinfo). Bounded: at most `maxBytes`, a deadline
 * for the whole transfer, an idle timeout, a few redirects. Basic authentication when a Username
 * is given, sent only to the URL's own origin (never to where a redirect points elsewhere).
 * Aborted by the command's AbortSignal (Request.{i}.Cancel()). With a DownloadPolicy, every host
 * (the first and each redirect's) is checked and connected to only through the policy's lookup.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Awaitable } from '../../datamodel/tree/binding.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import { UspError } from '../../datamodel/UspError.js';

export interface FetchLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Deadline for the whole transfer, redirects included. */
  timeoutMs: number;
  /** How long the server may stay silent (connect included). */
  idleTimeoutMs: number;
  maxRedirects: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  maxBytes: 64 * 1024 * 1024,
  timeoutMs: 15 * 60_000,
  idleTimeoutMs: 60_000,
  maxRedirects: 5,
};

export interface FetchOptions {
  username?: string;
  password?: string;
  limits: FetchLimits;
  signal: AbortSignal;
  /** Trust anchors for HTTPS instead of Node's bundled CAs (tests, private update servers). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Where the device may download from (transfer/download-policy.ts); none: anywhere. */
  policy?: DownloadPolicy;
  /** The server announced the file's size (Content-Length), before any data. */
  onLength?(bytes: number): Awaitable<void>;
  onData(chunk: Uint8Array): Awaitable<void>;
}

/**
 * Why a transfer failed, for callers that map it to their own fault codes (SoftwareModules'
 * 7227 for a file over the limit, 7002 for an HTTP answer): `answered` the server answered with
 * an error status, `too-large` over the byte limit, `other` refused, unreachable or cut short.
 */
export type TransferFailure = 'answered' | 'too-large' | 'other';

/** A failed transfer; the message is the TransferComplete! FaultString. */
export class TransferError extends Error {
  override readonly name = 'TransferError';
  constructor(
    message: string,
    readonly failure: TransferFailure = 'other',
  ) {
    super(message);
  }
}

/** "http(s)://user:pw@host/": userinfo in the authority, which TR-181 forbids. */
const USERINFO_RE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/** Why `text` is not a URL Download() may fetch, or undefined when it is fine. */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `unsupported URL scheme ${url.protocol} (http and https are supported)`;
  if (USERINFO_RE.test(text) || url.username !== '' || url.password !== '') return 'the URL must not carry userinfo (RFC 3986); give Username and Password instead';
  return undefined;
}

/** Downloads `url`, handing every chunk to `onData`; resolves with the byte count. */
export async function fetchImage(url: string, opts: FetchOptions): Promise<{ bytes: number; finalUrl: string }> {
  const problem = urlProblem(url);
  if (problem) throw new TransferError(problem);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TransferError(`transfer not finished within ${Math.round(opts.limits.timeoutMs / 1000)} s`)), opts.limits.timeoutMs);
  const onAbort = (): void => deadline.abort(opts.signal.reason);
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const origin = new URL(url).origin;
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      const refused = await opts.policy?.check(current);
      if (refused) throw new TransferError(hop === 0 ? refused : `redirect to a refused URL: ${refused}`);
      const res = await get(current, current.origin === origin ? opts : { ...opts, username: undefined, password: undefined }, deadline);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined) {
        res.resume();
        if (hop >= opts.limits.maxRedirects) throw new TransferError(`more than ${opts.limits.maxRedirects} redirects`);
        const next = new URL(res.headers.location, current);
        const why = urlProblem(next.href);
        if (why) throw new TransferError(`redirect to a refused URL: ${why}`);
        current = next;
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw new TransferError(`HTTP ${status} ${res.statusMessage ?? ''}`.trim(), 'answered');
      }
      return { bytes: await receive(res, opts, deadline.signal), finalUrl: current.href };
    }
  } catch (e) {
    if (deadline.signal.aborted && !opts.signal.aborted) throw deadline.signal.reason;
    throw e instanceof TransferError || e instanceof UspError || opts.signal.aborted ? e : new TransferError(e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onAbort);
  }
}

/** One GET; silence longer than the idle timeout aborts the whole transfer (`deadline`) with its reason. */
function get(url: URL, opts: FetchOptions, deadline: AbortController): Promise<IncomingMessage> {
  const { signal } = deadline;
  const headers: Record<string, string> = { 'user-agent': 'usp-agent', accept: '*/*' };
  if (opts.username) headers.authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'GET',
        headers,
        signal,
        timeout: opts.limits.idleTimeoutMs,
        ...(opts.policy ? { lookup: opts.policy.lookup } : {}),
        ...(url.protocol === 'https:' && opts.ca ? { ca: opts.ca } : {}),
      },
      resolve,
    );
    req.on('timeout', () => deadline.abort(new TransferError(`no data from ${url.host} for ${opts.limits.idleTimeoutMs / 1000} s`)));
    req.on('error', (e) => reject(signal.aborted ? signal.reason : e));
    req.end();
  });
}

async function receive(res: IncomingMessage, opts: FetchOptions, signal: AbortSignal): Promise<number> {
  const { maxBytes } = opts.limits;
  const header = res.headers['content-length'];
  const expected = header === undefined ? undefined : Number(header);
  if (expected !== undefined && expected > maxBytes) {
    res.destroy();
    throw new TransferError(`the file is ${expected} bytes, over the ${maxBytes} byte limit`, 'too-large');
  }
  let bytes = 0;
  try {
    if (expected !== undefined && Number.isFinite(expected)) await opts.onLength?.(expected);
    for await (const chunk of res as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new TransferError(`the file is over the ${maxBytes} byte limit`, 'too-large');
      await opts.onData(chunk);
    }
  } catch (e) {
    res.destroy();
    if (signal.aborted) throw signal.reason;
    throw e;
  }
  if (signal.aborted) throw signal.reason;
  if (expected !== undefined && Number.isFinite(expected) && bytes !== expected) {
    throw new TransferError(`connection closed after ${bytes} of ${expected} bytes`);
  }
  return bytes;
}

/**
 * Bounds on the work one USP request may cause, so that no single request (however large, from
 * however trusted a controller) exhausts memory or holds the event loop while other controllers
 * wait. TR-369 defines no such limits; it leaves them to the agent and gives the code to refuse
 * with: 7005 Resources exceeded. TR-369 has no Get segmentation outside E2E sessions (which this
 * agent does not run), so a response that would not fit in one Record is refused, naming the limit.
 */
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { Request } from './codec/types.js';

/**
 * Paths one request may name (Get/GetInstances/GetSupportedDM/Delete paths, Add/Set objects and
 * their parameter settings). More get Error 7005 before any of them is looked at.
 */
export const MAX_PATHS_PER_REQUEST = 1024;

/**
 * Largest response Msg the agent builds, in bytes: the default USP Record size every MTP of this
 * agent accepts (1 MiB), so a controller built like this agent can take any response it gets.
 */
export const DEFAULT_MAX_RESPONSE_SIZE = 1024 * 1024;

/** How many paths `req` names (see MAX_PATHS_PER_REQUEST). */
export function requestPathCount(req: Request): number {
  switch (req.reqType) {
    case 'get':
      return req.get.paramPaths.length;
    case 'getInstances':
      return req.getInstances.objPaths.length;
    case 'getSupportedDm':
      return req.getSupportedDm.objPaths.length;
    case 'delete':
      return req.delete.objPaths.length;
    case 'set':
      return req.set.updateObjs.reduce((n, o) => n + 1 + o.paramSettings.length, 0);
    case 'add':
      return req.add.createObjs.reduce((n, o) => n + 1 + o.paramSettings.length, 0);
    default:
      return 1;
  }
}

/** The 7005 refusal for a request naming more than MAX_PATHS_PER_REQUEST paths, or undefined. */
export function tooManyPaths(req: Request, max = MAX_PATHS_PER_REQUEST): UspError | undefined {
  const n = requestPathCount(req);
  if (n <= max) return undefined;
  return new UspError(ErrorCode.ResourcesExceeded, `${req.reqType} names ${n} paths; this agent accepts at most ${max} per request: split it`);
}

/**
 * A response over the size limit: a message-level Error 7005, never a per-path failure (handlers
 * charge their budget outside their per-path error handling).
 */
export class ResponseTooLargeError extends UspError {
  constructor(what: string, max: number) {
    super(ErrorCode.ResourcesExceeded, `${what} would exceed ${max} bytes, the agent's USP Record limit: ask for fewer paths or less depth`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * Counts the bytes a response is growing to while it is built, so building stops (Error 7005) as
 * soon as it passes the limit instead of after the whole answer sits in memory. The count is
 * the strings' lengths plus 4 bytes per field (tag and length prefix): close to, and for ASCII
 * above, the protobuf size. What it misses (long non-ASCII text) the size check on the encoded
 * Record catches (RecordProcessor).
 */
export class ResponseBudget {
  private used = 0;

  constructor(
    readonly max = DEFAULT_MAX_RESPONSE_SIZE,
    private readonly what = 'the response',
  ) {}

  /** Adds one string field (tag and length prefix counted as 4 bytes). */
  addString(s: string): void {
    this.used += s.length + 4;
    if (this.used > this.max) throw new ResponseTooLargeError(this.what, this.max);
  }

  /** Adds a map of strings (each entry a key and a value). */
  addMap(m: Readonly<Record<string, string>>): void {
    for (const k in m) {
      this.addString(k);
      this.addString(m[k]!);
    }
  }

  /** Adds any response part: its strings as above, every other scalar as 4 bytes. */
  addValue(v: unknown): void {
    if (typeof v === 'string') this.addString(v);
    else if (Array.isArray(v)) for (const x of v) this.addValue(x);
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        this.addString(k);
        this.addValue(x);
      }
    else this.addString('');
  }
}

/** Lets timers, I/O and other controllers' requests run before the next slice of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

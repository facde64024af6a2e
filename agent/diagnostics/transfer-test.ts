/**
 * One DownloadDiagnostics() or UploadDiagnostics() test (TR-143 §4, TR-181 Device.IP.Diagnostics.):
 * resolves the server once, opens NumberOfConnections HTTP connections at once, ends a
 * time-based test after TimeBasedTestDuration, samples IncrementalResult.{i} every
 * TimeBasedTestMeasurementInterval from BOMTime + TimeBasedTestMeasurementOffset, and folds the
 * connections into the command's output arguments. Pure runner: no data model here.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { UNKNOWN_TIME } from '../../datamodel/value/Value.js';
import { isoMicros, nowMicros, type Micros } from './micro-clock.js';
import { TransferConnection, type ConnectionResult } from './transfer-connection.js';
import type { TransferDirection, TransferStatus } from './transfer-status.js';
import { resolveHost, type ProtocolVersion } from './resolve-host.js';

export interface TransferTestLimits {
  /** No progress on a connection for this long fails it (connect, response, body). */
  stallMs: number;
  /** A test that is not time-based ends with Error_Timeout after this long. */
  maxDurationMs: number;
  /** The most IncrementalResult.{i} rows kept (the *MaxIncrementalResult capability). */
  maxIncrementalResults: number;
}

export interface TransferTestPlan {
  direction: TransferDirection;
  url: URL;
  protocolVersion: ProtocolVersion;
  /** Source address chosen from the Interface input, if one was given. */
  localAddress?: string;
  connections: number;
  perConnectionResults: boolean;
  /** Upload, not time-based: TestFileLength. */
  uploadBytes: number;
  durationS: number;
  intervalS: number;
  offsetS: number;
  limits: TransferTestLimits;
  signal: AbortSignal;
  /** IP-layer byte counters of the Interface input (Stats.BytesReceived/BytesSent), if one was given. */
  interfaceCounters?: () => Promise<{ rx: number; tx: number } | undefined>;
}

export interface TransferTestOutcome {
  status: TransferStatus;
  detail: string;
  output: Record<string, Value>;
}

interface Sample {
  at: Micros;
  test: number;
  read: number;
  written: number;
}

const MAX_UINT = 0xffffffff;
const time = (us: Micros | undefined): string => (us === undefined ? UNKNOWN_TIME : isoMicros(us));

/** Runs the test to its end; a failure is a Status in the outcome, never a throw. */
export async function runTransferTest(p: TransferTestPlan): Promise<TransferTestOutcome> {
  const target = await resolveHost(p.url.hostname, p.protocolVersion, p.localAddress);
  if ('error' in target) return failed('Error_CannotResolveHostName', target.error, p.direction);
  const { address, family: addrFamily } = target;
  if (p.signal.aborted) return failed('Error_Other', 'canceled', p.direction);

  const before = await p.interfaceCounters?.();
  const conns: TransferConnection[] = [];
  const testBytes = (c: TransferConnection): number => (p.direction === 'download' ? c.bytesRead : c.bytesWritten);
  const sample = (): Sample => {
    let test = 0;
    let read = 0;
    let written = 0;
    for (const c of conns) {
      test += testBytes(c);
      read += c.bytesRead;
      written += c.bytesWritten;
    }
    return { at: nowMicros(), test, read, written };
  };
  const atBegin = new Map<TransferConnection, Sample>();
  const atEnd = new Map<TransferConnection, Sample>();
  const incremental: Array<{ start: Sample; end: Sample }> = [];
  const timers: NodeJS.Timeout[] = [];
  let testBegun = false;
  const timeBased = p.durationS > 0;

  // TR-181: intervals start at BOMTime + TimeBasedTestMeasurementOffset (slow start left out);
  // a 90 s test with 10 s intervals has 9 results, the last ending with the test.
  const expectedIntervals = timeBased && p.intervalS > 0 ? Math.max(0, Math.floor((p.durationS - p.offsetS) / p.intervalS)) : 0;
  let last: Sample | undefined;
  const closeInterval = (): void => {
    if (!last || incremental.length >= Math.min(expectedIntervals, p.limits.maxIncrementalResults)) return;
    const now = sample();
    incremental.push({ start: last, end: now });
    last = now;
  };
  // Node timers may fire up to a millisecond early against the microsecond clock: re-arm until
  // the boundary has really passed, so an interval never starts before BOMTime + offset.
  const at = (targetUs: number, fn: () => void): void => {
    const waitMs = Math.ceil((targetUs - nowMicros()) / 1000);
    if (waitMs <= 0) {
      fn();
      return;
    }
    timers.push(setTimeout(() => at(targetUs, fn), waitMs));
  };
  const onTestBegin = (): void => {
    if (testBegun) return;
    testBegun = true;
    const begunUs = nowMicros(); // not before the first connection's BOMTime
    if (timeBased) {
      timers.push(
        setTimeout(() => {
          // The interval ending with the test is closed here, whichever timer fires first.
          closeInterval();
          last = undefined;
          for (const c of conns) c.stop();
        }, p.durationS * 1000),
      );
    }
    if (expectedIntervals > 0) {
      // Boundaries are computed from the start, so intervals do not drift with timer lateness.
      const boundary = (k: number): number => begunUs + (p.offsetS + k * p.intervalS) * 1_000_000;
      const closeAt = (k: number): void =>
        at(boundary(k), () => {
          closeInterval();
          if (k < expectedIntervals) closeAt(k + 1);
        });
      at(boundary(0), () => {
        last = sample();
        closeAt(1);
      });
    }
  };

  for (let i = 0; i < p.connections; i++) {
    const c = new TransferConnection({
      direction: p.direction,
      url: p.url,
      address,
      family: addrFamily,
      localAddress: p.localAddress,
      uploadBytes: timeBased ? undefined : p.uploadBytes,
      stallMs: p.limits.stallMs,
    });
    c.onBegin = () => {
      atBegin.set(c, sample());
      onTestBegin();
    };
    c.onEnd = () => {
      atEnd.set(c, sample());
    };
    conns.push(c);
  }
  // Time-based tests may run their full duration on top of the ordinary bound.
  const bound = p.limits.maxDurationMs + (timeBased ? (p.durationS + p.offsetS) * 1000 : 0);
  timers.push(
    setTimeout(() => {
      for (const c of conns) c.abort('Error_Timeout', `the test took over ${bound} ms`);
    }, bound),
  );
  const onAbort = (): void => {
    for (const c of conns) c.abort('Error_Other', 'canceled');
  };
  p.signal.addEventListener('abort', onAbort, { once: true });
  let results: ConnectionResult[];
  try {
    for (const c of conns) c.start();
    results = await Promise.all(conns.map((c) => c.finished));
  } finally {
    for (const t of timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    p.signal.removeEventListener('abort', onAbort);
  }
  const after = await p.interfaceCounters?.();

  const bad = results.find((r) => r.status !== 'Complete');
  const output = foldResults(
    p,
    results,
    conns.map((c) => [atBegin.get(c), atEnd.get(c)] as const),
    incremental,
  );
  if (before && after) {
    output.TotalBytesReceived = String(Math.max(0, after.rx - before.rx));
    output.TotalBytesSent = String(Math.max(0, after.tx - before.tx));
  }
  return bad ? { status: bad.status, detail: bad.detail, output: { ...output, Status: bad.status } } : { status: 'Complete', detail: '', output };
}

function failed(status: TransferStatus, detail: string, dir: TransferDirection): TransferTestOutcome {
  return { status, detail, output: { ...foldResults(emptyPlan(dir), [], [], []), Status: status } };
}

function emptyPlan(direction: TransferDirection): Pick<TransferTestPlan, 'direction' | 'perConnectionResults'> {
  return { direction, perConnectionResults: false };
}

/** The output arguments, named as TR-181 names them for this direction. */
function foldResults(
  p: Pick<TransferTestPlan, 'direction' | 'perConnectionResults'>,
  rs: ConnectionResult[],
  marks: ReadonlyArray<readonly [Sample | undefined, Sample | undefined]>,
  incremental: Array<{ start: Sample; end: Sample }>,
): Record<string, Value> {
  const dl = p.direction === 'download';
  const testName = dl ? 'TestBytesReceived' : 'TestBytesSent';
  const min = (xs: Array<Micros | undefined>): Micros | undefined => pick(xs, Math.min);
  const max = (xs: Array<Micros | undefined>): Micros | undefined => pick(xs, Math.max);
  const sum = (f: (r: ConnectionResult) => number): number => rs.reduce((a, r) => a + f(r), 0);
  const out: Record<string, Value> = {
    Status: 'Complete',
    IPAddressUsed: rs[0]?.localAddress ?? '',
    // TR-181: ROM and BOM the earliest across connections, EOM and the TCP open times the latest.
    ROMTime: time(min(rs.map((r) => r.rom))),
    BOMTime: time(min(rs.map((r) => r.bom))),
    EOMTime: time(max(rs.map((r) => r.eom))),
    [testName]: String(sum((r) => (dl ? r.bytesRead : r.bytesWritten))),
    // TCP payload of the test's own connections; replaced by the Interface's IP-layer counters when one is named.
    TotalBytesReceived: String(sum((r) => r.bytesRead)),
    TotalBytesSent: String(sum((r) => r.bytesWritten)),
    TCPOpenRequestTime: time(max(rs.map((r) => r.tcpOpenRequest))),
    TCPOpenResponseTime: time(max(rs.map((r) => r.tcpOpenResponse))),
  };
  // Full loading: from the latest connection's BOM to the earliest connection's EOM.
  const begins = marks.map((m) => m[0]).filter((s): s is Sample => s !== undefined);
  const ends = marks.map((m) => m[1]).filter((s): s is Sample => s !== undefined);
  const from = begins.length === rs.length && rs.length > 0 ? begins.reduce((a, b) => (b.at > a.at ? b : a)) : undefined;
  const to = ends.length > 0 ? ends.reduce((a, b) => (b.at < a.at ? b : a)) : undefined;
  const full = from && to && to.at > from.at;
  out[`${testName}UnderFullLoading`] = String(full ? to.test - from.test : 0);
  out.TotalBytesReceivedUnderFullLoading = String(full ? to.read - from.read : 0);
  out.TotalBytesSentUnderFullLoading = String(full ? to.written - from.written : 0);
  out.PeriodOfFullLoading = full ? Math.min(MAX_UINT, to.at - from.at) : 0;
  if (p.perConnectionResults) {
    rs.forEach((r, i) => {
      const k = `PerConnectionResult.${i + 1}.`;
      out[`${k}ROMTime`] = time(r.rom);
      out[`${k}BOMTime`] = time(r.bom);
      out[`${k}EOMTime`] = time(r.eom);
      out[`${k}${testName}`] = String(dl ? r.bytesRead : r.bytesWritten);
      out[`${k}TotalBytesReceived`] = String(r.bytesRead);
      out[`${k}TotalBytesSent`] = String(r.bytesWritten);
      out[`${k}TCPOpenRequestTime`] = time(r.tcpOpenRequest);
      out[`${k}TCPOpenResponseTime`] = time(r.tcpOpenResponse);
    });
  }
  incremental.forEach(({ start, end }, i) => {
    const k = `IncrementalResult.${i + 1}.`;
    out[`${k}${testName}`] = String(end.test - start.test);
    out[`${k}TotalBytesReceived`] = String(end.read - start.read);
    out[`${k}TotalBytesSent`] = String(end.written - start.written);
    out[`${k}StartTime`] = isoMicros(start.at);
    out[`${k}EndTime`] = isoMicros(end.at);
  });
  return out;
}

function pick(xs: Array<Micros | undefined>, f: (...v: number[]) => number): Micros | undefined {
  const v = xs.filter((x): x is Micros => x !== undefined);
  return v.length ? f(...v) : undefined;
}

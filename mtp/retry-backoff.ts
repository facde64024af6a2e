/**
 * The TR-369 retry back-off (R-WS.19–21 for WebSocket reconnects, also the E2E
 * session, Notify retry and Bulk Data HTTP): retry n waits a time drawn uniformly from
 * [m·(k/1000)^(n-1), m·(k/1000)^n] seconds, where m is the minimum wait interval in seconds and
 * k the interval multiplier in thousandths. From n = 10 on the interval stays at that of n = 10,
 * so the wait is bounded; it is never a fixed period.
 */

/** The retry count from which the interval stops growing. */
export const RETRY_INTERVAL_CAP = 10;

/**
 * Throws RangeError unless the back-off parameters are usable: m > 0 seconds and k ≥ 1000
 * (TR-181 SessionRetryIntervalMultiplier is [1000:65535]; below 1000 waits would shrink).
 */
export function checkRetryParameters(m: number, k: number): void {
  if (!Number.isFinite(m) || m <= 0) throw new RangeError(`retry minimum wait interval must be a positive number of seconds, got ${m}`);
  if (!Number.isFinite(k) || k < 1000) throw new RangeError(`retry interval multiplier must be at least 1000, got ${k}`);
}

/**
 * The wait before retry `n` (1-based), in milliseconds.
 * @param n retry count, 1 for the first retry after a failure or close
 * @param m minimum wait interval, seconds (e.g. SessionRetryMinimumWaitInterval, default 5)
 * @param k interval multiplier in thousandths (e.g. SessionRetryIntervalMultiplier, default 2000)
 * @param random uniform in [0, 1); injectable so tests can pin the draw
 */
export function retryWaitMs(n: number, m: number, k: number, random: () => number = Math.random): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`retry count must be an integer >= 1, got ${n}`);
  checkRetryParameters(m, k);
  const w = backoffWindowS(n, m, k, { capRetry: RETRY_INTERVAL_CAP });
  return (w.minS + random() * (w.maxS - w.minS)) * 1000;
}

/**
 * The window [m·f^(n-1), m·f^n] seconds (f = k/1000) of retry n, the one formula every USP
 * back-off shares. TR-369 freezes it at retry `capRetry`; TR-181 MQTT ConnectRetryMaxInterval
 * instead caps the seconds (`maxS`).
 */
export function backoffWindowS(n: number, m: number, k: number, caps: { capRetry?: number; maxS?: number } = {}): { minS: number; maxS: number } {
  const factor = k / 1000;
  const cap = caps.maxS ?? Number.POSITIVE_INFINITY;
  const exp = Math.min(n, caps.capRetry ?? Number.POSITIVE_INFINITY) - 1;
  const minS = Math.min(m * factor ** exp, cap);
  return { minS, maxS: Math.min(minS * factor, cap) };
}

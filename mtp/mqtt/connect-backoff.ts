/**
 * The MQTT client's reconnect wait (TR-369 R-MQTT.10/33; TR-181 Device.MQTT.Client.{i}.
 * ConnectRetryTime, ConnectRetryIntervalMultiplier, ConnectRetryMaxInterval): the n-th retry waits
 * a time drawn uniformly from [m·k^(n-1), m·k^n] (k = multiplier/1000), capped at the maximum
 * interval, so a fleet of agents does not reconnect in lock-step after a broker restart.
 */
import { backoffWindowS } from '../retry-backoff.js';

export interface ConnectRetryPolicy {
  /** ConnectRetryTime: the first retry's minimum wait, in seconds (>= 1). */
  retryTime: number;
  /** ConnectRetryIntervalMultiplier in thousandths (1000..65535; 2000 doubles the window). */
  multiplier: number;
  /** ConnectRetryMaxInterval: no wait exceeds this, in seconds. */
  maxInterval: number;
}

/** TR-181 defaults of Device.MQTT.Client.{i}. */
export const DEFAULT_CONNECT_RETRY: ConnectRetryPolicy = { retryTime: 5, multiplier: 2000, maxInterval: 30720 };

/** Retries beyond this keep the window of this one (the cap makes larger exponents moot). */
const MAX_EXPONENT = 30;

/** The wait window of retry `attempt` (1-based), in milliseconds. */
export function connectRetryWindow(attempt: number, policy: ConnectRetryPolicy): { minMs: number; maxMs: number } {
  const n = Math.min(Math.max(1, Math.floor(attempt)), MAX_EXPONENT);
  const w = backoffWindowS(n, Math.max(1, policy.retryTime), Math.max(1000, policy.multiplier), { maxS: Math.max(1, policy.maxInterval) });
  return { minMs: w.minS * 1000, maxMs: w.maxS * 1000 };
}

/** A wait for retry `attempt` drawn from its window; `random` is injectable for tests. */
export function connectRetryWait(attempt: number, policy: ConnectRetryPolicy, random: () => number = Math.random): number {
  const { minMs, maxMs } = connectRetryWindow(attempt, policy);
  return Math.round(minMs + random() * (maxMs - minMs));
}

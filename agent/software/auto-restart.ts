/**
 * ExecutionUnit.{i}.AutoRestart. (TR-181 SoftwareModules, 2.16): an EU that terminates
 * abnormally (FailureWhileActive) while it is requested Active is started again after a delay
 * that grows by the TR-181 back-off: with m RetryMinimumWaitInterval, k RetryIntervalMultiplier
 * (in 1/1000) and n RetryCount, between m·(k/1000)^n and m·(k/1000)^(n+1) seconds while the
 * former is under RetryMaximumWaitInterval M, else between M·(1000/k) and M. At most
 * MaximumRetryCount consecutive restarts (0: no limit); a run of ResetPeriod seconds without a
 * failure sets RetryCount back to 0. The configuration comes from InstallDU()'s AutoRestart.*
 * arguments and is writable on the EU.
 */
import type { Value } from '../../datamodel/value/Value.js';

export interface AutoRestartConfig {
  enable: boolean;
  /** Seconds. */
  minWait: number;
  /** Seconds. */
  maxWait: number;
  /** In units of 0.001. */
  multiplier: number;
  /** 0: unlimited. */
  maxRetries: number;
  /** Seconds; 0: never reset. */
  resetPeriod: number;
}

export const AUTO_RESTART_OFF: AutoRestartConfig = { enable: false, minWait: 0, maxWait: 0, multiplier: 2000, maxRetries: 10, resetPeriod: 0 };

/** The AutoRestart.* input arguments of InstallDU() (already typed and defaulted by the schema). */
export function autoRestartFromInput(input: Record<string, Value>): AutoRestartConfig {
  const num = (name: string, dflt: number): number => (typeof input[`AutoRestart.${name}`] === 'number' ? (input[`AutoRestart.${name}`] as number) : dflt);
  return {
    enable: input['AutoRestart.Enable'] === true,
    minWait: num('RetryMinimumWaitInterval', AUTO_RESTART_OFF.minWait),
    maxWait: num('RetryMaximumWaitInterval', AUTO_RESTART_OFF.maxWait),
    multiplier: num('RetryIntervalMultiplier', AUTO_RESTART_OFF.multiplier),
    maxRetries: num('MaximumRetryCount', AUTO_RESTART_OFF.maxRetries),
    resetPeriod: num('ResetPeriod', AUTO_RESTART_OFF.resetPeriod),
  };
}

/** The delay before restart number `retryCount + 1`, in ms; `random` in [0, 1). */
export function restartDelayMs(c: AutoRestartConfig, retryCount: number, random: number): number {
  const k = c.multiplier > 0 ? c.multiplier / 1000 : 1;
  const low = c.minWait * k ** retryCount;
  const [from, to] = low < c.maxWait || c.maxWait === 0 ? [low, c.minWait * k ** (retryCount + 1)] : [c.maxWait / Math.max(k, 1), c.maxWait];
  const upper = c.maxWait > 0 ? Math.min(to, c.maxWait) : to;
  return Math.round((from + (Math.max(upper, from) - from) * random) * 1000);
}

/** Runtime state per EU; RetryCount and LastRestarted are also kept in units.json (EuRecord.autoRestartCounts). */
export interface AutoRestartState {
  retryCount: number;
  lastRestarted?: Date;
  nextRestart?: Date;
  activeSince?: number;
  timer?: NodeJS.Timeout;
}

const UNKNOWN_TIME = '0001-01-01T00:00:00Z';
const dt = (d: Date | undefined): string => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : UNKNOWN_TIME);

/** ExecutionUnit.{i}.AutoRestart. values. */
export function autoRestartValues(c: AutoRestartConfig, s: AutoRestartState): Record<string, Value> {
  return {
    Enable: c.enable,
    RetryMinimumWaitInterval: c.minWait,
    RetryMaximumWaitInterval: c.maxWait,
    RetryIntervalMultiplier: c.multiplier,
    MaximumRetryCount: c.maxRetries,
    ResetPeriod: c.resetPeriod,
    RetryCount: s.retryCount,
    LastRestarted: dt(s.lastRestarted),
    NextRestart: dt(s.nextRestart),
  };
}

/** A Set on ExecutionUnit.{i}.AutoRestart.: the new configuration (RetryCount is runtime state). */
export function applyAutoRestartSet(c: AutoRestartConfig, changes: Record<string, Value>): AutoRestartConfig {
  const n = (name: string, v: number): number => (typeof changes[name] === 'number' ? (changes[name] as number) : v);
  return {
    enable: typeof changes.Enable === 'boolean' ? changes.Enable : c.enable,
    minWait: n('RetryMinimumWaitInterval', c.minWait),
    maxWait: n('RetryMaximumWaitInterval', c.maxWait),
    multiplier: n('RetryIntervalMultiplier', c.multiplier),
    maxRetries: n('MaximumRetryCount', c.maxRetries),
    resetPeriod: n('ResetPeriod', c.resetPeriod),
  };
}

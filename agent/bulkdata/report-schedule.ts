/**
 * When a Profile reports (TR-181 Profile.{i}.ReportingInterval and TimeReference): reporting
 * intervals complete at TimeReference ± k × ReportingInterval; with the Unknown Time the agent
 * picks the phase, here the moment the profile was (re)enabled or its timing last changed, so
 * reports fall at that moment + k × ReportingInterval.
 */

/**
 * The first report time strictly after `nowMs`. `timeReferenceMs` undefined: the Unknown Time,
 * phase `anchorMs`. Both may lie arbitrarily far in the past or future.
 */
export function nextReportAt(nowMs: number, intervalSec: number, timeReferenceMs: number | undefined, anchorMs: number): number {
  const period = Math.max(1, intervalSec) * 1000;
  const phase = timeReferenceMs ?? anchorMs;
  const k = Math.floor((nowMs - phase) / period) + 1;
  return phase + k * period;
}

/**
 * What a fleet start shows: on a terminal, one progress line rewritten every second
 * (connected/total, start rate, errors); otherwise (a log collector, a Kubernetes pod) nothing
 * until one summary line once every gateway was started and has connected, or the wait ran out.
 */
import type { FleetStatus } from './Fleet.js';

/** How often the terminal line is rewritten. */
const TICK_MS = 1000;

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** "connected 812/1000  started 1000  48.2/s  errors 0" */
export function progressLine(s: FleetStatus, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (s.started * 1000) / elapsedMs : 0;
  return `connected ${s.connected}/${s.total}  started ${s.started}  ${rate.toFixed(1)}/s  errors ${s.errors}`;
}

/** The one line printed once the fleet is up (or stopped waiting). */
export function summaryLine(s: FleetStatus, elapsedMs: number): string {
  return `fleet: ${s.started}/${s.total} gateways started, ${s.connected} connected, ${s.errors} errors, in ${(elapsedMs / 1000).toFixed(1)} s\n`;
}

/** Rewrites the progress line on a TTY until the returned function is called. */
export function showProgress(out: ProgressSink, status: () => FleetStatus, t0: number): () => void {
  if (!out.isTTY) return () => undefined;
  const draw = (): void => {
    out.write(`\r\x1b[2K${progressLine(status(), Date.now() - t0)}`);
  };
  const timer = setInterval(draw, TICK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    draw();
    out.write('\n');
  };
}

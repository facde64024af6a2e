/**
 * A process's CPU over a window, read from /proc/<pid>/stat every second: the average (CPU-s /
 * wall-s, the figure a target is set on) and the seconds where it was spent, merged into bursts,
 * so an average that holds a burst (a garbage collection, 10,000 Periodic! at once) says so.
 */
import { cpuTicks, ticksPerSecond } from './proc.js';
import { round } from './stats.js';

/** A second using more than this share of a core belongs to a burst. */
const BURST_SHARE = 0.1;
/** Bursts reported, the largest first: a bound, as on every list. */
const MAX_BURSTS = 8;

/** Consecutive busy seconds of the window. */
export interface CpuBurst {
  /** Seconds from the start of the window to the burst's first second. */
  atS: number;
  /** How many seconds it lasted. */
  lastedS: number;
  /** CPU it used, in seconds of one core. */
  cpuS: number;
}

export interface CpuWindow {
  /** Wall time the window lasted, s. */
  wallS: number;
  /** CPU used over it, s of one core. */
  cpuS: number;
  /** cpuS / wallS, in % of one core. */
  percentOfCore: number;
  /** The seconds above BURST_SHARE of a core, merged, the largest MAX_BURSTS by CPU. */
  bursts: CpuBurst[];
  /** CPU outside every burst (the steady floor), % of one core over the window. */
  outsideBurstsPercentOfCore: number;
}

/** Samples the CPU of `pid` every second for `seconds`. */
export async function cpuWindow(pid: number, seconds: number): Promise<CpuWindow> {
  const hz = ticksPerSecond();
  const perSecond: number[] = [];
  const c0 = cpuTicks(pid);
  const t0 = performance.now();
  let last = c0;
  for (let i = 1; i <= seconds; i++) {
    // Each read is due at its own second from the start, so a slow read does not stretch the window.
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + i * 1000 - performance.now())));
    const now = cpuTicks(pid);
    perSecond.push((now - last) / hz);
    last = now;
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = (last - c0) / hz;
  const bursts: CpuBurst[] = [];
  let current: CpuBurst | undefined;
  perSecond.forEach((s, i) => {
    if (s <= BURST_SHARE) {
      current = undefined;
      return;
    }
    if (!current) bursts.push((current = { atS: i, lastedS: 0, cpuS: 0 }));
    current.lastedS++;
    current.cpuS += s;
  });
  const inBursts = bursts.reduce((a, b) => a + b.cpuS, 0);
  // A window of no seconds (a settle of 0) used no CPU worth a share.
  const share = (cpu: number): number => (wallS > 0 ? round((cpu / wallS) * 100, 2) : 0);
  return {
    wallS: round(wallS, 1),
    cpuS: round(cpuS, 2),
    percentOfCore: share(cpuS),
    bursts: bursts
      .sort((a, b) => b.cpuS - a.cpuS)
      .slice(0, MAX_BURSTS)
      .map((b) => ({ ...b, cpuS: round(b.cpuS, 2) })),
    outsideBurstsPercentOfCore: share(cpuS - inBursts),
  };
}

/**
 * The simulated device's load signals as sums of sines: the CPU usage that
 * Device.DeviceInfo.ProcessStatus.CPUUsage reports, and the relative rate of the traffic its
 * interface counters count (traffic.ts). The temperature sensors follow them through a
 * first-order lag, which is how a heat sink "sees" a load: bursts of seconds barely register,
 * half-hour and daily swings come through. A sine through a first-order lag is a smaller, later
 * sine, so the lagged signal is closed-form too and a read costs the same after a year as after
 * a second.
 */
import { GROWTH_AMPLITUDES, GROWTH_PERIODS, unit } from './random.js';

/**
 * The sines of a Signal, flat: ω, amplitude and phase of each in turn. One array of unboxed
 * doubles instead of an object per sine holding three boxed numbers: a fleet gateway read whole
 * holds ~30 signals of 3-4 sines (issue 14).
 */
type Sines = readonly number[];

export class Signal {
  constructor(
    readonly mean: number,
    private readonly sines: Sines,
  ) {}

  /** The value at `t` seconds since boot. */
  at(t: number): number {
    const s = this.sines;
    let v = this.mean;
    for (let i = 0; i < s.length; i += 3) v += s[i + 1]! * Math.sin(s[i]! * t + s[i + 2]!);
    return v;
  }

  /**
   * The signal seen through a first-order lag of time constant `tauS` (its steady state):
   * each sine is scaled by 1/√(1+(ωτ)²) and delayed by atan(ωτ).
   */
  lagged(tauS: number): Signal {
    const s = this.sines;
    const out: number[] = [];
    for (let i = 0; i < s.length; i += 3) {
      const omega = s[i]!;
      out.push(omega, s[i + 1]! / Math.sqrt(1 + (omega * tauS) ** 2), s[i + 2]! - Math.atan(omega * tauS));
    }
    return new Signal(this.mean, out);
  }
}

/** The flat sines (Sines) of `periods` with the amplitude and phase of each. */
function sines(periods: readonly number[], amplitude: (i: number) => number, phase: (i: number) => number): Sines {
  const out: number[] = [];
  periods.forEach((p, i) => out.push((2 * Math.PI) / p, amplitude(i), phase(i)));
  return out;
}

// CPU usage in %: a mean with three time scales (process bursts, minute jobs, quarter hours).
const CPU_MEAN = 14;
const CPU_SWING = 10;
const CPU_PERIODS = [7, 61, 900] as const;

/** `mean + swing·wave(seed, label, t, periods)` (random.ts) as a Signal, its phases drawn once. */
export function waveSignal(seed: number, label: string, periods: readonly number[], mean: number, swing: number): Signal {
  return new Signal(
    mean,
    sines(
      periods,
      () => swing / periods.length,
      (i) => 2 * Math.PI * unit(seed, label, i),
    ),
  );
}

/** CPU usage in % (Device.DeviceInfo.ProcessStatus.CPUUsage before rounding). */
export function cpuLoad(seed: number): Signal {
  return waveSignal(seed, 'cpu', CPU_PERIODS, CPU_MEAN, CPU_SWING);
}

/**
 * The instantaneous rate of the counters `growth(seed, label, t, rate)` draws, relative to
 * `rate` (mean 1): the derivative of growth(), so heat follows exactly the traffic counted.
 */
export function trafficRate(seed: number, label: string): Signal {
  return new Signal(
    1,
    sines(
      GROWTH_PERIODS,
      (i) => GROWTH_AMPLITUDES[i]!,
      (i) => 2 * Math.PI * unit(seed, label, 'phase', i),
    ),
  );
}

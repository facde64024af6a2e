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

interface Sine {
  omega: number;
  amplitude: number;
  phase: number;
}

export class Signal {
  constructor(
    readonly mean: number,
    private readonly sines: readonly Sine[],
  ) {}

  /** The value at `t` seconds since boot. */
  at(t: number): number {
    let v = this.mean;
    for (const s of this.sines) v += s.amplitude * Math.sin(s.omega * t + s.phase);
    return v;
  }

  /**
   * The signal seen through a first-order lag of time constant `tauS` (its steady state):
   * each sine is scaled by 1/√(1+(ωτ)²) and delayed by atan(ωτ).
   */
  lagged(tauS: number): Signal {
    return new Signal(
      this.mean,
      this.sines.map((s) => ({
        omega: s.omega,
        amplitude: s.amplitude / Math.sqrt(1 + (s.omega * tauS) ** 2),
        phase: s.phase - Math.atan(s.omega * tauS),
      })),
    );
  }
}

// CPU usage in %: a mean with three time scales (process bursts, minute jobs, quarter hours).
const CPU_MEAN = 14;
const CPU_SWING = 10;
const CPU_PERIODS = [7, 61, 900] as const;

/** `mean + swing·wave(seed, label, t, periods)` (random.ts) as a Signal, its phases drawn once. */
export function waveSignal(seed: number, label: string, periods: readonly number[], mean: number, swing: number): Signal {
  return new Signal(
    mean,
    periods.map((p, i) => ({
      omega: (2 * Math.PI) / p,
      amplitude: swing / periods.length,
      phase: 2 * Math.PI * unit(seed, label, i),
    })),
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
    GROWTH_PERIODS.map((p, i) => ({
      omega: (2 * Math.PI) / p,
      amplitude: GROWTH_AMPLITUDES[i],
      phase: 2 * Math.PI * unit(seed, label, 'phase', i),
    })),
  );
}

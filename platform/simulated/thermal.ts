/**
 * What the gateway's temperature sensors read, as a pure function of the seed and the clock:
 * the room (a daily cycle peaking in the afternoon, plus a slow drift of the weather) and each
 * sensor's rise over it. The rise grows after boot as the enclosure warms up, and follows the
 * load that heats the part (CPU usage, the traffic through the modem and the 6 GHz radio)
 * through the thermal lag of its heat sink (load.ts), so bursts of seconds barely move it while
 * busy evenings do. Each unit's parts sit a little differently on the board: the seed scales
 * every rise by a few per cent.
 */
import { cpuLoad, type Signal, trafficRate, waveSignal } from './load.js';
import { Prng, unit } from './random.js';
import type { SimContext } from './SimContext.js';
import type { RadioState } from './wifi-radio.js';

/** One sensor as shipped: its TR-181 Name, Alias and factory alarm thresholds. */
export interface SensorInfo {
  name: string;
  alias: string;
  lowAlarm: number;
  highAlarm: number;
}

/** The three sensors of the simulated gateway's hardware monitor, in Device.DeviceInfo.TemperatureStatus order (the same on every unit). */
export const SENSORS: readonly SensorInfo[] = [
  { name: 'CPU', alias: 'cpe-temp-cpu', lowAlarm: 0, highAlarm: 95 },
  { name: '5G modem', alias: 'cpe-temp-modem', lowAlarm: 0, highAlarm: 85 },
  { name: 'Wi-Fi 6 GHz radio', alias: 'cpe-temp-wifi6g', lowAlarm: 0, highAlarm: 90 },
];

/** °C at wall-clock `ms` (not rounded: the sensor's ADC does that). */
export type Celsius = (ms: number) => number;

/** The heat sources the sensors follow; `wifi6` is the 6 GHz radio (Device.WiFi.Radio.3.). */
export interface ThermalInputs {
  wifi6: RadioState;
  /** Label of the WAN traffic profile (traffic.ts), whose bytes the modem and the radio move. */
  trafficLabel: string;
}

const DAY_S = 86_400;
/** Heat the 6 GHz radio's neighbours on the board give it while its own amplifier is off, °C. */
const RADIO_OFF_RISE = 3;

/** How each of SENSORS reads (same order), for this unit (its seed). */
export function thermalModels(ctx: SimContext, inputs: ThermalInputs): Celsius[] {
  const { seed, bootedAt } = ctx;
  const room = roomTemperature(seed);
  const t = (ms: number): number => Math.max(0, (ms - bootedAt) / 1000);
  // Each part warms up with its own time constant after a cold boot.
  const warm = (ms: number, tauS: number): number => 1 - Math.exp(-t(ms) / tauS);
  const spread = (key: string): number => 0.92 + 0.16 * unit(seed, 'thermal', key);
  const noise = (key: string): Signal => waveSignal(seed, `thermal.${key}.noise`, [11, 29], 0, 0.4);

  const cpu = cpuLoad(seed).lagged(120);
  const cpuNoise = noise('cpu');
  const cpuSpread = spread('cpu');
  // The modem heats with the bytes it moves; its heat sink is bigger than the SoC's.
  const modemTraffic = trafficRate(seed, inputs.trafficLabel).lagged(300);
  const modemNoise = noise('modem');
  const modemSpread = spread('modem');
  const radioTraffic = trafficRate(seed, inputs.trafficLabel).lagged(240);
  const radioNoise = noise('wifi6');
  const radioSpread = spread('wifi6');

  // The radio's state, looked up once per clock reading: a sensor catching up on a day of polls
  // reads it thousands of times, and it only changes through a Set.
  let radio = { at: NaN, up: true, changedAtMs: 0, power: 100 };
  const radioState = (): typeof radio => {
    const now = ctx.now();
    if (radio.at !== now) {
      const { clock, row } = inputs.wifi6;
      radio = { at: now, up: clock.up, changedAtMs: clock.changedAtMs, power: Number(row().TransmitPower) };
    }
    return radio;
  };
  const radioRise = (ms: number): number => {
    const { up, changedAtMs, power } = radioState();
    // Radio on, its amplifier's heat scales with TransmitPower (-1: auto, full power).
    const on = (9 + 5 * radioTraffic.at(t(ms))) * (0.6 + 0.4 * (power > 0 ? power / 100 : 1));
    // Since the radio last switched, its temperature leaves the old level for the new one.
    const settle = Math.exp(-Math.max(0, ms - changedAtMs) / 1000 / 240);
    const [now, before] = up ? [on, RADIO_OFF_RISE] : [RADIO_OFF_RISE, on];
    return now + (before - now) * settle;
  };

  return [
    (ms) => room(ms) + cpuSpread * warm(ms, 300) * (20 + 0.5 * cpu.at(t(ms))) + cpuNoise.at(t(ms)),
    (ms) => room(ms) + modemSpread * warm(ms, 600) * (18 + 7 * modemTraffic.at(t(ms))) + modemNoise.at(t(ms)),
    (ms) => room(ms) + radioSpread * warm(ms, 480) * radioRise(ms) + radioNoise.at(t(ms)),
  ];
}

/** Indoor air around the gateway, °C: 20-24 on average, 1.5-3 warmer in the afternoon than at night. */
function roomTemperature(seed: number): (ms: number) => number {
  const rnd = new Prng(seed, 'room');
  const mean = 20 + 4 * rnd.next();
  const daily = 1.5 + 1.5 * rnd.next();
  // The warmest hour, UTC: mid-afternoon in Central Europe (the device's LocalTimeZone).
  const peakS = (13 + 2 * rnd.next()) * 3600;
  // Weather fronts: a few days between highs and lows.
  const weather = waveSignal(seed, 'room.weather', [3.7 * DAY_S, 8.3 * DAY_S], 0, 1);
  return (ms) => {
    const s = ms / 1000;
    return mean + daily * Math.cos((2 * Math.PI * (s - peakS)) / DAY_S) + weather.at(s);
  };
}

/**
 * The simulated platform (`--platform simulated`): a deterministic 5G fixed-wireless gateway
 * with tri-band Wi-Fi 6E, four LAN ports and an NR modem, serving the TR-181 Device:2 objects
 * a real provider would (DeviceInfo, Time, Ethernet, WiFi, IP, Cellular). Everything it reports
 * is a pure function of the seed and the clock, so demos, tests and TP-469 runs are repeatable.
 * Writable parameters are validated and kept in memory; persistence comes later.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { registerCellular } from './cellular.js';
import { registerDeviceInfo } from './device-info.js';
import { registerEthernet } from './ethernet.js';
import { registerIP } from './ip.js';
import { SimContext } from './SimContext.js';
import { registerTime } from './time.js';
import { registerWiFiAccessPoints } from './wifi-access-point.js';
import { registerWiFiRadios } from './wifi-radio.js';
import { registerWiFiStations } from './wifi-stations.js';

export interface SimulatedOptions {
  /** Seed of every simulated identity and measurement; the same seed gives the same device. */
  seed?: number;
  /** Wall clock in ms since the epoch (default Date.now); tests inject a fake one. */
  now?: () => number;
}

export const DEFAULT_SEED = 1;

/**
 * Registers the simulated gateway's objects on `model`. The device "boots" now: UpTime,
 * LastChange and traffic counters start from this call. `stop()` ends the station-churn timer
 * (the only timer; it is unref'd, so it never keeps the process alive on its own).
 */
export function registerSimulatedPlatform(model: DataModel, opts: SimulatedOptions = {}): { stop(): void } {
  const ctx = new SimContext(model, opts.seed ?? DEFAULT_SEED, opts.now ?? Date.now);
  registerDeviceInfo(ctx);
  registerTime(ctx);
  const lanDownRate = registerEthernet(ctx);
  const radios = registerWiFiRadios(ctx);
  const bsses = registerWiFiAccessPoints(ctx, radios);
  const stations = registerWiFiStations(ctx, bsses);
  const wanUp = registerCellular(ctx, lanDownRate);
  registerIP(ctx, wanUp);
  return { stop: () => stations.stop() };
}

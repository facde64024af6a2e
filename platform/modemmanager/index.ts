/**
 * The ModemManager platform: Device.Cellular. of a Linux or OpenWrt device whose modems
 * ModemManager drives, read through `mmcli -J` (docs/platform-mapping.md). Register it next to another
 * platform (linux, openwrt) that serves the rest of the tree; a failing mmcli fails the
 * Device.Cellular objects only.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { KeptCellular } from './kept-cellular.js';
import { CommandRunner } from '../exec/CommandRunner.js';
import { type AccessPointSource, type CellularHostSettings, type ModemInterface, registerCellular } from './cellular.js';
import type { RoamingSource } from './bearer-access-points.js';
import { MMCLI, Mmcli } from './Mmcli.js';
import { VENDOR_PREFIX_RE } from '../vendor-param.js';

export interface ModemManagerOptions {
  /**
   * Vendor prefix of the vendor-specific parameters (TR-106 `X_<VENDOR>_`, e.g.
   * "X_EXAMPLE-COM_" or "X_0A5F1E_"): with it, Device.Cellular.Interface.{i}.X_<VENDOR>_SINR is
   * served (TR-181 2.19 has no SINR). Without it, no vendor parameter is served: the prefix must
   * be the integrator's own OUI or domain.
   */
  vendorPrefix?: string;
  /** Directory holding `mmcli` (default: found on PATH). Ignored when `runner` is given. */
  commandPath?: string;
  /** A runner shared with other platforms. */
  runner?: CommandRunner;
  /** How long the modem list, modem, bearer and SIM answers serve further reads, ms (default 2000). */
  cacheMs?: number;
  /** How long a signal reading serves further reads, ms (default 3000). */
  signalMaxAgeMs?: number;
  /** Seconds between the modem's signal measurements, for `--signal-setup` (default 5). */
  signalRate?: number;
  /** Clock for cache ages (default Date.now); tests inject a fake one. */
  now?: () => number;
  log?: Logger;
  /**
   * Where Device.Cellular.AccessPoint.{i} comes from (default 'bearers': ModemManager's bearers,
   * a Controller adds and deletes them). 'external' leaves the table out for a platform that owns the APN configuration
   * (OpenWrt's UCI), which finds each row's Interface through `modems()`.
   */
  accessPoints?: AccessPointSource;
  /**
   * RoamingEnabled and NetworkRequested where the host platform keeps them with the APNs
   * ('external' access points: OpenWrt's UCI `allow_roaming` and `plmn`). Ignored with 'bearers'.
   */
  host?: CellularHostSettings;
  /**
   * The agent's store: with 'bearers', NetworkRequested, RoamingEnabled and the access points a
   * Controller adds are kept there and applied again after a restart of the agent or of
   * ModemManager (kept-cellular.ts). Without it they are held until the agent stops.
   */
  store?: DataStore;
  /** How often the modems are looked at in the background while something is kept, ms (default CHECK_MS, a minute). */
  restoreCheckMs?: number;
  /** Where /sys is, for Interface.{i}.Stats (the data netdev's counters); default /sys. */
  sysRoot?: string;
}

export type { AccessPointSource, CellularHostSettings, ModemInterface, RoamingSource };

export interface ModemManagerPlatform {
  /** Ends the background look at the modems (cellular-restore.ts). */
  stop(): void;
  /** Called once the agent's store is loaded: what ModemManager forgot is applied again, then watched for. */
  stateLoaded(): Promise<void>;
  /** Each modem's device path and Device.Cellular.Interface.{i} reference (cached like every mmcli read). */
  modems(): Promise<ModemInterface[]>;
}

export const DEFAULT_CACHE_MS = 2000;
export const DEFAULT_SIGNAL_MAX_AGE_MS = 3000;
export const DEFAULT_SIGNAL_RATE_S = 5;

/** Registers Device.Cellular. on `model`. */
export function registerModemManagerPlatform(model: DataModel, opts: ModemManagerOptions = {}): ModemManagerPlatform {
  if (opts.vendorPrefix !== undefined && !VENDOR_PREFIX_RE.test(opts.vendorPrefix)) {
    throw new Error(`vendorPrefix must look like X_<OUI or domain-with-hyphens>_, e.g. X_EXAMPLE-COM_; got ${JSON.stringify(opts.vendorPrefix)}`);
  }
  const signalRate = opts.signalRate ?? DEFAULT_SIGNAL_RATE_S;
  if (!Number.isInteger(signalRate) || signalRate < 1) throw new Error(`signalRate must be a whole number of seconds >= 1, got ${signalRate}`);
  const runner = opts.runner ?? new CommandRunner({ commandPath: opts.commandPath, log: opts.log, now: opts.now });
  const mmcli = new Mmcli(runner, {
    maxAgeMs: opts.cacheMs ?? DEFAULT_CACHE_MS,
    signalMaxAgeMs: opts.signalMaxAgeMs ?? DEFAULT_SIGNAL_MAX_AGE_MS,
    signalRate,
    log: opts.log,
  });
  const external = opts.accessPoints === 'external';
  const { modems, restore } = registerCellular(model, mmcli, opts.vendorPrefix, opts.accessPoints, external ? opts.host : undefined, opts.now, {
    kept: new KeptCellular(external ? undefined : opts.store),
    log: opts.log,
    checkMs: opts.restoreCheckMs,
    sysRoot: opts.sysRoot,
  });
  return { stop: () => restore?.stop(), stateLoaded: () => restore?.stateLoaded() ?? Promise.resolve(), modems };
}

/**
 * Whether ModemManager answers: `mmcli -L -J` runs and prints its JSON modem list (possibly
 * empty). False when mmcli is not installed, or the daemon is not running.
 */
export async function detectModemManager(opts: { commandPath?: string; runner?: CommandRunner } = {}): Promise<boolean> {
  const runner = opts.runner ?? new CommandRunner({ commandPath: opts.commandPath, timeoutMs: 5000 });
  try {
    const out = JSON.parse(await runner.run(MMCLI, ['-L', '-J'])) as unknown;
    return typeof out === 'object' && out !== null && 'modem-list' in out;
  } catch {
    return false;
  }
}

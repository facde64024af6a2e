/**
 * Choosing the data sources for the TR-181 tree (`--platform`): the simulated gateway, live
 * OpenWrt (ubus/UCI), generic Linux (/proc, /sys, ip), each with ModemManager for
 * Device.Cellular when mmcli answers; or none. `auto` picks OpenWrt when /etc/openwrt_release
 * and ubus exist, otherwise Linux. Platforms are loaded lazily: a router loads only its own.
 */
import type { Logger } from '../datamodel/Logger.js';
import type { DataStore } from '../datamodel/store/DataStore.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { OpenWrtPlatform } from '../platform/openwrt/index.js';
import { VENDOR_PREFIX_RE } from '../platform/vendor-param.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FirmwareBackend } from './firmware/FirmwareBackend.js';
import type { WiFiScanner } from '../platform/diagnostics/wifi-scan.js';
import type { InterfaceDevice } from './diagnostics/interface-input.js';
import type { FirmwareInstaller } from '../platform/linux/firmware-installer.js';
import type { StagedFirmware } from '../platform/linux/firmware-staged.js';
import type { ExecutionEnvironment } from '../platform/software/ExecutionEnvironment.js';

export type PlatformName = 'auto' | 'simulated' | 'openwrt' | 'linux' | 'none';
export const PLATFORM_NAMES: readonly PlatformName[] = ['auto', 'simulated', 'openwrt', 'linux', 'none'];

export interface PlatformOptions {
  seed?: number;
  /** TR-106 vendor prefix for vendor parameters, e.g. "X_EXAMPLE-COM_" (cellular SINR). */
  vendorPrefix?: string;
  log: Logger;
  /** The agent's store: the simulated platform keeps its configuration there. */
  store?: DataStore;
  /** Firmware on live platforms: the hook (`--firmware-hook`), staging directory, data directory for markers. */
  firmware?: LiveFirmwareOptions;
}

export interface LiveFirmwareOptions { hook?: string; stagingDir?: string; dataDir?: string }

/** OpenWrt stages images in /tmp: RAM, the only place with room for a whole image beside the running one. */
export const OPENWRT_STAGING_DIR = '/tmp/usp-agent-firmware';

export interface StartedPlatform {
  name: Exclude<PlatformName, 'auto'>;
  cellular: boolean;
  /** Firmware:1 banks (Device.DeviceInfo.FirmwareImage.{i}), when the platform has them. */
  firmware?: FirmwareBackend;
  /** Device.WiFi.NeighboringWiFiDiagnostic()'s scan, where the platform has radios to scan with. */
  wifiScan?: WiFiScanner;
  /** Device.IP.Interface.N → kernel device for the IP diagnostics (default: the row's Name). */
  ipInterfaceDevice?: InterfaceDevice;
  /** Execution environments for Device.SoftwareModules.ExecEnv.{i} (platform/software/ExecutionEnvironment.ts), in row order. */
  executionEnvs?: ExecutionEnvironment[];
  stop(): void;
}

export async function registerPlatform(model: DataModel, name: PlatformName, opts: PlatformOptions): Promise<StartedPlatform> {
  const log = opts.log.child('platform');
  if (opts.vendorPrefix !== undefined && !VENDOR_PREFIX_RE.test(opts.vendorPrefix)) {
    throw new Error(`--vendor-prefix must look like X_<OUI or domain-with-hyphens>_, e.g. X_EXAMPLE-COM_; got ${JSON.stringify(opts.vendorPrefix)}`);
  }
  let chosen = name;
  if (chosen === 'auto') {
    const { detectOpenWrt } = await import('../platform/openwrt/index.js');
    chosen = detectOpenWrt() ? 'openwrt' : 'linux';
    log.info('platform detected', { platform: chosen });
  }
  const stops: Array<() => void> = [];
  const executionEnvs: ExecutionEnvironment[] = [];
  if (chosen === 'simulated') {
    const { registerSimulatedPlatform } = await import('../platform/simulated/index.js');
    const sim = registerSimulatedPlatform(model, { seed: opts.seed, store: opts.store, vendorPrefix: opts.vendorPrefix });
    stops.push(sim.stop);
    const { SimulatedExecutionEnv } = await import('../platform/simulated/execution-env.js');
    return { name: chosen, cellular: true, firmware: sim.firmware, wifiScan: sim.wifiScan, executionEnvs: [new SimulatedExecutionEnv()], stop: () => stops.forEach((s) => s()) };
  }
  if (chosen === 'none') return { name: chosen, cellular: false, stop: () => undefined };
  let openwrt: OpenWrtPlatform | undefined;
  const firmware = await startLiveFirmware(chosen, opts.firmware ?? {}, log);
  if (chosen === 'openwrt') {
    const { registerOpenWrtPlatform } = await import('../platform/openwrt/index.js');
    openwrt = registerOpenWrtPlatform(model, { log, firmware });
    stops.push(openwrt.stop);
  } else {
    const { registerLinuxPlatform } = await import('../platform/linux/index.js');
    stops.push(registerLinuxPlatform(model, { log, firmware }).stop);
    // SoftwareModules: units as supervised processes, and as OCI containers when crun or runc is installed.
    const { ProcessExecutionEnv } = await import('../platform/linux/process-ee.js');
    const { OciExecutionEnv, findOciRuntime } = await import('../platform/linux/oci-ee.js');
    const runtime = findOciRuntime();
    executionEnvs.push(new ProcessExecutionEnv(), ...(runtime ? [new OciExecutionEnv(runtime)] : []));
  }
  const { detectModemManager, registerModemManagerPlatform } = await import('../platform/modemmanager/index.js');
  const cellular = await detectModemManager();
  if (cellular) {
    // On OpenWrt the APNs are UCI configuration (interfaces with proto modemmanager): served from
    // there and writable. Elsewhere they are ModemManager's bearers, read-only.
    const mm = registerModemManagerPlatform(model, { vendorPrefix: opts.vendorPrefix, log, accessPoints: openwrt ? 'external' : 'bearers' });
    stops.push(mm.stop);
    openwrt?.registerCellularAccessPoints(mm.modems);
  }
  log.info('platform ready', { platform: chosen, modemmanager: cellular, firmware: firmware ? 'yes' : 'no' });
  return { name: chosen, cellular, firmware, executionEnvs, wifiScan: openwrt?.wifiScan, ipInterfaceDevice: openwrt?.ipInterfaceDevice, stop: () => stops.forEach((s) => s()) };
}

/**
 * Firmware banks on a live platform: the hook when one is configured (any platform), else
 * OpenWrt's sysupgrade when it is installed; otherwise none (no FirmwareImage.{i}, no
 * Download()/Activate()). A hook that cannot report its banks stops the start.
 */
async function startLiveFirmware(platform: 'openwrt' | 'linux', opts: LiveFirmwareOptions, log: Logger): Promise<StagedFirmware | undefined> {
  const { findOnPath } = await import('../platform/exec/CommandRunner.js');
  const fwLog = log.child('firmware');
  let installer: FirmwareInstaller;
  if (opts.hook !== undefined) {
    const { FirmwareHook } = await import('../platform/linux/firmware-hook.js');
    installer = new FirmwareHook(opts.hook, fwLog);
  } else if (platform === 'openwrt' && findOnPath('sysupgrade') !== undefined) {
    const { SysupgradeInstaller } = await import('../platform/openwrt/firmware-sysupgrade.js');
    installer = new SysupgradeInstaller(fwLog);
  } else {
    return undefined;
  }
  const stagingDir = opts.stagingDir ?? (platform === 'openwrt' ? OPENWRT_STAGING_DIR : join(opts.dataDir ?? tmpdir(), 'firmware-staging'));
  const { StagedFirmware } = await import('../platform/linux/firmware-staged.js');
  const fw = new StagedFirmware({ installer, stagingDir, dataDir: opts.dataDir, log: fwLog });
  try {
    await fw.init();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(opts.hook !== undefined
      ? `--firmware-hook ${opts.hook}: the firmware banks could not be read (${why}); fix the hook's \`status\` or leave the option out`
      : `sysupgrade: the running firmware could not be read (${why}); check \`ubus call system board\``);
  }
  return fw;
}

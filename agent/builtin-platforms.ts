/**
 * The built-in `--platform` values as registry entries (platform-registry.ts): the simulated
 * gateway, live OpenWrt (ubus/UCI), generic Linux (/proc, /sys, ip) and none, with ModemManager
 * as an add-on for Device.Cellular. on the live ones when mmcli answers. Each loads its code with
 * import() when started: a router loads only its own platform.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../datamodel/Logger.js';
import type { FirmwareInstaller } from '../platform/linux/firmware-installer.js';
import type { ExecutionEnvironment } from '../platform/software/ExecutionEnvironment.js';
import type { StagedFirmware } from '../platform/linux/firmware-staged.js';
import type { ModemManagerPlatform } from '../platform/modemmanager/index.js';
import { CommandCheck, DirectoryCheck, FileCheck, ReadCheck } from '../platform/self-test-check.js';
import { PlatformRegistry, type LiveFirmwareOptions, type PlatformAddOn, type PlatformEntry } from './platform-registry.js';

/** OpenWrt stages images in /tmp: RAM, the only place with room for a whole image beside the running one. */
export const OPENWRT_STAGING_DIR = '/tmp/usp-agent-firmware';
/** OpenWrt writes packet captures to RAM too: the data directory is on flash. */
export const OPENWRT_CAPTURE_DIR = '/tmp/usp-agent-capture';

const simulated: PlatformEntry = {
  name: 'simulated',
  async start(model, opts) {
    const { registerSimulatedPlatform } = await import('../platform/simulated/index.js');
    const sim = registerSimulatedPlatform(model, { seed: opts.seed, unit: opts.unit, store: opts.store, vendorPrefix: opts.vendorPrefix });
    const { SimulatedExecutionEnv } = await import('../platform/simulated/execution-env.js');
    const { SIMULATED_DEVICE_IMAGES } = await import('../platform/simulated/device-image.js');
    const { SIMULATED_PACKET_CAPTURE } = await import('../platform/simulated/packet-capture.js');
    const { SIMULATED_VENDOR_LOGS } = await import('../platform/simulated/vendor-log.js');
    return {
      packetCapture: SIMULATED_PACKET_CAPTURE,
      cellular: true,
      firmware: sim.firmware,
      wifiScan: sim.wifiScan,
      executionEnvs: [new SimulatedExecutionEnv()],
      deviceImages: SIMULATED_DEVICE_IMAGES,
      vendorLogs: SIMULATED_VENDOR_LOGS,
      stop: sim.stop,
      stateLoaded: sim.stateLoaded,
    };
  },
};

const openwrt: PlatformEntry = {
  name: 'openwrt',
  async detect() {
    const { detectOpenWrt } = await import('../platform/openwrt/index.js');
    return detectOpenWrt();
  },
  async start(model, opts) {
    const log = opts.log.child('platform');
    const firmware = await startLiveFirmware('openwrt', opts.firmware ?? {}, log);
    const { registerOpenWrtPlatform } = await import('../platform/openwrt/index.js');
    const p = registerOpenWrtPlatform(model, {
      log,
      firmware,
      packetCounters: opts.packetCounters,
      commandPath: opts.commandPath,
      store: opts.store,
      sysRoot: deviceSysRoot(),
      mqttBroker: opts.mqttBroker,
      services: opts.services,
      upnpIgd: opts.upnpIgd,
    });
    const { TcpdumpCapture } = await import('../platform/diagnostics/tcpdump-capture.js');
    const { readOpenWrtVendorLogs } = await import('../platform/openwrt/vendor-log.js');
    return {
      // logd's ring buffer (logread) and UCI system log_file when set.
      vendorLogs: await readOpenWrtVendorLogs(p.runner),
      // OpenWrt's tcpdump or tcpdump-mini, on the device of the row (IP.Interface: its UCI interface's device).
      packetCapture: new TcpdumpCapture({ commandPath: opts.commandPath, log, tempDir: OPENWRT_CAPTURE_DIR }),
      firmware,
      wifiScan: p.wifiScan,
      ipInterfaceDevice: p.ipInterfaceDevice,
      stop: p.stop,
      stateLoaded: p.stateLoaded,
      executionEnvs: await openUxc(log),
      // The APNs are UCI configuration (interfaces with proto modemmanager): served from there and writable.
      cellularAccessPoints: (modems) => p.registerCellularAccessPoints(modems),
      // Every OpenWrt binding reads ubus or UCI: one call of each, uncached.
      selfTestChecks: [new CommandCheck('ubus', p.runner, 'ubus', ['call', 'system', 'board']), new CommandCheck('uci', p.runner, 'uci', ['-q', 'show', 'system'])],
    };
  },
};

/**
 * SoftwareModules on OpenWrt: OCI bundles as procd containers (ujail) when `uxc` is installed
 * (package `uxc`, procd built with jail support). uxc that does not answer (no ubus) leaves the
 * agent without an EE, logged, rather than stopping it: the rest of the device still works.
 */
async function openUxc(log: Logger): Promise<ExecutionEnvironment[]> {
  const { CommandRunner, findOnPath } = await import('../platform/exec/CommandRunner.js');
  if (findOnPath('uxc') === undefined) return [];
  const { UxcExecutionEnv } = await import('../platform/openwrt/uxc-ee.js');
  const eeLog = log.child('uxc');
  try {
    return [await UxcExecutionEnv.open(new CommandRunner({ log: eeLog }), eeLog)];
  } catch (e) {
    log.warn('uxc is installed but does not answer `uxc -V`; Device.SoftwareModules. is not served', { why: e instanceof Error ? e.message : String(e) });
    return [];
  }
}

const linux: PlatformEntry = {
  name: 'linux',
  async start(model, opts) {
    const log = opts.log.child('platform');
    const firmware = await startLiveFirmware('linux', opts.firmware ?? {}, log);
    const { registerLinuxPlatform } = await import('../platform/linux/index.js');
    const p = registerLinuxPlatform(model, {
      log,
      firmware,
      manageInterfaces: opts.manageInterfaces,
      manageDns: opts.manageDns,
      packetCounters: opts.packetCounters,
      nat: opts.nat,
      time: opts.time,
      wifi: opts.wifi,
      dnsmasq: opts.dnsmasq,
      accessControl: opts.accessControl,
      firewall: opts.firewall,
      mqttBroker: opts.mqttBroker,
      upnpIgd: opts.upnpIgd,
      dhcpClient: opts.dhcpClient,
      radvd: opts.radvd,
      services: opts.services,
      store: opts.store,
      deviceSysRoot: deviceSysRoot(),
      // USP_AGENT_LLDP_SOCKET: another lldpd control socket than lldpcli's default (a test's own lldpd).
      lldpSocket: process.env.USP_AGENT_LLDP_SOCKET || undefined,
      ...(linuxSysRoot() ? { sysRoot: linuxSysRoot() } : {}),
    });
    // SoftwareModules: units as supervised processes, and as OCI containers when crun or runc is installed.
    const { ProcessExecutionEnv } = await import('../platform/linux/process-ee.js');
    const { OciExecutionEnv, findOciRuntime } = await import('../platform/linux/oci-ee.js');
    const runtime = findOciRuntime();
    const { TcpdumpCapture } = await import('../platform/diagnostics/tcpdump-capture.js');
    return {
      packetCapture: new TcpdumpCapture({ log }),
      firmware,
      executionEnvs: [new ProcessExecutionEnv(), ...(runtime ? [new OciExecutionEnv(runtime)] : [])],
      stop: p.stop,
      stateLoaded: p.stateLoaded,
      // The Linux bindings read /proc and /sys (`ip` reads the kernel through netlink, as /sys does).
      selfTestChecks: [new FileCheck('proc', '/proc/meminfo', 'MemTotal'), new DirectoryCheck('sys', '/sys/class/net')],
    };
  },
};

/**
 * USP_AGENT_SYSFS_ROOT: where a live platform reads the LEDs, temperature sensors, power
 * supplies and USB (Device.IoTCapability., TemperatureStatus, Device.USB.) instead of /sys. For tests and the offline
 * profile builds, which give a recorded tree; a device leaves it unset.
 */
function deviceSysRoot(): string | undefined {
  return process.env.USP_AGENT_SYSFS_ROOT || undefined;
}

/**
 * USP_AGENT_LINUX_SYSFS_ROOT: where the Linux platform reads /sys (network devices, bridges and
 * their ports), and the ModemManager add-on its modem's data netdev counters, instead. For tests of devices this kernel cannot make (a VLAN-aware bridge where the
 * bridge module is missing), which give a tree; a device leaves it unset.
 */
function linuxSysRoot(): string | undefined {
  return process.env.USP_AGENT_LINUX_SYSFS_ROOT || undefined;
}

const none: PlatformEntry = { name: 'none', start: () => Promise.resolve({}) };

/** Device.Cellular. from ModemManager, beside a live platform, when `mmcli` answers. */
const modemManager: PlatformAddOn = {
  name: 'modemmanager',
  platforms: ['openwrt', 'linux'],
  async start(model, opts, platform) {
    const { detectModemManager, registerModemManagerPlatform } = await import('../platform/modemmanager/index.js');
    if (!(await detectModemManager())) return undefined;
    // Where the platform keeps the APNs itself (OpenWrt) they come from there, with the roaming and
    // network settings beside them; elsewhere they are ModemManager's bearers, which a Controller adds and deletes.
    let mm: ModemManagerPlatform | undefined;
    const host = platform.cellularAccessPoints?.(() => mm!.modems());
    mm = registerModemManagerPlatform(model, {
      vendorPrefix: opts.vendorPrefix,
      log: opts.log.child('platform'),
      accessPoints: host ? 'external' : 'bearers',
      host,
      store: opts.store,
      sysRoot: linuxSysRoot(),
    });
    const modems = mm;
    return { cellular: true, stop: mm.stop, stateLoaded: mm.stateLoaded, selfTestChecks: [new ReadCheck('mmcli', async () => `${(await modems.modems()).length} modems`)] };
  },
};

/** The registry of the built-in platforms; `auto` picks OpenWrt when /etc/openwrt_release and ubus exist, otherwise Linux. */
export function builtinPlatforms(): PlatformRegistry {
  return new PlatformRegistry('linux').add(simulated).add(openwrt).add(linux).add(none).addAddOn(modemManager);
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
    throw new Error(
      opts.hook !== undefined
        ? `--firmware-hook ${opts.hook}: the firmware banks could not be read (${why}); fix the hook's \`status\` or leave the option out`
        : `sysupgrade: the running firmware could not be read (${why}); check \`ubus call system board\``,
    );
  }
  return fw;
}

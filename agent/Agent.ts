/**
 * The one composition root: loads the schema, builds the data model, registers the agent's own
 * objects and the platform's providers, restores or seeds state, and starts the MTPs that
 * Device.LocalAgent.MTP.{i} describes. Nothing else wires layers together.
 */
import type { ServiceSwitches } from '../platform/service-switches.js';
import { rm } from 'node:fs/promises';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../datamodel/Logger.js';
import { packageFile } from '../datamodel/package-root.js';
import { Schema } from '../datamodel/schema/Schema.js';
import { DataStore, type JournalDamage } from '../datamodel/store/DataStore.js';
import { openDataDir } from '../datamodel/store/data-dir.js';
import type { DataDirLock } from '../datamodel/store/data-dir-lock.js';
import { DataModel } from '../datamodel/tree/DataModel.js';
import { SupportedModelDiverged, type SharedSupportedModel } from '../datamodel/tree/SupportedTree.js';
import { WebSocketServerMtp } from '../mtp/websocket/WebSocketServerMtp.js';
import { WebSocketClientMtp } from '../mtp/websocket/WebSocketClientMtp.js';
import { loadTlsIdentity, readCaFile, type TlsIdentity } from '../mtp/tls/TlsIdentity.js';
import { registerPlatform, type PlatformName } from './platforms.js';
import type { PluginTargets } from './plugins/plugin-host.js';

export type { PlatformName };
import { registerBuiltinCommands, type RestartCause } from './builtin-commands.js';
import { registerFirmwareCommands, type FirmwareCommands } from './firmware/register-firmware.js';
import { registerRootObject } from './baseline/root-object.js';
import { registerVendorConfigFiles } from './baseline/vendor-config-files.js';
import { registerDeviceImages } from './baseline/device-images.js';
import { metProfilesValue, profilesParam } from './profiles/profiles-param.js';
import { defaultHttpReportChannel } from './bulkdata/default-http-channel.js';
import { registerInterfaceStack } from './baseline/interface-stack.js';
import { registerSchedules } from '../platform/schedules/register-schedules.js';
import { holdAgentParams } from './baseline/agent-held.js';
import { DiagnosticSlots } from './diagnostics/DiagnosticSlots.js';
import { registerTransferDiagnostics, TRANSFER_DIAGNOSTICS_CAPABILITIES, type TransferDiagnosticsLimits } from './diagnostics/register-transfer-diagnostics.js';
import { registerIpDiagnostics } from './diagnostics/register-ip-diagnostics.js';
import { registerDnsDiagnostics } from './diagnostics/register-dns-diagnostics.js';
import { registerNeighboringWiFi } from './diagnostics/register-neighboring-wifi.js';
import { registerSelfTest, type SelfTestOptions } from './diagnostics/register-self-test.js';
import { registerPacketCapture, type PacketCaptureLimits } from './diagnostics/register-packet-capture.js';
import type { DiagnosticTools } from '../platform/diagnostics/diagnostic-tools.js';
import { TrustStore } from './firmware/trust-store.js';
import { registerSoftwareModules, type SoftwareModules } from './software/register-software-modules.js';
import type { FetchLimits } from './firmware/fetch-image.js';
import { ControllerDirectory } from './ControllerDirectory.js';
import { AgentWiring, MtpDeps, PlatformShutdown, ProcessorDeps } from './AgentWiring.js';
import type { UnknownControllerLimits } from './UnknownControllerRows.js';
import { registerSecurityCertificates } from './certificates/security-certificates.js';
import { restoreBuiltinRoles, withBuiltinRoles } from './access/builtin-roles.js';
import { applyDefaults, type DefaultsFile } from './defaults/apply-defaults.js';
import { applyStagedRestore, takeStagedRestore } from './defaults/staged-restore.js';
import { registerVendorConfigCommands } from './baseline/vendor-config-transfer.js';
import { registerVendorLogFiles, vendorLogSources } from './baseline/vendor-log-files.js';
import { registerLocalAgent } from './localagent/register-local-agent.js';
import { registerFaultMgmt } from './faultmgmt/register-faultmgmt.js';
import { registerMqttClient } from './localagent/register-mqtt-client.js';
import { registerUnixDomainSockets } from './localagent/register-unix-domain-sockets.js';
import { mqttClientsNeedTls, StartedMqtt } from './transports/start-mqtt.js';
import { registerCoap, withLegacyCoapSchema } from './localagent/register-coap.js';
import { reconnectOnWanUp } from './transports/reconnect-on-wan-up.js';
import { startMtps, type MtpSupervision } from './transports/start-mtps.js';
import { OperationRunner } from './operate/OperationRunner.js';
import { downloadPolicySetting } from './transfer/download-policy.js';
import { RecordProcessor } from './RecordProcessor.js';
import type { ControllerLinks } from './notify/NotificationDelivery.js';
import { createNotifications, dropNonPersistentSubscriptions, registerNotificationObjects, type Notifications } from './notify/start-notifications.js';
import { takeBootRecord, writeBootRecord, type BootRecord } from './boot-cause.js';
import { webSocketServersNeedTls } from './transports/start-websocket-servers.js';
import { webSocketClientsNeedTls } from './transports/start-websocket-clients.js';
import type { StartedTransport, TransportDeps } from './transports/TransportDeps.js';
import { ControlSocket, LOCAL_CONTROLLER_ACCESS, LOCAL_CONTROLLER_EID } from './control/ControlSocket.js';
import { DataDirError } from '../datamodel/store/data-dir.js';
import { registerBulkData } from './bulkdata/register-bulkdata.js';
import type { BulkDataService } from './bulkdata/BulkDataService.js';
import { registerPeriodicStatistics } from './periodicstats/register-periodicstats.js';
import type { PeriodicStatsService } from './periodicstats/PeriodicStatsService.js';
import type { HttpChannelFactory } from './bulkdata/channels.js';
import { sharedInterval } from '../datamodel/shared-interval.js';
import type { TimeSettings } from '../platform/linux/time.js';
import type { WiFiSettings } from '../platform/linux/wifi.js';

/** How long a stop waits for in-flight requests to be answered. */
const DRAIN_TIMEOUT_MS = 1000;

export interface AgentOptions {
  defaults: DefaultsFile;
  /** Where state.json lives; undefined keeps state in memory only. */
  dataDir?: string;
  /**
   * Without a data directory: where the agent keeps the files it cannot hold in memory (the
   * installed software units, `<scratchDir>/software`), removed when it stops. Default: a fresh
   * `usp-agent-software-*` directory in the OS temp directory. A fleet gives each gateway one
   * under a single fleet-wide directory, so a killed fleet leaves one directory, not one per gateway.
   */
  scratchDir?: string;
  platform: PlatformName;
  log: Logger;
  /** TR-106 vendor prefix ("X_EXAMPLE-COM_") for vendor-specific parameters such as the cellular SINR. */
  vendorPrefix?: string;
  /** Seed of the simulated gateway (serial number, MACs, ...). */
  seed?: number;
  /** Unit number of the simulated gateway (the fleet's gateway number): distinct units get distinct serial numbers and MACs. */
  unit?: number;
  /** Why this start happens, when the data dir cannot say (in-memory agents restarted in-process). */
  bootRecord?: BootRecord;
  /** ValueChange polling period for values that change behind the agent's back. */
  pollIntervalMs?: number;
  /** How often the agent's own alarm sources are read (Device.FaultMgmt., agent/faultmgmt/condition-watch.ts), ms; default 30 s, 0 none. */
  alarmCheckMs?: number;
  /** Where in that period the checks fall, 0 ≤ phase < 1 (a fleet spreads its gateways' checks); default all at one tick. */
  alarmCheckPhase?: number;
  /** Serve the obsoleted CoAP MTP (USP 1.2; TR-181 2.17 objects, deleted since 2.18). Off by default. */
  legacyCoap?: boolean;
  /** A schema already loaded (the fleet simulator shares one). */
  schema?: Schema;
  /**
   * One supported-model tree shared by every agent given the same one and built by the same
   * steps (the fleet's gateways: one schema, platform, vendor prefix and defaults file): each
   * keeps only its bindings (datamodel/tree/SupportedTree.ts). An agent whose registrations
   * differ from the shared tree's, or that loads plugins, builds its own tree instead.
   */
  sharedModel?: SharedSupportedModel;
  /** PEM files of the agent's TLS identity (`--cert`, `--key`, `--ca`). */
  tls?: AgentTlsFiles;
  /** `--firmware-trust`: a directory of PEM keys/certificates; Download() then only takes images signed by one of them. */
  firmwareTrust?: string;
  /** `--firmware-hook`: the script that installs images on a generic Linux device (docs/firmware-hook.md). */
  firmwareHook?: string;
  /** `--firmware-staging`: where downloaded images wait for validation (default: the platform's, /tmp on OpenWrt). */
  firmwareStaging?: string;
  /** Bounds on the Controller rows made for unknown endpoints (UnknownControllerRows.ts); defaults otherwise. */
  unknownControllers?: Partial<UnknownControllerLimits>;
  /** Bounds of the transfer and UDP echo diagnostics (register-transfer-diagnostics.ts); defaults otherwise. */
  transferDiagnostics?: Partial<TransferDiagnosticsLimits>;
  /** Bounds of Device.PacketCaptureDiagnostics() (file size, Duration, upload deadline); defaults otherwise. */
  packetCapture?: Partial<PacketCaptureLimits>;
  /** How many IP/Wi-Fi diagnostics may run at once (default 4), and the ping/traceroute to use (default: found on PATH). */
  diagnostics?: { maxRunning?: number; tools?: DiagnosticTools; udpEchoPort?: number };
  /** Device.SelfTestDiagnostics(): the memory and disk floors and the per-check deadline; defaults otherwise. */
  selfTest?: Pick<SelfTestOptions, 'floors' | 'checkTimeoutMs'>;
  /** Device.BulkData.: MinReportingInterval in seconds (tests shorten it) and the HTTP(S) report channel. */
  bulkData?: { minReportingInterval?: number; httpChannel?: HttpChannelFactory };
  /** Bounds on InstallDU()/Update() downloads (size, deadline, idle timeout); defaults otherwise. */
  softwareLimits?: Partial<FetchLimits>;
  /** `--manage-interfaces`: network interfaces the Linux platform may reconfigure (`*` all); default none. */
  manageInterfaces?: readonly string[];
  /** `--manage-dns FILE`: the resolv.conf the Linux platform serves as Device.DNS.Client.Server and may rewrite; default none (read-only). */
  manageDns?: string;
  /** `--packet-counters on|off`: the Unicast/Broadcast/MulticastPacketsSent Stats from nftables (Linux, OpenWrt); default on where possible. */
  packetCounters?: boolean;
  /** `--nat nftables|off`: Device.NAT. as the agent's own nftables table (Linux); default on where possible. */
  nat?: boolean;
  /** `--time chrony|off` (and where chrony and the zone file are): Device.Time. from chrony (Linux); default on where chronyc answers. */
  time?: boolean | TimeSettings;
  /** `--wifi hostapd|off` (and `--hostapd-dir`): Device.WiFi. from hostapd_cli and iw (Linux); default on where both are installed. */
  wifi?: boolean | WiFiSettings;
  /** `--dnsmasq on|off`: Device.DNS.Relay. and Device.DHCPv4.Server. through the agent's own dnsmasq (Linux); default on where possible. */
  dnsmasq?: boolean;
  /** `--access-control nftables|off`: Device.Hosts.AccessControl. as the agent's own nftables table (Linux); default on where possible. */
  accessControl?: boolean;
  /** `--firewall nftables|off`: Device.Firewall. as the agent's own nftables table (Linux); default on where possible. */
  firewall?: boolean;
  /** `--mqtt-broker mosquitto|off`: Device.MQTT.Broker.{i}. through Mosquittos the agent runs (Linux, OpenWrt); default off. */
  mqttBroker?: boolean;
  /** `--upnp-igd miniupnpd|off`: Device.UPnP.Device. through a miniupnpd the agent runs (Linux; default off); off: not served on OpenWrt either. */
  upnpIgd?: boolean;
  /** `--dhcp-client udhcpc|off`: Device.DHCPv4.Client.{i}. through busybox udhcpc children the agent runs (Linux); default off. */
  dhcpClient?: boolean;
  /** `--radvd on|off`: Device.RouterAdvertisement. through the agent's own radvd (Linux); default on where radvd is installed and the agent runs as root. */
  radvd?: boolean;
  /** `--captive-portal|--bridge-filter|--qos on|off` (platform/service-switches.ts); undefined: each on where it can be put into effect. */
  services?: ServiceSwitches;
  /**
   * Where the live platform's programs are (ubus, uci, /etc/init.d/...; an absolute command is
   * looked up inside it too). Default: PATH. The integration tests point it at stand-ins.
   */
  platformCommandPath?: string;
  /** `--device-image-dir DIR`: pictures of the device (front.png, back.jpg, ...) for Device.DeviceInfo.DeviceImageFile.{i}.; default the platform's own. */
  deviceImageDir?: string;
  /** `--vendor-log-file PATH` (repeatable): log files served as Device.DeviceInfo.VendorLogFile.{i}., before the platform's own. */
  vendorLogFiles?: readonly string[];
  /** `--plugin FILE`s: JavaScript modules loaded after the platform (agent/plugins/, INTEGRATING.md). */
  plugins?: readonly string[];
}

/** Without cert/key, a TLS MTP uses the bootstrap certificate in the data directory. */
export interface AgentTlsFiles {
  cert?: string;
  key?: string;
  ca?: string;
}

/** Why an agent stopped: the supervisor starts a new one after a restart. */
export type StopReason = { kind: 'shutdown' } | { kind: 'restart'; cause: RestartCause; commandKey: string };

/** The agent's own version (Device.LocalAgent.SoftwareVersion): package.json, from source or from dist/. */
export const SOFTWARE_VERSION: string = readPackageVersion();

function readPackageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}

export class Agent {
  /** Running MTPs, restarted in place when their TR-181 configuration changes (transports/start-mtps.ts). */
  private mtpSupervision?: MtpSupervision;
  /** The running MTPs (AgentWiring.ts reads them for the parts made before the agent). */
  get mtps(): readonly StartedTransport[] {
    return this.mtpSupervision?.list ?? [];
  }
  private stopping?: Promise<void>;
  private resolveStopped!: (r: StopReason) => void;
  /** Resolves when the agent has stopped, with the reason. */
  readonly stopped = new Promise<StopReason>((r) => {
    this.resolveStopped = r;
  });
  private platformShutdown?: PlatformShutdown;
  /**
   * Whether a Reboot()/FactoryReset() restart runs in this process (the simulated gateway, no
   * platform) or by exiting for the service manager (procd, systemd, Docker) to start the agent
   * again: on a live platform a fresh process also re-detects the hardware.
   */
  restartsInProcess = true;
  private wanWatch?: { stop(): void };
  /** The data directory's lock, released once the last write of stop() is done. */
  private dataDirLock?: DataDirLock;
  private stopExpiry?: () => void;
  /** `<data-dir>/control.sock` for the `usp-agent` commands; none for an in-memory agent. */
  private controlSocket?: ControlSocket;
  /** Runs the Device.BulkData.Profile.{i} rows (agent/bulkdata/). */
  private bulkData?: BulkDataService;
  /** Samples the Device.PeriodicStatistics.SampleSet.{i} rows (agent/periodicstats/). */
  private periodicStats?: PeriodicStatsService;
  private firmwareCommands?: FirmwareCommands;
  /** Device.SoftwareModules., where the platform has execution environments. */
  private software?: SoftwareModules;

  private constructor(
    readonly model: DataModel,
    readonly store: DataStore,
    readonly operations: OperationRunner,
    readonly processor: RecordProcessor,
    readonly notifications: Notifications,
    private readonly log: Logger,
  ) {}

  /**
   * Starts an agent. The data directory is checked, created (0700) and locked first, before
   * anything is written there; a start that fails gives the lock back.
   */
  static async start(opts: AgentOptions): Promise<Agent> {
    const lock = opts.dataDir === undefined ? undefined : openDataDir(opts.dataDir, opts.log);
    try {
      const agent = await Agent.startWithDataDir(opts).catch((e: unknown) => {
        if (!(e instanceof SupportedModelDiverged)) throw e;
        // Nothing shared was touched: this agent builds a supported model of its own, which no other sees.
        opts.log.warn('supported model differs from the shared one; this agent builds its own', { why: e.message });
        return Agent.startWithDataDir({ ...opts, sharedModel: undefined });
      });
      agent.dataDirLock = lock;
      return agent;
    } catch (e) {
      lock?.release();
      throw e;
    }
  }

  private static async startWithDataDir(opts: AgentOptions): Promise<Agent> {
    const log = opts.log;
    const baseSchema = opts.schema ?? Schema.load();
    const schema = opts.legacyCoap ? withLegacyCoapSchema(baseSchema) : baseSchema;
    // Plugins may read the model while they build it (what is bound, served, defined): they build on a tree of their own.
    const model = new DataModel(schema, { share: opts.plugins?.length ? undefined : opts.sharedModel });
    const store = new DataStore(opts.dataDir);
    saveOnCommit(model, store);
    // Alias, ProvisioningCode, ... beside whatever serves their objects (agent/baseline/agent-held.ts).
    const agentHeld = holdAgentParams(model, store);
    const startedAt = Date.now();
    // Where Download() may fetch from (loopback and the device's own addresses refused on live platforms).
    const downloads = downloadPolicySetting(store, opts.platform, opts.vendorPrefix);
    // What the parts reach of the agent made after them, as methods of one object (AgentWiring.ts).
    const wiring = new AgentWiring(store, SOFTWARE_VERSION, startedAt, opts.legacyCoap ? 'WebSocket,MQTT,UDS,CoAP' : 'WebSocket,MQTT,UDS', downloads.vendorParams);
    registerLocalAgent(model, store, wiring);
    // Client.{i}.Status, ResponseInformation and Stats. come from the MQTT MTP running for that row.
    registerMqttClient(model, store, wiring);
    registerUnixDomainSockets(model, store);
    if (opts.legacyCoap) registerCoap(model, store);
    const operations = new OperationRunner(model, log.child('operate'));
    registerBuiltinCommands(model, wiring);
    registerNotificationObjects(model);
    const securityCertificates = registerSecurityCertificates(model);
    // Read before the platform starts, so a bad store stops the start with nothing to undo.
    const trust = opts.firmwareTrust === undefined ? undefined : TrustStore.load(opts.firmwareTrust);
    // --ca also vouches for HTTPS Bulk Data collectors (TP-469 10.2).
    const collectorCaPem = opts.tls?.ca === undefined ? undefined : readCaFile(opts.tls.ca);
    // Plugins are imported before the platform starts: one may bring the platform --platform names.
    const pluginModules = opts.plugins?.length ? await import('./plugins/load-plugins.js') : undefined;
    const imported = pluginModules ? await pluginModules.importPlugins(opts.plugins ?? []) : [];
    const pluginPlatforms = imported.flatMap((p) => p.platforms.map((entry) => ({ entry, source: `--plugin ${p.file}` })));
    const platform = await registerPlatform(
      model,
      opts.platform,
      {
        seed: opts.seed,
        unit: opts.unit,
        vendorPrefix: opts.vendorPrefix,
        log,
        store,
        firmware: { hook: opts.firmwareHook, stagingDir: opts.firmwareStaging, dataDir: opts.dataDir },
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
        commandPath: opts.platformCommandPath,
      },
      pluginPlatforms,
    );
    const profilesParameter = profilesParam(opts.vendorPrefix);
    registerRootObject(model, schema.model, profilesParameter && { param: profilesParameter, value: metProfilesValue(model, operations) });
    registerVendorConfigFiles(model, store, opts.defaults);
    // DeviceImage:1: the integrator's pictures (--device-image-dir), else the platform's own.
    registerDeviceImages(model, { dir: opts.deviceImageDir, platform: platform.deviceImages, log });
    // Backup()/Restore() of the configuration: a restore is applied by a restart (defaults/staged-restore.ts).
    registerVendorConfigCommands(model, {
      store,
      defaults: opts.defaults,
      dataDir: opts.dataDir,
      caPem: collectorCaPem,
      downloadPolicy: downloads.policy,
      actions: wiring,
      log: log.child('config'),
    });
    registerVendorLogFiles(model, { sources: vendorLogSources(opts.vendorLogFiles, platform.vendorLogs), caPem: collectorCaPem, downloadPolicy: downloads.policy, log });
    registerInterfaceStack(model);
    // Device.Schedules. on every platform: rows in the store, Status in the device's local time.
    const schedules = registerSchedules(model, store, log);
    // IP and Wi-Fi diagnostics (TR-143) run on every platform, on the host's network (the
    // simulated gateway's too), sharing one bound on how many run at once.
    const diagnosticSlots = new DiagnosticSlots(opts.diagnostics?.maxRunning);
    // One logger for every diagnostic: each child logger is an object per gateway of a fleet.
    const diagnosticsLog = log.child('diagnostics');
    registerIpDiagnostics(model, diagnosticSlots, {
      log: diagnosticsLog,
      interfaceDevice: platform.ipInterfaceDevice,
      tools: opts.diagnostics?.tools,
      udpEchoPort: opts.diagnostics?.udpEchoPort,
      capabilities: TRANSFER_DIAGNOSTICS_CAPABILITIES,
    });
    registerDnsDiagnostics(model, diagnosticSlots, { log: diagnosticsLog, interfaceDevice: platform.ipInterfaceDevice });
    if (platform.wifiScan) registerNeighboringWiFi(model, diagnosticSlots, platform.wifiScan, diagnosticsLog);
    // PacketCaptureDiagnostics:1, where the platform has a capturer (tcpdump; the simulated gateway's synthetic one).
    if (platform.packetCapture) {
      registerPacketCapture(model, {
        slots: diagnosticSlots,
        capturer: platform.packetCapture,
        ipInterfaceDevice: platform.ipInterfaceDevice,
        dataDir: opts.dataDir,
        caPem: collectorCaPem,
        downloadPolicy: downloads.policy,
        log: diagnosticsLog,
        limits: opts.packetCapture,
      });
    }
    const transferDiagnostics = registerTransferDiagnostics(model, { slots: diagnosticSlots, store, log: diagnosticsLog, limits: opts.transferDiagnostics });
    // Plugins (--plugin, agent/plugins/): after the platform and the agent's own objects, before the defaults and the MTPs.
    const plugged: PluginTargets = {
      platform: platform.name,
      firmware: platform.firmware,
      executionEnvs: [...(platform.executionEnvs ?? [])],
      selfTestChecks: [...(platform.selfTestChecks ?? [])],
      stops: [],
    };
    // Device.FaultMgmt.: the agent's alarms, raised by its condition watch and by plugins (agent/faultmgmt/).
    const faultMgmt = registerFaultMgmt(model, store, { checkMs: opts.alarmCheckMs, checkPhase: opts.alarmCheckPhase, dataDir: opts.dataDir, log: log.child('faultmgmt'), startedAt });
    plugged.alarms = faultMgmt.alarms;
    plugged.stops.push(
      () => faultMgmt.watch.stop(),
      () => schedules.stop(),
    );
    const platformShutdown = new PlatformShutdown(plugged, transferDiagnostics, platform);
    if (pluginModules) {
      await pluginModules.registerPlugins(model, imported, plugged, { vendorPrefix: opts.vendorPrefix, log }).catch((e: unknown) => {
        platformShutdown.stop();
        throw e;
      });
    }
    agentHeld.serveUnbound(platform.name);
    // Device.BulkData.: a Profile collects with its Controller's permissions and publishes MQTT reports through the running MQTT MTP.
    const bulkData = registerBulkData(model, store, {
      log: log.child('bulkdata'),
      dataDir: opts.dataDir,
      minReportingInterval: opts.bulkData?.minReportingInterval,
      httpChannel: opts.bulkData?.httpChannel ?? defaultHttpReportChannel(model, { policy: downloads.policy, caPem: collectorCaPem }),
      links: wiring,
    });
    // Device.PeriodicStatistics.: a SampleSet samples with its Controller's permissions (the same link as Bulk Data's).
    const periodicStats = registerPeriodicStatistics(model, store, { log, links: wiring });
    // Firmware:1 Download()/Activate() and TransferComplete!, where the platform has firmware banks.
    const firmware =
      plugged.firmware &&
      registerFirmwareCommands(model, plugged.firmware, {
        actions: wiring,
        log: log.child('firmware'),
        downloadPolicy: downloads.policy,
        trust,
        dataDir: opts.dataDir,
      });
    wiring.firmware = firmware;
    // SelfTestDiag:1: the agent's own checks, the platform's sources and the plugins' checks (diagnostics/register-self-test.ts).
    registerSelfTest(model, {
      slots: diagnosticSlots,
      store,
      log: diagnosticsLog,
      links: wiring,
      checks: plugged.selfTestChecks,
      firmware: plugged.firmware !== undefined,
      ...opts.selfTest,
    });
    // SoftwareModules:1 (InstallDU(), DUStateChange!), where the platform has execution environments.
    const software = plugged.executionEnvs.length
      ? registerSoftwareModules(model, {
          envs: plugged.executionEnvs,
          limits: opts.softwareLimits,
          persist: opts.dataDir !== undefined,
          log: log.child('software'),
          downloadPolicy: downloads.policy,
          dir: softwareDir(opts),
        })
      : undefined;
    // The supported model is built but for the MTPs' commands: a replay of a shared tree that
    // differed throws here, before any state or link, and start() builds again on a tree of its own.
    try {
      model.throwIfDiverged();
    } catch (e) {
      platformShutdown.stop();
      throw e;
    }

    const onCorrupt = (why: string, movedTo: string, journal?: JournalDamage): void => {
      if (journal)
        log.error('state journal damaged; kept state.json and the records before the damage', { why, copiedTo: movedTo, keptRecords: journal.keptRecords, droppedLines: journal.droppedLines });
      else log.error('state file unreadable; starting from factory defaults', { why, movedTo });
    };
    // A configuration Restore() staged replaces the saved one, applied as factory defaults are.
    const staged = takeStagedRestore(opts.dataDir, log);
    let restored = store.load(onCorrupt);
    const fromRestore = !restored && staged !== undefined && (await applyStagedRestore(model, store, staged, log));
    if (staged && !fromRestore) restored = store.load(onCorrupt);
    if (fromRestore) {
      await dropNonPersistentSubscriptions(model, log);
    } else if (!restored) {
      await applyDefaults(model, withBuiltinRoles(opts.defaults));
      await store.flush();
      log.info('factory defaults applied');
    } else {
      await dropNonPersistentSubscriptions(model, log);
      await restoreBuiltinRoles(model, log);
    }
    // Stored platform configuration takes effect on the device (Linux: the NAT rules a reboot emptied).
    await platform.stateLoaded?.();
    schedules.start();
    faultMgmt.watch.start();
    await transferDiagnostics.start();
    const boot = takeBootRecord(opts.dataDir) ?? opts.bootRecord ?? { cause: 'LocalReboot', commandKey: '' };
    const controllers = new ControllerDirectory(model, opts.unknownControllers);
    wiring.controllers = controllers;
    const endpointId = String(store.row('Device.LocalAgent.')?.EndpointID ?? '');
    if (!endpointId) throw new Error('Device.LocalAgent.EndpointID is not set (give it in the factory-defaults file)');
    const tls = await agentTlsIdentity(opts, model, endpointId, log).catch((e: unknown) => {
      platformShutdown.stop();
      throw e;
    });
    securityCertificates.setIdentity(tls);
    const controlSocket =
      opts.dataDir === undefined
        ? undefined
        : new ControlSocket({ dataDir: opts.dataDir, model, agentEndpointId: endpointId, onRecord: (r, c) => processor.onRecord(r, c), log: log.child('control') });
    wiring.endpoint = endpointId;
    const processor = new RecordProcessor(
      new ProcessorDeps(
        model,
        operations,
        controllers,
        log.child('usp'),
        controlSocket && { endpointId: LOCAL_CONTROLLER_EID, holds: (c) => controlSocket.holds(c), access: LOCAL_CONTROLLER_ACCESS },
        wiring,
      ),
    );
    const notifications: Notifications = createNotifications(model, operations, wiring, log.child('notify'), { pollIntervalMs: opts.pollIntervalMs, rights: controllers.access });
    const agent = new Agent(model, store, operations, processor, notifications, log);
    wiring.agent = agent;
    agent.platformShutdown = platformShutdown;
    agent.software = software;
    agent.restartsInProcess = platform.name === 'simulated' || platform.name === 'none';
    if (controlSocket) {
      try {
        await controlSocket.start();
      } catch (e) {
        platformShutdown.stop();
        throw new DataDirError(
          opts.dataDir!,
          `the control socket ${controlSocket.path} could not be opened (${e instanceof Error ? e.message : String(e)})`,
          'give a shorter --data-dir path (a socket path has at most 107 bytes) or stop the process holding the socket',
        );
      }
      agent.controlSocket = controlSocket;
    }
    await agent.startMtps(endpointId, tls, controllers).catch(async (e: unknown) => {
      await controlSocket?.stop();
      throw e;
    });
    agent.expireUnknownControllers(controllers);
    agent.wanWatch = reconnectOnWanUp(model, agent, log.child('mtp'));
    notifications.start();
    agent.bulkData = bulkData;
    agent.firmwareCommands = firmware || undefined;
    await bulkData.start();
    agent.periodicStats = periodicStats;
    await periodicStats.start();
    // Every registration is done: a shared tree is fixed from here (the builder's steps are then the
    // fleet's); a replay that differed in its last steps stops this start, and start() builds again.
    try {
      model.seal();
    } catch (e) {
      await agent.stop();
      throw e;
    }
    // Units requested Active (or AutoStart) run again, in the background: a slow unit does not hold up the start.
    void software?.startUnits().catch((e: unknown) => log.error('software units did not start', { error: String(e) }));
    // Boot! goes to every controller subscribed to it, queued until each is reachable.
    model.changes.emit({
      kind: 'event',
      inst: { node: model.root, keys: [] },
      path: 'Device.',
      event: 'Boot!',
      args: { CommandKey: boot.commandKey, Cause: boot.cause, FirmwareUpdated: plugged.firmware?.takeFirmwareUpdated() ?? false, ParameterMap: '{}' },
    });
    firmware?.reportInterrupted();
    if (!plugged.firmware && (trust || opts.firmwareHook))
      log.warn('firmware options given but this platform has no firmware backend: Download()/Activate() are not offered', { platform: platform.name });
    if (boot.cause.endsWith('FactoryReset')) await notifications.onBoarding.sendToAll();
    log.info('agent started', { endpointId, version: SOFTWARE_VERSION, restored, bootCause: boot.cause });
    return agent;
  }

  /** Starts every MTP the TR-181 configuration enables, and again whenever it changes; each kind has its starter in transports/. */
  private async startMtps(endpointId: string, tls: TlsIdentity | undefined, controllers: ControllerDirectory): Promise<void> {
    const deps: TransportDeps = new MtpDeps(this.model, this.processor.onRecord, endpointId, tls, this.log, controllers, this);
    // A restart first lets in-flight requests be answered: a Set's response leaves on the link it replaces.
    this.mtpSupervision = await startMtps(deps, () => this.processor.drain(DRAIN_TIMEOUT_MS));
    if (this.mtps.length === 0) this.log.warn('no MTP is enabled: no controller can reach this agent');
  }

  /**
   * Deletes the Controller rows made for unknown endpoints once idle past their expiry (TP-469 2.9
   * rows must not pile up), checking a few times per expiry period.
   */
  private expireUnknownControllers(controllers: ControllerDirectory): void {
    const every = Math.max(1000, Math.min(controllers.unknownRows.limits.expireAfterMs / 4, 3600_000));
    this.stopExpiry = sharedInterval(every, () => {
      controllers.expireUnknown().then(
        (gone) => {
          if (gone.length) this.log.info('idle Controller rows of unknown endpoints deleted', { endpoints: gone.join(','), idleMs: controllers.unknownRows.limits.expireAfterMs });
        },
        (e: unknown) => this.log.error('idle Controller rows could not be deleted', { error: e instanceof Error ? e.message : String(e) }),
      );
    });
  }

  /** Links that reach controllers by Endpoint ID, for notifications. */
  get controllerLinks(): ControllerLinks[] {
    return this.mtps.filter((m): m is StartedTransport & ControllerLinks => typeof m.connectionFor === 'function');
  }

  /**
   * Dials every MTP that dials out (WebSocket clients, MQTT clients) now instead of waiting out
   * its retry back-off (TR-369 R-WS.19-21; MQTT ConnectRetryTime): what a service manager asks for
   * when the WAN comes up (OpenWrt: procd's interface trigger sends SIGHUP). Links that are up
   * are left alone. Returns how many MTPs were asked.
   */
  reconnectNow(): number {
    const dialers = this.mtps.filter((m) => typeof m.kick === 'function');
    for (const m of dialers) m.kick!();
    return dialers.length;
  }

  /**
   * Where notifications go: the MTPs, and the control socket for the local controller, which is
   * reached through it only, never through a peer that claimed its Endpoint ID on another MTP.
   */
  get notificationLinks(): ControllerLinks[] {
    const links = this.controllerLinks;
    if (!this.controlSocket) return links;
    const others = links.map((l): ControllerLinks => ({ connectionFor: (eid) => (eid === LOCAL_CONTROLLER_EID ? undefined : l.connectionFor(eid)) }));
    return [this.controlSocket, ...others];
  }

  /**
   * The links this agent dials (its MQTT clients, Device.MQTT.Client.{i} rows with a running MTP,
   * and its WebSocket clients, Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket) and how many
   * are up now: what the fleet's progress line counts as connected.
   */
  get dialledLinks(): { up: number; total: number } {
    let up = 0;
    let total = 0;
    for (const m of this.mtps)
      if (m instanceof StartedMqtt) {
        total++;
        if (m.client.connected) up++;
      } else if (m instanceof WebSocketClientMtp) {
        total++;
        if (m.state === 'open') up++;
      }
    return { up, total };
  }

  /** The WebSocket server MTPs (tests and the bench read the bound port). */
  get webSocketServers(): WebSocketServerMtp[] {
    return this.mtps.filter((m): m is WebSocketServerMtp => m instanceof WebSocketServerMtp);
  }

  /** Stops accepting, ends running commands, saves state. */
  async stop(reason: StopReason = { kind: 'shutdown' }): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info('agent stopping', { reason: reason.kind });
      // No MTP reconfiguration from here on. Answer what is in flight before the links close; the
      // whole stop must fit in 2 s.
      this.mtpSupervision?.freeze();
      await this.processor.drain(DRAIN_TIMEOUT_MS);
      await this.mtpSupervision?.stop();
      await this.controlSocket?.stop();
      this.operations.cancelAll();
      this.notifications.stop();
      this.bulkData?.stop();
      this.periodicStats?.stop();
      this.firmwareCommands?.stop();
      this.wanWatch?.stop();
      this.stopExpiry?.();
      // A factory reset also forgets the installed software (its files and units.json).
      await this.software?.stop(reason.kind === 'restart' && reason.cause === 'RemoteFactoryReset');
      this.platformShutdown?.stop();
      await this.store.flush();
      // The next start then reads state.json alone; if this fails it replays the journal.
      if (!(await this.store.compact())) this.log.warn('state not compacted at stop; the next start replays the journal');
      // A factory reset forgets the saved state before anyone can start again: the next start
      // then finds no state and applies the factory defaults.
      if (reason.kind === 'restart' && reason.cause === 'RemoteFactoryReset' && this.store.file) await rm(this.store.file, { force: true });
      if (reason.kind === 'restart') await writeBootRecord(this.store.dir, { cause: reason.cause, commandKey: reason.commandKey });
      this.dataDirLock?.release();
      this.resolveStopped(reason);
    })();
    return this.stopping;
  }
}

/**
 * The agent's TLS identity, loaded once per start: the operator's --cert/--key (with --ca), or,
 * when an enabled MTP wants TLS and none was given, the bootstrap certificate (R-SEC.10).
 */
async function agentTlsIdentity(opts: AgentOptions, model: DataModel, endpointId: string, log: Logger): Promise<TlsIdentity | undefined> {
  const { cert, key, ca } = opts.tls ?? {};
  if ((cert === undefined) !== (key === undefined)) throw new Error('--cert and --key must be given together');
  let id: TlsIdentity;
  if (cert !== undefined && key !== undefined) id = loadTlsIdentity({ cert, key, ca });
  else if ((await webSocketServersNeedTls(model)) || (await webSocketClientsNeedTls(model)) || (await mqttClientsNeedTls(model))) {
    // Loaded only when needed: node-forge costs ~40 ms of start-up and ~2 MB of memory.
    const { ensureBootstrapIdentity } = await import('../mtp/tls/bootstrap-cert.js');
    id = (await ensureBootstrapIdentity({ endpointId, dataDir: opts.dataDir, caPem: ca === undefined ? undefined : readCaFile(ca), log: log.child('tls') })).identity;
  } else return undefined;
  log.info('tls identity loaded', { origin: id.origin, endpointId: id.endpointId ?? '', notAfter: id.certificate.validTo, trustedCAs: id.trustAnchors.length });
  return id;
}

/**
 * The store saves after every commit and drops what a failed commit left. A function of its own:
 * the two hooks then keep only the store alive, not every local of Agent.start that some
 * callback made there once referenced (a context per gateway of a fleet, issue 14).
 */
function saveOnCommit(model: DataModel, store: DataStore): void {
  model.onCommit(
    () => store.flush(),
    () => store.revert(),
  );
}

/** Where the software units live: the data directory's, else the scratch directory's, else a fresh temporary one. */
function softwareDir(opts: AgentOptions): string {
  if (opts.dataDir !== undefined) return join(opts.dataDir, 'software');
  if (opts.scratchDir !== undefined) return join(opts.scratchDir, 'software');
  return mkdtempSync(join(tmpdir(), 'usp-agent-software-'));
}

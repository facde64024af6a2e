/**
 * The platform registry: each data source for the TR-181 tree (`--platform`) is an entry with a
 * name, an optional detector for `--platform auto`, and a start function that registers its
 * bindings on the data model and returns what the agent needs beside them (firmware banks,
 * execution environments, the Wi-Fi scanner...). Add-ons (ModemManager) start after the
 * platform on the platforms they apply to. The built-in entries (builtin-platforms.ts) are added
 * the same way any other would be; an entry loads its code with import() inside `start`, so a
 * router loads only its own platform. A plugin brings entries of the same type (`platforms` of
 * its module), added after the built-in ones under names of their own.
 */
import type { ServiceSwitches } from '../platform/service-switches.js';
import type { VendorLogSource } from '../platform/vendor-log-file.js';
import type { Logger } from '../datamodel/Logger.js';
import type { DataStore } from '../datamodel/store/DataStore.js';
import type { Awaitable } from '../datamodel/tree/binding.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { PacketCapturer } from '../platform/diagnostics/packet-capture.js';
import type { WiFiScanner } from '../platform/diagnostics/wifi-scan.js';
import type { SelfTestCheck } from '../platform/self-test-check.js';
import type { DeviceImageSource } from '../platform/device-images.js';
import type { CellularHostSettings, ModemInterface } from '../platform/modemmanager/cellular.js';
import type { ExecutionEnvironment } from '../platform/software/ExecutionEnvironment.js';
import type { TimeSettings } from '../platform/linux/time.js';
import type { WiFiSettings } from '../platform/linux/wifi.js';
import type { InterfaceDevice } from './diagnostics/interface-input.js';
import type { FirmwareBackend } from './firmware/FirmwareBackend.js';

export interface LiveFirmwareOptions {
  hook?: string;
  stagingDir?: string;
  dataDir?: string;
}

export interface PlatformOptions {
  seed?: number;
  /** The simulated gateway's unit number (a fleet's gateway number): its serial number and MACs come from it. */
  unit?: number;
  /** TR-106 vendor prefix for vendor parameters, e.g. "X_EXAMPLE-COM_" (cellular SINR). */
  vendorPrefix?: string;
  log: Logger;
  /** The agent's store: the simulated platform keeps its configuration there. */
  store?: DataStore;
  /**
   * `--manage-interfaces`: the network interfaces a live platform may reconfigure when a
   * controller sets, adds or deletes (`*`: all); empty or undefined, none (read-only).
   */
  manageInterfaces?: readonly string[];
  /** `--manage-dns FILE`: the resolv.conf whose name servers controllers may change (Linux); undefined, read-only. */
  manageDns?: string;
  /**
   * `--packet-counters on|off`: unicast/broadcast/multicast Stats counted with nftables netdev
   * hooks (Linux, OpenWrt); undefined, on where nft runs with CAP_NET_ADMIN.
   */
  packetCounters?: boolean;
  /** `--nat nftables|off`: Device.NAT. as the agent's own nftables table (Linux); undefined, on where nft runs with CAP_NET_ADMIN. */
  nat?: boolean;
  /** `--time chrony|off`: Device.Time. from chrony (Linux, platform/linux/time.ts); undefined or settings, on where chronyc answers. */
  time?: boolean | TimeSettings;
  /** `--wifi hostapd|off`: Device.WiFi. from hostapd_cli and iw (Linux, platform/linux/wifi.ts); undefined or settings, on where both are installed. */
  wifi?: boolean | WiFiSettings;
  /** `--dnsmasq on|off`: DNS relay and DHCPv4 server through the agent's own dnsmasq (Linux); undefined, on where dnsmasq is installed and the agent runs as root. */
  dnsmasq?: boolean;
  /** `--access-control nftables|off`: Device.Hosts.AccessControl. as the agent's own nftables table (Linux); undefined, on where nft runs with CAP_NET_ADMIN. */
  accessControl?: boolean;
  /** `--firewall nftables|off`: Device.Firewall. as the agent's own nftables table (Linux); undefined, on where nft runs with CAP_NET_ADMIN. */
  firewall?: boolean;
  /** `--mqtt-broker mosquitto|off`: Device.MQTT.Broker.{i}. through Mosquitto (Linux, OpenWrt); undefined or false, not served. */
  mqttBroker?: boolean;
  /** `--upnp-igd miniupnpd|off`: Device.UPnP.Device. through miniupnpd (Linux: the agent's own, default off; OpenWrt: the package's UCI, false not served). */
  upnpIgd?: boolean;
  /** `--dhcp-client udhcpc|off`: Device.DHCPv4.Client.{i}. through busybox udhcpc (Linux); undefined, off. */
  dhcpClient?: boolean;
  /** `--radvd on|off`: Device.RouterAdvertisement. through the agent's own radvd (Linux); undefined, on where radvd is installed and the agent runs as root. */
  radvd?: boolean;
  /** `--captive-portal|--bridge-filter|--qos on|off` (platform/service-switches.ts); undefined: each on where it can be put into effect. */
  services?: ServiceSwitches;
  /** Firmware on live platforms: the hook (`--firmware-hook`), staging directory, data directory for markers. */
  firmware?: LiveFirmwareOptions;
  /** Where OpenWrt's programs are (absolute ones such as /etc/init.d/firewall are looked up inside it); default PATH. */
  commandPath?: string;
}

/** What a started platform gives the agent beside its bindings. */
export interface PlatformParts {
  /** Device.Cellular. is served (by the platform or an add-on). */
  cellular?: boolean;
  /** Firmware:1 banks (Device.DeviceInfo.FirmwareImage.{i}), when the platform has them. */
  firmware?: FirmwareBackend;
  /** Device.WiFi.NeighboringWiFiDiagnostic()'s scan, where the platform has radios to scan with. */
  wifiScan?: WiFiScanner;
  /** Device.PacketCaptureDiagnostics()'s capturer (tcpdump, or the simulated gateway's synthetic one); none: the command is not served. */
  packetCapture?: PacketCapturer;
  /** Device.IP.Interface.N → kernel device for the IP diagnostics (default: the row's Name). */
  ipInterfaceDevice?: InterfaceDevice;
  /** Execution environments for Device.SoftwareModules.ExecEnv.{i} (platform/software/ExecutionEnvironment.ts), in row order. */
  executionEnvs?: ExecutionEnvironment[];
  /** Device.SelfTestDiagnostics()'s checks of the sources the platform binds (one cheap read each: ubus, /proc, mmcli). */
  selfTestChecks?: SelfTestCheck[];
  /** Device.DeviceInfo.DeviceImageFile.{i}.'s pictures when no `--device-image-dir` is given (the simulated gateway's own). */
  deviceImages?: DeviceImageSource;
  /** Device.DeviceInfo.VendorLogFile.{i}.'s platform logs (OpenWrt logread, the simulated syslog), after the integrator's `--vendor-log-file`s. */
  vendorLogs?: readonly VendorLogSource[];
  /**
   * Device.Cellular.AccessPoint.{i} kept by the platform itself (OpenWrt: UCI interfaces with
   * proto modemmanager), given the modems (called before the cellular add-on registers, the
   * modems asked only once it has). Returns RoamingEnabled and NetworkRequested as that
   * configuration holds them. Without it the add-on serves the APNs it knows (ModemManager's
   * bearers, which a Controller adds and deletes).
   */
  cellularAccessPoints?(modems: () => Promise<ModemInterface[]>): CellularHostSettings;
  /** Called once the agent's store is loaded (or the factory defaults applied): platform state kept there is put into effect (Linux NAT rules). */
  stateLoaded?(): Promise<void>;
  stop?(): void;
}

/** One `--platform` value. */
export interface PlatformEntry {
  readonly name: string;
  /** For `--platform auto`: entries with a detector are asked in registration order; the first that answers true is started. */
  detect?(): Awaitable<boolean>;
  start(model: DataModel, opts: PlatformOptions): Promise<PlatformParts>;
}

/** Something started beside some platforms when its source answers (ModemManager for Device.Cellular.). */
export interface PlatformAddOn {
  readonly name: string;
  /** The platforms it may run beside. */
  readonly platforms: readonly string[];
  /** Registers its bindings when its source is there; returns what it adds, or undefined when absent. */
  start(model: DataModel, opts: PlatformOptions, platform: PlatformParts): Promise<PlatformParts | undefined>;
}

/** The platforms and add-ons one agent can start from. */
export class PlatformRegistry {
  private readonly entries = new Map<string, PlatformEntry>();
  private readonly addOns: PlatformAddOn[] = [];

  constructor(private readonly fallback: string) {}

  /** Where each entry came from: absent for the built-in ones, the plugin's `--plugin FILE` for the others. */
  private readonly sources = new Map<string, string>();

  /** Adds a platform; a name given twice is a programming error. */
  add(entry: PlatformEntry): this {
    if (entry.name === 'auto' || this.entries.has(entry.name)) throw new Error(`platform ${entry.name} is registered twice`);
    this.entries.set(entry.name, entry);
    return this;
  }

  /**
   * Adds a platform a plugin brings (`source`: "--plugin FILE"). A name the registry already has
   * (a built-in platform, `auto`, another plugin's) fails the start with a message naming both.
   */
  addFromPlugin(entry: PlatformEntry, source: string): this {
    if (entry.name === 'auto' || this.entries.has(entry.name)) {
      const owner = this.sources.get(entry.name);
      const whose = owner ? `the platform ${owner} registers` : 'a built-in platform';
      throw new Error(`${source}: platform ${entry.name} clashes with ${whose}; give the plugin's platform another name`);
    }
    this.sources.set(entry.name, source);
    return this.add(entry);
  }

  addAddOn(addOn: PlatformAddOn): this {
    this.addOns.push(addOn);
    return this;
  }

  /** The `--platform` values: auto, then the entries in registration order. */
  names(): string[] {
    return ['auto', ...this.entries.keys()];
  }

  /** The entry `name` names (`auto`: the first detector that answers true, else the fallback). */
  async choose(name: string): Promise<PlatformEntry> {
    if (name === 'auto') {
      for (const e of this.entries.values()) if (e.detect && (await e.detect())) return e;
      name = this.fallback;
    }
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`--platform ${name}: no such platform; give one of ${this.names().join(', ')}, or load the --plugin that brings it`);
    return entry;
  }

  /** Starts `entry` and the add-ons that apply to it; their parts merged, later ones filling what earlier ones left out. */
  async start(model: DataModel, entry: PlatformEntry, opts: PlatformOptions): Promise<{ parts: PlatformParts; addOns: string[] }> {
    const parts = await entry.start(model, opts);
    const stops = [parts.stop];
    const started: string[] = [];
    try {
      for (const a of this.addOns) {
        if (!a.platforms.includes(entry.name)) continue;
        const more = await a.start(model, opts, parts);
        if (!more) continue;
        started.push(a.name);
        stops.push(more.stop);
        parts.cellular ||= more.cellular;
        parts.firmware ??= more.firmware;
        parts.wifiScan ??= more.wifiScan;
        parts.executionEnvs = [...(parts.executionEnvs ?? []), ...(more.executionEnvs ?? [])];
        parts.selfTestChecks = [...(parts.selfTestChecks ?? []), ...(more.selfTestChecks ?? [])];
        // Both put their stored state into effect, the platform's first.
        const [first, then] = [parts.stateLoaded, more.stateLoaded];
        if (then) parts.stateLoaded = first ? () => first().then(then) : then;
      }
    } catch (e) {
      stops.forEach((s) => s?.());
      throw e;
    }
    return { parts: { ...parts, stop: () => stops.forEach((s) => s?.()) }, addOns: started };
  }
}

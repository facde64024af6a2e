/**
 * The live OpenWrt platform (`--platform openwrt`): TR-181 Device:2 objects read from ubus
 * (procd, netifd, rpcd-mod-iwinfo, hostapd), written through UCI, with changes reported from
 * ubus events. Field-by-field mapping: docs/platform-mapping.md; per-object notes at the
 * top of each file here.
 *
 * | object                                   | source (one call each, cached for one Get) |
 * |------------------------------------------|--------------------------------------------|
 * | DeviceInfo., .MemoryStatus.              | `ubus call system board`, `system info`    |
 * | DeviceInfo.ProcessStatus.                | /proc/stat                                 |
 * | DeviceInfo.TemperatureStatus.            | /sys/class/thermal, /sys/class/hwmon (platform/linux/temperature-status.ts) |
 * | IoTCapability.{i}.                       | /sys/class/leds, thermal, hwmon, power_supply (platform/linux/iot-capabilities.ts) |
 * | Ethernet.Interface/Link (+Stats)         | `ubus call network.device status` + the ports' `config device` sections (`uci -q -X show network`) |
 * | IP.Interface (+IPv4/IPv6Address, Prefix) | `ubus call network.interface dump` + `uci -q -X show network` |
 * | IP. (IPv4/IPv6 switches, ULAPrefix)      | `uci -q -X show network` (globals)         |
 * | DNS.Client (+Server)                     | `ubus call network.interface dump` (same call) + `uci -q -X show network` (`dns` lists) |
 * | Routing.Router.1 (+IPv4Forwarding)       | `ubus call network.interface dump` (same call) |
 * | WiFi.Radio/SSID/AccessPoint (+Security)  | `ubus call network.wireless status` + `iwinfo info` per up BSS |
| WiFi.Radio capabilities                  | `iwinfo freqlist`, `iwinfo txpowerlist` per radio + /etc/board.json |
 * | WiFi.SSID.Stats, Radio.Stats             | `network.device status` of each BSS's netdev (a radio: their sum) |
 * | WiFi.AccessPoint.AssociatedDevice        | `ubus call iwinfo assoclist` per up BSS    |
 * | NAT.PortMapping, NAT.InterfaceSetting    | `uci -q -X show firewall`                  |
 * | Bridging.Bridge (+Port, VLAN, VLANPort)  | `uci -q -X show network` + `network.device status` (same call as Ethernet) |
 * | Bridging.Filter                          | the agent's store; its own nft `bridge` table (bridge-filter.ts); the DHCP-learnt criteria from the package's dhcp hotplug records (dhcp-class-hotplug.ts) |
 * | Cellular.AccessPoint (with ModemManager) | `uci -q -X show network` + the modems' paths (registerCellularAccessPoints) |
 * | DHCPv4.Server.Pool (+StaticAddress, Option) | `uci -q -X show dhcp` + `network.interface dump` (same call as IP) |
 * | DHCPv4.Server.Pool.Client                | dnsmasq's lease file (the dnsmasq section's `leasefile`) |
 * | DHCPv6.Server (+Pool, Client), DHCPv6.Client | odhcpd's `dhcp` sections + `ubus call dhcp ipv6leases`; `proto dhcpv6` interfaces + `odhcp6c.<dev> get_state` (dhcpv6.ts) |
 * | DNS.Relay (+Forwarding)                  | `uci -q -X show dhcp` (dnsmasq section) + `network.interface dump` |
 * | Hosts.Host (+IPv6Address)                | dnsmasq's lease file + /proc/net/arp + `ip -6 neigh show` + /sys/class/net/<bridge>/brforward |
 * | Time.                                    | `uci -q -X show system` + busybox ntpd's last event (the package's ntp hotplug script) |
 * | GatewayInfo.                             | `network.interface dump` + option 125 kept by the package's udhcpc hook (gateway-info.ts) |
 * | Hosts.AccessControl (+Schedule)          | the agent's store; written as UCI firewall rules `usp_ac_*` (access-control.ts) |
 * | Firewall.                                | `uci -q -X show firewall`: the wan zone's input/forward policies (firewall.ts) |
 * | Firewall.Level/Chain/Rule (Config Advanced) | the agent's store; fw4 include files in /etc/usp-agent and `usp_fwadv_*` include sections (firewall-advanced*.ts) |
 *
 * A source that fails (tool missing, ubus object absent, timeout) fails the objects that read
 * it with 7003 naming the command; every other object still reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createLogger, type Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { CommandRunner, findOnPath } from '../exec/CommandRunner.js';
import { registerBridging } from './bridging.js';
import { type CellularModems, registerCellularAccessPoints } from './cellular-apn.js';
import type { CellularUciSettings } from './cellular-settings.js';
import { registerDeviceInfo } from './device-info.js';
import { registerStagedFirmwareImages } from '../linux/firmware-boot-choice.js';
import type { StagedFirmware } from '../linux/firmware-staged.js';
import { registerDNS } from './dns.js';
import { registerDNSRelay } from './dns-relay.js';
import { DhcpState } from './DhcpState.js';
import { registerDHCPv4PoolOptions } from './dhcpv4-pool-options.js';
import { registerDHCPv4PoolTables } from './dhcpv4-pool-tables.js';
import { registerDHCPv4Relay } from './dhcpv4-relay.js';
import { registerDHCPv4Clients } from './dhcpv4-client.js';
import { registerDHCPv4Server } from './dhcpv4-server.js';
import { registerRouterAdvertisement } from './router-advertisement.js';
import { registerOpenWrtDHCPv6 } from './dhcpv6.js';
import { registerHosts } from './hosts.js';
import { type BridgeStack, registerEthernet } from './ethernet.js';
import { registerVlanTerminations } from './vlan-termination.js';
import { registerEthernetRmon } from './ethernet-rmon.js';
import { registerOpenWrtLldp } from './lldp.js';
import { registerOpenWrtDnsSd } from './dnssd.js';
import { registerUPnPDiscovery } from '../upnp/upnp-discovery-objects.js';
import { openWrtLanInterfaces } from './upnp-lan.js';
import { switchedOn, type ServiceSwitches } from '../service-switches.js';
import { registerOpenWrtCaptivePortal } from './captive-portal.js';
import { registerOpenWrtBridgeFilters } from './bridge-filter.js';
import { registerOpenWrtQos } from './qos.js';
import { registerOpenWrtVxlan } from './vxlan.js';
import { startEvents } from './events.js';
import { registerIP } from './ip.js';
import { registerIPGlobals } from './ip-config.js';
import { registerNAT } from './nat.js';
import { OpenWrtContext } from './OpenWrtContext.js';
import { registerRouting } from './routing.js';
import { registerTime } from './time.js';
import { registerFirewall } from './firewall.js';
import { OpenWrtAdvancedFirewall } from './firewall-advanced.js';
import { DEFAULT_FW4_INCLUDE_DIR } from './nat-all-interfaces.js';
import { UciWriter } from './uci.js';
import { registerWiFiAccessPoints } from './wifi-access-point.js';
import { registerWiFiEndPoints } from './wifi-endpoint.js';
import { registerWiFiRadios } from './wifi-radio.js';
import { registerWiFiStations } from './wifi-stations.js';
import { registerWiFiStats } from './wifi-stats.js';
import { registerWiFiWps } from './wifi-wps.js';
import { WiFiState } from './WiFiState.js';
import { openWrtWiFiScanner } from './wifi-scan.js';
import type { WiFiScanner } from '../diagnostics/wifi-scan.js';
import { findNft, PacketClassCounters, packetCountersUsable } from '../linux/packet-classes.js';
import { HostFiles } from '../linux/HostFiles.js';
import { registerTemperatureStatus } from '../linux/temperature-status.js';
import { registerHostIoTCapabilities } from '../linux/iot-capabilities.js';
import { registerHostLEDs } from '../linux/leds.js';
import { SysfsLedCycles } from '../linux/led-pattern-control.js';
import { registerOpenWrtMqttBroker } from './mqtt-broker.js';
import { registerOpenWrtUPnPDevice } from './upnp-device.js';
import { registerSysfsUsb } from '../usb/usb-sysfs.js';
import { openWrtUsbInterfaceEnable } from './usb-interface-enable.js';
import { registerOpenWrtGatewayInfo } from './gateway-info.js';
import type { DeviceStatusMap } from './ubus-types.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { AccessControlTables } from '../access-control/AccessControlTables.js';
import { UciAccessBackend } from './access-control.js';

export interface OpenWrtOptions {
  /** Directory holding `ubus` and `uci`; default: found on PATH. */
  commandPath?: string;
  /** How long one ubus answer serves further reads, ms (default 2000): the span of one Get. */
  cacheMs?: number;
  log?: Logger;
  /** Wall clock, ms since the epoch (default Date.now). */
  now?: () => number;
  /** First restart delay of an event listener that died, ms (default 1000). */
  listenerBackoffMs?: number;
  /** Where CPU times are read (default /proc/stat). */
  procStat?: string;
  /** dnsmasq's lease file (default: the dnsmasq section's `leasefile` option, else /tmp/dhcp.leases). */
  leaseFile?: string;
  /** The kernel's ARP table, for Hosts.Host.{i}.Active (default /proc/net/arp). */
  arpFile?: string;
  /** Where the kernel lists network devices: bridge port states and forwarding databases (default /sys/class/net). */
  sysNetDir?: string;
  /**
   * `--packet-counters`: Unicast/Broadcast/MulticastPacketsSent Stats counted with nftables netdev
   * hooks (platform/linux/packet-classes.ts). Undefined: on where `nft` is installed (fw4 brings
   * it) and the agent has CAP_NET_ADMIN; false: off, those Stats not served.
   */
  packetCounters?: boolean;
  /** The nftables table of those counters (default usp_agent_stats). */
  packetCountersTable?: string;
  /**
   * OpenWrt's board description, for the radios' antennas and widths (Radio.{i}.MaxBitRate).
   * Default /etc/board.json, or etc/board.json inside commandPath when that is given (a
   * stand-in userland, as absolute commands are looked up there).
   */
  boardFile?: string;
  /** Firmware banks (FirmwareImage.{i}), started by the caller: DeviceInfo then serves ActiveFirmwareImage/BootFirmwareImage. */
  firmware?: StagedFirmware;
  /** Where the package's ntp hotplug script keeps busybox ntpd's last event, for Device.Time.Status (default NTP_STATE_FILE). */
  ntpStateFile?: string;
  /** Where the package's udhcpc hook keeps each interface's DHCP option 125, for Device.GatewayInfo (default OPT125_STATE_DIR). */
  opt125StateDir?: string;
  /** The package's dhcp hotplug handler and its lease records, for the Bridging.Filter criteria learnt from DHCP (dhcp-class-hotplug.ts; defaults under commandPath when given). */
  dhcpClassHook?: string;
  dhcpClassDir?: string;
  /** Where the fw4 include files of the port mappings on all interfaces go (nat-all-interfaces.ts; default /etc/usp-agent, or etc/usp-agent inside commandPath when that is given). */
  fw4IncludeDir?: string;
  /** fw4's configuration file, whose modification time is Device.Firewall.LastChange (default /etc/config/firewall). */
  firewallConfigFile?: string;
  /** Where sysfs is mounted, for the temperature sensors and the IoT capabilities (LEDs, power supplies; default /sys). */
  sysRoot?: string;
  /** The agent's store: keeps the temperature sensors' settings, the disabled RMONStats rows, the Device.Hosts.AccessControl. rows (access-control.ts) and the Ethernet.Links a Controller added or deleted (ethernet-link.ts); without one the settings last until the agent stops and AccessControl is not served. */
  store?: DataStore;
  /** `--captive-portal off`, `--bridge-filter off`: Device.CaptivePortal., Device.Bridging.Filter. not served, their nftables tables never written (service-switches.ts). */
  services?: ServiceSwitches;
  /** `--mqtt-broker mosquitto` (UCI mqtt_broker): Device.MQTT.Broker.{i}. as Mosquittos the agent runs (mqtt-broker.ts), the rows in `store`. */
  mqttBroker?: boolean;
  /** `--upnp-igd` (UCI upnp_igd): off hides Device.UPnP.Device., otherwise the miniupnpd package's UCI where it is installed (upnp-device.ts). */
  upnpIgd?: boolean;
}

export interface OpenWrtPlatform {
  /** Stops the event listeners (their child processes). */
  stop(): void;
  /** Resolves once the event listeners run and their baselines are read; never rejects. */
  ready: Promise<void>;
  /** The command runner: `calls` counts external commands, for the bench. */
  runner: CommandRunner;
  /**
   * Serves Device.Cellular.AccessPoint.{i} from UCI (network interfaces with proto modemmanager),
   * writable; `modems` gives each modem's Cellular.Interface. For the composition root, once
   * ModemManager was found: the ModemManager platform then leaves that table out, and takes
   * RoamingEnabled and NetworkRequested from the settings returned (UCI allow_roaming, plmn).
   */
  registerCellularAccessPoints(modems: CellularModems): CellularUciSettings;
  /** Device.IP.Interface.N → its kernel device, for the IP diagnostics' Interface input. */
  ipInterfaceDevice(n: number): Promise<string | undefined>;
  /** Device.WiFi.NeighboringWiFiDiagnostic()'s scan: `ubus call iwinfo scan` per up radio. */
  wifiScan: WiFiScanner;
  /**
   * Called once the agent's store is loaded: the temperature sensors start polling under their saved
   * settings, and the firewall's `usp_ac_*` rules are brought in line with the stored AccessControl rows.
   */
  stateLoaded(): Promise<void>;
}

export const DEFAULT_CACHE_MS = 2000;

/** Registers the OpenWrt providers on `model` and starts listening for ubus events. */
export function registerOpenWrtPlatform(model: DataModel, opts: OpenWrtOptions = {}): OpenWrtPlatform {
  const log = opts.log ?? createLogger('info', 'openwrt');
  const runner = new CommandRunner({ commandPath: opts.commandPath, log });
  const ctx = new OpenWrtContext(model, runner, opts.cacheMs ?? DEFAULT_CACHE_MS, log, opts.now ?? Date.now);
  const uci = new UciWriter(ctx);
  if (opts.sysNetDir !== undefined) ctx.sysNetDir = opts.sysNetDir;
  const usable = packetCountersUsable(opts.packetCounters, findNft(runner));
  if (usable.usable) {
    // Chains of devices netifd no longer lists are dropped (the same cached call Ethernet reads).
    ctx.packetClasses = new PacketClassCounters({
      runner,
      cacheMs: ctx.cacheMs,
      table: opts.packetCountersTable,
      log,
      sysNetDir: ctx.sysNetDir,
      devices: async () => Object.keys(await ctx.ubus<DeviceStatusMap>('network.device', 'status')),
    });
  } else {
    log.info('unicast/broadcast/multicast packet counters not served (Stats.Unicast*, Broadcast*, MulticastPacketsSent, UnknownProtoPacketsReceived)', {
      why: usable.why ?? '',
      setting: '--packet-counters (UCI packet_counters)',
    });
  }
  registerDeviceInfo(ctx, opts.procStat, opts.firmware);
  registerTime(ctx, uci, opts.ntpStateFile);
  registerOpenWrtGatewayInfo(ctx, opts.opt125StateDir);
  const sysfs = new HostFiles({ sysRoot: opts.sysRoot });
  const temperatures = registerTemperatureStatus(model, sysfs, ctx.now, opts.store);
  // The board's LEDs, sensors and battery: the kernel's sysfs, shared with Linux (UCI `led` sections: docs/platform-mapping.md).
  const iot = registerHostIoTCapabilities(model, sysfs, ctx.now, opts.store);
  const ledCycles = new SysfsLedCycles(sysfs, ctx.now, opts.store, log);
  const hasLeds = registerHostLEDs(model, sysfs, ctx.now, ledCycles);
  registerSysfsUsb(model, sysfs, ctx.now, { packetClasses: ctx.packetClasses, ...openWrtUsbInterfaceEnable(ctx, uci) });
  if (opts.firmware) registerStagedFirmwareImages(model, opts.firmware);
  // Ethernet.Link of a bridge stacks on the Bridging management port, registered below.
  const bridgeStack: BridgeStack = {};
  const ethernet = registerEthernet(ctx, uci, bridgeStack, opts.store);
  registerEthernetRmon(ctx, ethernet, opts.store);
  registerOpenWrtLldp(ctx, ethernet, opts.commandPath);
  registerVlanTerminations(ctx, ethernet, uci);
  const ip = registerIP(ctx, ethernet, uci);
  registerIPGlobals(ctx, uci);
  registerDNS(ctx, ip, uci);
  registerRouting(ctx, ip);
  const fw4IncludeDir = opts.fw4IncludeDir ?? (opts.commandPath ? path.join(opts.commandPath, 'etc', 'usp-agent') : undefined);
  registerNAT(ctx, ip, uci, fw4IncludeDir);
  // Config Advanced: the Level/Chain/Rule rows in the store, loaded into fw4 by its includes (firewall-advanced.ts).
  const advancedFirewall = opts.store ? new OpenWrtAdvancedFirewall(ctx, uci, opts.store, ip, fw4IncludeDir ?? DEFAULT_FW4_INCLUDE_DIR) : undefined;
  advancedFirewall?.register();
  registerFirewall(ctx, uci, opts.firewallConfigFile, advancedFirewall);
  const dhcp = new DhcpState(ctx, uci, { leaseFile: opts.leaseFile, arpFile: opts.arpFile, sysNetDir: opts.sysNetDir });
  registerDHCPv4Server(dhcp, ip);
  registerRouterAdvertisement(dhcp, ip);
  const clients = registerDHCPv4PoolTables(dhcp);
  registerDHCPv4PoolOptions(dhcp);
  registerDHCPv4Relay(dhcp, ip);
  registerDHCPv4Clients(ctx, ip, uci);
  registerOpenWrtDHCPv6(dhcp, ip, uci);
  registerDNSRelay(dhcp, ip);
  registerHosts(dhcp, ip, clients, ethernet);
  const broker = registerOpenWrtMqttBroker(ctx, ip, { mqttBroker: opts.mqttBroker, store: opts.store });
  // Device.DNS.SD.: the agent's mDNS browser on the AdvertisedInterfaces (dnssd.ts).
  const dnsSd = opts.store ? registerOpenWrtDnsSd(ctx, opts.store, ip) : undefined;
  const stopUPnPDiscovery = registerUPnPDiscovery(model, () => openWrtLanInterfaces(ctx), ctx.now, log);
  registerOpenWrtUPnPDevice(ctx, uci, { upnpIgd: opts.upnpIgd, commandPath: opts.commandPath });
  // Device.CaptivePortal.: the agent's own nftables table beside fw4's, with its redirect responder (captive-portal.ts).
  const captive = opts.store && switchedOn(opts.services, 'captivePortal', log) ? registerOpenWrtCaptivePortal(ctx, opts.store) : undefined;
  // Device.QoS.: the Linux tc/nft implementation over netifd's interfaces (qos.ts).
  const qos = opts.store && switchedOn(opts.services, 'qos', log) ? registerOpenWrtQos(ctx, ip, opts.store) : undefined;
  // Device.VXLAN.: netifd `proto vxlan` sections usp_vxlan_<T>_<I> of the stored rows (vxlan.ts).
  const vxlan = opts.store ? registerOpenWrtVxlan(ctx, ip, uci, opts.store) : undefined;
  let access: AccessControlTables | undefined;
  if (opts.store) {
    access = new AccessControlTables(model, opts.store, new UciAccessBackend(ctx, uci), log);
    access.register();
  } else {
    log.info('Device.Hosts.AccessControl. not served', { why: 'no store to keep its rows' });
  }
  const wifi = new WiFiState(ctx, uci, opts.boardFile ?? (opts.commandPath ? path.join(opts.commandPath, 'etc', 'board.json') : undefined));
  const bridging = registerBridging(ctx, ethernet, wifi, uci, opts.sysNetDir);
  bridgeStack.managementPort = bridging.managementPort;
  // Device.Bridging.Filter.: the agent's own nftables bridge table, as on generic Linux (bridge-filter.ts).
  const bridgeFilters = opts.store && switchedOn(opts.services, 'bridgeFilter', log) ? registerOpenWrtBridgeFilters(ctx, bridging, opts.store, opts) : undefined;
  registerWiFiRadios(ctx, wifi, uci);
  registerWiFiAccessPoints(ctx, wifi);
  registerWiFiEndPoints(ctx, wifi);
  registerWiFiWps(ctx, wifi);
  const stations = registerWiFiStations(ctx, wifi);
  registerWiFiStats(ctx, wifi, () => ethernet.devices());
  const events = startEvents(ctx, wifi, stations, { backoffMs: opts.listenerBackoffMs });
  // A stop during the start (SIGTERM while the store loads) must not start a broker, sockets or
  // an nft table after it: each step of stateLoaded checks this first.
  let stopped = false;
  const unlessStopped = (step: () => Promise<void> | undefined): Promise<void> | undefined => (stopped ? undefined : step());
  return {
    stop: () => {
      stopped = true;
      events.stop();
      temperatures.stop();
      ctx.packetClasses?.stop();
      broker?.stop();
      dnsSd?.stop();
      stopUPnPDiscovery();
      captive?.stop();
      bridgeFilters?.stop();
      vxlan?.stop();
    },
    ready: events.ready.catch(() => undefined),
    runner,
    wifiScan: openWrtWiFiScanner(ctx, wifi),
    ipInterfaceDevice: (n) => ip.deviceOf(n),
    registerCellularAccessPoints: (modems) => registerCellularAccessPoints(ctx, uci, modems),
    // The stored sensor settings first, then the access control rows written to fw4.
    stateLoaded: () =>
      temperatures
        .stateLoaded()
        .then(() => iot.stateLoaded())
        .then(() => (hasLeds ? ledCycles.stateLoaded() : undefined))
        .then(() => unlessStopped(() => access?.start()))
        .then(() => unlessStopped(() => advancedFirewall?.start()))
        .then(() => unlessStopped(() => broker?.start()))
        .then(() => unlessStopped(() => dnsSd?.start()))
        .then(() => unlessStopped(() => captive?.start()))
        .then(() => unlessStopped(() => bridgeFilters?.start()))
        .then(() => unlessStopped(() => qos?.start()))
        .then(() => unlessStopped(() => vxlan?.start())),
  };
}

/** True on an OpenWrt system: /etc/openwrt_release exists and `ubus` is on PATH. */
export function detectOpenWrt(releaseFile = '/etc/openwrt_release', pathVar = process.env.PATH): boolean {
  return fs.existsSync(releaseFile) && findOnPath('ubus', pathVar) !== undefined;
}

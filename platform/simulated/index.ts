/**
 * The simulated platform (`--platform simulated`): a deterministic 5G fixed-wireless gateway
 * with tri-band Wi-Fi 6E, four LAN ports bridged with the SSIDs into br-lan, and an NR modem,
 * serving the TR-181 Device:2 objects a real provider would (DeviceInfo with TemperatureStatus,
 * Time, Ethernet with Link, WiFi, Cellular, IP with IPv4 and IPv6, Bridging, DHCPv4, Hosts, NAT,
 * Firewall, DNS, Routing, IoTCapability). Everything it reports is a pure function of the seed, the clock and
 * its configuration, so demos, tests and TP-469 runs are repeatable. Writable parameters are
 * validated, take effect in the simulation and persist in the agent's store.
 */
import { DataStore } from '../../datamodel/store/DataStore.js';
import type { ChangeFeed } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { registerBridging } from './bridging.js';
import { registerCellularAccessPoint } from './cellular-access-point.js';
import { registerCellular } from './cellular.js';
import { Churn } from './churn.js';
import { registerDeviceInfo, SIM_SOFTWARE_VERSION } from './device-info.js';
import { registerDHCPv4 } from './dhcpv4.js';
import { registerDHCPv4Relay } from './dhcpv4-relay.js';
import { registerMqttBroker } from './mqtt-broker.js';
import { registerDHCPv4Client } from './dhcpv4-client.js';
import { registerDHCPv6 } from './dhcpv6.js';
import { registerDNS } from './dns.js';
import { registerEthernetLinks } from './ethernet-link.js';
import { registerEthernetRmon } from './ethernet-rmon.js';
import { registerEthernet } from './ethernet.js';
import { registerFirewall } from './firewall.js';
import { registerFirmwareImages, SimulatedFirmware } from './firmware.js';
import { registerHosts } from './hosts.js';
import { registerAccessControl } from './access-control.js';
import { registerIPv6 } from './ip-ipv6.js';
import { registerIP } from './ip.js';
import { registerIoTCapabilitiesSim } from './iot-capabilities.js';
import { registerLEDsSim } from './leds.js';
import { registerUsbSim } from './usb.js';
import { registerNAT } from './nat.js';
import { registerProcesses } from './processes.js';
import { registerLocation } from './location.js';
import { registerLldp } from './lldp.js';
import { registerDnsSd } from './dnssd.js';
import { registerUPnPSim } from './upnp.js';
import { registerCaptivePortalSim } from './captive-portal.js';
import { registerRouting } from './routing.js';
import { registerIPv6ForwardingSim } from './routing-ipv6.js';
import { registerQoS } from './qos.js';
import { SimContext } from './SimContext.js';
import { registerTemperatureStatus } from './temperature.js';
import { registerTime } from './time.js';
import { registerWiFiAccessCategories } from './wifi-access-categories.js';
import { registerWiFiAccessPoints } from './wifi-access-point.js';
import { registerWiFiEndPoints } from './wifi-endpoint.js';
import { registerWiFiRadios } from './wifi-radio.js';
import { simulatedNeighbours } from './wifi-neighbours.js';
import type { WiFiScanner } from '../diagnostics/wifi-scan.js';
import { registerWiFiStations } from './wifi-stations.js';
import { registerWiFiStats } from './wifi-stats.js';
import { registerVlanTerminations } from './vlan-termination.js';
import { registerVxlanSim } from './vxlan.js';
import { registerIPv6NeighborAndRouter } from './ipv6-nd-ra.js';

export interface SimulatedOptions {
  /** Seed of every simulated identity and measurement; the same seed gives the same device. */
  seed?: number;
  /**
   * Unit number (a fleet's gateway number): the serial number (Device.DeviceInfo.SerialNumber)
   * and the MAC block are made from it instead of the seed, so distinct units never share them
   * (MACs: the first 1,048,576 units). Default: both drawn from the seed.
   */
  unit?: number;
  /** Wall clock in ms since the epoch (default Date.now); tests inject a fake one. */
  now?: () => number;
  /**
   * Where writable values and the writable tables (PortMapping, VLAN, VLANPort) persist: the
   * agent's DataStore, so they survive a restart with the same data directory. It may be
   * loaded after this call; the platform reads it only when asked. Default: in memory.
   */
  store?: DataStore;
  /** TR-106 vendor prefix ("X_EXAMPLE-COM_"): the modem then serves X_<VENDOR>_SINR, as ModemManager does. */
  vendorPrefix?: string;
}

export const DEFAULT_SEED = 1;

/**
 * The churn of a gateway whose churned tables (Wi-Fi stations, hosts, leases, IPv6 addresses,
 * routes) may not be built yet (DataModel.registerDeferred): when a look would report rows that
 * came or went (an ObjectCreation/ObjectDeletion Subscription may want them), or when such a
 * Subscription appears, it builds them first, so their rows are watched from then on even if
 * nobody ever read them.
 */
class DeferredChurn extends Churn {
  private readonly changes: ChangeFeed;

  constructor(
    ctx: SimContext,
    private readonly buildWatched: () => void,
  ) {
    super(ctx);
    this.changes = ctx.model.changes;
  }

  override poll(): void {
    if (this.changes.wantsObjectChanges()) this.buildWatched();
    super.poll();
  }

  /**
   * The moment a Subscription may want the news: the tables are built (and learn their rows)
   * now, as a gateway built at boot learns them, so a row that comes or goes before the next
   * poll is reported.
   */
  protected override wake(): void {
    if (this.changes.wantsObjectChanges()) this.buildWatched();
    super.wake();
  }
}

/**
 * Registers the simulated gateway's objects on `model`. The device "boots" now: UpTime,
 * LastChange and traffic counters start from this call. `stop()` ends the churn timer (the
 * only timer; it is unref'd, so it never keeps the process alive on its own).
 *
 * DeviceInfo, firmware, Time and Location are registered at once (Boot! and the agent's start
 * read them); the other areas are deferred groups (DataModel.registerDeferred): a gateway of a
 * fleet that replays the shared tree builds each one the first time something reads one of its
 * objects. Every value an area serves is a function of the seed, the unit, the boot time, the
 * clock and the store, so a group built late reads what it would have read built at boot.
 */
export function registerSimulatedPlatform(model: DataModel, opts: SimulatedOptions = {}): { stop(): void; firmware: SimulatedFirmware; wifiScan: WiFiScanner; stateLoaded(): Promise<void> } {
  const ctx = new SimContext(model, opts.seed ?? DEFAULT_SEED, opts.now ?? Date.now, opts.store ?? new DataStore(), opts.unit);
  // What waits for the agent's store (the access control rows in force since boot): a group built before it loaded queues here.
  let loaded = false;
  let waiting: Array<() => void> | undefined;
  const afterLoad = (f: () => void): void => (loaded ? f() : void (waiting ??= []).push(f));
  // Every group whose tables churn; the churn builds them before a look that may report rows.
  const buildWatched = (): void => {
    wifi();
    lan();
    lanServices();
  };
  const churn = new DeferredChurn(ctx, buildWatched);
  // The simulated device boots here: the boot loader picks the firmware bank to run.
  const firmware = new SimulatedFirmware(ctx, { factoryVersion: SIM_SOFTWARE_VERSION });
  registerDeviceInfo(ctx, firmware);
  registerProcesses(ctx);
  registerLocation(ctx);
  registerFirmwareImages(ctx, firmware);
  registerTime(ctx);
  // What each group makes, for the groups after it: set by the group's build, which each later
  // group's build asks for first (ensure), so a group built late finds what it needs.
  let ethernet: ReturnType<typeof registerEthernet> | undefined;
  let wifiState: { radios: ReturnType<typeof registerWiFiRadios>; bsses: ReturnType<typeof registerWiFiAccessPoints>; roster: ReturnType<typeof registerWiFiStations> } | undefined;
  let cellularState: { cellular: ReturnType<typeof registerCellular>; session: ReturnType<typeof registerCellularAccessPoint> } | undefined;
  let lanState: { ip: ReturnType<typeof registerIP>; lanV6: ReturnType<typeof registerIPv6> } | undefined;
  const ethernetGroup = model.registerDeferred('simulated Ethernet', () => {
    ethernet = registerEthernet(ctx);
    registerEthernetRmon(ctx, ethernet.ports);
  });
  const wifi = model.registerDeferred('simulated Wi-Fi', () => {
    const radios = registerWiFiRadios(ctx);
    const bsses = registerWiFiAccessPoints(ctx, radios);
    const roster = registerWiFiStations(ctx, bsses, churn);
    const wifiTraffic = registerWiFiStats(ctx, radios, bsses, roster);
    registerWiFiAccessCategories(ctx, bsses, roster, wifiTraffic);
    wifiState = { radios, bsses, roster };
  });
  model.registerDeferred('simulated Wi-Fi EndPoint', () => {
    wifi();
    registerWiFiEndPoints(ctx, wifiState!.radios);
  });
  const cellularGroup = model.registerDeferred('simulated Cellular', () => {
    ethernetGroup();
    const cellular = registerCellular(ctx, ethernet!.lanDownRate, opts.vendorPrefix);
    cellularState = { cellular, session: registerCellularAccessPoint(ctx, cellular.attached) };
  });
  const lan = model.registerDeferred('simulated LAN and IP', () => {
    ethernetGroup();
    wifi();
    cellularGroup();
    const { cellular, session } = cellularState!;
    // The LAN stack, bottom up: bridge, its Ethernet.Link, the IP interface on the Link.
    const bridge = registerBridging(ctx, ethernet!.ports, wifiState!.bsses, cellular.traffic);
    const links = registerEthernetLinks(ctx, bridge, ethernet!.ports, cellular.traffic);
    registerVlanTerminations(ctx, links);
    const ip = registerIP(ctx, { lanUp: links.lanUp, dataUp: session.up, wanTraffic: cellular.traffic });
    lanState = { ip, lanV6: registerIPv6(ctx, churn, { ip, session, lanMac: links.lanMac }) };
  });
  // RouterAdvertisement and NeighborDiscovery: nothing of them exists until something reads one.
  model.registerDeferred('simulated RouterAdvertisement and NeighborDiscovery', () => {
    lan();
    registerIPv6NeighborAndRouter(ctx, lanState!.ip);
  });
  model.registerDeferred('simulated TemperatureStatus', () => {
    wifi();
    cellularGroup();
    registerTemperatureStatus(ctx, { wifi6: wifiState!.radios.find((r) => r.def.band === '6GHz')!, trafficLabel: `${cellularState!.cellular.traffic.label}.uniRx` });
  });
  // The LAN's MQTT broker: nothing of it exists until something reads Device.MQTT.Broker.
  model.registerDeferred('simulated MQTT broker', () => registerMqttBroker(ctx));
  model.registerDeferred('simulated IoTCapability', () => registerIoTCapabilitiesSim(ctx));
  model.registerDeferred('simulated USB', () => registerUsbSim(ctx));
  model.registerDeferred('simulated LLDP', () => {
    ethernetGroup();
    registerLldp(ctx, ethernet!.ports);
  });
  model.registerDeferred('simulated DNS-SD', () => registerDnsSd(ctx));
  model.registerDeferred('simulated UPnP', () => registerUPnPSim(ctx));
  model.registerDeferred('simulated captive portal', () => registerCaptivePortalSim(ctx));
  model.registerDeferred('simulated VXLAN', () => registerVxlanSim(ctx));
  model.registerDeferred('simulated QoS', () => registerQoS(ctx));
  model.registerDeferred('simulated LEDs', () => {
    cellularGroup();
    registerLEDsSim(ctx, { attached: cellularState!.cellular.attached, sessionUp: cellularState!.session.up });
  });
  const lanServices = model.registerDeferred('simulated DHCP, Hosts, Firewall, NAT, DNS and Routing', () => {
    ethernetGroup();
    wifi();
    lan();
    const { ip, lanV6 } = lanState!;
    const dhcp = registerDHCPv4(ctx, churn, { ethernet: ethernet!.ports, roster: wifiState!.roster, bsses: wifiState!.bsses, ip });
    registerDHCPv4Relay(ctx, dhcp);
    registerDHCPv4Client(ctx, ip);
    registerDHCPv6(ctx, churn, { dhcp, lanV6, ip });
    registerHosts(ctx, churn, dhcp, lanV6);
    registerAccessControl(ctx, dhcp, afterLoad);
    const firewall = registerFirewall(ctx);
    registerNAT(ctx, ip, firewall);
    registerDNS(ctx, ip);
    registerRouting(ctx, churn, ip);
    registerIPv6ForwardingSim(ctx, churn, lanV6);
  });
  churn.start();
  // The scanner needs the radios: a gateway nobody scans builds no Wi-Fi for it.
  let scanner: WiFiScanner | undefined;
  const wifiScan: WiFiScanner = (signal) => {
    wifi();
    scanner ??= simulatedNeighbours(ctx.seed, wifiState!.radios, ctx.now);
    return scanner(signal);
  };
  const stateLoaded = (): Promise<void> => {
    loaded = true;
    for (const f of waiting?.splice(0) ?? []) f();
    return Promise.resolve();
  };
  return { stop: () => churn.stop(), firmware, wifiScan, stateLoaded };
}

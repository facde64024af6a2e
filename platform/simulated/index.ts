/**
 * The simulated platform (`--platform simulated`): a deterministic 5G fixed-wireless gateway
 * with tri-band Wi-Fi 6E, four LAN ports bridged with the SSIDs into br-lan, and an NR modem,
 * serving the TR-181 Device:2 objects a real provider would (DeviceInfo with TemperatureStatus,
 * Time, Ethernet with Link, WiFi, Cellular, IP with IPv4 and IPv6, Bridging, DHCPv4, Hosts, NAT,
 * Firewall, DNS, Routing). Everything it reports is a pure function of the seed, the clock and
 * its configuration, so demos, tests and TP-469 runs are repeatable. Writable parameters are
 * validated, take effect in the simulation and persist in the agent's store.
 */
import { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { registerBridging } from './bridging.js';
import { registerCellularAccessPoint } from './cellular-access-point.js';
import { registerCellular } from './cellular.js';
import { Churn } from './churn.js';
import { registerDeviceInfo, SIM_SOFTWARE_VERSION } from './device-info.js';
import { registerDHCPv4 } from './dhcpv4.js';
import { registerDNS } from './dns.js';
import { registerEthernetLinks } from './ethernet-link.js';
import { registerEthernet } from './ethernet.js';
import { registerFirewall } from './firewall.js';
import { registerFirmwareImages, SimulatedFirmware } from './firmware.js';
import { registerHosts } from './hosts.js';
import { registerIPv6 } from './ip-ipv6.js';
import { registerIP } from './ip.js';
import { registerNAT } from './nat.js';
import { registerProcesses } from './processes.js';
import { registerLocation } from './location.js';
import { registerRouting } from './routing.js';
import { SimContext } from './SimContext.js';
import { registerTemperatureStatus } from './temperature.js';
import { registerTime } from './time.js';
import { registerWiFiAccessCategories } from './wifi-access-categories.js';
import { registerWiFiAccessPoints } from './wifi-access-point.js';
import { registerWiFiRadios } from './wifi-radio.js';
import { simulatedNeighbours } from './wifi-neighbours.js';
import type { WiFiScanner } from '../diagnostics/wifi-scan.js';
import { registerWiFiStations } from './wifi-stations.js';
import { registerWiFiStats } from './wifi-stats.js';

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
 * Registers the simulated gateway's objects on `model`. The device "boots" now: UpTime,
 * LastChange and traffic counters start from this call. `stop()` ends the churn timer (the
 * only timer; it is unref'd, so it never keeps the process alive on its own).
 */
export function registerSimulatedPlatform(model: DataModel, opts: SimulatedOptions = {}): { stop(): void; firmware: SimulatedFirmware; wifiScan: WiFiScanner } {
  const ctx = new SimContext(model, opts.seed ?? DEFAULT_SEED, opts.now ?? Date.now, opts.store ?? new DataStore(), opts.unit);
  const churn = new Churn(ctx);
  // The simulated device boots here: the boot loader picks the firmware bank to run.
  const firmware = new SimulatedFirmware(ctx, { factoryVersion: SIM_SOFTWARE_VERSION });
  registerDeviceInfo(ctx, firmware);
  registerProcesses(ctx);
  registerLocation(ctx);
  registerFirmwareImages(ctx, firmware);
  registerTime(ctx);
  const ethernet = registerEthernet(ctx);
  const radios = registerWiFiRadios(ctx);
  const bsses = registerWiFiAccessPoints(ctx, radios);
  const roster = registerWiFiStations(ctx, bsses, churn);
  const wifiTraffic = registerWiFiStats(ctx, radios, bsses, roster);
  registerWiFiAccessCategories(ctx, bsses, roster, wifiTraffic);
  const cellular = registerCellular(ctx, ethernet.lanDownRate, opts.vendorPrefix);
  const session = registerCellularAccessPoint(ctx, cellular.attached);
  // The LAN stack, bottom up: bridge, its Ethernet.Link, the IP interface on the Link.
  const bridge = registerBridging(ctx, ethernet.ports, bsses, cellular.traffic);
  const links = registerEthernetLinks(ctx, bridge, ethernet.ports, cellular.traffic);
  const ip = registerIP(ctx, { lanUp: links.lanUp, dataUp: session.up, wanTraffic: cellular.traffic });
  const lanV6 = registerIPv6(ctx, churn, { ip, session, lanMac: links.lanMac });
  registerTemperatureStatus(ctx, { wifi6: radios.find((r) => r.def.band === '6GHz')!, trafficLabel: `${cellular.traffic.label}.uniRx` });
  const dhcp = registerDHCPv4(ctx, churn, { ethernet: ethernet.ports, roster, bsses, ip });
  registerHosts(ctx, churn, dhcp, lanV6);
  const firewall = registerFirewall(ctx);
  registerNAT(ctx, ip, firewall);
  registerDNS(ctx, ip);
  registerRouting(ctx, churn, ip);
  churn.start();
  return { stop: () => churn.stop(), firmware, wifiScan: simulatedNeighbours(ctx.seed, radios, ctx.now) };
}

/**
 * The generic Linux platform: a Linux host, VM or container described through the kernel's own
 * interfaces (/proc, /sys) and iproute2 (`ip -j`), with no distribution-specific daemon. Serves
 * Device.DeviceInfo. (+ MemoryStatus, ProcessStatus with Process.{i}, TemperatureStatus from
 * /sys/class/thermal and /sys/class/hwmon), Device.IoTCapability.{i}. (LEDs, sensors, batteries), Device.Ethernet.Interface.{i}.
 * and Device.Ethernet.Link.{i}. (+ Stats), Device.IP. (Interface, IPv4Address, IPv6Address) and
 * Device.Routing.Router.{i} (Router.1 the main table's routes, more added as tables of their own:
 * routers.ts) and RouteInformation (RA-learnt routes), Device.DNS.Client
 * (resolv.conf), Device.Hosts (`ip -j neigh`, dnsmasq's leases) and Device.Bridging.Bridge
 * (+ Port): the kernel's bridges. Device.WiFi. (Radio, SSID, AccessPoint, AssociatedDevice) is
 * read from hostapd_cli and iw (wifi.ts). Device.NAT. is the agent's own nftables table (nat.ts),
 * Device.DNS.Relay. and Device.DHCPv4.Server. a dnsmasq the agent runs (dnsmasq.ts),
 * Device.MQTT.Broker.{i}. a Mosquitto per row the agent runs when asked (mqtt-broker.ts).
 *
 * Writable parameters of IP.Interface, its addresses, Ethernet Interface/Link, static routes and bridges are written back
 * with `ip` (ip-write.ts), on the interfaces named by `manageInterfaces` only.
 *
 * Every object reads its source once per Get (its sysfs/procfs files directly; `ip -j addr`
 * once for all IP objects and one scan of /sys/class/net for the Ethernet rows, each reused for
 * `cacheMs`). One child runs in the background: `ip -o monitor link`, for the LastChange of
 * IP.Interface, Ethernet.Interface and Bridge Port (one watcher for the three).
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerDeviceInfo, type LinuxIdentity } from './device-info.js';
import { registerStagedFirmwareImages } from './firmware-boot-choice.js';
import type { StagedFirmware } from './firmware-staged.js';
import { registerEthernet } from './ethernet.js';
import { registerEthernetLinks } from './ethernet-link.js';
import { registerVlanTerminations } from './vlan-termination.js';
import { registerLinuxVxlan } from './vxlan.js';
import { registerEthernetRmon } from './ethernet-rmon.js';
import { EthernetDevices } from './EthernetDevices.js';
import { HostFiles, type HostRoots } from './HostFiles.js';
import { registerIP } from './ip.js';
import { LinkChanges } from './link-changes.js';
import { registerRouting } from './routing.js';
import { registerIPv6Forwarding } from './routing-ipv6.js';
import { LinuxRouters } from './routers.js';
import { interfaceRouterParam, registerRouters } from './router-objects.js';
import { registerRouteInformation } from './route-information.js';
import { registerBridging } from './bridging.js';
import { registerLinuxBridgeFilters } from './bridge-filter-wiring.js';
import { registerLinuxQos } from './qos-wiring.js';
import type { LinuxContext } from './LinuxContext.js';
import { CommandRunner } from '../exec/CommandRunner.js';
import { IpWriter, ManagedInterfaces } from './ip-write.js';
import { registerSystemStatus } from './system-status.js';
import { registerProcessTable } from './processes.js';
import { dnsSource, registerDnsClient } from './dns-client.js';
import { DnsServerRoutes } from './dns-server-route.js';
import { findNft, PacketClassCounters, packetCountersUsable } from './packet-classes.js';
import { ipInterfaceNames, LinuxNat, natUsable } from './nat.js';
import { registerLinuxNdRa } from './ipv6-nd-ra-wiring.js';
import { LinuxUla } from './ip-ula.js';
import { registerTemperatureStatus } from './temperature-status.js';
import { registerHostLEDs } from './leds.js';
import { SysfsLedCycles } from './led-pattern-control.js';
import { registerHostIoTCapabilities } from './iot-capabilities.js';
import { registerHostUsb } from './usb.js';
import { Chronyc } from './chrony.js';
import { DEFAULT_SOURCES_FILE } from './chrony-sources.js';
import { LinuxTime, timeUsable, type TimeSettings } from './time.js';
import { DEFAULT_LEASE_FILE, registerHosts } from './hosts.js';
import { LinuxDnsmasq } from './dnsmasq.js';
import { dnsmasqUsable } from './dnsmasq-process.js';
import { dhcpClassLearning } from './dhcp-class-learning.js';
import { LinuxMqttBroker, linkIpv4 } from './mqtt-broker.js';
import { brokerRunDir, mosquittoUsable } from './mosquitto-conf.js';
import type { Dhcpv4Clients } from './dhcpv4-clients.js';
import { registerGatewayInfo } from '../gateway-info.js';
import { LinuxDhcpv4Client } from './dhcpv4-client.js';
import { registerLinuxDhcpv6Client } from './dhcpv6-client-switch.js';
import { AccessControlTables } from '../access-control/AccessControlTables.js';
import { accessControlUsable, NftAccessBackend } from './access-control-nft.js';
import { firewallUsable, LinuxFirewall } from './firewall.js';
import { wifiUsable, registerWiFi, type WiFiSettings } from './wifi.js';
import { registerWpaSupplicantEndPoints } from './wifi-endpoint.js';
import { registerLinuxLldp } from './lldp.js';
import { registerUPnPDiscovery } from '../upnp/upnp-discovery-objects.js';
import { linuxLanInterfaces } from './upnp-lan.js';
import { switchedOn, type ServiceSwitches } from '../service-switches.js';
import { scheduleBookOf } from '../schedules/ScheduleBook.js';
import { registerLinuxDnsSd } from './dnssd.js';
import { registerLinuxCaptivePortal } from './captive-portal.js';
import { registerLinuxUPnPDevice } from './upnp-device.js';
import { miniupnpdUsable } from './miniupnpd-conf.js';
import { registerLinuxRip } from './rip-wiring.js';

export type { LinuxIdentity } from './device-info.js';

/** The TR-181 areas this platform can serve; another platform may own some of them. */
export type LinuxArea = 'DeviceInfo' | 'Ethernet' | 'IP' | 'WiFi';

export interface LinuxOptions extends HostRoots {
  /**
   * Where the LEDs, temperature sensors and power supplies are read (`/sys/class/leds`, thermal,
   * hwmon, power_supply; default sysRoot): a recorded tree in tests and offline profile builds.
   */
  deviceSysRoot?: string;
  /** Areas to serve (default all). */
  areas?: readonly LinuxArea[];
  /** Identity from factory data; wins over what DMI, cpuinfo and os-release say. */
  identity?: LinuxIdentity;
  /** Names of the Ethernet interfaces, instead of detecting them from sysfs. */
  ethernetInterfaces?: readonly string[];
  /** The writable file system reported as persistent storage (default "/"; "/overlay" on OpenWrt). */
  persistentPath?: string;
  /** Directory holding `ip` (default: found on PATH). Ignored when `runner` is given. */
  commandPath?: string;
  /** How long one `ip -j addr` result and one scan of /sys/class/net serve every IP and Ethernet object, ms (default 1000). */
  cacheMs?: number;
  /**
   * Interfaces whose configuration controllers may change (`--manage-interfaces`; `*` every
   * one). Default none: the platform reads the host's network and never changes it.
   */
  manageInterfaces?: readonly string[];
  /** `--manage-dns`: the resolv.conf served as Device.DNS.Client.Server and written (dns-client.ts); default /etc/resolv.conf, read-only. */
  manageDns?: string;
  /**
   * `--packet-counters`: count unicast/broadcast/multicast packets with nftables netdev hooks
   * (packet-classes.ts). Undefined: on where `nft` is installed and the agent has CAP_NET_ADMIN;
   * false: off (the agent leaves netfilter alone and those Stats are not served).
   */
  packetCounters?: boolean;
  /** The nftables table of those counters (default usp_agent_stats); tests running side by side give each agent its own. */
  packetCountersTable?: string;
  /**
   * `--nat nftables|off`: Device.NAT. (InterfaceSetting, PortMapping) as the agent's own nftables
   * table (nat.ts), kept in `store`. Undefined: on where `nft` is installed and the agent has
   * CAP_NET_ADMIN; false: not served, netfilter left alone.
   */
  nat?: boolean;
  /** The nftables table of the NAT rules (default usp_agent_nat); tests running side by side give each agent its own. */
  natTable?: string;
  /**
   * `--time chrony|off`: Device.Time. (+ Client.{i}) from chrony (time.ts), its sources kept in
   * `store` and written to one `sourcedir` file. Undefined or settings: on where chronyc answers;
   * false: not served.
   */
  time?: boolean | TimeSettings;
  /**
   * `--dnsmasq on|off`: Device.DNS.Relay. and Device.DHCPv4.Server. through a dnsmasq the agent
   * runs itself on a configuration file in the store's directory (dnsmasq.ts). Undefined: on
   * where `dnsmasqBinary` is installed and the agent runs as root; false: not served.
   */
  dnsmasq?: boolean;
  /** The dnsmasq program (default /usr/sbin/dnsmasq). */
  dnsmasqBinary?: string;
  /**
   * `--mqtt-broker mosquitto|off`: Device.MQTT.Broker.{i}. through a Mosquitto per enabled row
   * that the agent runs (mqtt-broker.ts), the rows kept in `store`. Default off.
   */
  mqttBroker?: boolean;
  /** `--upnp-igd miniupnpd|off`: Device.UPnP.Device. through a miniupnpd the agent runs (upnp-device.ts), its switches kept in `store`. Default off. */
  upnpIgd?: boolean;
  /** The miniupnpd program (default /usr/sbin/miniupnpd) and the nftables table of its mappings (default usp_agent_upnp). */
  miniupnpd?: { binary?: string; table?: string };
  /** The mosquitto program (default /usr/sbin/mosquitto). */
  mosquittoBinary?: string;
  /** Where the brokers' files go (default: a directory under /run for a root agent, else the data directory's mqtt-broker/). */
  mqttBrokerRunDir?: string;
  /**
   * `--access-control nftables|off`: Device.Hosts.AccessControl.{i}. as the agent's own nftables
   * table (access-control-nft.ts), kept in `store`. Undefined: on where `nft` is installed and the
   * agent has CAP_NET_ADMIN; false: not served, netfilter left alone.
   */
  accessControl?: boolean;
  /** The nftables table of the access control rules (default usp_agent_access); tests running side by side give each agent its own. */
  accessControlTable?: string;
  /**
   * `--firewall nftables|off`: Device.Firewall. (Enable, Config High/Low) as the agent's own
   * nftables table (firewall.ts), its setting kept in `store`. Undefined: on where `nft` is
   * installed and the agent has CAP_NET_ADMIN; false: not served, netfilter left alone.
   */
  firewall?: boolean;
  /** The nftables table of the firewall (default usp_agent_firewall); tests running side by side give each agent its own. */
  firewallTable?: string;
  /**
   * `--dhcp-client udhcpc|off`: Device.DHCPv4.Client.{i}. through a busybox udhcpc the agent runs
   * per enabled row (dhcpv4-client.ts), kept in `store`. Off unless set: on most hosts another
   * program (NetworkManager, systemd-networkd, ifupdown) owns DHCP.
   */
  dhcpClient?: boolean;
  /** `--radvd on|off`: Device.RouterAdvertisement. through a radvd the agent runs (router-advertisement.ts). Undefined: on where radvd is installed and the agent runs as root; false: not served, radvd never started. */
  radvd?: boolean;
  /** `--captive-portal|--bridge-filter|--qos off`: those objects not served, nothing written to nft or tc (service-switches.ts). */
  services?: ServiceSwitches;
  /** The busybox program for udhcpc (default `busybox` on PATH). */
  busyboxBinary?: string;
  /** dnsmasq's lease file, for Device.Hosts' host names and lease times (default: the agent's own dnsmasq's, else DEFAULT_LEASE_FILE; absent: none). */
  leaseFile?: string;
  /**
   * `--wifi hostapd|off`: Device.WiFi. (Radio, SSID, AccessPoint, AssociatedDevice) read from
   * hostapd's control interface and `iw` (wifi.ts). Undefined or settings: on where `iw` and
   * `hostapd_cli` are installed; false: not served.
   */
  wifi?: boolean | WiFiSettings;
  /** lldpd's control socket for Device.LLDP. (lldp.ts; default lldpcli's own); served where lldpcli is installed. */
  lldpSocket?: string;
  /** A runner shared with other platforms, so call counts and limits are common. */
  runner?: CommandRunner;
  /** Wall clock in ms since the epoch (default Date.now); tests inject a fake one. */
  now?: () => number;
  log?: Logger;
  /** Firmware banks (FirmwareImage.{i}) behind the firmware hook, started by the caller. */
  firmware?: StagedFirmware;
  /** The agent's store: keeps the DeviceInfo identity the factory defaults set (device-info.ts), the temperature sensors' settings, the disabled RMONStats rows and the Ethernet.Links a Controller added or deleted. */
  store?: DataStore;
}

export const DEFAULT_CACHE_MS = 1000;

/** Registers the Linux host's objects on `model`. `stop()` ends the one background child, the `ip monitor link` watcher (LastChange), the temperature poll timer, and removes the packet counters' nftables table (the NAT table stays: nat.ts) and the agent's dnsmasq. `stateLoaded()`, called once the agent's store is loaded, writes the stored NAT rows to the kernel, starts dnsmasq on the stored DNS relay and DHCP rows, and starts the temperature polls. */
export function registerLinuxPlatform(model: DataModel, opts: LinuxOptions = {}): { stop(): void; stateLoaded(): Promise<void> } {
  const now = opts.now ?? Date.now;
  const runner = opts.runner ?? new CommandRunner({ commandPath: opts.commandPath, log: opts.log, now });
  const ctx: LinuxContext = {
    model,
    files: new HostFiles(opts),
    now,
    runner,
    cacheMs: opts.cacheMs ?? DEFAULT_CACHE_MS,
    ip: new IpWriter(runner, new ManagedInterfaces(opts.manageInterfaces), opts.log),
    log: opts.log,
  };
  const stops: Array<() => void> = [];
  /** What runs once the agent's store is loaded (the NAT rules written from it). */
  const loaded: Array<() => Promise<void>> = [];
  const usable = packetCountersUsable(opts.packetCounters, findNft(runner));
  if (usable.usable) {
    const classes = new PacketClassCounters({
      runner,
      cacheMs: ctx.cacheMs,
      table: opts.packetCountersTable,
      log: opts.log,
      sysNetDir: ctx.files.sys('class', 'net'),
      devices: () => ctx.files.list(ctx.files.sys('class', 'net')),
    });
    ctx.packetClasses = classes;
    stops.push(() => classes.stop());
  } else {
    ctx.log?.info('unicast/broadcast/multicast packet counters not served (Stats.Unicast*, Broadcast*, MulticastPacketsSent, UnknownProtoPacketsReceived)', {
      why: usable.why,
      setting: '--packet-counters',
    });
  }
  const areas = new Set<LinuxArea>(opts.areas ?? ['DeviceInfo', 'Ethernet', 'IP', 'WiFi']);
  if (areas.has('DeviceInfo')) {
    const settings: TimeSettings = typeof opts.time === 'object' ? opts.time : {};
    // Without a store there is nowhere to keep the sources: chronyc is not even asked.
    const time = opts.store ? timeUsable(opts.time === false ? false : undefined, settings, runner.executable('chronyc')) : { usable: false, why: 'no store to keep its configuration' };
    if (time.usable && opts.store) {
      const chronyc = new Chronyc(runner, settings.chronySocket, ctx.cacheMs);
      const t = new LinuxTime({
        model,
        store: opts.store,
        chronyc,
        sourcesFile: settings.sourcesFile ?? DEFAULT_SOURCES_FILE,
        zoneFile: settings.zoneFile,
        localtimeFile: settings.localtimeFile,
        now,
        log: opts.log,
      });
      t.register();
      loaded.push(() => t.start());
    } else {
      ctx.log?.info('Device.Time. not served (Time:2, Client.{i})', { why: time.why, setting: '--time' });
    }
    const identity = registerDeviceInfo(ctx, opts.identity, opts.firmware, opts.store);
    if (opts.firmware) registerStagedFirmwareImages(model, opts.firmware);
    registerSystemStatus(ctx, opts.persistentPath ?? '/');
    registerProcessTable(model, ctx.files, now, ctx.cacheMs);
    // TemperatureStatus: the kernel's thermal zones and hwmon inputs, polled by the agent.
    const sensorFiles = opts.deviceSysRoot === undefined ? ctx.files : new HostFiles({ ...opts, sysRoot: opts.deviceSysRoot });
    const temperatures = registerTemperatureStatus(model, sensorFiles, now, opts.store);
    stops.push(() => temperatures.stop());
    loaded.push(() => temperatures.stateLoaded());
    // IoTCapability: the LEDs, temperature inputs and power supplies sysfs has.
    const iot = registerHostIoTCapabilities(model, sensorFiles, now, opts.store);
    loaded.push(() => iot.stateLoaded());
    const ledCycles = new SysfsLedCycles(sensorFiles, now, opts.store, opts.log);
    if (registerHostLEDs(model, sensorFiles, now, ledCycles)) loaded.push(() => ledCycles.stateLoaded());
    registerHostUsb(ctx, sensorFiles);
    ctx.log?.debug('linux identity', { ...identity });
  }
  // IP.Interface.LowerLayers names Ethernet.Link rows only when this platform serves them.
  const ethernet = areas.has('Ethernet') ? new EthernetDevices(ctx, opts.ethernetInterfaces, opts.store) : undefined;
  // One `ip monitor link` for every table that serves LastChange: they read the same netdevs.
  const changes = new LinkChanges(runner, now, opts.log);
  if (ethernet || areas.has('IP')) {
    changes.start();
    stops.push(() => changes.stop());
  }
  let vlans: { pathOf(dev: string): Promise<string | undefined> } | undefined;
  if (ethernet) {
    registerEthernet(ctx, ethernet, changes);
    registerEthernetLinks(ctx, ethernet, changes);
    registerEthernetRmon(ctx, ethernet, opts.store);
    // VLAN terminations are the agent's configuration: served only where it has a store to keep them in.
    if (opts.store) {
      const v = registerVlanTerminations(ctx, ethernet, changes, opts.store);
      loaded.push(() => v.stateLoaded());
      vlans = v;
    }
  }
  registerLinuxLldp(ctx, ethernet, { socket: opts.lldpSocket, commandPath: opts.commandPath });
  stops.push(registerUPnPDiscovery(model, () => linuxLanInterfaces(ctx.files), now, ctx.log));
  if (areas.has('IP')) {
    // ULAs are the agent's own configuration: served only where it has a store to keep them in.
    const ula = opts.store ? new LinuxUla(ctx, opts.store) : undefined;
    // An IP interface on a VLAN device stacks on its VLANTermination, the others on their Ethernet.Link.
    const v = vlans;
    // A VXLAN device stacks on its Device.VXLAN Interface (registered below, once IP is).
    let vxlan: { pathOf(dev: string): string | undefined } | undefined;
    const lower = ethernet ? { linkPath: async (name: string) => (await v?.pathOf(name)) ?? vxlan?.pathOf(name) ?? ethernet.linkPath(name) } : ethernet;
    const routers = new LinuxRouters(ctx, opts.store);
    const ip = registerIP(ctx, changes, lower, ula, opts.store, (ifs) => interfaceRouterParam(ctx, routers, ifs));
    if (ip.ipv4) loaded.push(() => ip.ipv4!.stateLoaded());
    if (opts.store) vxlan = registerLinuxVxlan(ctx, opts.store, { names: ipInterfaceNames(ip.interfaces, ip.links), links: ip.links }, changes, loaded, stops);
    if (ula) loaded.push(async () => ula.stateLoaded(new Set((await ip.links()).keys())));
    registerRouters(ctx, routers);
    if (opts.store) loaded.push(() => routers.start());
    registerRouting(ctx, ip.interfaces, opts.store, routers);
    registerIPv6Forwarding(ctx, ip.interfaces, opts.store, routers);
    registerRouteInformation(ctx, ip.interfaces, ip.links);
    const bridging = registerBridging(ctx, ip.links, changes, ethernet, opts.store);
    loaded.push(() => bridging.stateLoaded());
    // What the agent's own dnsmasq learns of the LAN clients' DHCP options, for the Filters' DHCP-derived criteria.
    const filtersOn = switchedOn(opts.services, 'bridgeFilter', ctx.log);
    const learnt = filtersOn ? dhcpClassLearning(opts.dnsmasq, opts.dnsmasqBinary, opts.store?.dir, ctx.log) : undefined;
    if (learnt) {
      loaded.push(() => learnt.learning.start());
      stops.push(() => learnt.learning.stop());
    }
    if (filtersOn) registerLinuxBridgeFilters(ctx, bridging, findNft(runner), opts.store, loaded, learnt?.learning);
    if (switchedOn(opts.services, 'qos', ctx.log)) registerLinuxQos(ctx, ipInterfaceNames(ip.interfaces, ip.links), opts.store, loaded);
    const nat = natUsable(opts.nat, findNft(runner));
    if (nat.usable && opts.store) {
      const n = new LinuxNat({ model, store: opts.store, runner, interfaces: ipInterfaceNames(ip.interfaces, ip.links), table: opts.natTable, now, log: opts.log });
      n.register();
      loaded.push(() => n.start());
      stops.push(() => n.stop());
    } else {
      ctx.log?.info('Device.NAT. not served (PortMapping, InterfaceSetting)', { why: nat.why ?? 'no store to keep its rows', setting: '--nat' });
    }
    if (opts.store) {
      registerLinuxDnsSd(ctx, opts.store, ipInterfaceNames(ip.interfaces, ip.links), loaded, stops);
      registerLinuxRip(ctx, opts.store, ipInterfaceNames(ip.interfaces, ip.links), loaded, stops);
      if (switchedOn(opts.services, 'captivePortal', ctx.log)) registerLinuxCaptivePortal(ctx, opts.store, findNft(runner), loaded, stops);
      const ndRa = registerLinuxNdRa(ctx, opts.store, ipInterfaceNames(ip.interfaces, ip.links), changes, opts.radvd);
      loaded.push(() => ndRa.stateLoaded());
      stops.push(() => ndRa.stop());
    }
    const owned = dnsmasqUsable(opts.dnsmasq, opts.dnsmasqBinary);
    let leaseFile = opts.leaseFile ?? DEFAULT_LEASE_FILE;
    let clients: Dhcpv4Clients | undefined;
    if (owned.usable && opts.store?.dir) {
      const d = new LinuxDnsmasq({
        model,
        store: opts.store,
        interfaces: ipInterfaceNames(ip.interfaces, ip.links),
        links: ip.links,
        dir: opts.store.dir,
        binary: opts.dnsmasqBinary,
        now,
        log: opts.log,
        neighbours: () => ctx.runner.json('ip', ['-j', '-6', 'neigh', 'show'], ctx.cacheMs),
        leaseScript: learnt?.script,
      });
      d.register();
      loaded.push(() => d.start());
      stops.push(() => d.stop());
      leaseFile = opts.leaseFile ?? d.files.leaseFile;
      clients = d.clients;
    } else {
      ctx.log?.info('Device.DNS.Relay. and Device.DHCPv4.Server. not served', { why: owned.why ?? 'no data directory to keep their rows and files in', setting: '--dnsmasq' });
    }
    const broker = mosquittoUsable(opts.mqttBroker, opts.mosquittoBinary);
    if (broker.usable && opts.store?.dir) {
      const b = new LinuxMqttBroker({
        model,
        store: opts.store,
        interfaces: ipInterfaceNames(ip.interfaces, ip.links),
        addressOf: linkIpv4(ip.links),
        dataDir: opts.store.dir,
        runDir: opts.mqttBrokerRunDir ?? brokerRunDir(opts.store.dir),
        binary: opts.mosquittoBinary,
        log: opts.log,
      });
      b.register();
      loaded.push(() => b.start());
      stops.push(() => b.stop());
    } else if (opts.mqttBroker === true) {
      ctx.log?.warn('Device.MQTT.Broker. not served', { why: broker.why ?? 'no data directory to keep its rows in', setting: '--mqtt-broker' });
    }
    const igd = miniupnpdUsable(opts.upnpIgd, opts.miniupnpd?.binary);
    if (igd.usable && opts.store?.dir) registerLinuxUPnPDevice(ctx, { ...opts.miniupnpd, links: ip.links, store: opts.store, dataDir: opts.store.dir }, loaded, stops);
    else if (opts.upnpIgd === true) ctx.log?.warn('Device.UPnP.Device. not served', { why: igd.why ?? 'no data directory to keep its files in', setting: '--upnp-igd' });
    if (opts.dhcpClient === true && opts.store?.dir) {
      const c = new LinuxDhcpv4Client({
        model,
        store: opts.store,
        interfaces: ipInterfaceNames(ip.interfaces, ip.links),
        managed: ctx.ip.managed,
        dir: opts.store.dir,
        binary: opts.busyboxBinary,
        now,
        log: opts.log,
        ipv4On: ip.ipv4 ? (device) => ip.ipv4!.effective(device) : undefined,
      });
      ip.ipv4?.followers.push(() => c.apply());
      c.register();
      // GatewayInfo:1 from option 125 of the Clients' leases (TR-111); only where the agent runs the DHCP client.
      registerGatewayInfo(model, () => c.gatewayOption());
      loaded.push(() => c.start());
      stops.push(() => c.stop());
      registerLinuxDhcpv6Client({ model, store: opts.store, interfaces: ipInterfaceNames(ip.interfaces, ip.links), managed: ctx.ip.managed, dir: opts.store.dir, log: opts.log }, loaded, stops);
    } else {
      ctx.log?.info('Device.DHCPv4.Client. not served', {
        why: opts.dhcpClient === true ? 'no data directory to keep its rows and files in' : 'off (--dhcp-client udhcpc switches it on)',
        setting: '--dhcp-client',
      });
    }
    const dns = dnsSource(ctx, opts.manageDns);
    ctx.log?.info('name servers served from', { file: dns.file, why: dns.why });
    const dnsRoutes = new DnsServerRoutes({ runner, ip: ctx.ip, interfaces: ipInterfaceNames(ip.interfaces, ip.links), links: ip.links, log: opts.log });
    const dnsClient = registerDnsClient(ctx, dns, dnsRoutes);
    loaded.push(() => dnsClient.start());
    // Hosts: the kernel's neighbours (`ip -j neigh`) with dnsmasq's leases.
    registerHosts(ctx, ip, leaseFile, clients);
    const access = accessControlUsable(opts.accessControl, findNft(runner));
    if (access.usable && opts.store) {
      const store = opts.store;
      // nft runs in the zone the Schedule windows count in (Device.Time.LocalTimeZone).
      const tables = new AccessControlTables(model, store, new NftAccessBackend(runner, opts.accessControlTable, opts.log, () => scheduleBookOf(model, store).commandEnv()), opts.log);
      tables.register();
      loaded.push(() => tables.start());
    } else {
      ctx.log?.info('Device.Hosts.AccessControl. not served', { why: access.why ?? 'no store to keep its rows', setting: '--access-control' });
    }
    const firewall = firewallUsable(opts.firewall, findNft(runner));
    if (firewall.usable && opts.store) {
      const fw = new LinuxFirewall({ model, store: opts.store, runner, files: ctx.files, interfaces: ipInterfaceNames(ip.interfaces, ip.links), table: opts.firewallTable, now, log: opts.log });
      fw.register();
      loaded.push(() => fw.start());
      stops.push(() => fw.stop());
    } else {
      ctx.log?.info('Device.Firewall. not served', { why: firewall.why ?? 'no store to keep its setting', setting: '--firewall' });
    }
  }
  if (areas.has('WiFi')) {
    const wifi = wifiUsable(opts.wifi, runner);
    if (wifi.usable) {
      const { start } = registerWiFi(ctx, { ...(typeof opts.wifi === 'object' ? opts.wifi : {}), store: opts.store });
      loaded.push(async () => start());
    } else ctx.log?.info('Device.WiFi. not served (Radio, SSID, AccessPoint)', { why: wifi.why, setting: '--wifi' });
    registerWpaSupplicantEndPoints(ctx, opts.wifi, opts.store);
  }
  return { stop: () => stops.forEach((s) => s()), stateLoaded: () => Promise.all(loaded.map((f) => f())).then(() => undefined) };
}

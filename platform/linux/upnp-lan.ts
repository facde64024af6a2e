/**
 * The LAN interfaces of a Linux host for the agent's SSDP browser (Device.UPnP.Discovery.): every
 * non-loopback device with an IPv4 address but the WAN ones, those carrying a default route (IPv4
 * or IPv6), as the captive portal and Ethernet.Interface.Upstream read WAN. A gateway that browsed
 * its WAN would list the ISP side's UPnP devices as its own LAN's, and join the SSDP group there.
 */
import type { MdnsInterface } from '../dnssd/mdns-browser.js';
import { ipv4Interfaces } from '../dnssd/mdns-interfaces.js';
import type { HostFiles } from './HostFiles.js';
import { defaultRouteInterfaces } from './proc-parsers.js';

/** The IPv4 interfaces without a default route, read from /proc/net/route and ipv6_route at each call. */
export async function linuxLanInterfaces(files: HostFiles, all: () => MdnsInterface[] = () => ipv4Interfaces(undefined)): Promise<MdnsInterface[]> {
  const [route, route6] = await Promise.all([files.read(files.proc('net', 'route')), files.read(files.proc('net', 'ipv6_route'))]);
  const wan = defaultRouteInterfaces(route, route6);
  return all().filter((i) => !wan.has(i.name));
}

/**
 * The LAN interfaces of an OpenWrt device for the agent's SSDP browser (Device.UPnP.Discovery.):
 * the kernel devices (netifd l3_device) of the networks fw4 puts in the firewall zone named `lan`,
 * the zone OpenWrt's default configuration gives the LAN. A device without a `lan` zone has no
 * interface to browse on (logged at each look): listening on its WAN is never the fallback.
 */
import type { MdnsInterface } from '../dnssd/mdns-browser.js';
import { ipv4Interfaces } from '../dnssd/mdns-interfaces.js';
import type { InterfaceDump } from './ubus-types.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { listOption, stringOption, type UciConfig } from './uci-show.js';

/** The netifd interface names in the `lan` zone(s) of `firewall`. */
export function lanZoneNetworks(firewall: UciConfig): string[] {
  return firewall.filter((s) => s.type === 'zone' && stringOption(s.options.name) === 'lan').flatMap((s) => listOption(s.options.network));
}

/** The kernel devices of `networks` in netifd's dump (l3_device, else device), each once. */
export function devicesOfNetworks(dump: InterfaceDump, networks: readonly string[]): string[] {
  const out = new Set<string>();
  for (const i of dump.interface ?? []) {
    if (!networks.includes(i.interface)) continue;
    const dev = i.l3_device ?? i.device;
    if (dev) out.add(dev);
  }
  return [...out];
}

/** The IPv4 interfaces of the lan zone, read from `uci show firewall` and `ubus call network.interface dump` at each call. */
export async function openWrtLanInterfaces(ctx: OpenWrtContext): Promise<MdnsInterface[]> {
  const [firewall, dump] = await Promise.all([ctx.uci('firewall'), ctx.ubus<InterfaceDump>('network.interface', 'dump')]);
  const networks = lanZoneNetworks(firewall);
  if (networks.length === 0) ctx.log.warn('UPnP discovery: no network in a firewall zone named lan; it listens nowhere');
  return ipv4Interfaces(devicesOfNetworks(dump, networks));
}

/**
 * Device.LLDP. on OpenWrt: the same lldpd and lldpcli as on Linux (OpenWrt's package `lldpd`),
 * read the same way (platform/lldp). A neighbour's local device is its Device.Ethernet.Interface
 * port when netifd lists it as one, else the Ethernet.Link over it (a bridge lldpd was told to
 * use, e.g. br-lan). Served where `lldpcli` is installed.
 */
import { registerLldpDiscovery } from '../lldp/lldp-discovery.js';
import { hostsOfModel } from '../lldp/lldp-hosts.js';
import { LldpcliNeighbours, lldpcliInstalled } from '../lldp/lldpcli-source.js';
import type { EthernetLinks } from './ethernet.js';
import type { OpenWrtContext } from './OpenWrtContext.js';

export function registerOpenWrtLldp(ctx: OpenWrtContext, ethernet: Pick<EthernetLinks, 'interfacePath' | 'linkPath'>, commandPath?: string): void {
  if (!lldpcliInstalled(commandPath)) {
    ctx.log.info('Device.LLDP. not served', { why: 'lldpcli is not installed (package lldpd)' });
    return;
  }
  const lldpcli = new LldpcliNeighbours(ctx.runner, { cacheMs: ctx.cacheMs, log: ctx.log });
  registerLldpDiscovery(ctx.model, {
    neighbours: () => lldpcli.neighbours(),
    interfacePath: async (name) => (await ethernet.interfacePath(name)) || ethernet.linkPath(name),
    hosts: hostsOfModel(ctx.model),
    now: ctx.now,
    cacheMs: ctx.cacheMs,
  });
}

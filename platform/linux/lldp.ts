/**
 * Device.LLDP. on Linux: lldpd's neighbours (platform/lldp), each on the Device.Ethernet.Interface
 * row of the netdev lldpd heard it on. Served where `lldpcli` is installed; otherwise not, and
 * the log says so once at start.
 */
import { registerLldpDiscovery } from '../lldp/lldp-discovery.js';
import { hostsOfModel } from '../lldp/lldp-hosts.js';
import { LldpcliNeighbours, lldpcliInstalled } from '../lldp/lldpcli-source.js';
import type { EthernetDevices } from './EthernetDevices.js';
import type { LinuxContext } from './LinuxContext.js';

export interface LinuxLldpOptions {
  /** lldpd's control socket (default lldpcli's own, /run/lldpd.socket). */
  socket?: string;
  /** Where the runner finds its tools (LinuxOptions.commandPath). */
  commandPath?: string;
}

export function registerLinuxLldp(ctx: LinuxContext, ethernet: EthernetDevices | undefined, opts: LinuxLldpOptions = {}): void {
  if (!lldpcliInstalled(opts.commandPath)) {
    ctx.log?.info('Device.LLDP. not served', { why: 'lldpcli is not installed (package lldpd)' });
    return;
  }
  const lldpcli = new LldpcliNeighbours(ctx.runner, { socket: opts.socket, cacheMs: ctx.cacheMs, log: ctx.log });
  registerLldpDiscovery(ctx.model, {
    neighbours: () => lldpcli.neighbours(),
    interfacePath: async (name) => (ethernet && (await ethernet.names()).includes(name) ? `Device.Ethernet.Interface.${ethernet.interfaces.numberOf(name)}` : ''),
    hosts: hostsOfModel(ctx.model),
    now: ctx.now,
    cacheMs: ctx.cacheMs,
  });
}

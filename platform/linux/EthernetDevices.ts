/**
 * The host's Ethernet devices (net-devices.ts) and their instance numbers in the two TR-181
 * tables built on them: Device.Ethernet.Interface.{i} (the port) and Device.Ethernet.Link.{i}
 * (the layer-2 link on it, what IP.Interface.LowerLayers names). On Linux both rows are the same
 * netdev, so one scan of /sys/class/net serves both tables and IP.Interface.LowerLayers for
 * cacheMs, as one `ip -j addr` serves the IP objects: a whole-tree Get scans once, not once per
 * table listing and per IP interface.
 *
 * Every scan numbers every device in both tables in ifindex order, so the numbers do not depend
 * on which object a Get happens to read first (an IP.Interface before the Ethernet tables).
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { LinuxContext } from './LinuxContext.js';
import { ethernetDevices } from './net-devices.js';

/** What IP.Interface needs of the Ethernet layer. */
export interface EthernetLinks {
  /** "Device.Ethernet.Link.N" (a reference value) of network device `name`, or "" when it has no Link row. */
  linkPath(name: string): Promise<string>;
}

export class EthernetDevices implements EthernetLinks {
  /** Device.Ethernet.Interface.{i}, by device name. */
  readonly interfaces = new InstanceMap();
  /** Device.Ethernet.Link.{i}, by device name (the name of the Interface it sits on). */
  readonly links = new InstanceMap();
  private last?: { at: number; names: Promise<readonly string[]> };

  /** `only` names the Ethernet devices instead of detecting them (LinuxOptions.ethernetInterfaces). */
  constructor(private readonly ctx: LinuxContext, private readonly only?: readonly string[]) {}

  /** Names of the Ethernet devices, in ifindex order; a scan younger than cacheMs is reused. */
  names(): Promise<readonly string[]> {
    const now = this.ctx.now();
    const last = this.last;
    // A clock that went back (a test, or the wall clock set back) makes the scan stale too.
    if (last && now >= last.at && now - last.at < this.ctx.cacheMs) return last.names;
    const names = ethernetDevices(this.ctx.files, this.only).then((devices) => {
      const found = devices.map((d) => d.name);
      this.interfaces.list(found);
      this.links.list(found);
      return found;
    });
    this.last = { at: now, names };
    return names;
  }

  async linkPath(name: string): Promise<string> {
    return (await this.names()).includes(name) ? `Device.Ethernet.Link.${this.links.numberOf(name)}` : '';
  }
}

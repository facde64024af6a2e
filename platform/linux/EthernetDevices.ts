/**
 * The host's Ethernet devices (net-devices.ts) and their instance numbers in the two TR-181
 * tables built on them: Device.Ethernet.Interface.{i} (the port) and Device.Ethernet.Link.{i}
 * (the layer-2 link on it, what IP.Interface.LowerLayers names). On Linux both rows are the same
 * netdev, so one scan of /sys/class/net serves both tables and IP.Interface.LowerLayers for
 * cacheMs, as one `ip -j addr` serves the IP objects: a whole-tree Get scans once, not once per
 * table listing and per IP interface.
 *
 * Every scan numbers every device in both tables in ifindex order, so the numbers do not depend
 * on which object a Get happens to read first (an IP.Interface before the Ethernet tables). Link
 * rows are the devices' own and those a Controller added or deleted (ethernet-link-rows.ts).
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { cachedSource, type CachedSource } from '../../datamodel/tree/binding-helpers.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { EthernetLinkRows } from '../ethernet-link-rows.js';
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
  /** Device.Ethernet.Link.{i}: one over each device unless a Controller deleted it, and those it added. */
  readonly links: EthernetLinkRows;
  private readonly scan: CachedSource<readonly string[]>;

  /** `only` names the Ethernet devices instead of detecting them (LinuxOptions.ethernetInterfaces); `store` keeps the Links a Controller added and deleted. */
  constructor(
    private readonly ctx: LinuxContext,
    only?: readonly string[],
    store?: DataStore,
  ) {
    this.links = new EthernetLinkRows(store);
    this.scan = cachedSource(
      async () => {
        const found = (await ethernetDevices(ctx.files, only)).map((d) => d.name);
        this.interfaces.list(found);
        this.links.rows(found);
        return found;
      },
      { maxAgeMs: ctx.cacheMs, now: ctx.now },
    );
  }

  /** Names of the Ethernet devices, in ifindex order; a scan younger than cacheMs is reused (a clock that went back makes it stale). */
  names(): Promise<readonly string[]> {
    return this.scan.read();
  }

  async linkPath(name: string): Promise<string> {
    const n = this.links.linkOf(name, await this.names());
    return n === undefined ? '' : `Device.Ethernet.Link.${n}`;
  }

  /** The device Link `n` names now (undefined: no such Link, or on no device). */
  async linkDevice(n: number): Promise<string | undefined> {
    return this.links.rows(await this.names()).find((r) => r.n === n)?.dev;
  }
}

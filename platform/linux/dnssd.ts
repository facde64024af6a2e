/**
 * Device.DNS.SD. on Linux: the agent's own mDNS browser (platform/dnssd), on the devices of the
 * AdvertisedInterfaces' IP.Interface rows. Needs the store (Enable and AdvertisedInterfaces are
 * kept there); no program to install.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { DnsSdDiscovery } from '../dnssd/dnssd-objects.js';
import { interfacesOfReferences } from '../dnssd/mdns-interfaces.js';
import { hostsOfModel } from '../lldp/lldp-hosts.js';
import type { LinuxContext } from './LinuxContext.js';
import type { IpInterfaceNames } from './nat.js';

/** Registers Device.DNS.SD.; its browser starts once the store is loaded (`loaded`) and stops with the platform (`stops`). */
export function registerLinuxDnsSd(ctx: LinuxContext, store: DataStore, names: IpInterfaceNames, loaded: Array<() => Promise<void>>, stops: Array<() => void>): void {
  const d = new DnsSdDiscovery({
    model: ctx.model,
    store,
    interfaces: (refs) => interfacesOfReferences(refs, (r) => names.nameOf(r)),
    hosts: hostsOfModel(ctx.model),
    now: ctx.now,
    log: ctx.log,
  });
  d.register();
  loaded.push(() => d.start());
  stops.push(() => d.stop());
}

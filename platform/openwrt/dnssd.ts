/**
 * Device.DNS.SD. on OpenWrt: the agent's own mDNS browser (platform/dnssd, shared with Linux), on
 * the netifd l3_device of each AdvertisedInterfaces row. It reads the LAN beside umdns or avahi if
 * either runs (the socket shares port 5353) and needs neither. Needs the store (Enable and
 * AdvertisedInterfaces are kept there).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { DnsSdDiscovery } from '../dnssd/dnssd-objects.js';
import { interfacesOfReferences } from '../dnssd/mdns-interfaces.js';
import { hostsOfModel } from '../lldp/lldp-hosts.js';
import type { IPInterfaces } from './ip.js';
import type { OpenWrtContext } from './OpenWrtContext.js';

const IP_INTERFACE = /^Device\.IP\.Interface\.(\d+)\.?$/;

/** Registers Device.DNS.SD.; returns what to start once the store is loaded and to stop at the end. */
export function registerOpenWrtDnsSd(ctx: OpenWrtContext, store: DataStore, ip: Pick<IPInterfaces, 'deviceOf'>): { start(): Promise<void>; stop(): void } {
  const d = new DnsSdDiscovery({
    model: ctx.model,
    store,
    interfaces: (refs) =>
      interfacesOfReferences(refs, async (r) => {
        const m = IP_INTERFACE.exec(r);
        return m ? ip.deviceOf(Number(m[1])) : undefined;
      }),
    hosts: hostsOfModel(ctx.model),
    now: ctx.now,
    log: ctx.log,
  });
  d.register();
  return d;
}

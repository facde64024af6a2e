/** Device.NeighborDiscovery. on the Linux platform: served where the agent has a store for its rows. */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { LinuxContext } from './LinuxContext.js';
import type { IpInterfaceNames } from './nat.js';
import { LinuxNeighborDiscovery } from './neighbor-discovery.js';

/** Registers the objects; returns what writes the stored rows once the store is loaded. */
export function registerLinuxNeighborDiscovery(ctx: LinuxContext, store: DataStore, interfaces: IpInterfaceNames): () => Promise<void> {
  const nd = new LinuxNeighborDiscovery({
    model: ctx.model,
    store,
    interfaces,
    requireManaged: (device, path) => ctx.ip.requireManaged(device, path),
    procRoot: ctx.files.procRoot,
    log: ctx.log,
  });
  nd.register();
  return () => nd.start();
}

/**
 * Device.NeighborDiscovery. and Device.RouterAdvertisement. on the Linux platform: served where
 * the agent has a store for their rows; RouterAdvertisement also needs radvd, root and a data
 * directory for radvd's file, and is not served with `--radvd off` (the system's own radvd
 * advertises; the agent never starts one).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { LinkChanges } from './link-changes.js';
import type { LinuxContext } from './LinuxContext.js';
import type { IpInterfaceNames } from './nat.js';
import { LinuxNeighborDiscovery } from './neighbor-discovery.js';
import { RADVD_BIN, radvdUsable } from './radvd-process.js';
import { LinuxRouterAdvertisement } from './router-advertisement.js';

/** Registers the objects; returns what runs once the store is loaded, and what ends radvd. */
export function registerLinuxNdRa(ctx: LinuxContext, store: DataStore, interfaces: IpInterfaceNames, links: LinkChanges, radvd?: boolean): { stateLoaded(): Promise<void>; stop(): void } {
  const requireManaged = (device: string, path?: string): void => ctx.ip.requireManaged(device, path);
  const nd = new LinuxNeighborDiscovery({ model: ctx.model, store, interfaces, requireManaged, procRoot: ctx.files.procRoot, log: ctx.log });
  nd.register();
  links.onLink((device, gone) => nd.linkChanged(device, gone));
  const usable = radvd === false ? { usable: false, why: 'off (--radvd off: the system advertises with its own radvd)' } : radvdUsable();
  let ra: LinuxRouterAdvertisement | undefined;
  if (usable.usable && store.dir) {
    ra = new LinuxRouterAdvertisement({ model: ctx.model, store, interfaces, requireManaged, dir: store.dir, binary: RADVD_BIN, log: ctx.log });
    ra.register();
  } else {
    ctx.log?.info('Device.RouterAdvertisement. not served', { why: usable.why ?? 'no data directory for its rows and radvd file' });
  }
  return {
    stateLoaded: async () => {
      await nd.start();
      await ra?.start();
    },
    stop: () => ra?.stop(),
  };
}

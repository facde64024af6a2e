/** The simulated gateway's Device.RouterAdvertisement. and Device.NeighborDiscovery., one deferred group. */
import type { IPState } from './ip.js';
import { registerNeighborDiscovery } from './neighbor-discovery.js';
import { registerRouterAdvertisement } from './router-advertisement.js';
import type { SimContext } from './SimContext.js';

export function registerIPv6NeighborAndRouter(ctx: SimContext, ip: IPState): void {
  registerRouterAdvertisement(ctx, ip);
  registerNeighborDiscovery(ctx, ip);
}

/**
 * Serves Device.Bridging.Filter.{i}. on Linux where it can be put into effect: nft installed,
 * CAP_NET_ADMIN held and a store to keep the rows in (bridge-filter.ts). Otherwise the table is
 * not served and Device.Bridging.MaxFilterEntries reads 0.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { bridgeFilterUsable, LinuxBridgeFilters, MAX_FILTERS } from './bridge-filter.js';
import type { BridgePortNames } from './bridging.js';
import type { DhcpClassSource } from './dhcp-class-learning.js';
import type { LinuxContext } from './LinuxContext.js';

export function registerLinuxBridgeFilters(
  ctx: LinuxContext,
  bridging: { names: BridgePortNames; limits: { filters: number } },
  nftPath: string | undefined,
  store: DataStore | undefined,
  loaded: Array<() => Promise<void>>,
  learnt?: DhcpClassSource,
): void {
  const usable = bridgeFilterUsable(nftPath);
  if (!usable.usable || !store) {
    ctx.log?.info('Device.Bridging.Filter. not served', { why: usable.why ?? 'no store to keep its rows' });
    return;
  }
  const filters = new LinuxBridgeFilters({
    model: ctx.model,
    store,
    runner: ctx.runner,
    names: bridging.names,
    vlanAware: async (name) => (await ctx.files.attr(ctx.files.sys('class', 'net', name, 'bridge', 'vlan_filtering'))) === '1',
    log: ctx.log,
    learnt,
  });
  filters.register();
  bridging.limits.filters = MAX_FILTERS;
  loaded.push(() => filters.start());
}

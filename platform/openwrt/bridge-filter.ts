/**
 * Device.Bridging.Filter.{i}. on OpenWrt (TR-181 BridgeFilter:1/2, BridgeL3L4Filter:1): the same
 * table, checks and nftables `bridge usp_agent_bridge_filter` table as on generic Linux
 * (platform/linux/bridge-filter*.ts), over OpenWrt's own Bridge and Port rows
 * (bridge-filter-ports.ts). The table stands beside fw4's: fw4 flushes and rewrites only
 * `inet fw4`, so a firewall reload leaves it in place. The kernel needs kmod-nft-bridge (the
 * `bridge` family of nftables), which firewall4 does not bring.
 *
 * A member port that shares a switch with another member of its bridge (DSA: lan1..lan4) is
 * refused (7012), and reads Error_Misconfigured once such a port joins later: the switch forwards
 * between them in hardware, and a Filter there would hold only for what the CPU bridges
 * (bridge-switch-ports.ts).
 *
 * The DHCP-derived criteria (Source/DestMACFrom*, DHCPType DHCPv4) are learnt from OpenWrt's
 * dnsmasq through the package's dhcp hotplug handler, where it is installed (dhcp-class-hotplug.ts).
 *
 * Served where nft runs with CAP_NET_ADMIN and a store keeps the rows, unless `--bridge-filter off`.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { bridgeFilterUsable, LinuxBridgeFilters, MAX_FILTERS } from '../linux/bridge-filter.js';
import { findNft } from '../linux/packet-classes.js';
import { openWrtFilterPorts } from './bridge-filter-ports.js';
import { type DhcpClassPaths, openWrtDhcpClasses } from './dhcp-class-hotplug.js';
import type { BridgingState } from './BridgingState.js';
import type { OpenWrtContext } from './OpenWrtContext.js';

/** Registers the Filter table where it can be put into effect; returns what writes the stored rows once the store is loaded, and what stops learning. */
export function registerOpenWrtBridgeFilters(
  ctx: OpenWrtContext,
  bridging: { state: BridgingState; limits: { filters: number } },
  store: DataStore,
  dhcpPaths: DhcpClassPaths = {},
): { start(): Promise<void>; stop(): void } | undefined {
  const usable = bridgeFilterUsable(findNft(ctx.runner));
  if (!usable.usable) {
    ctx.log.info('Device.Bridging.Filter. not served', { why: usable.why });
    return undefined;
  }
  const ports = openWrtFilterPorts(bridging.state, ctx.sysNetDir);
  const learnt = openWrtDhcpClasses(dhcpPaths, ctx.log);
  const filters = new LinuxBridgeFilters({
    model: ctx.model,
    store,
    runner: ctx.runner,
    names: ports.names,
    vlanAware: ports.vlanAware,
    unfilterable: ports.unfilterable,
    log: ctx.log,
    learnt: learnt?.source,
  });
  filters.register();
  bridging.limits.filters = MAX_FILTERS;
  return {
    // The records read first: the table written at start holds the learnt MAC sets.
    start: async () => {
      await learnt?.start();
      await filters.start();
    },
    stop: () => learnt?.stop(),
  };
}

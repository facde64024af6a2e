/**
 * Device.VXLAN.Filter.{i}. on OpenWrt (TR-181 VXLANAdv:1): the Linux Filter table and its
 * nftables table `inet usp_agent_vxlan_filter` (platform/linux/vxlan-filter*.ts), which stands
 * beside fw4's (fw4 rewrites only `inet fw4`). Its rules match the delivery packets of the
 * agent's netifd VXLAN interfaces by UDP port and VNI, as the stored rows configure them: OpenWrt
 * may have no `ip` to list the devices (ip-tiny is optional), and a rule of a device netifd has
 * not made yet matches nothing. The table is written again after every change of the sections.
 *
 * Served where nft runs with CAP_NET_ADMIN (firewall4 brings nft) and a store keeps the rows.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { VxlanRows } from '../vxlan-filter-rules.js';
import { endpointsOf } from '../vxlan-rules.js';
import { LinuxVxlanFilters } from '../linux/vxlan-filter.js';
import type { VxlanFilterTarget } from '../linux/vxlan-filter-nft.js';
import { nftUsable } from '../linux/nft-usable.js';
import { findNft } from '../linux/packet-classes.js';
import type { Row } from '../stored-table.js';
import type { OpenWrtContext } from './OpenWrtContext.js';

/** The delivery packets each enabled Interface's section sends: Tunnel, Interface, VNI, port, family. */
export function filterTargets(tunnels: ReadonlyArray<[number, Row]>, interfaces: (t: number) => ReadonlyArray<[number, Row]>): VxlanFilterTarget[] {
  const out: VxlanFilterTarget[] = [];
  for (const [t, tunnel] of tunnels) {
    if (tunnel.Enable !== true || endpointsOf(tunnel.RemoteEndpoints).length === 0) continue;
    for (const [i, iface] of interfaces(t)) {
      if (iface.Enable !== true) continue;
      out.push({ tunnel: t, iface: i, vni: Number(iface.VNI), port: Number(tunnel.RemotePort ?? 4789), ipv6: tunnel.DeliveryHeaderProtocol === 'IPv6' });
    }
  }
  return out;
}

/**
 * Serves the Filter table where nft can be used; returns the refresh to run after each writing
 * of the VXLAN sections (at start too), or undefined when not served.
 */
export function registerOpenWrtVxlanFilters(ctx: OpenWrtContext, store: DataStore, rows: VxlanRows, targets: () => VxlanFilterTarget[]): (() => Promise<void>) | undefined {
  const usable = nftUsable(findNft(ctx.runner));
  if (!usable.usable) {
    ctx.log.info('Device.VXLAN.Filter. not served', { why: usable.why });
    return undefined;
  }
  const filters = new LinuxVxlanFilters({ model: ctx.model, store, runner: ctx.runner, rows, targets: async () => targets(), log: ctx.log });
  filters.register();
  return () => filters.refresh();
}

/**
 * Device.DHCPv6. on OpenWrt: odhcpd's server (dhcpv6-server.ts) and the odhcp6c clients netifd
 * runs (dhcpv6-client.ts), registered in one call so the platform's wiring stays one line.
 */
import type { DhcpState } from './DhcpState.js';
import { registerOpenWrtDHCPv6Clients } from './dhcpv6-client.js';
import { registerOpenWrtDHCPv6Server } from './dhcpv6-server.js';
import type { IPInterfaces } from './ip.js';
import type { UciWriter } from './uci.js';

/** Serves Device.DHCPv6.Server. and Device.DHCPv6.Client.{i}. */
export function registerOpenWrtDHCPv6(dhcp: DhcpState, ip: IPInterfaces, uci: UciWriter): void {
  registerOpenWrtDHCPv6Server(dhcp, ip);
  registerOpenWrtDHCPv6Clients(dhcp.ctx, ip, uci);
}

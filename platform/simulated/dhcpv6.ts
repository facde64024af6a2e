/** Device.DHCPv6. of the simulated gateway: the LAN's server (dhcpv6-server.ts) and the WAN's client (dhcpv6-client.ts). */
import type { Churn } from './churn.js';
import { registerDHCPv6Client } from './dhcpv6-client.js';
import { type Dhcpv6ServerDeps, registerDHCPv6Server } from './dhcpv6-server.js';
import type { SimContext } from './SimContext.js';

export function registerDHCPv6(ctx: SimContext, churn: Churn, deps: Dhcpv6ServerDeps): void {
  registerDHCPv6Server(ctx, churn, deps);
  registerDHCPv6Client(ctx, deps.ip, deps.lanV6);
}

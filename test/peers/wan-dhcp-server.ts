/**
 * What the Linux DHCP client tests (Device.DHCPv4.Client, Device.DHCPv6.Client) share: an
 * upstream namespace on the router's wan0 running a real dnsmasq as the DHCP server, a device
 * the agent does not manage (no Client may run there), the IP.Interface row of a device, and
 * dhcpcd's own directories kept off the host's.
 */
import type { ChildProcess } from 'node:child_process';
import { getObjects } from './get-objects.js';
import { type NetNamespace, PeerNamespace, spawnDnsmasq } from './netns.js';
import type { TestController } from './TestController.js';

export interface WanDhcpServer {
  ns: PeerNamespace;
  server: ChildProcess;
}

/**
 * Namespace `name` joined to `router`'s wan0 (its end `srvp`, given `address`, an IPv4 `a/len`
 * or an IPv6 one added without DAD), running dnsmasq serving `srvp` only, its leases in
 * `leaseFile`; `args` say what it serves. The caller kills the server and removes the namespace.
 */
export function startWanDhcpServer(router: NetNamespace, name: string, o: { address: string; ipv6?: boolean; leaseFile: string; args: readonly string[] }): WanDhcpServer {
  const ns = PeerNamespace.beside(router, name, { inside: 'wan0', outside: 'srvp', ...(o.ipv6 ? {} : { address: o.address }) });
  if (o.ipv6) ns.ip('addr', 'add', o.address, 'dev', 'srvp', 'nodad');
  const server = spawnDnsmasq(ns, ['--no-resolv', '--no-hosts', '--port=0', '--interface=srvp', '--bind-interfaces', `--dhcp-leasefile=${o.leaseFile}`, ...o.args]);
  return { ns, server };
}

/** A veth `other0` in `router`, up, that the agent is not told to manage. */
export function addUnmanagedDevice(router: NetNamespace): void {
  router.ip('link', 'add', 'other0', 'type', 'veth', 'peer', 'name', 'other1');
  router.ip('link', 'set', 'other0', 'up');
}

/** The Device.IP.Interface row (no trailing dot) of kernel device `name`. */
export async function ipInterfaceOf(c: TestController, name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

/**
 * A shell prefix putting a tmpfs over dhcpcd's own directories (its DUID, leases, control
 * socket), in the mount namespace `ip netns exec` makes: the host's stay untouched.
 */
export const DHCPCD_PRIVATE_DIRS = 'mkdir -p /var/lib/dhcpcd /run/dhcpcd && mount -t tmpfs none /var/lib/dhcpcd && mount -t tmpfs none /run/dhcpcd';

/**
 * Device.Hosts. of the simulated gateway (TR-181 Hosts:3): the LAN devices the gateway knows,
 * connected now or holding a DHCP lease, with the same MAC and IP address as their lease, a
 * reference to their Wi-Fi association and, while connected, the IPv6 addresses the gateway's
 * neighbour cache holds for them: link-local, and a SLAAC address in each /64 br-lan advertises
 * (the delegated global one while the WAN has IPv6, the ULA one), each with the modified EUI-64
 * interface identifier of the host's MAC (RFC 4291 Appendix A; RFC 4862). A device keeps its instance number (one per MAC
 * address, the table's functional key) whenever it is listed.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Churn } from './churn.js';
import { LAN_INTERFACE } from './ip.js';
import type { DHCPv4State } from './dhcpv4.js';
import type { LanClient } from './lan-clients.js';
import type { LanIPv6 } from './ip-ipv6.js';
import { eui64, formatIPv6, LINK_LOCAL, parseIPv6Prefix, withInterfaceId } from './ipv6.js';
import { dateTime, nth, type SimContext } from './SimContext.js';

const HOST = 'Device.Hosts.Host.{i}.';

/** Serves Device.Hosts.Host.{i}., Host.{i}.IPv4Address.{i}. and Host.{i}.IPv6Address.{i}. */
export function registerHosts(ctx: SimContext, churn: Churn, dhcp: DHCPv4State, lanV6: LanIPv6): void {
  const { lan } = dhcp;
  const listed = (): number[] => lan.clients.filter((c) => lan.known(c)).map((c) => c.n);
  const host = (keys: InstanceKeys): LanClient => {
    const c = lan.byNumber(keys[0]);
    // The lease may have run out between list and get.
    if (!c || !lan.known(c)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such host: ${keys[0]}`);
    return c;
  };
  // Which DHCP pool leases are visible: the pool's Client table says (it is empty while the server is off).
  const clientTable = ctx.model.requireNode('Device.DHCPv4.Server.Pool.{i}.Client.{i}.');

  const node = ctx.model.register(HOST, {
    params: ['PhysAddress', 'IPAddress', 'DHCPClient', 'AssociatedDevice', 'Layer1Interface', 'Layer3Interface', 'InterfaceType', 'HostName', 'Active', 'ActiveLastChange'],
    list: () => listed(),
    get: async (keys) => {
      const c = host(keys);
      const p = lan.presence(c);
      const pool = dhcp.lanPool();
      const leases = pool === undefined ? [] : await ctx.model.listInstances(clientTable, [pool], {});
      return {
        PhysAddress: c.mac,
        IPAddress: lan.address(c),
        DHCPClient: leases.includes(c.n) ? `Device.DHCPv4.Server.Pool.${pool}.Client.${c.n}` : '',
        AssociatedDevice: p.associatedDevice,
        Layer1Interface: c.layer1,
        Layer3Interface: LAN_INTERFACE,
        InterfaceType: c.interfaceType,
        HostName: c.hostName,
        Active: p.active,
        ActiveLastChange: dateTime(p.activeChangedAt),
      };
    },
  });

  ctx.model.register(`${HOST}IPv4Address.{i}.`, {
    params: ['IPAddress'],
    list: (keys) => {
      host(keys);
      return [1];
    },
    get: (keys) => {
      const c = host(keys);
      nth([1], keys[1]);
      return { IPAddress: lan.address(c) };
    },
  });

  /**
   * A connected host's IPv6 addresses by instance number: 1 link-local, then one per SLAAC
   * prefix in br-lan's order (2 the global /64 while there is one, 3 the ULA /64), so each
   * address keeps its number while its prefix lasts.
   */
  const v6 = (c: LanClient): Map<number, string> => {
    const out = new Map<number, string>();
    if (!lan.presence(c).active) return out;
    const iid = eui64(c.mac);
    out.set(1, formatIPv6(withInterfaceId(LINK_LOCAL, iid)));
    for (const { prefix } of lanV6.slaacPrefixes()) {
      const p = parseIPv6Prefix(prefix);
      if (!p) continue;
      const ula = p.network >> 121n === 0x7en; // fc00::/7 (RFC 4193)
      out.set(ula ? 3 : 2, formatIPv6(withInterfaceId(p, iid)));
    }
    return out;
  };
  const v6Node = ctx.model.register(`${HOST}IPv6Address.{i}.`, {
    params: ['IPAddress'],
    list: (keys) => [...v6(host(keys)).keys()],
    get: (keys) => {
      const address = v6(host(keys)).get(keys[1]);
      if (address === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such IPv6 address: ${keys[1]}`);
      return { IPAddress: address };
    },
  });
  churn.watch(node, () => listed().map((n) => [n]));
  churn.watch(v6Node, () => listed().flatMap((n) => [...v6(host([n])).keys()].map((k) => [n, k])));
}

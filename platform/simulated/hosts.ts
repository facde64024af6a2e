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
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { Churn } from './churn.js';
import { LAN_INTERFACE } from './ip.js';
import type { DHCPv4State } from './dhcpv4.js';
import type { LanClient } from './lan-clients.js';
import type { LanIPv6 } from './ip-ipv6.js';
import { eui64, formatIPv6, LINK_LOCAL, parseIPv6Prefix, withInterfaceId } from './ipv6.js';
import { dateTime, nth, type SimContext } from './SimContext.js';

const HOST = 'Device.Hosts.Host.{i}.';

const HOST_PARAMS = ['PhysAddress', 'IPAddress', 'DHCPClient', 'AssociatedDevice', 'Layer1Interface', 'Layer3Interface', 'InterfaceType', 'HostName', 'Active', 'ActiveLastChange'] as const;
const ADDRESS_PARAMS = ['IPAddress'] as const;

/**
 * One gateway's Hosts table, over its LAN clients and DHCP leases. The bindings are thin classes
 * over it, one copy of their methods for every gateway of a fleet (issue 14).
 */
class Hosts {
  /** Which DHCP pool leases are visible: the pool's Client table says (it is empty while the server is off). */
  readonly clientTable: ModelNode;

  constructor(
    readonly ctx: SimContext,
    readonly dhcp: DHCPv4State,
    private readonly lanV6: LanIPv6,
  ) {
    this.clientTable = ctx.model.requireNode('Device.DHCPv4.Server.Pool.{i}.Client.{i}.');
  }

  listed(): number[] {
    const { lan } = this.dhcp;
    return lan.clients.filter((c) => lan.known(c)).map((c) => c.n);
  }

  host(keys: InstanceKeys): LanClient {
    const { lan } = this.dhcp;
    const c = lan.byNumber(keys[0]);
    // The lease may have run out between list and get.
    if (!c || !lan.known(c)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such host: ${keys[0]}`);
    return c;
  }

  /**
   * A connected host's IPv6 addresses by instance number: 1 link-local, then one per SLAAC
   * prefix in br-lan's order (2 the global /64 while there is one, 3 the ULA /64), so each
   * address keeps its number while its prefix lasts.
   */
  v6(c: LanClient): Map<number, string> {
    const out = new Map<number, string>();
    if (!this.dhcp.lan.presence(c).active) return out;
    const iid = eui64(c.mac);
    out.set(1, formatIPv6(withInterfaceId(LINK_LOCAL, iid)));
    for (const { prefix } of this.lanV6.slaacPrefixes()) {
      const p = parseIPv6Prefix(prefix);
      if (!p) continue;
      const ula = p.network >> 121n === 0x7en; // fc00::/7 (RFC 4193)
      out.set(ula ? 3 : 2, formatIPv6(withInterfaceId(p, iid)));
    }
    return out;
  }

  /** Every host row there is now, for Churn. */
  hostKeys(): InstanceKeys[] {
    return this.listed().map((n) => [n]);
  }

  /** Every host IPv6 address row there is now, for Churn. */
  v6Keys(): InstanceKeys[] {
    return this.listed().flatMap((n) => [...this.v6(this.host([n])).keys()].map((k) => [n, k]));
  }
}

/** Device.Hosts.Host.{i}. */
class HostBinding implements ObjectBinding {
  readonly params = HOST_PARAMS;

  constructor(private readonly hosts: Hosts) {}

  list(): number[] {
    return this.hosts.listed();
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const { ctx, dhcp, clientTable } = this.hosts;
    const { lan } = dhcp;
    const c = this.hosts.host(keys);
    const p = lan.presence(c);
    const pool = dhcp.poolOf(c);
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
  }
}

/** Device.Hosts.Host.{i}.IPv4Address.{i}.: the host's one address, its lease's. */
class HostIPv4Binding implements ObjectBinding {
  readonly params = ADDRESS_PARAMS;

  constructor(private readonly hosts: Hosts) {}

  list(keys: InstanceKeys): number[] {
    this.hosts.host(keys);
    return [1];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const c = this.hosts.host(keys);
    nth([1], keys[1]);
    return { IPAddress: this.hosts.dhcp.lan.address(c) };
  }
}

/** Device.Hosts.Host.{i}.IPv6Address.{i}.: what the gateway's neighbour cache holds for a connected host. */
class HostIPv6Binding implements ObjectBinding {
  readonly params = ADDRESS_PARAMS;

  constructor(private readonly hosts: Hosts) {}

  list(keys: InstanceKeys): number[] {
    return [...this.hosts.v6(this.hosts.host(keys)).keys()];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const address = this.hosts.v6(this.hosts.host(keys)).get(keys[1]);
    if (address === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such IPv6 address: ${keys[1]}`);
    return { IPAddress: address };
  }
}

/** Serves Device.Hosts.Host.{i}., Host.{i}.IPv4Address.{i}. and Host.{i}.IPv6Address.{i}. */
export function registerHosts(ctx: SimContext, churn: Churn, dhcp: DHCPv4State, lanV6: LanIPv6): void {
  const hosts = new Hosts(ctx, dhcp, lanV6);
  const node = ctx.model.register(HOST, new HostBinding(hosts));
  ctx.model.register(`${HOST}IPv4Address.{i}.`, new HostIPv4Binding(hosts));
  const v6Node = ctx.model.register(`${HOST}IPv6Address.{i}.`, new HostIPv6Binding(hosts));
  churn.watch(node, () => hosts.hostKeys());
  churn.watch(v6Node, () => hosts.v6Keys());
}

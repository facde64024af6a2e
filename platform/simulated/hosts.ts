/**
 * Device.Hosts. of the simulated gateway (TR-181 Hosts:2): the LAN devices the gateway knows,
 * connected now or holding a DHCP lease, with the same MAC and IP address as their lease and a
 * reference to their Wi-Fi association. A device keeps its instance number (one per MAC
 * address, the table's functional key) whenever it is listed.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Churn } from './churn.js';
import { LAN_INTERFACE } from './ip.js';
import type { LanClient, LanClients } from './lan-clients.js';
import { dateTime, nth, type SimContext } from './SimContext.js';

const HOST = 'Device.Hosts.Host.{i}.';

/** Serves Device.Hosts.Host.{i}. and Host.{i}.IPv4Address.{i}. */
export function registerHosts(ctx: SimContext, churn: Churn, lan: LanClients): void {
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
    params: ['PhysAddress', 'IPAddress', 'DHCPClient', 'AssociatedDevice', 'Layer1Interface', 'Layer3Interface', 'InterfaceType',
      'HostName', 'Active', 'ActiveLastChange'],
    list: () => listed(),
    get: async (keys) => {
      const c = host(keys);
      const p = lan.presence(c);
      const leases = await ctx.model.listInstances(clientTable, [1], {});
      return {
        PhysAddress: c.mac,
        IPAddress: lan.address(c),
        DHCPClient: leases.includes(c.n) ? `Device.DHCPv4.Server.Pool.1.Client.${c.n}` : '',
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
    list: (keys) => { host(keys); return [1]; },
    get: (keys) => {
      const c = host(keys);
      nth([1], keys[1]);
      return { IPAddress: lan.address(c) };
    },
  });
  churn.watch(node, () => listed().map((n) => [n]));
}

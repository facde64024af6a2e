/**
 * The configuration tables of a DHCPv4 pool on the simulated gateway (TR-181 DHCPv4Server:1):
 * Pool.{i}.Option.{i} (extra options the pool hands out, dnsmasq's dhcp-option) and
 * Pool.{i}.StaticAddress.{i} (fixed leases, dnsmasq's dhcp-host), both kept in the agent's store.
 * A static address is what a LAN client with that MAC address gets from the serving pool: its
 * lease, its Device.Hosts row and every other client's dynamic address follow.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { parseIPv4 } from './ipv4.js';
import { invalidParams } from './SimContext.js';

const OPTION = 'Device.DHCPv4.Server.Pool.{i}.Option.{i}.';
const STATIC = 'Device.DHCPv4.Server.Pool.{i}.StaticAddress.{i}.';
/** Rows of each table a pool holds. */
const MAX_OPTIONS = 32;
const MAX_STATIC_ADDRESSES = 64;
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/**
 * Options the pool sets from its own parameters (RFC 2132: 1 subnet mask, 3 routers, 6 DNS
 * servers, 15 domain name, 51 lease time) or the server itself (53 message type, 54 server id):
 * an Option row may not set them.
 */
const OWN_OPTIONS: Readonly<Record<number, string>> = {
  1: 'SubnetMask',
  3: 'IPRouters',
  6: 'DNSServers',
  15: 'DomainName',
  51: 'LeaseTime',
  53: 'the server',
  54: 'the server',
};

export interface PoolTables {
  /** The enabled static addresses of pool `p`: MAC address (lower case) → IPv4 address as a number. */
  statics(p: number): ReadonlyMap<string, number>;
}

/**
 * Registers Option.{i} and StaticAddress.{i} under every pool; `poolExists` refuses rows under
 * a pool that is not there, `inPoolSubnet` says whether an address fits pool `p`'s subnet.
 */
export function registerPoolTables(model: DataModel, store: DataStore, poolExists: (p: number) => void, inPoolSubnet: (p: number, address: number) => boolean): PoolTables {
  const optionNode = model.requireNode(OPTION);
  const staticNode = model.requireNode(STATIC);
  const full = (node: typeof optionNode, keys: InstanceKeys, max: number, what: string): void => {
    if (keys[keys.length - 1] === 0 && store.instances(node.tablePathOf(keys.slice(0, -1))).length >= max) {
      throw new UspError(ErrorCode.ResourcesExceeded, `a pool holds at most ${max} ${what}`);
    }
  };

  registerStored(model, store, OPTION, {
    params: ['Enable', 'Alias', 'Tag', 'Value'],
    validate: (keys, changes) => {
      poolExists(keys[0]);
      full(optionNode, keys, MAX_OPTIONS, 'options');
      const tag = changes.Tag;
      if (tag !== undefined && OWN_OPTIONS[Number(tag)]) {
        throw invalidParams([{ param: 'Tag', message: `option ${tag} comes from ${OWN_OPTIONS[Number(tag)]}; set that instead` }]);
      }
      if (keys[1] === 0 && tag === undefined) throw invalidParams([{ param: 'Tag', message: 'an Option row needs its Tag' }]);
    },
  });

  registerStored(model, store, STATIC, {
    params: ['Enable', 'Alias', 'Chaddr', 'Yiaddr'],
    validate: (keys, changes) => {
      poolExists(keys[0]);
      full(staticNode, keys, MAX_STATIC_ADDRESSES, 'static addresses');
      // One spelling of a MAC everywhere (the unique key compares strings).
      if (typeof changes.Chaddr === 'string') changes.Chaddr = changes.Chaddr.toLowerCase();
      const bad: Array<{ param: string; message: string }> = [];
      if (changes.Chaddr !== undefined && changes.Chaddr !== '' && !MAC_RE.test(String(changes.Chaddr))) {
        bad.push({ param: 'Chaddr', message: 'must be a MAC address (xx:xx:xx:xx:xx:xx)' });
      }
      const yiaddr = changes.Yiaddr;
      if (yiaddr !== undefined && yiaddr !== '') {
        const a = parseIPv4(String(yiaddr));
        if (a === undefined || !inPoolSubnet(keys[0], a)) bad.push({ param: 'Yiaddr', message: `must be an address of the pool's subnet` });
        else if (others(keys).some((row) => row.Yiaddr === yiaddr)) bad.push({ param: 'Yiaddr', message: `${yiaddr} is another static address of this pool` });
      }
      if (bad.length > 0) throw invalidParams(bad);
    },
  });
  const rows = (p: number): Array<[number, Readonly<Record<string, Value>>]> => store.instances(staticNode.tablePathOf([p])).map((n) => [n, store.row(staticNode.pathOf([p, n])) ?? {}]);
  const others = (keys: InstanceKeys): Array<Readonly<Record<string, Value>>> =>
    rows(keys[0])
      .filter(([n]) => n !== keys[1])
      .map(([, r]) => r);

  return {
    statics: (p) => {
      const out = new Map<string, number>();
      for (const [, row] of rows(p)) {
        const a = parseIPv4(String(row.Yiaddr ?? ''));
        if (row.Enable === true && a !== undefined && typeof row.Chaddr === 'string' && row.Chaddr !== '') out.set(row.Chaddr, a);
      }
      return out;
    },
  };
}

/**
 * The configuration tables of a DHCPv4 pool on the simulated gateway (TR-181 DHCPv4Server:1):
 * Pool.{i}.Option.{i} (extra options the pool hands out, dnsmasq's dhcp-option) and
 * Pool.{i}.StaticAddress.{i} (fixed leases, dnsmasq's dhcp-host), both kept in the agent's store.
 * A static address is what a LAN client with that MAC address gets from the serving pool: its
 * lease, its Device.Hosts row and every other client's dynamic address follow.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
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

/** What the tables need of the pools they sit under. */
export interface PoolChecks {
  /** 7016 unless pool `p` exists. */
  poolExists(p: number): void;
  /** Whether `address` fits pool `p`'s subnet. */
  inPoolSubnet(p: number, address: number): boolean;
}

const OPTION_PARAMS = ['Enable', 'Alias', 'Tag', 'Value'] as const;
const STATIC_PARAMS = ['Enable', 'Alias', 'Chaddr', 'Yiaddr'] as const;

/** The two tables of one gateway's pools; their hooks are methods, one copy for a whole fleet (issue 14). */
class StoredPoolTables implements PoolTables {
  readonly optionNode: ModelNode;
  readonly staticNode: ModelNode;

  constructor(
    readonly store: DataStore,
    model: DataModel,
    readonly pools: PoolChecks,
  ) {
    this.optionNode = model.requireNode(OPTION);
    this.staticNode = model.requireNode(STATIC);
  }

  /** 7005 when a row being added (instance 0) would exceed `max`. */
  full(node: ModelNode, keys: InstanceKeys, max: number, what: string): void {
    if (keys[keys.length - 1] === 0 && this.store.instances(node.tablePathOf(keys.slice(0, -1))).length >= max) {
      throw new UspError(ErrorCode.ResourcesExceeded, `a pool holds at most ${max} ${what}`);
    }
  }

  rows(p: number): Array<[number, Readonly<Record<string, Value>>]> {
    return this.store.instances(this.staticNode.tablePathOf([p])).map((n) => [n, this.store.row(this.staticNode.pathOf([p, n])) ?? {}]);
  }

  /** The static addresses of the pool of `keys` but its own. */
  others(keys: InstanceKeys): Array<Readonly<Record<string, Value>>> {
    return this.rows(keys[0])
      .filter(([n]) => n !== keys[1])
      .map(([, r]) => r);
  }

  statics(p: number): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const [, row] of this.rows(p)) {
      const a = parseIPv4(String(row.Yiaddr ?? ''));
      if (row.Enable === true && a !== undefined && typeof row.Chaddr === 'string' && row.Chaddr !== '') out.set(row.Chaddr, a);
    }
    return out;
  }
}

/** Pool.{i}.Option.{i}.: registerStored calls `validate` on this object. */
class OptionOptions implements StoredOptions {
  readonly params = OPTION_PARAMS;

  constructor(private readonly t: StoredPoolTables) {}

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.t.pools.poolExists(keys[0]);
    this.t.full(this.t.optionNode, keys, MAX_OPTIONS, 'options');
    const tag = changes.Tag;
    if (tag !== undefined && OWN_OPTIONS[Number(tag)]) {
      throw invalidParams([{ param: 'Tag', message: `option ${tag} comes from ${OWN_OPTIONS[Number(tag)]}; set that instead` }]);
    }
    if (keys[1] === 0 && tag === undefined) throw invalidParams([{ param: 'Tag', message: 'an Option row needs its Tag' }]);
  }
}

/** Pool.{i}.StaticAddress.{i}.: registerStored calls `validate` on this object. */
class StaticOptions implements StoredOptions {
  readonly params = STATIC_PARAMS;

  constructor(private readonly t: StoredPoolTables) {}

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.t.pools.poolExists(keys[0]);
    this.t.full(this.t.staticNode, keys, MAX_STATIC_ADDRESSES, 'static addresses');
    // One spelling of a MAC everywhere (the unique key compares strings).
    if (typeof changes.Chaddr === 'string') changes.Chaddr = changes.Chaddr.toLowerCase();
    const bad: Array<{ param: string; message: string }> = [];
    if (changes.Chaddr !== undefined && changes.Chaddr !== '' && !MAC_RE.test(String(changes.Chaddr))) {
      bad.push({ param: 'Chaddr', message: 'must be a MAC address (xx:xx:xx:xx:xx:xx)' });
    }
    const yiaddr = changes.Yiaddr;
    if (yiaddr !== undefined && yiaddr !== '') {
      const a = parseIPv4(String(yiaddr));
      if (a === undefined || !this.t.pools.inPoolSubnet(keys[0], a)) bad.push({ param: 'Yiaddr', message: `must be an address of the pool's subnet` });
      else if (this.t.others(keys).some((row) => row.Yiaddr === yiaddr)) bad.push({ param: 'Yiaddr', message: `${yiaddr} is another static address of this pool` });
    }
    if (bad.length > 0) throw invalidParams(bad);
  }
}

/**
 * Registers Option.{i} and StaticAddress.{i} under every pool; `pools` refuses rows under a
 * pool that is not there and says whether an address fits a pool's subnet.
 */
export function registerPoolTables(model: DataModel, store: DataStore, pools: PoolChecks): PoolTables {
  const tables = new StoredPoolTables(store, model, pools);
  registerStored(model, store, OPTION, new OptionOptions(tables));
  registerStored(model, store, STATIC, new StaticOptions(tables));
  return tables;
}

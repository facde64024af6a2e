/**
 * Device.DHCPv4.Server. of the simulated gateway (TR-181 DHCPv4Server:1, DHCPv4ServerClientInfo:1):
 * a pool on br-lan, as dnsmasq serves it on OpenWrt, and its leases; a Controller may add pools
 * (for br-lan, or for a LAN-side IP interface it added) and delete any. The pools' settings,
 * options and static addresses are writable and persisted; br-lan's clients lease from the
 * enabled br-lan pool of lowest Order (none: no leases). The leases are the LAN clients'
 * (lan-clients.ts), so they come and go with the clock and are reported through Churn.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import type { Churn } from './churn.js';
import type { EthernetPortState } from './ethernet.js';
import { LAN_INTERFACE, type IPState } from './ip.js';
import { inSubnet, isNetmask, parseIPv4 } from './ipv4.js';
import { registerPoolTables } from './dhcpv4-pool-tables.js';
import { FactoryTable } from './factory-table.js';
import { LanClients } from './lan-clients.js';
import { dateTime, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';
import type { StationRoster } from './wifi-stations.js';

/** Pools the server holds (br-lan's and those a Controller adds). */
const MAX_POOLS = 8;
/** Lease times the server accepts, seconds: two minutes to a week (dnsmasq's practical range). */
const LEASE_TIME_RANGE = [120, 604_800] as const;

const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const CLIENT = `${POOL}Client.{i}.`;

export interface LanDeps {
  ethernet: readonly EthernetPortState[];
  roster: StationRoster;
  bsses: readonly BssState[];
  ip: IPState;
}

/** What Device.Hosts needs of the DHCPv4 server. */
export interface DHCPv4State {
  lan: LanClients;
  /** The pool serving br-lan's clients now (enabled, on br-lan, lowest Order), or undefined. */
  lanPool(): number | undefined;
}

/** Serves the DHCPv4 server, its pools (br-lan's as shipped, more a Controller adds) and leases. */
export function registerDHCPv4(ctx: SimContext, churn: Churn, deps: LanDeps): DHCPv4State {
  const { model } = ctx;
  const server = new WritableRows(ctx, 'Device.DHCPv4.Server.', () => ({ Enable: true }));
  model.register('Device.DHCPv4.Server.', {
    params: ['Enable'],
    get: () => server.row([]),
    set: (keys, changes) => server.apply(keys, changes),
  });

  const pools = new FactoryTable(ctx, POOL, () => [1], MAX_POOLS);
  // A pool a Controller adds starts disabled and empty, with TR-181's default lease time.
  const pool = new WritableRows(ctx, POOL, (keys) =>
    pools.isFactory(keys)
      ? {
          Enable: true,
          Alias: 'cpe-lan',
          Order: 1,
          Interface: LAN_INTERFACE,
          MinAddress: '192.168.1.100',
          MaxAddress: '192.168.1.249',
          ReservedAddresses: '',
          SubnetMask: '255.255.255.0',
          DNSServers: '192.168.1.1',
          DomainName: 'lan',
          IPRouters: '192.168.1.1',
          LeaseTime: 43_200,
        }
      : {
          Enable: false,
          Alias: '',
          Order: keys[0],
          Interface: '',
          MinAddress: '',
          MaxAddress: '',
          ReservedAddresses: '',
          SubnetMask: '',
          DNSServers: '',
          DomainName: '',
          IPRouters: '',
          LeaseTime: 86_400,
        },
  );
  const one = (keys: InstanceKeys): InstanceKeys => {
    pools.check(keys.slice(0, 1));
    return keys;
  };
  const lanPool = (): number | undefined => {
    if (server.row([]).Enable !== true) return undefined;
    const serving = pools.list([]).filter((p) => pool.row([p]).Enable === true && pool.row([p]).Interface === LAN_INTERFACE);
    return serving.sort((a, b) => Number(pool.row([a]).Order) - Number(pool.row([b]).Order) || a - b)[0];
  };
  const tables = registerPoolTables(
    model,
    ctx.store,
    (p) => {
      pools.check([p]);
    },
    (p, address) => {
      const row = pool.row([p]);
      const lan = deps.ip.lan();
      // A pool on br-lan hands out br-lan's subnet; another one its own SubnetMask around MinAddress.
      const own = parseIPv4(row.Interface === LAN_INTERFACE ? lan.address : String(row.MinAddress));
      const mask = parseIPv4(row.Interface === LAN_INTERFACE ? lan.mask : String(row.SubnetMask));
      return own !== undefined && mask !== undefined && inSubnet(address, own, mask);
    },
  );
  const lan = new LanClients(ctx, deps.ethernet, deps.roster, deps.bsses, () => {
    // With no pool serving, the leases held still run out by the shipped pool's settings.
    const p = lanPool();
    const row = pool.row([p ?? 1]);
    return {
      min: parseIPv4(String(row.MinAddress)) ?? 0,
      max: parseIPv4(String(row.MaxAddress)) ?? -1,
      leaseTimeS: Number(row.LeaseTime),
      gateway: parseIPv4(deps.ip.lan().address) ?? 0,
      statics: p === undefined ? new Map() : tables.statics(p),
      reserved: new Set(listOf(row.ReservedAddresses).flatMap((a) => parseIPv4(a) ?? [])),
    };
  });

  const check = async (keys: InstanceKeys, changes: Record<string, Value>): Promise<void> => {
    canonicalizeReferences(changes, ['Interface']);
    const merged = { ...(keys[0] === 0 ? pool.row([0]) : pool.row(keys)), ...changes };
    validatePool(merged, changes);
    const ref = changes.Interface;
    const m = ref === undefined || ref === '' || ref === LAN_INTERFACE ? undefined : /^Device\.IP\.Interface\.(\d+)$/.exec(String(ref));
    // A pool serves a LAN-side interface: br-lan, or one a Controller added (not the WAN or loopback).
    if (
      ref !== undefined &&
      ref !== '' &&
      ref !== LAN_INTERFACE &&
      !(m && Number(m[1]) > 3 && (await model.listInstances(model.requireNode('Device.IP.Interface.{i}.'), [], {})).includes(Number(m[1])))
    ) {
      throw invalidParams([{ param: 'Interface', message: `a pool serves br-lan (${LAN_INTERFACE}) or a LAN-side IP interface a Controller added` }]);
    }
  };
  model.register(POOL, {
    params: ['Enable', 'Status', 'Alias', 'Order', 'Interface', 'MinAddress', 'MaxAddress', 'ReservedAddresses', 'SubnetMask', 'DNSServers', 'DomainName', 'IPRouters', 'LeaseTime'],
    list: () => pools.list([]),
    get: (keys) => {
      const row = pool.row(one(keys));
      const bad = row.Interface === LAN_INTERFACE ? misconfigured(row, deps.ip.lan()) : row.Interface === '' || parseIPv4(String(row.MinAddress)) === undefined;
      const status = server.row([]).Enable !== true || row.Enable !== true ? 'Disabled' : bad ? 'Error_Misconfigured' : 'Enabled';
      return { ...row, Status: status };
    },
    set: async (keys, changes) => {
      await check(one(keys), changes);
      pool.apply(keys, changes);
    },
    add: async (_parent, params) => {
      const values = { ...params };
      await check([0], values); // instance 0: not numbered yet, so a refused Add uses no number
      const n = pools.add([]);
      pool.apply([n], values);
      return n;
    },
    delete: (keys) => pools.delete(one(keys)),
    snapshot: (keys) => pools.snapshot(keys),
    restore: (keys, snap) => pools.restore(keys, snap),
  });

  const leased = (): number[] => (lanPool() !== undefined ? lan.clients.filter((c) => lan.presence(c).lease).map((c) => c.n) : []);
  const client = (keys: InstanceKeys) => {
    one(keys);
    const c = lan.byNumber(keys[1]);
    const lease = c && keys[0] === lanPool() ? lan.presence(c).lease : undefined;
    // The lease may have run out between list and get.
    if (!c || !lease) throw new UspError(ErrorCode.ObjectDoesNotExist, `no lease for client ${keys[1]}`);
    return { c, lease };
  };
  const clientNode = model.register(CLIENT, {
    params: ['Alias', 'Chaddr', 'Active'],
    list: ([p]) => {
      one([p]);
      return p === lanPool() ? leased() : [];
    },
    get: (keys) => {
      const { c } = client(keys);
      return { Alias: `cpe-${c.label}`, Chaddr: c.mac, Active: lan.presence(c).active };
    },
  });
  model.register(`${CLIENT}IPv4Address.{i}.`, {
    params: ['IPAddress', 'LeaseTimeRemaining'],
    list: (keys) => {
      client(keys);
      return [1];
    },
    get: (keys) => {
      const { c, lease } = client(keys);
      nth([1], keys[2]);
      // Despite its name, LeaseTimeRemaining is the dateTime at which the lease ends.
      return { IPAddress: lan.address(c), LeaseTimeRemaining: dateTime(lease.expiresAt) };
    },
  });
  // The options each client sent in its last request (RFC 2132): 12 its host name, 61 its
  // client identifier (hardware type 1, Ethernet, and its MAC address).
  const sent = (keys: InstanceKeys): Array<{ Tag: number; Value: string }> => {
    const { c } = client(keys);
    return [
      { Tag: 12, Value: Buffer.from(c.hostName, 'ascii').toString('hex') },
      { Tag: 61, Value: `01${c.mac.replace(/:/g, '')}` },
    ];
  };
  model.register(`${CLIENT}Option.{i}.`, {
    params: ['Tag', 'Value'],
    list: (keys) => sent(keys).map((_, i) => i + 1),
    get: (keys) => nth(sent(keys), keys[2]),
  });
  churn.watch(clientNode, () => {
    const p = lanPool();
    return p === undefined ? [] : leased().map((n) => [p, n]);
  });
  return { lan, lanPool };
}

/** The items of a TR-106 list value ("" is the empty list). */
function listOf(v: Value | undefined): string[] {
  return v === undefined || v === ''
    ? []
    : String(v)
        .split(',')
        .map((s) => s.trim());
}

/** Whether the pool does not fit the LAN interface's subnet (then it serves nothing useful). */
function misconfigured(row: Record<string, Value>, lan: { address: string; mask: string }): boolean {
  const own = parseIPv4(lan.address);
  const mask = parseIPv4(lan.mask);
  if (own === undefined || mask === undefined) return true;
  const inLan = (text: string) => {
    const a = parseIPv4(text);
    return a !== undefined && inSubnet(a, own, mask);
  };
  return !inLan(String(row.MinAddress)) || !inLan(String(row.MaxAddress)) || row.SubnetMask !== lan.mask;
}

/** Refuses (7012) settings a DHCP server cannot run with; `merged` is the row after the change. */
function validatePool(merged: Record<string, Value>, changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  const min = parseIPv4(String(merged.MinAddress));
  const max = parseIPv4(String(merged.MaxAddress));
  for (const [param, v] of [
    ['MinAddress', min],
    ['MaxAddress', max],
  ] as const) {
    if (changes[param] !== undefined && v === undefined) bad.push({ param, message: 'must be an IPv4 address' });
  }
  if (min !== undefined && max !== undefined && min > max && (changes.MinAddress !== undefined || changes.MaxAddress !== undefined)) {
    bad.push({ param: changes.MinAddress !== undefined ? 'MinAddress' : 'MaxAddress', message: `MinAddress ${merged.MinAddress} is above MaxAddress ${merged.MaxAddress}` });
  }
  const mask = changes.SubnetMask === undefined ? undefined : parseIPv4(String(changes.SubnetMask));
  if (changes.SubnetMask !== undefined && (mask === undefined || !isNetmask(mask))) bad.push({ param: 'SubnetMask', message: 'must be a contiguous netmask' });
  if (changes.ReservedAddresses !== undefined && listOf(changes.ReservedAddresses).some((a) => parseIPv4(a) === undefined)) {
    bad.push({ param: 'ReservedAddresses', message: 'must be a list of IPv4 addresses' });
  }
  const lease = changes.LeaseTime;
  if (lease !== undefined && (Number(lease) < LEASE_TIME_RANGE[0] || Number(lease) > LEASE_TIME_RANGE[1])) {
    bad.push({ param: 'LeaseTime', message: `this server leases for ${LEASE_TIME_RANGE[0]} s to ${LEASE_TIME_RANGE[1]} s (no infinite leases)` });
  }
  if (bad.length > 0) throw invalidParams(bad);
}

/**
 * Device.DHCPv4.Server. of the simulated gateway (TR-181 DHCPv4Server:1, DHCPv4ServerClientInfo:1):
 * one pool on br-lan, as dnsmasq serves it on OpenWrt, and its leases. The pool's settings are
 * writable and persisted; the leases are the LAN clients' (lan-clients.ts), so they come and go
 * with the clock and are reported through Churn.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import type { Churn } from './churn.js';
import type { EthernetPortState } from './ethernet.js';
import { LAN_INTERFACE, type IPState } from './ip.js';
import { inSubnet, isNetmask, parseIPv4 } from './ipv4.js';
import { LanClients } from './lan-clients.js';
import { dateTime, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import type { BssState } from './wifi-access-point.js';
import type { StationRoster } from './wifi-stations.js';

/** Lease times the server accepts, seconds: two minutes to a week (dnsmasq's practical range). */
const LEASE_TIME_RANGE = [120, 604_800] as const;

const POOL = 'Device.DHCPv4.Server.Pool.{i}.';
const CLIENT = `${POOL}Client.{i}.`;

export interface LanDeps { ethernet: readonly EthernetPortState[]; roster: StationRoster; bsses: readonly BssState[]; ip: IPState }

/** Serves the DHCPv4 server, its pool and leases; returns the LAN clients (for Device.Hosts). */
export function registerDHCPv4(ctx: SimContext, churn: Churn, deps: LanDeps): LanClients {
  const { model } = ctx;
  const server = new WritableRows(ctx, 'Device.DHCPv4.Server.', () => ({ Enable: true }));
  model.register('Device.DHCPv4.Server.', {
    params: ['Enable'],
    get: () => server.row([]),
    set: (keys, changes) => server.apply(keys, changes),
  });

  const pool = new WritableRows(ctx, POOL, () => ({
    Enable: true, Alias: 'cpe-lan', Order: 1, Interface: LAN_INTERFACE, MinAddress: '192.168.1.100', MaxAddress: '192.168.1.249',
    ReservedAddresses: '', SubnetMask: '255.255.255.0', DNSServers: '192.168.1.1', DomainName: 'lan', IPRouters: '192.168.1.1',
    LeaseTime: 43_200,
  }));
  const one = (keys: InstanceKeys): InstanceKeys => { nth([1], keys[0]); return keys; };
  const serving = (): boolean => server.row([]).Enable === true && pool.row([1]).Enable === true;
  const lan = new LanClients(ctx, deps.ethernet, deps.roster, deps.bsses, () => {
    const row = pool.row([1]);
    return {
      min: parseIPv4(String(row.MinAddress)) ?? 0, max: parseIPv4(String(row.MaxAddress)) ?? -1,
      leaseTimeS: Number(row.LeaseTime), gateway: parseIPv4(deps.ip.lan().address) ?? 0,
    };
  });

  model.register(POOL, {
    params: ['Enable', 'Status', 'Alias', 'Order', 'Interface', 'MinAddress', 'MaxAddress', 'ReservedAddresses', 'SubnetMask',
      'DNSServers', 'DomainName', 'IPRouters', 'LeaseTime'],
    list: () => [1],
    get: (keys) => {
      const row = pool.row(one(keys));
      const status = !serving() ? 'Disabled' : misconfigured(row, deps.ip.lan()) ? 'Error_Misconfigured' : 'Enabled';
      return { ...row, Status: status };
    },
    set: (keys, changes) => {
      one(keys);
      canonicalizeReferences(changes, ['Interface']);
      validatePool({ ...pool.row(keys), ...changes }, changes);
      pool.apply(keys, changes);
    },
  });

  const leased = (): number[] => (serving() ? lan.clients.filter((c) => lan.presence(c).lease).map((c) => c.n) : []);
  const client = (keys: InstanceKeys) => {
    one(keys);
    const c = lan.byNumber(keys[1]);
    const lease = c && serving() ? lan.presence(c).lease : undefined;
    // The lease may have run out between list and get.
    if (!c || !lease) throw new UspError(ErrorCode.ObjectDoesNotExist, `no lease for client ${keys[1]}`);
    return { c, lease };
  };
  const clientNode = model.register(CLIENT, {
    params: ['Alias', 'Chaddr', 'Active'],
    list: ([p]) => { one([p]); return leased(); },
    get: (keys) => {
      const { c } = client(keys);
      return { Alias: `cpe-${c.label}`, Chaddr: c.mac, Active: lan.presence(c).active };
    },
  });
  model.register(`${CLIENT}IPv4Address.{i}.`, {
    params: ['IPAddress', 'LeaseTimeRemaining'],
    list: (keys) => { client(keys); return [1]; },
    get: (keys) => {
      const { c, lease } = client(keys);
      nth([1], keys[2]);
      // Despite its name, LeaseTimeRemaining is the dateTime at which the lease ends.
      return { IPAddress: lan.address(c), LeaseTimeRemaining: dateTime(lease.expiresAt) };
    },
  });
  churn.watch(clientNode, () => leased().map((n) => [1, n]));
  return lan;
}

/** Whether the pool does not fit the LAN interface's subnet (then it serves nothing useful). */
function misconfigured(row: Record<string, Value>, lan: { address: string; mask: string }): boolean {
  const own = parseIPv4(lan.address);
  const mask = parseIPv4(lan.mask);
  if (own === undefined || mask === undefined) return true;
  const inLan = (text: string) => { const a = parseIPv4(text); return a !== undefined && inSubnet(a, own, mask); };
  return !inLan(String(row.MinAddress)) || !inLan(String(row.MaxAddress)) || row.SubnetMask !== lan.mask;
}

/** Refuses (7012) settings a DHCP server cannot run with; `merged` is the row after the change. */
function validatePool(merged: Record<string, Value>, changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  const min = parseIPv4(String(merged.MinAddress));
  const max = parseIPv4(String(merged.MaxAddress));
  for (const [param, v] of [['MinAddress', min], ['MaxAddress', max]] as const) {
    if (changes[param] !== undefined && v === undefined) bad.push({ param, message: 'must be an IPv4 address' });
  }
  if (min !== undefined && max !== undefined && min > max && (changes.MinAddress !== undefined || changes.MaxAddress !== undefined)) {
    bad.push({ param: changes.MinAddress !== undefined ? 'MinAddress' : 'MaxAddress', message: `MinAddress ${merged.MinAddress} is above MaxAddress ${merged.MaxAddress}` });
  }
  const mask = changes.SubnetMask === undefined ? undefined : parseIPv4(String(changes.SubnetMask));
  if (changes.SubnetMask !== undefined && (mask === undefined || !isNetmask(mask))) bad.push({ param: 'SubnetMask', message: 'must be a contiguous netmask' });
  const lease = changes.LeaseTime;
  if (lease !== undefined && (Number(lease) < LEASE_TIME_RANGE[0] || Number(lease) > LEASE_TIME_RANGE[1])) {
    bad.push({ param: 'LeaseTime', message: `this server leases for ${LEASE_TIME_RANGE[0]} s to ${LEASE_TIME_RANGE[1]} s (no infinite leases)` });
  }
  if (changes.Interface !== undefined && changes.Interface !== LAN_INTERFACE) {
    bad.push({ param: 'Interface', message: `the pool serves br-lan (${LAN_INTERFACE}) only` });
  }
  if (bad.length > 0) throw invalidParams(bad);
}

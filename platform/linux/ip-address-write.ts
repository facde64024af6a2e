/**
 * Write-back of Device.IP.Interface.{i}. and its IPv4Address/IPv6Address tables (TR-181
 * IPInterface:1/2, IPv4Address:1, IPv6Address:1) through `ip link set` and `ip addr add/del`:
 * the binding methods ip.ts registers. Each method is one change inside a Set/Add/Delete
 * transaction; the transaction undoes it (set back to the old values, delete what an Add
 * created, re-add what a Delete removed) when a later change of the same message fails.
 *
 * A Linux address exists only while it is configured: an IPv4 row's Enable false removes the
 * address from the kernel and keeps the row in the agent (ip-address-parked.ts) until Enable true
 * adds it again. IPv6 rows cannot be switched off that way (the kernel would make SLAAC and
 * link-local ones again on its own): a controller Deletes them (Enable false: 7002). An IPv6
 * address is added as a /64 (the IPv6Prefix table that would give its prefix is not served).
 *
 * While an interface's IPv4 is switched off (ip-ipv4-switch.ts) its IPv4 rows cannot be added
 * or changed (7012: the kernel must hold no IPv4 address there); a Delete of a row the switch
 * keeps aside forgets it, so it is not put back.
 */
import { isIPv4 } from 'node:net';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { IpAddrInfo, IpLink } from './ip-addr.js';
import type { ParkedAddresses } from './ip-address-parked.js';
import type { IpWriter } from './ip-write.js';
import type { LinuxIpv4Switches } from './ip-ipv4-switch.js';

/** The prefix length an IPv6 address gets when added (no IPv6Prefix row to say otherwise). */
export const IPV6_ADDED_PREFIX = 64;

/** What the address bindings need of ip.ts: names and numbers, and the current addresses. */
export interface AddressTables {
  ip: IpWriter;
  /** Interface name of IP.Interface.{keys[0]} (7016 when it never existed). */
  ifname(keys: InstanceKeys): string;
  /** The address behind IPvNAddress.{keys[1]} on its interface (7016 when gone); `enabled` false for a parked IPv4 row. */
  address(keys: InstanceKeys, family: 'inet' | 'inet6'): Promise<{ link: IpLink; addr: IpAddrInfo; enabled: boolean; held?: boolean }>;
  /** The IPv4 rows switched off (Enable false), kept by the agent. */
  parked: ParkedAddresses;
  /** The instance numbers of one interface's addresses of a family. */
  numbers(ifname: string, family: 'inet' | 'inet6'): InstanceMap;
  /** The IPv4 switches (with the agent's store): `held` rows are addresses they keep aside. */
  ipv4?: LinuxIpv4Switches;
}

/** 7012 while `ifname`'s IPv4 is switched off: no IPv4 address may reach the kernel there. */
function requireIpv4On(t: AddressTables, ifname: string, path: string): void {
  if (t.ipv4 && !t.ipv4.effective(ifname)) {
    throw new UspError(ErrorCode.InvalidValue, `${path}: IPv4 is switched off on ${ifname} (IPv4Enable false on its IP.Interface or on Device.IP.); switch it on first`, { path });
  }
}

/** IP.Interface.{i}.Enable (`up`/`down`) and MaxMTUSize (`mtu`), one `ip link set` per Set. */
export function interfaceWrite(t: Pick<AddressTables, 'ip' | 'ifname'>): Pick<ObjectBinding, 'set'> {
  return {
    set: async (keys, changes) => {
      const name = t.ifname(keys);
      const path = `Device.IP.Interface.${keys[0]}.`;
      t.ip.requireManaged(name, path);
      await t.ip.run(['link', 'set', 'dev', name, ...linkArgs(changes, path)], path);
    },
  };
}

/** `ip link set` arguments for Enable and an MTU parameter (`MaxMTUSize` or Ethernet.Link's `MTU`). */
export function linkArgs(changes: Record<string, Value>, path: string, mtuParam = 'MaxMTUSize'): string[] {
  const args: string[] = [];
  for (const [param, value] of Object.entries(changes)) {
    if (param === mtuParam) args.push('mtu', String(value));
    else if (param === 'Enable') args.push(value === true ? 'up' : 'down');
    else throw notWritable(path, param);
  }
  return args;
}

/** The binding methods of IPv4Address.{i} (`family` inet) or IPv6Address.{i} (inet6). */
export function addressWrite(t: AddressTables, family: 'inet' | 'inet6'): Pick<ObjectBinding, 'set' | 'add' | 'delete' | 'snapshot' | 'restore'> {
  const table = family === 'inet' ? 'IPv4Address' : 'IPv6Address';
  const v = family === 'inet' ? '-4' : '-6';
  const pathOf = (keys: InstanceKeys): string => `Device.IP.Interface.${keys[0]}.${table}.${keys[1] ?? '{i}'}.`;
  const cidr = (local: string, prefixlen: number): string => `${local}/${prefixlen}`;

  return {
    add: async (parentKeys, params) => {
      const name = t.ifname(parentKeys);
      const path = pathOf(parentKeys);
      t.ip.requireManaged(name, path);
      if (family === 'inet6') requireEnabled(params, path);
      else requireIpv4On(t, name, path);
      const local = params.IPAddress;
      if (typeof local !== 'string' || local === '') {
        throw new UspError(ErrorCode.ObjectCouldNotBeCreated, `${path}: give IPAddress${family === 'inet' ? ' and SubnetMask' : ''} in the Add (a Linux address exists only with its value)`, { path });
      }
      const prefixlen = family === 'inet' ? maskToPrefix(params.SubnetMask, path) : IPV6_ADDED_PREFIX;
      // An address added switched off is only kept by the agent (its syntax checked by ip when enabled).
      if (params.Enable === false) {
        if (isIPv4(local) === false) throw new UspError(ErrorCode.InvalidValue, `${path}IPAddress: ${JSON.stringify(local)} is not an IPv4 address`, { path });
        t.parked.park(name, local, prefixlen, path);
      } else await t.ip.run([v, 'addr', 'add', cidr(local, prefixlen), 'dev', name], path);
      return t.numbers(name, family).numberOf(local);
    },

    set: async (keys, changes) => {
      const path = pathOf(keys);
      const { link, addr, enabled } = await t.address(keys, family);
      t.ip.requireManaged(link.ifname, path);
      if (family === 'inet6') requireEnabled(changes, path);
      else requireIpv4On(t, link.ifname, path);
      for (const p of Object.keys(changes)) {
        if (p !== 'Enable' && p !== 'IPAddress' && !(family === 'inet' && p === 'SubnetMask')) throw notWritable(path, p);
      }
      const local = typeof changes.IPAddress === 'string' ? changes.IPAddress : addr.local;
      const prefixlen = family === 'inet' && changes.SubnetMask !== undefined ? maskToPrefix(changes.SubnetMask, path) : addr.prefixlen;
      if (local === '') throw new UspError(ErrorCode.InvalidValue, `${path}IPAddress: an address row needs an address; Delete the row instead`, { path });
      const enable = typeof changes.Enable === 'boolean' ? changes.Enable : enabled;
      if (!enabled || !enable) {
        await switchIPv4(t, link.ifname, { local: addr.local, prefixlen: addr.prefixlen, enabled }, { local, prefixlen, enabled: enable }, path);
        if (local !== addr.local) t.numbers(link.ifname, family).rekey([[addr.local, local]]);
        return;
      }
      if (local === addr.local && prefixlen === addr.prefixlen) return;
      // The new address first, so the interface is never without one; the old one after.
      await t.ip.run([v, 'addr', 'add', cidr(local, prefixlen), 'dev', link.ifname], path);
      try {
        await t.ip.run([v, 'addr', 'del', cidr(addr.local, addr.prefixlen), 'dev', link.ifname], path);
      } catch (e) {
        await t.ip.run([v, 'addr', 'del', cidr(local, prefixlen), 'dev', link.ifname], path).catch(() => undefined);
        throw e;
      }
      // The row keeps its instance number under its new address.
      if (local !== addr.local) t.numbers(link.ifname, family).rekey([[addr.local, local]]);
    },

    delete: async (keys) => {
      const path = pathOf(keys);
      const { link, addr, enabled, held } = await t.address(keys, family);
      t.ip.requireManaged(link.ifname, path);
      if (held) t.ipv4?.dropHeld(link.ifname, addr.local);
      else if (!enabled) t.parked.unpark(link.ifname, addr.local);
      else await t.ip.run([v, 'addr', 'del', cidr(addr.local, addr.prefixlen), 'dev', link.ifname], path);
    },

    // What a Delete removed, read before it runs, so a failed transaction can put it back.
    snapshot: (keys) => {
      const before = t.address(keys, family).then(({ link, addr, enabled, held }) => ({ ifname: link.ifname, local: addr.local, prefixlen: addr.prefixlen, enabled, held }));
      before.catch(() => undefined);
      return before;
    },
    restore: async (_keys, snap) => {
      const s = await (snap as Promise<{ ifname: string; local: string; prefixlen: number; enabled: boolean; held?: boolean }>);
      if (s.held) t.ipv4?.keepHeld(s.ifname, s.local, s.prefixlen);
      else if (!s.enabled) t.parked.park(s.ifname, s.local, s.prefixlen, pathOf(_keys));
      else await t.ip.run([v, 'addr', 'add', cidr(s.local, s.prefixlen), 'dev', s.ifname]);
    },
  };
}

interface IPv4Row {
  local: string;
  prefixlen: number;
  enabled: boolean;
}

/**
 * Moves an IPv4 row between the kernel and the agent's parked rows, and changes a parked row's
 * address: `ip -4 addr add` for a row switched on, `del` for one switched off (the kernel's
 * change first, so a refusal leaves the row as it was).
 */
async function switchIPv4(t: AddressTables, ifname: string, was: IPv4Row, now: IPv4Row, path: string): Promise<void> {
  if (now.enabled) {
    await t.ip.run(['-4', 'addr', 'add', `${now.local}/${now.prefixlen}`, 'dev', ifname], path);
    t.parked.unpark(ifname, was.local);
    return;
  }
  if (!isIPv4(now.local)) throw new UspError(ErrorCode.InvalidValue, `${path}IPAddress: ${JSON.stringify(now.local)} is not an IPv4 address`, { path });
  if (!was.enabled) {
    t.parked.unpark(ifname, was.local);
    t.parked.park(ifname, now.local, now.prefixlen, path);
    return;
  }
  // Parked first: past the bound (7005) the kernel keeps the address.
  t.parked.park(ifname, now.local, now.prefixlen, path);
  try {
    await t.ip.run(['-4', 'addr', 'del', `${was.local}/${was.prefixlen}`, 'dev', ifname], path);
  } catch (e) {
    t.parked.unpark(ifname, now.local);
    throw e;
  }
}

/** A dotted IPv4 mask to its prefix length; 7012 when it is not one (non-contiguous, empty). */
export function maskToPrefix(mask: Value | undefined, path: string): number {
  const parts = typeof mask === 'string' ? mask.split('.') : [];
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (bytes.length === 4 && bytes.every((b) => b >= 0 && b <= 255)) {
    const n = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    const prefix = 32 - Math.log2((~n >>> 0) + 1);
    // Contiguous: the inverted mask plus one is a power of two.
    if (Number.isInteger(prefix)) return prefix;
  }
  throw new UspError(ErrorCode.InvalidValue, `${path}SubnetMask: ${JSON.stringify(mask ?? '')} is not a subnet mask (e.g. 255.255.255.0)`, { path });
}

function requireEnabled(values: Record<string, Value>, path: string): void {
  if (values.Enable === false) {
    throw new UspError(ErrorCode.RequestDenied, `${path}Enable: a Linux address exists only while enabled; Delete the row instead`, { path });
  }
}

function notWritable(path: string, param: string): UspError {
  return new UspError(ErrorCode.RequestDenied, `${path}${param} cannot be changed on this platform`, { path });
}

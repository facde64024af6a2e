/**
 * Device.IP. of the simulated gateway (TR-181 IPInterface:1/2, IPv6Interface:1): the LAN bridge
 * interface (over br-lan's Device.Ethernet.Link.1.), the 5G WAN (over
 * Device.Cellular.Interface.1.) with a carrier-grade-NAT address from the network, and loopback.
 * A Controller may add interfaces over an Ethernet.Link and Static IPv4 addresses, and delete
 * what it added; the gateway's own three interfaces and their addresses refuse deletion (7024),
 * since the LAN, NAT, DHCP and routing are built on them (they can be disabled instead).
 * The IPv6 addresses and prefixes of these interfaces are ip-ipv6.ts's.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { LAN_LINK } from './ethernet-link.js';
import { FactoryTable } from './factory-table.js';
import { isNetmask, parseIPv4 } from './ipv4.js';
import { formatIPv6Prefix, parseIPv6Prefix } from './ipv6.js';
import { Prng } from './random.js';
import { statsReader, type TrafficProfile } from './traffic.js';
import { EnableClock, invalidParams, type LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';

interface IpInterfaceDef {
  name: string;
  type: 'Normal' | 'Loopback';
  lowerLayers: string;
  mtu: number;
  ipv4: { address: string; mask: string; addressing: 'Static' | '3GPP-NAS' };
}

/** An interface's IPv4 address and subnet mask, as Device.IP.Interface.{i}.IPv4Address.1. has them now. */
export interface IPv4Subnet {
  address: string;
  mask: string;
}

/** What routing, DHCP, NAT and the LAN hosts read of Device.IP. */
export interface IPState {
  /** Interface 1, br-lan: the gateway's LAN address (a Controller may change it). */
  lan(): IPv4Subnet;
  /** Interface 2, wwan0: the address the network assigned, and its next hop. */
  wan(): IPv4Subnet & { gateway: string };
  /** The WAN interface carries traffic: enabled, and the data session is up. */
  wanUp(): boolean;
  /** Interface n's Status ("Up", "Down", "LowerLayerDown"). */
  status(n: number): string;
  /** Interface n is attached to the IPv6 stack, and the stack is enabled (Device.IP.IPv6Enable). */
  ipv6(n: number): boolean;
  /** Device.IP.ULAPrefix while br-lan generates ULAs (its ULAEnable), else "". */
  lanUla(): string;
  /** Wall-clock ms at which wwan0 last changed status (came up at boot, or was re-enabled). */
  wanChangedAt(): number;
}

/** What the IP interfaces stack on: br-lan's Ethernet.Link and the cellular data session. */
export interface IPLowerLayers {
  lanUp(): boolean;
  dataUp(): boolean;
  /** The cellular data session's traffic: wwan0 carries it, br-lan routes it the other way round. */
  wanTraffic: TrafficProfile;
}

/**
 * Device.IP.Interface.{i}.Stats. traffic of each interface: br-lan routes the household's
 * traffic (its downloads are br-lan's Sent), wwan0 is the data session, lo the device's own
 * services talking to each other (DNS relay, the agent's control socket clients).
 */
function ipTraffic(wan: TrafficProfile): readonly TrafficProfile[] {
  return [
    { label: 'ip.1', sentRate: wan.receivedRate, receivedRate: wan.sentRate },
    { label: 'ip.2', sentRate: wan.sentRate, receivedRate: wan.receivedRate },
    { label: 'ip.3', sentRate: 1_500, receivedRate: 1_500 },
  ];
}

const INTERFACE = 'Device.IP.Interface.{i}.';
const IPV4_ADDRESS = 'Device.IP.Interface.{i}.IPv4Address.{i}.';
/** IPv4 addresses one interface holds. */
const MAX_IPV4_ADDRESSES = 4;
/** IP interfaces the gateway runs, its own three included. */
const MAX_INTERFACES = 8;
const LINK_REF = /^Device\.Ethernet\.Link\.(\d+)$/;

/** br-lan and wwan0 as reference values (no trailing "."), for the objects that name them. */
export const LAN_INTERFACE = 'Device.IP.Interface.1';
export const WAN_INTERFACE = 'Device.IP.Interface.2';

/** Serves Device.IP., IP.Interface.{i}. and IP.Interface.{i}.IPv4Address.{i}.; `lower` drives their Status. */
export function registerIP(ctx: SimContext, lower: IPLowerLayers): IPState {
  const { model, seed } = ctx;
  const rnd = new Prng(seed, 'ip');
  // The operator hands out an address from 100.64.0.0/10 (RFC 6598 shared space) on a /30.
  const cgnatNet = `100.${rnd.int(64, 127)}.${rnd.int(0, 255)}.`;
  const cgnatHost = rnd.int(0, 63) * 4;
  const cgnat = `${cgnatNet}${cgnatHost + 1}`;
  // RFC 4193 unique local prefix: fd00::/8 plus a random 40-bit global ID.
  const hex4 = (): string => rnd.int(0, 0xffff).toString(16);
  const ulaPrefix = `fd${rnd.int(0, 255).toString(16).padStart(2, '0')}:${hex4()}:${hex4()}::/48`;
  const defs: readonly IpInterfaceDef[] = [
    { name: 'br-lan', type: 'Normal', lowerLayers: LAN_LINK, mtu: 1500, ipv4: { address: '192.168.1.1', mask: '255.255.255.0', addressing: 'Static' } },
    { name: 'wwan0', type: 'Normal', lowerLayers: 'Device.Cellular.Interface.1', mtu: 1500, ipv4: { address: cgnat, mask: '255.255.255.252', addressing: '3GPP-NAS' } },
    { name: 'lo', type: 'Loopback', lowerLayers: '', mtu: 65535, ipv4: { address: '127.0.0.1', mask: '255.0.0.0', addressing: 'Static' } },
  ];
  const ifRows: WritableRows = new WritableRows(ctx, INTERFACE, (keys) => {
    const def = builtIn(keys[0]);
    if (!def) return { Enable: false, Alias: '', LowerLayers: '', IPv4Enable: true, IPv6Enable: true, ULAEnable: false, MaxMTUSize: 1500, Loopback: false };
    return {
      Enable: true,
      Alias: `cpe-${def.name}`,
      LowerLayers: def.lowerLayers,
      IPv4Enable: true,
      IPv6Enable: true,
      ULAEnable: def.name === 'br-lan',
      MaxMTUSize: def.mtu,
      Loopback: def.type === 'Loopback',
    };
  });
  const interfaces = defs.map((def, i) => ({ def, clock: new EnableClock(ctx, ifRows, i + 1, i === 1 ? 20_000 : 3_000) }));
  // br-lan, wwan0 and lo ship; a Controller may add interfaces (over an Ethernet.Link) and delete those.
  const table = new FactoryTable(ctx, INTERFACE, () => defs.map((_, i) => i + 1), MAX_INTERFACES);
  const added = new Map<number, LinkClock>();
  const clockOf = (n: number): LinkClock => {
    if (n <= defs.length) return interfaces[n - 1].clock;
    let c = added.get(n);
    if (!c) {
      c = new EnableClock(ctx, ifRows, n);
      added.set(n, c);
    }
    return c;
  };
  const builtIn = (n: number): IpInterfaceDef | undefined => (table.isFactory([n]) ? defs[n - 1] : undefined);

  const ipRow = new WritableRows(ctx, 'Device.IP.', () => ({ IPv4Enable: true, IPv6Enable: true, ULAPrefix: ulaPrefix }));
  model.register('Device.IP.', {
    params: ['IPv4Capable', 'IPv4Enable', 'IPv4Status', 'IPv6Capable', 'IPv6Enable', 'IPv6Status', 'ULAPrefix'],
    get: () => {
      const row = ipRow.row([]);
      return {
        ...row,
        IPv4Capable: true,
        IPv6Capable: true,
        IPv4Status: row.IPv4Enable ? 'Enabled' : 'Disabled',
        IPv6Status: row.IPv6Enable ? 'Enabled' : 'Disabled',
      };
    },
    set: (keys, changes) => {
      const ula = changes.ULAPrefix;
      if (ula !== undefined && ula !== '') {
        // RFC 4193 §3.1: a locally assigned ULA prefix is a /48 in fd00::/8.
        const p = parseIPv6Prefix(String(ula));
        if (!p || p.length !== 48 || p.network >> 120n !== 0xfdn) {
          throw invalidParams([{ param: 'ULAPrefix', message: `${JSON.stringify(ula)} is not a ULA /48 (fdxx:xxxx:xxxx::/48, RFC 4193)` }]);
        }
        changes.ULAPrefix = formatIPv6Prefix(p);
      }
      ipRow.apply(keys, changes);
    },
  });

  /** Status of an interface a Controller added: from the Ethernet.Link it stacks on, read as a Controller would. */
  const addedStatus = async (n: number): Promise<string> => {
    if (ifRows.row([n]).Enable !== true || !(attached(n, 'IPv4Enable') || attached(n, 'IPv6Enable'))) return 'Down';
    const m = LINK_REF.exec(String(ifRows.row([n]).LowerLayers));
    if (!m) return 'LowerLayerDown';
    const link = model.requireNode('Device.Ethernet.Link.{i}.');
    if (!(await model.listInstances(link, [], {})).includes(Number(m[1]))) return 'LowerLayerDown';
    return (await model.readValues({ node: link, keys: [Number(m[1])] }, {})).Status === 'Up' ? 'Up' : 'LowerLayerDown';
  };
  const validateInterface = (n: number, changes: Record<string, Value>): void => {
    canonicalizeReferences(changes, ['LowerLayers']);
    const ll = changes.LowerLayers;
    if (ll === undefined || builtIn(n)) return;
    const bad: Array<{ param: string; message: string }> = [];
    if (ll !== '' && !LINK_REF.test(String(ll))) bad.push({ param: 'LowerLayers', message: 'an IP interface stacks on one Device.Ethernet.Link.{i}' });
    else if (ll !== '' && table.list([]).some((k) => k !== n && ifRows.row([k]).LowerLayers === ll)) {
      bad.push({ param: 'LowerLayers', message: `${ll} carries another IP interface already` });
    }
    if (bad.length > 0) throw invalidParams(bad);
  };
  model.register(INTERFACE, {
    params: ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'IPv4Enable', 'IPv6Enable', 'ULAEnable', 'MaxMTUSize', 'Type', 'Loopback'],
    list: () => table.list([]),
    get: async (keys) => {
      const n = table.check(keys)[0];
      const def = builtIn(n);
      return {
        ...ifRows.row(keys),
        Status: def ? status(n) : await addedStatus(n),
        Name: def?.name ?? `ipif${n}`,
        LastChange: clockOf(n).lastChange(),
        Type: def?.type ?? 'Normal',
      };
    },
    set: (keys, changes) => {
      validateInterface(table.check(keys)[0], changes);
      if (changes.Enable !== undefined) clockOf(keys[0]).setUp(changes.Enable === true);
      ifRows.apply(keys, changes);
    },
    add: (_parent, params) => {
      const values = { ...params };
      validateInterface(0, values); // instance 0: not numbered yet, so a refused Add uses no number
      const n = table.add([]);
      if (values.Enable === true) clockOf(n).setUp(true);
      ifRows.apply([n], values);
      return n;
    },
    delete: (keys) => {
      if (builtIn(table.check(keys)[0])) {
        throw new UspError(ErrorCode.DeleteFailure, `${builtIn(keys[0])!.name} is one of the gateway's own interfaces (LAN, WAN, loopback): disable it instead`);
      }
      table.delete(keys);
      added.delete(keys[0]);
    },
    snapshot: (keys) => table.snapshot(keys),
    restore: (keys, snap) => table.restore(keys, snap),
    commands: {
      // TR-181 Reset(): the interface goes down and comes back up (an enabled one only).
      'Reset()': {
        run: async ({ keys }) => {
          const clock = clockOf(table.check(keys)[0]);
          if (ifRows.row(keys).Enable === true) {
            clock.setUp(false);
            clock.setUp(true);
          }
          return {};
        },
      },
    },
  });

  const traffic = ipTraffic(lower.wanTraffic);
  const readStats = statsReader(model, 'Device.IP.Interface.{i}.Stats.', seed);
  model.register('Device.IP.Interface.{i}.Stats.', {
    // Counters run while the interface is up; a disabled interface keeps what it counted.
    // An interface a Controller added carries nothing the simulation routes: its counters stay 0.
    get: (keys) => readStats(traffic[table.check(keys)[0] - 1] ?? { label: `ip.${keys[0]}`, sentRate: 0, receivedRate: 0 }, clockOf(keys[0]).upSeconds()),
  });

  // Address 1 of each shipped interface is its own; a Controller may add Static addresses (and delete those).
  const addrTable = new FactoryTable(ctx, IPV4_ADDRESS, ([n]) => (builtIn(n) ? [1] : []), MAX_IPV4_ADDRESSES);
  const addrRows = new WritableRows(ctx, IPV4_ADDRESS, (keys) => {
    const def = addrTable.isFactory(keys) ? builtIn(keys[0]) : undefined;
    if (!def) return { Enable: false, Alias: '', IPAddress: '', SubnetMask: '' };
    return { Enable: true, Alias: `cpe-${def.name}-v4`, IPAddress: def.ipv4.address, SubnetMask: def.ipv4.mask };
  });
  const addressing = (keys: InstanceKeys): string => (addrTable.isFactory(keys) ? (builtIn(keys[0])?.ipv4.addressing ?? 'Static') : 'Static');
  const addrCheck = (keys: InstanceKeys): InstanceKeys => {
    table.check(keys.slice(0, 1));
    return addrTable.check(keys);
  };
  const validateAddress = (keys: InstanceKeys, changes: Record<string, Value>): void => {
    const current = keys[1] === 0 ? {} : addrRows.row(keys);
    const how = keys[1] === 0 ? 'Static' : addressing(keys);
    // TR-181: IPAddress and SubnetMask can only be modified when AddressingType is Static.
    if (how !== 'Static') {
      const refused = ['IPAddress', 'SubnetMask'].filter((p) => changes[p] !== undefined && changes[p] !== current[p]);
      if (refused.length > 0) {
        throw invalidParams(refused.map((param) => ({ param, message: `assigned by the network (${how}); only Static addresses can be changed` })));
      }
      return;
    }
    const bad: Array<{ param: string; message: string }> = [];
    const address = changes.IPAddress;
    if (address !== undefined && address !== '' && parseIPv4(String(address)) === undefined) bad.push({ param: 'IPAddress', message: 'must be a dotted-quad IPv4 address' });
    const mask = changes.SubnetMask;
    if (mask !== undefined && mask !== '' && !(parseIPv4(String(mask)) !== undefined && isNetmask(parseIPv4(String(mask))!))) {
      bad.push({ param: 'SubnetMask', message: 'must be a contiguous netmask (255.255.255.0)' });
    }
    // One address is on one interface only.
    if (address !== undefined && address !== '' && address !== current.IPAddress) {
      const taken = table.list([]).some((n) => addrTable.list([n]).some((k) => !(n === keys[0] && k === keys[1]) && addrRows.row([n, k]).IPAddress === address));
      if (taken) bad.push({ param: 'IPAddress', message: `${address} is configured on the gateway already` });
    }
    if (bad.length > 0) throw invalidParams(bad);
  };
  model.register(IPV4_ADDRESS, {
    params: ['Enable', 'Status', 'Alias', 'IPAddress', 'SubnetMask', 'AddressingType'],
    list: ([n]) => {
      table.check([n]);
      return addrTable.list([n]);
    },
    get: (keys) => {
      const row = addrRows.row(addrCheck(keys));
      // An enabled address without its address or mask cannot be configured.
      const status = !row.Enable ? 'Disabled' : row.IPAddress === '' || row.SubnetMask === '' ? 'Error_Misconfigured' : 'Enabled';
      return { ...row, Status: status, AddressingType: addressing(keys) };
    },
    set: (keys, changes) => {
      validateAddress(addrCheck(keys), changes);
      addrRows.apply(keys, changes);
    },
    add: ([n], params) => {
      table.check([n]);
      const values = { ...params };
      validateAddress([n, 0], values); // instance 0: not numbered yet, so a refused Add uses no number
      const k = addrTable.add([n]);
      addrRows.apply([n, k], values);
      return k;
    },
    delete: (keys) => {
      if (addrTable.isFactory(addrCheck(keys))) {
        throw new UspError(ErrorCode.DeleteFailure, "the interface's own address cannot be deleted (set it, or disable it)");
      }
      addrTable.delete(keys);
    },
    snapshot: (keys) => addrTable.snapshot(keys),
    restore: (keys, snap) => addrTable.restore(keys, snap),
  });

  const attached = (n: number, stack: 'IPv4Enable' | 'IPv6Enable'): boolean => ipRow.row([])[stack] === true && ifRows.row([n])[stack] === true;
  function status(n: number): string {
    const { def } = nth(interfaces, n);
    // TR-181 IPv4Enable/IPv6Enable: an interface attached to no enabled stack is operationally down.
    if (ifRows.row([n]).Enable !== true || !(attached(n, 'IPv4Enable') || attached(n, 'IPv6Enable'))) return 'Down';
    const lowerUp = def.name === 'br-lan' ? lower.lanUp() : def.name === 'wwan0' ? lower.dataUp() : true;
    return lowerUp ? 'Up' : 'LowerLayerDown';
  }

  const subnet = (n: number): IPv4Subnet => {
    const row = addrRows.row([n, 1]);
    return { address: String(row.IPAddress), mask: String(row.SubnetMask) };
  };
  return {
    lan: () => subnet(1),
    wan: () => ({ ...subnet(2), gateway: `${cgnatNet}${cgnatHost + 2}` }),
    wanUp: () => ifRows.row([2]).Enable === true && lower.dataUp(),
    status,
    ipv6: (n) => attached(n, 'IPv6Enable'),
    lanUla: () => (ifRows.row([1]).ULAEnable === true ? String(ipRow.row([]).ULAPrefix) : ''),
    wanChangedAt: () => interfaces[1].clock.changedAtMs,
  };
}

/**
 * Device.IP. of the simulated gateway (TR-181 IPInterface:2, IPv4Address:1): the LAN bridge
 * interface (over br-lan's Device.Ethernet.Link.1.), the 5G WAN (over
 * Device.Cellular.Interface.1.) with a carrier-grade-NAT address from the network, and loopback.
 * The IPv6 addresses and prefixes of these interfaces are ip-ipv6.ts's.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { canonicalizeReferences } from '../reference.js';
import { LAN_LINK } from './ethernet-link.js';
import { formatIPv6Prefix, parseIPv6Prefix } from './ipv6.js';
import { Prng } from './random.js';
import { statsReader, type TrafficProfile } from './traffic.js';
import { invalidParams, LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';

interface IpInterfaceDef {
  name: string;
  type: 'Normal' | 'Loopback';
  lowerLayers: string;
  mtu: number;
  ipv4: { address: string; mask: string; addressing: 'Static' | '3GPP-NAS' };
}

/** An interface's IPv4 address and subnet mask, as Device.IP.Interface.{i}.IPv4Address.1. has them now. */
export interface IPv4Subnet { address: string; mask: string }

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
  const interfaces = defs.map((def, i) => ({ def, clock: new LinkClock(ctx, () => ifRows.row([i + 1]).Enable === true, i === 1 ? 20_000 : 3_000) }));
  const at = (keys: InstanceKeys) => nth(interfaces, keys[0]);

  const ipRow = new WritableRows(ctx, 'Device.IP.', () => ({ IPv4Enable: true, IPv6Enable: true, ULAPrefix: ulaPrefix }));
  model.register('Device.IP.', {
    params: ['IPv4Capable', 'IPv4Enable', 'IPv4Status', 'IPv6Capable', 'IPv6Enable', 'IPv6Status', 'ULAPrefix'],
    get: () => {
      const row = ipRow.row([]);
      return {
        ...row, IPv4Capable: true, IPv6Capable: true,
        IPv4Status: row.IPv4Enable ? 'Enabled' : 'Disabled', IPv6Status: row.IPv6Enable ? 'Enabled' : 'Disabled',
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

  const ifRows: WritableRows = new WritableRows(ctx, 'Device.IP.Interface.{i}.', (keys) => {
    const { def } = at(keys);
    return {
      Enable: true, Alias: `cpe-${def.name}`, LowerLayers: def.lowerLayers, IPv4Enable: true, IPv6Enable: true,
      ULAEnable: def.name === 'br-lan', MaxMTUSize: def.mtu, Loopback: def.type === 'Loopback',
    };
  });
  model.register('Device.IP.Interface.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'IPv4Enable', 'IPv6Enable', 'ULAEnable',
      'MaxMTUSize', 'Type', 'Loopback'],
    list: () => interfaces.map((_, i) => i + 1),
    get: (keys) => {
      const { def, clock } = at(keys);
      return { ...ifRows.row(keys), Status: status(keys[0]), Name: def.name, LastChange: clock.lastChange(), Type: def.type };
    },
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['LowerLayers']);
      if (changes.Enable !== undefined) at(keys).clock.setUp(changes.Enable === true);
      ifRows.apply(keys, changes);
    },
  });

  const traffic = ipTraffic(lower.wanTraffic);
  const readStats = statsReader(model, 'Device.IP.Interface.{i}.Stats.', seed);
  model.register('Device.IP.Interface.{i}.Stats.', {
    // Counters run while the interface is up; a disabled interface keeps what it counted.
    get: (keys) => readStats(nth(traffic, keys[0]), at(keys).clock.upSeconds()),
  });

  // One IPv4 address per interface, instance 1.
  const addrRows = new WritableRows(ctx, 'Device.IP.Interface.{i}.IPv4Address.{i}.', (keys) => {
    const { def } = at(keys);
    return { Enable: true, Alias: `cpe-${def.name}-v4`, IPAddress: def.ipv4.address, SubnetMask: def.ipv4.mask };
  });
  model.register('Device.IP.Interface.{i}.IPv4Address.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'IPAddress', 'SubnetMask', 'AddressingType'],
    list: () => [1],
    get: (keys) => {
      const { def } = at(keys);
      if (keys[1] !== 1) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such IPv4 address: ${keys[1]}`);
      const row = addrRows.row(keys);
      return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled', AddressingType: def.ipv4.addressing };
    },
    set: (keys, changes) => {
      const { def } = at(keys);
      // TR-181: IPAddress and SubnetMask can only be modified when AddressingType is Static.
      if (def.ipv4.addressing !== 'Static') {
        const refused = ['IPAddress', 'SubnetMask'].filter((p) => changes[p] !== undefined && changes[p] !== addrRows.row(keys)[p]);
        if (refused.length > 0) {
          throw invalidParams(refused.map((param) => ({ param, message: `assigned by the network (${def.ipv4.addressing}); only Static addresses can be changed` })));
        }
      }
      addrRows.apply(keys, changes);
    },
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

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
import type { CommandBinding, CommandInvocation, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { LAN_LINK } from './ethernet-link.js';
import { FactoryTable } from './factory-table.js';
import { isNetmask, parseIPv4 } from './ipv4.js';
import { formatIPv6Prefix, parseIPv6Prefix } from './ipv6.js';
import { Prng } from './random.js';
import { statsReader, type TrafficProfile } from './traffic.js';
import { EnableClock, invalidParams, type LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';

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

/** One of the gateway's own interfaces (instances 1-3), the same on every gateway but for wwan0's address. */
interface BuiltIn {
  name: string;
  type: 'Normal' | 'Loopback';
  lowerLayers: string;
  mtu: number;
  /** Address 1: its own; wwan0's is the network's (drawn per gateway), so "" here. */
  ipv4: { address: string; mask: string; addressing: 'Static' | '3GPP-NAS' };
}

/** br-lan, wwan0 and lo, instances 1, 2 and 3 (a fleet's gateways share this table: issue 14). */
const BUILT_IN: readonly BuiltIn[] = [
  { name: 'br-lan', type: 'Normal', lowerLayers: LAN_LINK, mtu: 1500, ipv4: { address: '192.168.1.1', mask: '255.255.255.0', addressing: 'Static' } },
  { name: 'wwan0', type: 'Normal', lowerLayers: 'Device.Cellular.Interface.1', mtu: 1500, ipv4: { address: '', mask: '255.255.255.252', addressing: '3GPP-NAS' } },
  { name: 'lo', type: 'Loopback', lowerLayers: '', mtu: 65535, ipv4: { address: '127.0.0.1', mask: '255.0.0.0', addressing: 'Static' } },
];

/**
 * Interface `n` if it is one of the gateway's own. They ship as rows 1-3 and refuse deletion,
 * so a number names one of them exactly when it is one of those.
 */
function builtIn(n: number): BuiltIn | undefined {
  return BUILT_IN[n - 1];
}

/**
 * Device.IP.Interface.{i}.Stats. traffic of interface `n`: br-lan routes the household's
 * traffic (its downloads are br-lan's Sent), wwan0 is the data session, lo the device's own
 * services talking to each other (DNS relay, the agent's control socket clients). An interface
 * a Controller added carries nothing the simulation routes: its counters stay 0.
 */
function ipTraffic(wan: TrafficProfile, n: number): TrafficProfile {
  if (n === 1) return { label: 'ip.1', sentRate: wan.receivedRate, receivedRate: wan.sentRate };
  if (n === 2) return { label: 'ip.2', sentRate: wan.sentRate, receivedRate: wan.receivedRate };
  if (n === 3) return LOOPBACK_TRAFFIC;
  return { label: `ip.${n}`, sentRate: 0, receivedRate: 0 };
}
const LOOPBACK_TRAFFIC: TrafficProfile = { label: 'ip.3', sentRate: 1_500, receivedRate: 1_500 };

const INTERFACE = 'Device.IP.Interface.{i}.';
const IPV4_ADDRESS = 'Device.IP.Interface.{i}.IPv4Address.{i}.';
const STATS = 'Device.IP.Interface.{i}.Stats.';
/** IPv4 addresses one interface holds. */
const MAX_IPV4_ADDRESSES = 4;
/** IP interfaces the gateway runs, its own three included. */
const MAX_INTERFACES = 8;
/** What an added IP interface may stack on: an Ethernet.Link, or a VLAN termination over one (a tagged interface). */
const LINK_REF = /^Device\.Ethernet\.(Link|VLANTermination)\.(\d+)$/;

// Parameter lists and row makers shared by every gateway of a fleet (issue 14).
const IP_PARAMS = ['IPv4Capable', 'IPv4Enable', 'IPv4Status', 'IPv6Capable', 'IPv6Enable', 'IPv6Status', 'ULAPrefix'] as const;
const INTERFACE_PARAMS = ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'IPv4Enable', 'IPv6Enable', 'ULAEnable', 'MaxMTUSize', 'Type', 'Loopback'] as const;
const IPV4_ADDRESS_PARAMS = ['Enable', 'Status', 'Alias', 'IPAddress', 'SubnetMask', 'AddressingType'] as const;
const factoryInterfaces = (): number[] => BUILT_IN.map((_, i) => i + 1);
// Address 1 of each shipped interface is its own; a Controller may add Static addresses (and delete those).
const factoryAddresses = ([n]: InstanceKeys): number[] => (builtIn(n) ? [1] : []);
function interfaceRow(keys: InstanceKeys): Record<string, Value> {
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
}

/** br-lan and wwan0 as reference values (no trailing "."), for the objects that name them. */
export const LAN_INTERFACE = 'Device.IP.Interface.1';
export const WAN_INTERFACE = 'Device.IP.Interface.2';

/**
 * One gateway's Device.IP.: its rows, tables and interface clocks, and what the other areas
 * read of it (IPState). The bindings below are thin classes over it, their methods one copy
 * for every gateway of a fleet (issue 14).
 */
class IP implements IPState {
  readonly ifRows: WritableRows;
  readonly ipRow: WritableRows;
  readonly addrRows: WritableRows;
  readonly table: FactoryTable;
  readonly addrTable: FactoryTable;
  /** br-lan's, wwan0's and lo's up/down history. */
  private readonly clocks: readonly EnableClock[];
  /** The clocks of interfaces a Controller added, made at first use (most gateways have none). */
  private added: Map<number, LinkClock> | undefined;
  readonly readStats: (p: TrafficProfile, upSeconds: number) => Record<string, Value>;
  private readonly wanAddress: string;
  private readonly wanGateway: string;

  constructor(
    readonly ctx: SimContext,
    private readonly lower: IPLowerLayers,
  ) {
    const rnd = new Prng(ctx.seed, 'ip');
    // The operator hands out an address from 100.64.0.0/10 (RFC 6598 shared space) on a /30.
    const cgnatNet = `100.${rnd.int(64, 127)}.${rnd.int(0, 255)}.`;
    const cgnatHost = rnd.int(0, 63) * 4;
    this.wanAddress = `${cgnatNet}${cgnatHost + 1}`;
    this.wanGateway = `${cgnatNet}${cgnatHost + 2}`;
    // RFC 4193 unique local prefix: fd00::/8 plus a random 40-bit global ID.
    const hex4 = (): string => rnd.int(0, 0xffff).toString(16);
    const ulaPrefix = `fd${rnd.int(0, 255).toString(16).padStart(2, '0')}:${hex4()}:${hex4()}::/48`;
    this.ifRows = new WritableRows(ctx, INTERFACE, interfaceRow);
    this.clocks = BUILT_IN.map((_, i) => new EnableClock(ctx, this.ifRows, i + 1, i === 1 ? 20_000 : 3_000));
    // br-lan, wwan0 and lo ship; a Controller may add interfaces (over an Ethernet.Link) and delete those.
    this.table = new FactoryTable(ctx, INTERFACE, factoryInterfaces, MAX_INTERFACES);
    this.ipRow = new WritableRows(ctx, 'Device.IP.', ipRowOf(ulaPrefix));
    this.addrTable = new FactoryTable(ctx, IPV4_ADDRESS, factoryAddresses, MAX_IPV4_ADDRESSES);
    this.addrRows = new WritableRows(ctx, IPV4_ADDRESS, addressRowOf(this.addrTable, this.wanAddress));
    this.readStats = statsReader(ctx.model, STATS, ctx.seed);
  }

  clockOf(n: number): LinkClock {
    if (n <= BUILT_IN.length) return nth(this.clocks, n);
    let c = this.added?.get(n);
    if (!c) {
      c = new EnableClock(this.ctx, this.ifRows, n);
      (this.added ??= new Map()).set(n, c);
    }
    return c;
  }

  forget(n: number): void {
    this.added?.delete(n);
  }

  trafficOf(n: number): TrafficProfile {
    return ipTraffic(this.lower.wanTraffic, n);
  }

  /** Status of an interface a Controller added: from the Ethernet.Link it stacks on, read as a Controller would. */
  async addedStatus(n: number): Promise<string> {
    const { model } = this.ctx;
    if (this.ifRows.row([n]).Enable !== true || !(this.attached(n, 'IPv4Enable') || this.attached(n, 'IPv6Enable'))) return 'Down';
    const m = LINK_REF.exec(String(this.ifRows.row([n]).LowerLayers));
    if (!m) return 'LowerLayerDown';
    const link = model.requireNode(`Device.Ethernet.${m[1]}.{i}.`);
    if (!(await model.listInstances(link, [], {})).includes(Number(m[2]))) return 'LowerLayerDown';
    return (await model.readValues({ node: link, keys: [Number(m[2])] }, {})).Status === 'Up' ? 'Up' : 'LowerLayerDown';
  }

  validateInterface(n: number, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['LowerLayers']);
    const ll = changes.LowerLayers;
    if (ll === undefined || builtIn(n)) return;
    const bad: Array<{ param: string; message: string }> = [];
    if (ll !== '' && !LINK_REF.test(String(ll))) bad.push({ param: 'LowerLayers', message: 'an IP interface stacks on one Device.Ethernet.Link.{i} or Device.Ethernet.VLANTermination.{i}' });
    else if (ll !== '' && this.table.list([]).some((k) => k !== n && this.ifRows.row([k]).LowerLayers === ll)) {
      bad.push({ param: 'LowerLayers', message: `${ll} carries another IP interface already` });
    }
    if (bad.length > 0) throw invalidParams(bad);
  }

  addressing(keys: InstanceKeys): string {
    return this.addrTable.isFactory(keys) ? (builtIn(keys[0])?.ipv4.addressing ?? 'Static') : 'Static';
  }

  addrCheck(keys: InstanceKeys): InstanceKeys {
    this.table.check(keys.slice(0, 1));
    return this.addrTable.check(keys);
  }

  validateAddress(keys: InstanceKeys, changes: Record<string, Value>): void {
    const current = keys[1] === 0 ? {} : this.addrRows.row(keys);
    const how = keys[1] === 0 ? 'Static' : this.addressing(keys);
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
      const { table, addrTable, addrRows } = this;
      const taken = table.list([]).some((n) => addrTable.list([n]).some((k) => !(n === keys[0] && k === keys[1]) && addrRows.row([n, k]).IPAddress === address));
      if (taken) bad.push({ param: 'IPAddress', message: `${address} is configured on the gateway already` });
    }
    if (bad.length > 0) throw invalidParams(bad);
  }

  attached(n: number, stack: 'IPv4Enable' | 'IPv6Enable'): boolean {
    return this.ipRow.row([])[stack] === true && this.ifRows.row([n])[stack] === true;
  }

  status(n: number): string {
    const def = nth(BUILT_IN, n);
    // TR-181 IPv4Enable/IPv6Enable: an interface attached to no enabled stack is operationally down.
    if (this.ifRows.row([n]).Enable !== true || !(this.attached(n, 'IPv4Enable') || this.attached(n, 'IPv6Enable'))) return 'Down';
    const lowerUp = def.name === 'br-lan' ? this.lower.lanUp() : def.name === 'wwan0' ? this.lower.dataUp() : true;
    return lowerUp ? 'Up' : 'LowerLayerDown';
  }

  private subnet(n: number): IPv4Subnet {
    const row = this.addrRows.row([n, 1]);
    return { address: String(row.IPAddress), mask: String(row.SubnetMask) };
  }

  lan(): IPv4Subnet {
    return this.subnet(1);
  }

  wan(): IPv4Subnet & { gateway: string } {
    return { ...this.subnet(2), gateway: this.wanGateway };
  }

  wanUp(): boolean {
    return this.ifRows.row([2]).Enable === true && this.lower.dataUp();
  }

  ipv6(n: number): boolean {
    return this.attached(n, 'IPv6Enable');
  }

  lanUla(): string {
    return this.ifRows.row([1]).ULAEnable === true ? String(this.ipRow.row([]).ULAPrefix) : '';
  }

  wanChangedAt(): number {
    return this.clocks[1].changedAtMs;
  }
}

/** Device.IP.'s row as shipped: both stacks on, and the gateway's own ULA prefix (drawn from its seed). */
function ipRowOf(ulaPrefix: string): (keys: InstanceKeys) => Record<string, Value> {
  return () => ({ IPv4Enable: true, IPv6Enable: true, ULAPrefix: ulaPrefix });
}

/** IPv4Address rows as shipped: address 1 of each own interface (wwan0's the network's), nothing on the others. */
function addressRowOf(addrTable: FactoryTable, wanAddress: string): (keys: InstanceKeys) => Record<string, Value> {
  return (keys) => {
    const def = addrTable.isFactory(keys) ? builtIn(keys[0]) : undefined;
    if (!def) return { Enable: false, Alias: '', IPAddress: '', SubnetMask: '' };
    return { Enable: true, Alias: `cpe-${def.name}-v4`, IPAddress: keys[0] === 2 ? wanAddress : def.ipv4.address, SubnetMask: def.ipv4.mask };
  };
}

/** Device.IP. (TR-181 IPInterface:1 IPv4Enable, IPv6Interface:1 IPv6Enable, ULAPrefix). */
class IPBinding implements ObjectBinding {
  readonly params = IP_PARAMS;

  constructor(private readonly ip: IP) {}

  get(): Record<string, Value> {
    const row = this.ip.ipRow.row([]);
    return {
      ...row,
      IPv4Capable: true,
      IPv6Capable: true,
      IPv4Status: row.IPv4Enable ? 'Enabled' : 'Disabled',
      IPv6Status: row.IPv6Enable ? 'Enabled' : 'Disabled',
    };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const ula = changes.ULAPrefix;
    if (ula !== undefined && ula !== '') {
      // RFC 4193 §3.1: a locally assigned ULA prefix is a /48 in fd00::/8.
      const p = parseIPv6Prefix(String(ula));
      if (!p || p.length !== 48 || p.network >> 120n !== 0xfdn) {
        throw invalidParams([{ param: 'ULAPrefix', message: `${JSON.stringify(ula)} is not a ULA /48 (fdxx:xxxx:xxxx::/48, RFC 4193)` }]);
      }
      changes.ULAPrefix = formatIPv6Prefix(p);
    }
    this.ip.ipRow.apply(keys, changes);
  }
}

/** TR-181 Device.IP.Interface.{i}.Reset(): the interface goes down and comes back up (an enabled one only). */
class InterfaceReset implements CommandBinding {
  constructor(private readonly ip: IP) {}

  async run({ keys }: CommandInvocation): Promise<Record<string, Value>> {
    const clock = this.ip.clockOf(this.ip.table.check(keys)[0]);
    if (this.ip.ifRows.row(keys).Enable === true) {
      clock.setUp(false);
      clock.setUp(true);
    }
    return {};
  }
}

/** Device.IP.Interface.{i}.: the gateway's own three, and those a Controller adds over an Ethernet.Link. */
class InterfaceBinding implements ObjectBinding {
  readonly params = INTERFACE_PARAMS;
  readonly commands: Readonly<Record<string, CommandBinding>>;

  constructor(private readonly ip: IP) {
    this.commands = { 'Reset()': new InterfaceReset(ip) };
  }

  list(): number[] {
    return this.ip.table.list([]);
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const { ip } = this;
    const n = ip.table.check(keys)[0];
    const def = builtIn(n);
    return {
      ...ip.ifRows.row(keys),
      Status: def ? ip.status(n) : await ip.addedStatus(n),
      Name: def?.name ?? `ipif${n}`,
      LastChange: ip.clockOf(n).lastChange(),
      Type: def?.type ?? 'Normal',
    };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.ip.validateInterface(this.ip.table.check(keys)[0], changes);
    if (changes.Enable !== undefined) this.ip.clockOf(keys[0]).setUp(changes.Enable === true);
    this.ip.ifRows.apply(keys, changes);
  }

  add(_parent: InstanceKeys, params: Record<string, Value>): number {
    const values = { ...params };
    this.ip.validateInterface(0, values); // instance 0: not numbered yet, so a refused Add uses no number
    const n = this.ip.table.add([]);
    if (values.Enable === true) this.ip.clockOf(n).setUp(true);
    this.ip.ifRows.apply([n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    const def = builtIn(this.ip.table.check(keys)[0]);
    if (def) throw new UspError(ErrorCode.DeleteFailure, `${def.name} is one of the gateway's own interfaces (LAN, WAN, loopback): disable it instead`);
    this.ip.table.delete(keys);
    this.ip.forget(keys[0]);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.ip.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.ip.table.restore(keys, snap);
  }
}

/** Device.IP.Interface.{i}.Stats.: counters run while the interface is up; a disabled one keeps what it counted. */
class InterfaceStatsBinding implements ObjectBinding {
  constructor(private readonly ip: IP) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const n = this.ip.table.check(keys)[0];
    return this.ip.readStats(this.ip.trafficOf(n), this.ip.clockOf(n).upSeconds());
  }
}

/** Device.IP.Interface.{i}.IPv4Address.{i}.: each own interface's address, and Static ones a Controller adds. */
class IPv4AddressBinding implements ObjectBinding {
  readonly params = IPV4_ADDRESS_PARAMS;

  constructor(private readonly ip: IP) {}

  list([n]: InstanceKeys): number[] {
    this.ip.table.check([n]);
    return this.ip.addrTable.list([n]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.ip.addrRows.row(this.ip.addrCheck(keys));
    // An enabled address without its address or mask cannot be configured.
    const status = !row.Enable ? 'Disabled' : row.IPAddress === '' || row.SubnetMask === '' ? 'Error_Misconfigured' : 'Enabled';
    return { ...row, Status: status, AddressingType: this.ip.addressing(keys) };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.ip.validateAddress(this.ip.addrCheck(keys), changes);
    this.ip.addrRows.apply(keys, changes);
  }

  add([n]: InstanceKeys, params: Record<string, Value>): number {
    this.ip.table.check([n]);
    const values = { ...params };
    this.ip.validateAddress([n, 0], values); // instance 0: not numbered yet, so a refused Add uses no number
    const k = this.ip.addrTable.add([n]);
    this.ip.addrRows.apply([n, k], values);
    return k;
  }

  delete(keys: InstanceKeys): void {
    if (this.ip.addrTable.isFactory(this.ip.addrCheck(keys))) {
      throw new UspError(ErrorCode.DeleteFailure, "the interface's own address cannot be deleted (set it, or disable it)");
    }
    this.ip.addrTable.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.ip.addrTable.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.ip.addrTable.restore(keys, snap);
  }
}

/** Serves Device.IP., IP.Interface.{i}. and IP.Interface.{i}.IPv4Address.{i}.; `lower` drives their Status. */
export function registerIP(ctx: SimContext, lower: IPLowerLayers): IPState {
  const ip = new IP(ctx, lower);
  ctx.model.register('Device.IP.', new IPBinding(ip));
  ctx.model.register(INTERFACE, new InterfaceBinding(ip));
  ctx.model.register(STATS, new InterfaceStatsBinding(ip));
  ctx.model.register(IPV4_ADDRESS, new IPv4AddressBinding(ip));
  return ip;
}

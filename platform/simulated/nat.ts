/**
 * Device.NAT. of the simulated gateway (TR-181 NAT:1): masquerading on the 5G WAN (one
 * InterfaceSetting row as shipped, which a Controller may delete, turning NAT off, and add back)
 * and the port mappings a Controller configures. PortMapping.{i} is a
 * configuration table kept in the agent's store (registerStored); what the gateway makes of
 * each mapping, its Status, follows the WAN, the NAT setting, the firewall and the LAN, and the
 * Device.Schedules rows its ScheduleRef names (Inactive outside them).
 */
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import { type ScheduleBook, scheduleBookOf } from '../schedules/ScheduleBook.js';
import { dropScheduleRefsOnDelete, scheduleRefProblem } from '../schedules/schedule-refs.js';
import type { FirewallState } from './firewall.js';
import { type IPState, WAN_INTERFACE } from './ip.js';
import { inSubnet, parseIPv4 } from './ipv4.js';
import { FactoryTable } from './factory-table.js';
import { schemaDefaults } from './schema-tables.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';

/** Port mappings the gateway holds (Device.NAT.MaxNumberOfPortMappings). */
export const MAX_PORT_MAPPINGS = 32;
/** NAT settings rows: the one IP interface NAT can run on, with room for rows not yet configured. */
const MAX_INTERFACE_SETTINGS = 4;

const INTERFACE_SETTING = 'Device.NAT.InterfaceSetting.{i}.';
const PORT_MAPPING = 'Device.NAT.PortMapping.{i}.';
const PM_PARAMS = [
  'Enable',
  'Status',
  'Origin',
  'Alias',
  'Interface',
  'AllInterfaces',
  'LeaseDuration',
  'RemainingLeaseTime',
  'RemoteHost',
  'ExternalPort',
  'ExternalPortEndRange',
  'InternalPort',
  'Protocol',
  'InternalClient',
  'Description',
  'ScheduleRef',
] as const;
// RFC 1123 host name, for an InternalClient given by name.
const HOST_NAME_RE = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;

/** Device.NAT.: one binding for every gateway of a fleet (issue 14): nothing in it is the gateway's. */
const NAT: ObjectBinding = { params: ['MaxNumberOfPortMappings'], get: () => ({ MaxNumberOfPortMappings: MAX_PORT_MAPPINGS }) };

const SETTING_PARAMS = ['Enable', 'Status', 'Alias', 'Interface', 'TCPTranslationTimeout', 'UDPTranslationTimeout'] as const;
// The WAN's masquerading ships as row 1; a Controller may delete it (NAT off) and add it back.
const factorySettings = (): number[] => [1];
// conntrack timeouts as OpenWrt sets them (nf_conntrack_tcp_timeout_established, udp_timeout_stream).
const settingRow = (keys: InstanceKeys): Record<string, Value> =>
  keys[0] === 1
    ? { Enable: true, Alias: 'cpe-nat-wwan0', Interface: WAN_INTERFACE, TCPTranslationTimeout: 7440, UDPTranslationTimeout: 180 }
    : { Enable: false, Alias: '', Interface: '', TCPTranslationTimeout: 7440, UDPTranslationTimeout: 180 };
// Only static mappings (LeaseDuration 0) exist here, so no lease is ever running down.
const noLease = (): Value => 0;

/** Serves Device.NAT., NAT.InterfaceSetting.{i}. and the writable NAT.PortMapping.{i}. table. */
export function registerNAT(ctx: SimContext, ip: IPState, firewall: FirewallState): void {
  const { model, store } = ctx;
  model.register('Device.NAT.', NAT);
  const nat = new NATState(ctx, ip, firewall);
  model.register(INTERFACE_SETTING, new InterfaceSettingBinding(nat));
  registerStored(model, store, PORT_MAPPING, new PortMappingRules(nat));
  // ScheduleRef is a strong reference list: a deleted Schedule row leaves it.
  dropScheduleRefsOnDelete(model, store, PORT_MAPPING);
}

/**
 * One gateway's NAT: its InterfaceSetting rows and what its port mappings' Status and checks
 * read. The bindings are thin classes over it, one copy of their methods for every gateway of
 * a fleet (issue 14).
 */
class NATState {
  readonly settingsTable: FactoryTable;
  readonly settings: WritableRows;
  private readonly node: ModelNode;
  readonly defaults: Readonly<Record<string, Value>>;

  constructor(
    private readonly ctx: SimContext,
    private readonly ip: IPState,
    private readonly firewall: FirewallState,
  ) {
    this.settingsTable = new FactoryTable(ctx, INTERFACE_SETTING, factorySettings, MAX_INTERFACE_SETTINGS);
    this.settings = new WritableRows(ctx, INTERFACE_SETTING, settingRow);
    this.node = ctx.model.requireNode(PORT_MAPPING);
    this.defaults = schemaDefaults(ctx.model, PORT_MAPPING, PM_PARAMS);
  }

  /** NAT runs on the WAN while an enabled row names it. */
  natOn(): boolean {
    return this.settingsTable.list([]).some((n) => {
      const row = this.settings.row([n]);
      return row.Enable === true && row.Interface === WAN_INTERFACE;
    });
  }

  portMappingEnabled(): boolean {
    return this.firewall.portMappingEnabled();
  }

  validateSetting(keys: InstanceKeys, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['Interface']);
    if (changes.Interface !== undefined && changes.Interface !== '' && changes.Interface !== WAN_INTERFACE) {
      throw invalidParams([{ param: 'Interface', message: `NAT runs on the WAN, ${WAN_INTERFACE}` }]);
    }
    const others = this.settingsTable.list([]).filter((n) => n !== keys[0]);
    if (changes.Interface === WAN_INTERFACE && others.some((n) => this.settings.row([n]).Interface === WAN_INTERFACE)) {
      throw invalidParams([{ param: 'Interface', message: `another InterfaceSetting row holds ${WAN_INTERFACE} already` }]);
    }
  }

  rowOf(keys: InstanceKeys): Record<string, Value> {
    return { ...this.defaults, ...(this.ctx.store.row(this.node.pathOf(keys)) ?? {}) };
  }

  instances(): number[] {
    return this.ctx.store.instances(this.node.tablePathOf([]));
  }

  /** What the gateway makes of port mapping `keys`: it follows the WAN, the NAT setting, the firewall and the LAN. */
  mappingStatus(keys: InstanceKeys): string {
    const row = this.rowOf(keys);
    if (!row.Enable) return 'Disabled';
    if (!reachesLan(String(row.InternalClient), this.ip)) return 'Error_Misconfigured';
    if (row.Interface === '' && row.AllInterfaces !== true) return 'Error_Misconfigured';
    if (!(this.natOn() && this.ip.wanUp() && this.firewall.admitsMapping(row))) return 'Inactive';
    // TR-181: still enabled, but outside the schedules its ScheduleRef names.
    return String(row.ScheduleRef ?? '') !== '' && this.book().activeNowCached(row.ScheduleRef) === false ? 'Inactive' : 'Enabled';
  }

  /** The device's schedules (made at the first mapping that names one: a fleet gateway without any has none). */
  book(): ScheduleBook {
    return scheduleBookOf(this.ctx.model, this.ctx.store);
  }
}

/** Device.NAT.InterfaceSetting.{i}. */
class InterfaceSettingBinding implements ObjectBinding {
  readonly params = SETTING_PARAMS;

  constructor(private readonly nat: NATState) {}

  list(): number[] {
    return this.nat.settingsTable.list([]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.nat.settings.row(this.nat.settingsTable.check(keys));
    const status = !row.Enable ? 'Disabled' : row.Interface !== WAN_INTERFACE ? 'Error_Misconfigured' : this.nat.portMappingEnabled() ? 'Enabled' : 'Enabled_PortMappingDisabled';
    return { ...row, Status: status };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.nat.validateSetting(this.nat.settingsTable.check(keys), changes);
    this.nat.settings.apply(keys, changes);
  }

  add(_parent: InstanceKeys, params: Record<string, Value>): number {
    const values = { ...params };
    this.nat.validateSetting([0], values); // instance 0: not numbered yet, so a refused Add uses no number
    const n = this.nat.settingsTable.add([]);
    this.nat.settings.apply([n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.nat.settingsTable.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.nat.settingsTable.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.nat.settingsTable.restore(keys, snap);
  }
}

/**
 * How the stored PortMapping.{i}. table reads and checks a gateway's mappings. The stored
 * binding calls `initial` and `validate` as methods of this object, so they are one copy for a
 * fleet; `live` is read by name, so its Status is a function of its own (one per gateway).
 */
class PortMappingRules implements StoredOptions {
  readonly params = PM_PARAMS;
  readonly live: Readonly<Record<string, (keys: InstanceKeys) => Value>>;

  constructor(private readonly nat: NATState) {
    this.live = { Status: (keys) => nat.mappingStatus(keys), RemainingLeaseTime: noLease };
  }

  initial(): Record<string, Value> {
    return { Interface: WAN_INTERFACE, Protocol: 'TCP' };
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { nat } = this;
    canonicalizeReferences(changes, ['Interface', 'ScheduleRef']);
    const adding = keys[keys.length - 1] === 0;
    if (changes.ScheduleRef !== undefined) {
      const problem = scheduleRefProblem(nat.book(), changes.ScheduleRef);
      if (problem !== undefined) throw invalidParams([{ param: 'ScheduleRef', message: problem }]);
    }
    if (adding && nat.instances().length >= MAX_PORT_MAPPINGS) {
      throw new UspError(ErrorCode.ResourcesExceeded, `the gateway holds at most ${MAX_PORT_MAPPINGS} port mappings (MaxNumberOfPortMappings)`);
    }
    const merged = { ...(adding ? nat.defaults : nat.rowOf(keys)), ...changes };
    validateMapping(merged, changes);
    const clash = nat.instances().find((n) => n !== keys[0] && overlaps(merged, nat.rowOf([n])));
    if (clash !== undefined) {
      throw invalidParams([{ param: 'ExternalPort', message: `external ports overlap Device.NAT.PortMapping.${clash}. (same protocol and remote host)` }]);
    }
  }
}

/** Whether an InternalClient names a host the LAN can reach (an address in its subnet, or a name). */
function reachesLan(client: string, ip: IPState): boolean {
  const address = parseIPv4(client);
  if (address === undefined) return client !== '' && HOST_NAME_RE.test(client);
  const lan = ip.lan();
  const own = parseIPv4(lan.address);
  const mask = parseIPv4(lan.mask);
  return own !== undefined && mask !== undefined && address !== own && inSubnet(address, own, mask);
}

/** Refuses (7012) a mapping the gateway cannot install; `merged` is the row after the change. */
function validateMapping(merged: Record<string, Value>, changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  if (changes.LeaseDuration !== undefined && changes.LeaseDuration !== 0) {
    bad.push({ param: 'LeaseDuration', message: "only static port mappings (0) can be configured; dynamic ones are UPnP IGD's" });
  }
  if (changes.Interface !== undefined && changes.Interface !== '' && changes.Interface !== WAN_INTERFACE) {
    bad.push({ param: 'Interface', message: `port mappings apply to the WAN, ${WAN_INTERFACE} (or "" with AllInterfaces)` });
  }
  const ext = Number(merged.ExternalPort);
  const end = Number(merged.ExternalPortEndRange);
  if ((changes.ExternalPort !== undefined || changes.ExternalPortEndRange !== undefined) && end !== 0 && (ext === 0 || end < ext)) {
    bad.push({ param: 'ExternalPortEndRange', message: `must be 0 or at least ExternalPort (${ext}), and a range needs an ExternalPort` });
  }
  const client = changes.InternalClient;
  if (client !== undefined && client !== '' && parseIPv4(String(client)) === undefined && !HOST_NAME_RE.test(String(client))) {
    bad.push({ param: 'InternalClient', message: 'must be an IPv4 address or a host name' });
  }
  if (bad.length > 0) throw invalidParams(bad);
}

/**
 * Whether two mappings claim some of the same external ports for the same protocol and remote
 * host. Mappings with the very same key are left to the unique-key check (7025).
 */
function overlaps(a: Record<string, Value>, b: Record<string, Value>): boolean {
  if (a.Protocol !== b.Protocol || a.RemoteHost !== b.RemoteHost || a.ExternalPort === b.ExternalPort) return false;
  const range = (r: Record<string, Value>): [number, number] => {
    const start = Number(r.ExternalPort);
    // ExternalPort 0 is the wildcard: every port.
    return start === 0 ? [0, 65535] : [start, Math.max(start, Number(r.ExternalPortEndRange))];
  };
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}

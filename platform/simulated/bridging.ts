/**
 * Device.Bridging. of the simulated gateway (TR-181 Bridge:1, VLANBridge:1): 802.1Q bridges, of
 * which br-lan ships (its management port, Port.1, the bridge's own interface under
 * Device.IP.Interface.1., stacks on the four LAN Ethernet ports and the four Wi-Fi SSIDs) and a
 * Controller may add more or delete any. A bridge starts VLAN-unaware in practice (every port
 * untagged in the default VLAN 1, no VLAN rows, as OpenWrt ships br-lan); VLAN.{i} and
 * VLANPort.{i} are configuration tables a Controller fills, kept in the store. The ports are
 * served by bridge-ports.ts.
 */
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import { MAX_FILTERS, registerBridgeFilters } from './bridge-filter.js';
import { type BridgeView, DEFAULT_VID, type PortsState, registerBridgePorts } from './bridge-ports.js';
import type { EthernetPortState } from './ethernet.js';
import { lanLinkTraffic } from './ethernet-link.js';
import { FactoryTable } from './factory-table.js';
import { EnableClock, invalidParams, type LinkClock, type SimContext, WritableRows } from './SimContext.js';
import type { TrafficProfile } from './traffic.js';
import type { BssState } from './wifi-access-point.js';

/** VLANs a bridge can hold (Device.Bridging.MaxVLANEntries). */
export const MAX_VLANS = 64;
/** Bridges the switch can run (Device.Bridging.MaxBridgeEntries), br-lan included. */
export const MAX_BRIDGES = 4;

const BRIDGE = 'Device.Bridging.Bridge.{i}.';
const VLAN = `${BRIDGE}VLAN.{i}.`;
const VLAN_PORT = `${BRIDGE}VLANPort.{i}.`;

/** What the layer above br-lan (Device.Ethernet.Link.1.) needs of the bridge's management port. */
export interface BridgeState {
  /** br-lan's management port (the bridge's own interface) forwards: the bridge and the port are enabled. */
  managementPortUp(): boolean;
  /** Seconds since the management port or the bridge last changed status. */
  managementPortLastChange(): number;
}

/** Device.Bridging.: the bridge's limits, one binding for every gateway of a fleet (issue 14): nothing in it is the gateway's. */
const BRIDGING: ObjectBinding = {
  params: ['MaxBridgeEntries', 'MaxDBridgeEntries', 'MaxQBridgeEntries', 'MaxVLANEntries', 'MaxProviderBridgeEntries', 'MaxFilterEntries'],
  get: () => ({
    MaxBridgeEntries: MAX_BRIDGES,
    MaxDBridgeEntries: MAX_BRIDGES,
    MaxQBridgeEntries: MAX_BRIDGES,
    MaxVLANEntries: MAX_VLANS,
    MaxProviderBridgeEntries: 0,
    MaxFilterEntries: MAX_FILTERS,
  }),
};

const BRIDGE_PARAMS = ['Enable', 'Status', 'Alias', 'Name', 'Standard', 'AgingTime'] as const;
const STP_PARAMS = ['Enable', 'Status', 'Protocol', 'BridgePriority', 'HelloTime', 'MaxAge', 'ForwardingDelay'] as const;
const VLAN_PARAMS = ['Enable', 'Alias', 'Name', 'VLANID'] as const;
const VLAN_PORT_PARAMS = ['Enable', 'Alias', 'VLAN', 'Port', 'Untagged'] as const;
/** br-lan, the one bridge the gateway ships with. */
const FACTORY_BRIDGES = [1] as const;
/** Spanning tree (IEEE 802.1D-2004 / 802.1w): off, as OpenWrt ships br-lan; the settings are kept. */
const STP_DEFAULTS = { Enable: false, Protocol: 'RSTP', BridgePriority: 32768, HelloTime: 200, MaxAge: 2000, ForwardingDelay: 15 } as const;
// Reference values, without the trailing "." (validate strips one a Controller wrote).
const VLAN_REF = /^Device\.Bridging\.Bridge\.(\d+)\.VLAN\.(\d+)$/;
const PORT_REF = /^Device\.Bridging\.Bridge\.(\d+)\.Port\.(\d+)$/;

/** A bridge's writable values until written: br-lan as shipped, or a Controller's bridge, disabled (the TR-181 default), as an 802.1Q bridge. */
class BridgeRows extends WritableRows {
  constructor(
    ctx: SimContext,
    private readonly table: FactoryTable,
  ) {
    super(ctx, BRIDGE, {});
  }

  protected override initialRow(keys: InstanceKeys): Record<string, Value> {
    return this.table.isFactory(keys) ? { Enable: true, Alias: 'cpe-br-lan', Standard: '802.1Q-2011', AgingTime: 300 } : { Enable: false, Alias: '', Standard: '802.1Q-2011', AgingTime: 300 };
  }
}

/**
 * The bridges of one gateway, as their ports see them (BridgeView). Its bindings are classes
 * over it, their methods one copy on the prototype for a whole fleet (issue 14).
 */
class Bridges implements BridgeView {
  readonly table: FactoryTable;
  readonly rows: WritableRows;
  readonly stpRows: WritableRows;
  /** Set once the ports are registered (they need this view of the bridges first). */
  ports!: PortsState;
  /**
   * The clocks of the bridges whose Enable a Controller changed, made at the first change. A
   * bridge never changed follows its row's Enable from boot: its clock is made on each read and
   * not kept, so a gateway read whole keeps none (issue 14).
   */
  private clocks: Map<number, LinkClock> | undefined;
  private readonly vlanNode: ModelNode;
  readonly vlanPortNode: ModelNode;

  constructor(readonly ctx: SimContext) {
    this.table = new FactoryTable(ctx, BRIDGE, FACTORY_BRIDGES, MAX_BRIDGES);
    this.rows = new BridgeRows(ctx, this.table);
    this.stpRows = new WritableRows(ctx, `${BRIDGE}STP.`, STP_DEFAULTS);
    this.vlanNode = ctx.model.requireNode(VLAN);
    this.vlanPortNode = ctx.model.requireNode(VLAN_PORT);
  }

  /** Bridge `b`'s clock, to read. */
  clock(b: number): LinkClock {
    return this.clocks?.get(b) ?? this.newClock(b);
  }

  /** Bridge `b`'s clock, to change (setUp): kept from now on. */
  clockToChange(b: number): LinkClock {
    const clocks = (this.clocks ??= new Map<number, LinkClock>());
    let c = clocks.get(b);
    if (!c) clocks.set(b, (c = this.newClock(b)));
    return c;
  }

  /** A bridge's clock as it is until its first change: up from boot (shipped bridges 1.5 s after it) while Enable is true. */
  private newClock(b: number): LinkClock {
    return new EnableClock(this.ctx, this.rows, b, this.table.isFactory([b]) ? 1_500 : 0);
  }

  forgetClock(b: number): void {
    this.clocks?.delete(b);
  }

  /** 7016 unless the bridge of `keys` exists; returns `keys`. */
  one(keys: InstanceKeys): InstanceKeys {
    this.table.check(keys.slice(0, 1));
    return keys;
  }

  check(keys: InstanceKeys): void {
    this.table.check(keys);
  }

  list(): number[] {
    return this.table.list([]);
  }

  name(b: number): string {
    return b === 1 ? 'br-lan' : `br-lan${b - 1}`;
  }

  up(b: number): boolean {
    return this.clock(b).up;
  }

  lastChange(b: number): number {
    return this.clock(b).lastChange();
  }

  hasVlan(b: number, vid: number): boolean {
    return this.vlanIds(b).includes(vid);
  }

  vlanInstances(bridge: number): number[] {
    return this.ctx.store.instances(this.vlanNode.tablePathOf([bridge]));
  }

  vlanIds(bridge: number): number[] {
    return this.vlanInstances(bridge).map((n) => Number(this.ctx.store.row(this.vlanNode.pathOf([bridge, n]))?.VLANID ?? 0));
  }

  /** Whether `ref` names VLAN.{i} (or, with `port`, Port.{i}) of bridge `b` that exists. */
  refersTo(ref: string, b: number, port: boolean): boolean {
    const m = (port ? PORT_REF : VLAN_REF).exec(ref);
    return m !== null && Number(m[1]) === b && (port ? this.ports.table.list([b]) : this.vlanInstances(b)).includes(Number(m[2]));
  }
}

/** Device.Bridging.Bridge.{i}. */
class BridgeBinding implements ObjectBinding {
  readonly params = BRIDGE_PARAMS;

  constructor(private readonly s: Bridges) {}

  list(): number[] {
    return this.s.list();
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.s.rows.row(this.s.one(keys));
    return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled', Name: this.s.name(keys[0]) };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.s.one(keys);
    if (changes.Enable !== undefined) this.s.clockToChange(keys[0]).setUp(changes.Enable === true);
    this.s.rows.apply(keys, changes);
  }

  add(_parent: InstanceKeys, params: Record<string, Value>): number {
    const n = this.s.table.add([]);
    if (params.Enable === true) this.s.clockToChange(n).setUp(true);
    this.s.rows.apply([n], params);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.s.table.delete(keys);
    this.s.forgetClock(keys[0]);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.s.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.s.table.restore(keys, snap);
  }
}

/** Device.Bridging.Bridge.{i}.STP. */
class StpBinding implements ObjectBinding {
  readonly params = STP_PARAMS;

  constructor(private readonly s: Bridges) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.s.stpRows.row(this.s.one(keys));
    return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const row = { ...this.s.stpRows.row(this.s.one(keys)), ...changes };
    // IEEE 802.1D-2004 17.14: 2 x (ForwardDelay - 1) >= MaxAge >= 2 x (HelloTime + 1), in seconds.
    const maxAge = Number(row.MaxAge) / 100;
    if (!(2 * (Number(row.ForwardingDelay) - 1) >= maxAge && maxAge >= 2 * (Number(row.HelloTime) / 100 + 1))) {
      throw invalidParams(
        ['MaxAge', 'HelloTime', 'ForwardingDelay']
          .filter((p) => p in changes)
          .map((param) => ({
            param,
            message: 'the timers must satisfy 2 x (ForwardingDelay - 1) >= MaxAge >= 2 x (HelloTime + 1) (IEEE 802.1D-2004 17.14)',
          })),
      );
    }
    this.s.stpRows.apply(keys, changes);
  }
}

/**
 * Bridge.{i}.VLAN.{i}., stored: the hooks are methods (registerStored calls them on this
 * object), one copy for the fleet.
 */
class VlanOptions implements StoredOptions {
  readonly params = VLAN_PARAMS;

  constructor(private readonly s: Bridges) {}

  /** R-ADD.5: a VLAN added without a VLANID gets the lowest one not yet used (never VLAN 1, the default). */
  initial([bridge]: InstanceKeys): Record<string, Value> {
    const used = new Set(this.s.vlanIds(bridge));
    let vid = DEFAULT_VID + 1;
    while (used.has(vid)) vid++;
    return { VLANID: vid };
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.s.one(keys);
    if (keys[1] === 0 && this.s.vlanInstances(keys[0]).length >= MAX_VLANS) {
      throw new UspError(ErrorCode.ResourcesExceeded, `the bridge holds at most ${MAX_VLANS} VLANs (MaxVLANEntries)`);
    }
    const vid = changes.VLANID;
    if (vid !== undefined && !(Number.isInteger(vid) && Number(vid) >= 1 && Number(vid) <= 4094)) {
      throw invalidParams([{ param: 'VLANID', message: `${vid} is not a VLAN ID (1 to 4094; 0 and 4095 are reserved by IEEE 802.1Q)` }]);
    }
  }
}

/** Where VLANPort's live parameters find their gateway's bridges: a symbol, so registerStored (which calls every enumerable string-named property of `live`) never calls it. */
const BRIDGES = Symbol('bridges');

interface VlanPortLive {
  readonly [BRIDGES]: Bridges;
}

/** A strong reference to a row that was deleted reads as "" (TR-106 §3.2.3). */
function liveRef(bridges: Bridges, keys: InstanceKeys, param: 'VLAN' | 'Port'): string {
  const ref = String(bridges.ctx.store.row(bridges.vlanPortNode.pathOf(keys))?.[param] ?? '');
  return bridges.refersTo(ref, keys[0], param === 'Port') ? ref : '';
}

// Module functions, called on the gateway's `live` object: one copy for the fleet.
function liveVlan(this: VlanPortLive, keys: InstanceKeys): Value {
  return liveRef(this[BRIDGES], keys, 'VLAN');
}

function livePort(this: VlanPortLive, keys: InstanceKeys): Value {
  return liveRef(this[BRIDGES], keys, 'Port');
}

/** Bridge.{i}.VLANPort.{i}., stored, with live references and validate as methods. */
class VlanPortOptions implements StoredOptions {
  readonly params = VLAN_PORT_PARAMS;
  readonly live: { VLAN: typeof liveVlan; Port: typeof livePort; [BRIDGES]: Bridges };

  constructor(private readonly s: Bridges) {
    this.live = { VLAN: liveVlan, Port: livePort, [BRIDGES]: s };
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.s.one(keys);
    canonicalizeReferences(changes, ['VLAN', 'Port']);
    const bad: Array<{ param: string; message: string }> = [];
    const { VLAN: vlan, Port: port } = changes;
    if (vlan !== undefined && vlan !== '' && !this.s.refersTo(String(vlan), keys[0], false)) {
      bad.push({ param: 'VLAN', message: `must name a Device.Bridging.Bridge.${keys[0]}.VLAN.{i}. row` });
    }
    if (port !== undefined && port !== '' && !this.s.refersTo(String(port), keys[0], true)) {
      bad.push({ param: 'Port', message: `must name a Device.Bridging.Bridge.${keys[0]}.Port.{i}. row` });
    }
    // A new membership (instance 0 while being added) needs both halves of its unique key.
    if (keys[keys.length - 1] === 0) {
      if (!vlan) bad.push({ param: 'VLAN', message: 'a VLANPort needs its VLAN' });
      if (!port) bad.push({ param: 'Port', message: 'a VLANPort needs its Port' });
    }
    if (bad.length > 0) throw invalidParams(bad);
  }
}

/**
 * Serves Device.Bridging., the Bridge table (br-lan as shipped, more a Controller adds), each
 * bridge's STP settings, Port, VLAN and VLANPort tables. `wanTraffic` is the cellular data
 * session's: br-lan's management port counts the same bytes as br-lan's Ethernet.Link.
 */
export function registerBridging(ctx: SimContext, ethernet: readonly EthernetPortState[], bsses: readonly BssState[], wanTraffic: TrafficProfile): BridgeState {
  const { model, store } = ctx;
  model.register('Device.Bridging.', BRIDGING);
  const bridges = new Bridges(ctx);
  model.register(BRIDGE, new BridgeBinding(bridges));
  model.register(`${BRIDGE}STP.`, new StpBinding(bridges));
  const ports = registerBridgePorts(ctx, bridges, ethernet, bsses, lanLinkTraffic(wanTraffic));
  bridges.ports = ports;
  registerStored(model, store, VLAN, new VlanOptions(bridges));
  registerStored(model, store, VLAN_PORT, new VlanPortOptions(bridges));
  registerBridgeFilters(ctx, bridges);
  return ports;
}

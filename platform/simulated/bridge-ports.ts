/**
 * Device.Bridging.Bridge.{i}.Port.{i}. and .Stats. of the simulated gateway (TR-181 Bridge:1,
 * VLANBridge:1): br-lan ships with its management port (Port.1, the bridge's own interface)
 * over the four LAN Ethernet ports and the four Wi-Fi SSIDs. A Controller may delete ports and
 * add new ones, stacking each on a LAN port or SSID no other bridge port holds; the management
 * port's LowerLayers is always the bridge's other ports. A port's counters are those of the
 * interface below it (the same traffic model as Ethernet.Interface.{i}.Stats.; an SSID's count
 * while it is Up), the management port's those of the bridge's own interface (Ethernet.Link.1
 * over it).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import type { EthernetPortState } from './ethernet.js';
import { FactoryTable } from './factory-table.js';
import { Prng } from './random.js';
import { invalidParams, LinkClock, type SimContext, WritableRows } from './SimContext.js';
import { readStats, STATS_PARAMS, type StatsTypes, statsTypesAt, type TrafficProfile } from './traffic.js';
import type { BssState } from './wifi-access-point.js';

/** Ports one bridge can hold (the switch's 8 ports and 8 BSSes, with room to spare). */
export const MAX_PORTS = 16;
/** VLAN 1 is the default VLAN: every port's PVID unless configured otherwise (IEEE 802.1Q). */
export const DEFAULT_VID = 1;
/** 802.1Q C-tag and 802.1ad S-tag ethertypes, the TPIDs the switch can match. */
const TPIDS = [0x8100, 0x88a8];

const PORT = 'Device.Bridging.Bridge.{i}.Port.{i}.';

/** An interface a bridge port can stack on: a LAN Ethernet port or an SSID. */
interface Lower {
  ref: string;
  name: string;
  status(): string;
  lastChange(): number;
  traffic: TrafficProfile;
  /** Seconds it has carried traffic since boot. */
  upSeconds(): number;
  /** STP path cost for its speed. */
  pathCost: number;
}

/** What bridging.ts tells the ports about the bridge they are in. */
export interface BridgeView {
  /** 7016 unless the bridge row exists. */
  check(keys: InstanceKeys): void;
  /** The bridges there are. */
  list(): number[];
  name(bridge: number): string;
  up(bridge: number): boolean;
  lastChange(bridge: number): number;
  /** Whether the bridge has a VLAN row with this VLANID. */
  hasVlan(bridge: number, vid: number): boolean;
}

export interface PortsState {
  table: FactoryTable;
  /** The management port of bridge 1 forwards (br-lan's Ethernet.Link rests on it). */
  managementPortUp(): boolean;
  managementPortLastChange(): number;
}

/**
 * The 16-bit STP path costs of IEEE 802.1D-1998 that the Linux bridge gives a port by its speed
 * (TR-181 PathCost is 0..65535, so not 802.1D-2004's 32-bit ones).
 */
const pathCost = (mbps: number): number => (mbps >= 10_000 ? 2 : mbps >= 1_000 ? 4 : mbps >= 100 ? 19 : 100);

/** A LAN Ethernet port below a bridge port. Lowers are classes: their methods are one copy for every gateway of a fleet (issue 14). */
class EthernetLower implements Lower {
  readonly ref: string;
  readonly name: string;
  readonly traffic: TrafficProfile;
  readonly pathCost: number;

  constructor(
    n: number,
    private readonly port: EthernetPortState,
  ) {
    this.ref = `Device.Ethernet.Interface.${n}`;
    this.name = port.name;
    this.traffic = port.traffic;
    this.pathCost = pathCost(port.name === 'lan4' ? 100 : 1000);
  }

  status(): string {
    return this.port.clock.up ? 'Up' : 'Down';
  }

  lastChange(): number {
    return this.port.clock.lastChange();
  }

  upSeconds(): number {
    return this.port.clock.upSeconds();
  }
}

/**
 * An SSID below a bridge port. It carries traffic only while it is Up (the guest SSID ships
 * disabled: nothing); its up/down history is taken as this port sees it at each read, so
 * counters never go back.
 */
class SsidLower implements Lower {
  readonly ref: string;
  readonly name: string;
  readonly pathCost = pathCost(100);
  private readonly carried: LinkClock;

  constructor(
    ctx: SimContext,
    n: number,
    private readonly bss: BssState,
    readonly traffic: TrafficProfile,
  ) {
    this.ref = `Device.WiFi.SSID.${n}`;
    this.name = bss.name;
    this.carried = new SsidClock(ctx, bss);
  }

  status(): string {
    return this.bss.ssidStatus();
  }

  lastChange(): number {
    return this.bss.ssidLastChange();
  }

  upSeconds(): number {
    this.carried.setUp(this.bss.ssidStatus() === 'Up');
    return this.carried.upSeconds();
  }
}

/** An SSID's carrying history, up at boot while it is Up (a class: no closure per SSID, issue 14). */
class SsidClock extends LinkClock {
  constructor(
    ctx: SimContext,
    private readonly bss: BssState,
  ) {
    super(ctx, false);
  }

  protected override initialUp(): boolean {
    return this.bss.ssidStatus() === 'Up';
  }
}

const PORT_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'Name',
  'LastChange',
  'LowerLayers',
  'ManagementPort',
  'Type',
  'DefaultUserPriority',
  'PriorityRegeneration',
  'PortState',
  'PVID',
  'TPID',
  'AcceptableFrameTypes',
  'IngressFiltering',
  'PriorityTagging',
  'Priority',
  'PathCost',
] as const;
const NO_TRAFFIC: TrafficProfile = { label: 'none', sentRate: 0, receivedRate: 0 };

/** The port table: br-lan ships with `shipped` ports (the management port and one per lower), other bridges with none. */
class PortTable extends FactoryTable {
  constructor(
    ctx: SimContext,
    private readonly shipped: number,
  ) {
    super(ctx, PORT, [], MAX_PORTS);
  }

  protected override factoryRows([b]: InstanceKeys): number[] {
    return b === 1 ? Array.from({ length: this.shipped }, (_, i) => i + 1) : [];
  }
}

/** A port's writable values until written: br-lan's shipped ports name and stack on their lower. */
class PortRows extends WritableRows {
  constructor(
    ctx: SimContext,
    private readonly ports: BridgePorts,
  ) {
    super(ctx, PORT, {});
  }

  protected override initialRow(keys: InstanceKeys): Record<string, Value> {
    const shipped = this.ports.table.isFactory(keys);
    const lower = this.ports.factoryLower(keys);
    return {
      Enable: shipped,
      Alias: shipped ? `cpe-${lower?.name ?? this.ports.bridge.name(keys[0])}` : '',
      LowerLayers: lower?.ref ?? '',
      ManagementPort: shipped && keys[1] === 1,
      Type: 'CustomerVLANPort',
      DefaultUserPriority: 0,
      PriorityRegeneration: '0,1,2,3,4,5,6,7',
      PVID: DEFAULT_VID,
      TPID: 0x8100,
      AcceptableFrameTypes: 'AdmitAll',
      IngressFiltering: false,
      PriorityTagging: false,
      Priority: 128,
      PathCost: lower?.pathCost ?? pathCost(1000),
    };
  }
}

/** A port's up/down history, up at boot while its row has Enable true. */
class PortClock extends LinkClock {
  constructor(
    ctx: SimContext,
    private readonly rows: WritableRows,
    private readonly keys: InstanceKeys,
    upDelayMs: number,
  ) {
    super(ctx, false, upDelayMs);
  }

  protected override initialUp(): boolean {
    return this.rows.row(this.keys).Enable === true;
  }
}

/**
 * The bridge ports of one gateway. Its bindings are classes over it, their methods one copy on
 * the prototype for a whole fleet (issue 14).
 */
class BridgePorts implements PortsState {
  readonly table: FactoryTable;
  readonly rows: WritableRows;
  readonly statsTypes: StatsTypes;
  /** br-lan as shipped: Port.1 the management port, then one port per LAN port and SSID. */
  private readonly factory: ReadonlyArray<Lower | undefined>;
  /**
   * The clocks of the ports whose status a Controller changed, made at the first change. A port
   * never changed follows its row's Enable from boot: its clock is made on each read and not
   * kept, so a gateway read whole keeps none (issue 14: ~3 KB each).
   */
  private clocks: Map<string, LinkClock> | undefined;

  constructor(
    readonly ctx: SimContext,
    readonly bridge: BridgeView,
    lowers: readonly Lower[],
    readonly lanTraffic: TrafficProfile,
  ) {
    this.factory = [undefined, ...lowers];
    this.table = new PortTable(ctx, this.factory.length);
    this.rows = new PortRows(ctx, this);
    this.statsTypes = statsTypesAt(ctx.model, `${PORT}Stats.`);
  }

  factoryLower(keys: InstanceKeys): Lower | undefined {
    return keys[0] === 1 ? this.factory[keys[1] - 1] : undefined;
  }

  /** The port's clock, to read. */
  clockOf(keys: InstanceKeys): LinkClock {
    return this.clocks?.get(this.table.node.pathOf(keys)) ?? this.newClock(keys);
  }

  /** The port's clock, to change (setUp): kept from now on. */
  clockToChange(keys: InstanceKeys): LinkClock {
    const path = this.table.node.pathOf(keys);
    const clocks = (this.clocks ??= new Map<string, LinkClock>());
    let c = clocks.get(path);
    if (!c) clocks.set(path, (c = this.newClock(keys)));
    return c;
  }

  /** A port's clock as it is until its first change: up from boot (shipped ports 1.5 s after it) while Enable is true. */
  private newClock(keys: InstanceKeys): LinkClock {
    return new PortClock(this.ctx, this.rows, keys, this.table.isFactory(keys) ? 1_500 : 0);
  }

  forgetClock(keys: InstanceKeys): void {
    this.clocks?.delete(this.table.node.pathOf(keys));
  }

  /**
   * The LAN port or SSID `ref` names (undefined for any other). A search of the eight, not a
   * Map per gateway: a Map's table alone is larger than the list (issue 14).
   */
  lowerNamed(ref: string): Lower | undefined {
    return this.factory.find((l) => l?.ref === ref);
  }

  lowerOf(keys: InstanceKeys): Lower | undefined {
    return this.lowerNamed(String(this.rows.row(keys).LowerLayers));
  }

  isManagement(keys: InstanceKeys): boolean {
    return this.rows.row(keys).ManagementPort === true;
  }

  /** The management port stacks on every other port of its bridge. */
  memberRefs(b: number): string {
    return this.table
      .list([b])
      .filter((p) => !this.isManagement([b, p]))
      .map((p) => `Device.Bridging.Bridge.${b}.Port.${p}`)
      .join(',');
  }

  status(keys: InstanceKeys): string {
    if (!this.bridge.up(keys[0]) || !this.clockOf(keys).up) return 'Down';
    if (this.isManagement(keys)) return 'Up';
    return this.lowerOf(keys)?.status() === 'Up' ? 'Up' : 'LowerLayerDown';
  }

  name(keys: InstanceKeys): string {
    return this.isManagement(keys) ? this.bridge.name(keys[0]) : (this.lowerOf(keys)?.name ?? `${this.bridge.name(keys[0])}-p${keys[1]}`);
  }

  check(keys: InstanceKeys): InstanceKeys {
    this.bridge.check(keys.slice(0, 1));
    return this.table.check(keys);
  }

  validate(keys: InstanceKeys, row: Record<string, Value>, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['LowerLayers']); // so the same stacking with a trailing "." is no change
    const bad: Array<{ param: string; message: string }> = [];
    const [b, p] = keys;
    const others = this.table.list([b]).filter((n) => n !== p);
    const management = changes.ManagementPort ?? row.ManagementPort;
    if (changes.ManagementPort === true && row.ManagementPort !== true && others.some((n) => this.isManagement([b, n]))) {
      bad.push({ param: 'ManagementPort', message: `the bridge has its management port already (one per bridge)` });
    }
    const ll = changes.LowerLayers;
    if (ll !== undefined && management === true && ll !== this.memberRefs(b)) {
      bad.push({ param: 'LowerLayers', message: `a management port stacks on the bridge's other ports (${this.memberRefs(b) || 'none'}), not on an interface` });
    } else if (ll !== undefined && management !== true && ll !== '' && ll !== row.LowerLayers) {
      const used = new Set(
        this.bridge.list().flatMap((bn) =>
          this.table
            .list([bn])
            .filter((n) => !(bn === b && n === p))
            .map((n) => String(this.rows.row([bn, n]).LowerLayers)),
        ),
      );
      if (!this.lowerNamed(String(ll))) bad.push({ param: 'LowerLayers', message: 'a bridge port stacks on one LAN Ethernet.Interface or WiFi.SSID' });
      else if (used.has(String(ll))) bad.push({ param: 'LowerLayers', message: `${ll} is in another bridge port already` });
    }
    const type = changes.Type;
    if (type !== undefined && type !== 'CustomerVLANPort' && type !== 'VLANUnawarePort') {
      bad.push({ param: 'Type', message: 'a customer bridge port: CustomerVLANPort or VLANUnawarePort (no provider bridging)' });
    }
    const pvid = changes.PVID;
    if (pvid !== undefined && pvid !== DEFAULT_VID && !this.bridge.hasVlan(b, Number(pvid))) {
      bad.push({ param: 'PVID', message: `VLAN ${pvid} is not configured in this bridge (add a VLAN row first)` });
    }
    if (changes.TPID !== undefined && !TPIDS.includes(Number(changes.TPID))) {
      bad.push({ param: 'TPID', message: 'must be 33024 (0x8100, 802.1Q) or 34984 (0x88A8, 802.1ad)' });
    }
    if (bad.length > 0) throw invalidParams(bad);
  }

  /** br-lan's management port, wherever a Controller left it (none once it was deleted). */
  private management(): InstanceKeys | undefined {
    if (!this.bridge.list().includes(1)) return undefined;
    const p = this.table.list([1]).find((n) => this.isManagement([1, n]));
    return p === undefined ? undefined : [1, p];
  }

  managementPortUp(): boolean {
    const k = this.management();
    return k !== undefined && this.status(k) === 'Up';
  }

  managementPortLastChange(): number {
    const k = this.management();
    return k ? Math.min(this.clockOf(k).lastChange(), this.bridge.lastChange(1)) : 0;
  }
}

/** Device.Bridging.Bridge.{i}.Port.{i}. */
class PortBinding implements ObjectBinding {
  readonly params = PORT_PARAMS;

  constructor(private readonly s: BridgePorts) {}

  list([b]: InstanceKeys): number[] {
    this.s.bridge.check([b]);
    return this.s.table.list([b]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { s } = this;
    const row = s.rows.row(s.check(keys));
    const status = s.status(keys);
    // Seconds since this port, the bridge or the layer below last changed.
    const lastChange = Math.min(s.clockOf(keys).lastChange(), s.bridge.lastChange(keys[0]), s.lowerOf(keys)?.lastChange() ?? Infinity);
    return {
      ...row,
      Status: status,
      Name: s.name(keys),
      LastChange: lastChange,
      PortState: status === 'Up' ? 'Forwarding' : 'Disabled',
      LowerLayers: row.ManagementPort === true ? s.memberRefs(keys[0]) : row.LowerLayers,
    };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { s } = this;
    s.validate(s.check(keys), s.rows.row(keys), changes);
    if (changes.Enable !== undefined) s.clockToChange(keys).setUp(changes.Enable === true);
    // The management port's stacking is derived, never stored.
    if (s.isManagement(keys) || changes.ManagementPort === true) delete changes.LowerLayers;
    s.rows.apply(keys, changes);
  }

  add([b]: InstanceKeys, params: Record<string, Value>): number {
    const { s } = this;
    s.bridge.check([b]);
    const values = { ...params };
    // Checked as instance 0 (a row not yet numbered), so a refused Add uses up no number.
    s.validate([b, 0], s.rows.row([b, 0]), values);
    const n = s.table.add([b]);
    if (values.Enable === true) s.clockToChange([b, n]).setUp(true);
    s.rows.apply([b, n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.s.table.delete(this.s.check(keys));
    this.s.forgetClock(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.s.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.s.table.restore(keys, snap);
  }
}

/** Device.Bridging.Bridge.{i}.Port.{i}.Stats. */
class PortStatsBinding implements ObjectBinding {
  readonly params = STATS_PARAMS;

  constructor(private readonly s: BridgePorts) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const { s } = this;
    const { statsTypes, ctx } = s;
    s.check(keys);
    if (s.isManagement(keys)) return readStats(statsTypes, ctx.seed, s.lanTraffic, s.clockOf(keys).upSeconds());
    const lower = s.lowerOf(keys);
    if (!lower) return readStats(statsTypes, ctx.seed, NO_TRAFFIC, 0);
    return readStats(statsTypes, ctx.seed, lower.traffic, lower.upSeconds());
  }
}

/** Serves the bridges' Port.{i}. and .Stats. tables; `lanTraffic` is the management port's (br-lan's own interface). */
export function registerBridgePorts(ctx: SimContext, bridge: BridgeView, ethernet: readonly EthernetPortState[], bsses: readonly BssState[], lanTraffic: TrafficProfile): PortsState {
  const rnd = new Prng(ctx.seed, 'bridge-ports');
  const lowers: Lower[] = [
    ...ethernet.flatMap((p, i) => (p.upstream ? [] : [new EthernetLower(i + 1, p)])),
    ...bsses.map((b, i) => {
      const down = rnd.int(20_000, 900_000);
      return new SsidLower(ctx, i + 1, b, { label: `bridge-port.wifi.${i + 1}`, sentRate: down, receivedRate: Math.round(down / 10) });
    }),
  ];
  const ports = new BridgePorts(ctx, bridge, lowers, lanTraffic);
  ctx.model.register(PORT, new PortBinding(ports));
  ctx.model.register(`${PORT}Stats.`, new PortStatsBinding(ports));
  return ports;
}

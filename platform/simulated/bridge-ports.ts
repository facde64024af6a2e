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
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import type { EthernetPortState } from './ethernet.js';
import { FactoryTable } from './factory-table.js';
import { Prng } from './random.js';
import { invalidParams, LinkClock, type SimContext, WritableRows } from './SimContext.js';
import { STATS_PARAMS, statsReader, type TrafficProfile } from './traffic.js';
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
    this.carried = new LinkClock(ctx, () => bss.ssidStatus() === 'Up');
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

export function registerBridgePorts(ctx: SimContext, bridge: BridgeView, ethernet: readonly EthernetPortState[], bsses: readonly BssState[], lanTraffic: TrafficProfile): PortsState {
  const { model, seed } = ctx;
  const rnd = new Prng(seed, 'bridge-ports');
  const lowers: Lower[] = [
    ...ethernet.flatMap((p, i) => (p.upstream ? [] : [new EthernetLower(i + 1, p)])),
    ...bsses.map((b, i) => {
      const down = rnd.int(20_000, 900_000);
      return new SsidLower(ctx, i + 1, b, { label: `bridge-port.wifi.${i + 1}`, sentRate: down, receivedRate: Math.round(down / 10) });
    }),
  ];
  const byRef = new Map(lowers.map((l) => [l.ref, l]));
  // br-lan as shipped: Port.1 the management port, then one port per LAN port and SSID.
  const FACTORY = [undefined, ...lowers];
  const table = new FactoryTable(ctx, PORT, ([b]) => (b === 1 ? FACTORY.map((_, i) => i + 1) : []), MAX_PORTS);
  const factoryLower = (keys: InstanceKeys): Lower | undefined => (keys[0] === 1 ? FACTORY[keys[1] - 1] : undefined);

  const rows = new WritableRows(ctx, PORT, (keys) => {
    const shipped = table.isFactory(keys);
    const lower = factoryLower(keys);
    return {
      Enable: shipped,
      Alias: shipped ? `cpe-${lower?.name ?? bridge.name(keys[0])}` : '',
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
  });
  const clocks = new Map<string, LinkClock>();
  const clockOf = (keys: InstanceKeys): LinkClock => {
    const path = table.node.pathOf(keys);
    let c = clocks.get(path);
    if (!c) {
      c = new LinkClock(ctx, () => rows.row(keys).Enable === true, table.isFactory(keys) ? 1_500 : 0);
      clocks.set(path, c);
    }
    return c;
  };
  const lowerOf = (keys: InstanceKeys): Lower | undefined => byRef.get(String(rows.row(keys).LowerLayers));
  const isManagement = (keys: InstanceKeys): boolean => rows.row(keys).ManagementPort === true;
  /** The management port stacks on every other port of its bridge. */
  const memberRefs = (b: number): string =>
    table
      .list([b])
      .filter((p) => !isManagement([b, p]))
      .map((p) => `Device.Bridging.Bridge.${b}.Port.${p}`)
      .join(',');
  const status = (keys: InstanceKeys): string => {
    if (!bridge.up(keys[0]) || !clockOf(keys).up) return 'Down';
    if (isManagement(keys)) return 'Up';
    return lowerOf(keys)?.status() === 'Up' ? 'Up' : 'LowerLayerDown';
  };
  const name = (keys: InstanceKeys): string => (isManagement(keys) ? bridge.name(keys[0]) : (lowerOf(keys)?.name ?? `${bridge.name(keys[0])}-p${keys[1]}`));

  const check = (keys: InstanceKeys): InstanceKeys => {
    bridge.check(keys.slice(0, 1));
    return table.check(keys);
  };
  const validate = (keys: InstanceKeys, row: Record<string, Value>, changes: Record<string, Value>): void => {
    canonicalizeReferences(changes, ['LowerLayers']); // so the same stacking with a trailing "." is no change
    const bad: Array<{ param: string; message: string }> = [];
    const [b, p] = keys;
    const others = table.list([b]).filter((n) => n !== p);
    const management = changes.ManagementPort ?? row.ManagementPort;
    if (changes.ManagementPort === true && row.ManagementPort !== true && others.some((n) => isManagement([b, n]))) {
      bad.push({ param: 'ManagementPort', message: `the bridge has its management port already (one per bridge)` });
    }
    const ll = changes.LowerLayers;
    if (ll !== undefined && management === true && ll !== memberRefs(b)) {
      bad.push({ param: 'LowerLayers', message: `a management port stacks on the bridge's other ports (${memberRefs(b) || 'none'}), not on an interface` });
    } else if (ll !== undefined && management !== true && ll !== '' && ll !== row.LowerLayers) {
      const used = new Set(
        bridge.list().flatMap((bn) =>
          table
            .list([bn])
            .filter((n) => !(bn === b && n === p))
            .map((n) => String(rows.row([bn, n]).LowerLayers)),
        ),
      );
      if (!byRef.has(String(ll))) bad.push({ param: 'LowerLayers', message: 'a bridge port stacks on one LAN Ethernet.Interface or WiFi.SSID' });
      else if (used.has(String(ll))) bad.push({ param: 'LowerLayers', message: `${ll} is in another bridge port already` });
    }
    const type = changes.Type;
    if (type !== undefined && type !== 'CustomerVLANPort' && type !== 'VLANUnawarePort') {
      bad.push({ param: 'Type', message: 'a customer bridge port: CustomerVLANPort or VLANUnawarePort (no provider bridging)' });
    }
    const pvid = changes.PVID;
    if (pvid !== undefined && pvid !== DEFAULT_VID && !bridge.hasVlan(b, Number(pvid))) {
      bad.push({ param: 'PVID', message: `VLAN ${pvid} is not configured in this bridge (add a VLAN row first)` });
    }
    if (changes.TPID !== undefined && !TPIDS.includes(Number(changes.TPID))) {
      bad.push({ param: 'TPID', message: 'must be 33024 (0x8100, 802.1Q) or 34984 (0x88A8, 802.1ad)' });
    }
    if (bad.length > 0) throw invalidParams(bad);
  };

  model.register(PORT, {
    params: [
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
    ],
    list: ([b]) => {
      bridge.check([b]);
      return table.list([b]);
    },
    get: (keys) => {
      const row = rows.row(check(keys));
      const s = status(keys);
      // Seconds since this port, the bridge or the layer below last changed.
      const lastChange = Math.min(clockOf(keys).lastChange(), bridge.lastChange(keys[0]), lowerOf(keys)?.lastChange() ?? Infinity);
      return {
        ...row,
        Status: s,
        Name: name(keys),
        LastChange: lastChange,
        PortState: s === 'Up' ? 'Forwarding' : 'Disabled',
        LowerLayers: row.ManagementPort === true ? memberRefs(keys[0]) : row.LowerLayers,
      };
    },
    set: (keys, changes) => {
      validate(check(keys), rows.row(keys), changes);
      if (changes.Enable !== undefined) clockOf(keys).setUp(changes.Enable === true);
      // The management port's stacking is derived, never stored.
      if (isManagement(keys) || changes.ManagementPort === true) delete changes.LowerLayers;
      rows.apply(keys, changes);
    },
    add: ([b], params) => {
      bridge.check([b]);
      const values = { ...params };
      // Checked as instance 0 (a row not yet numbered), so a refused Add uses up no number.
      validate([b, 0], rows.row([b, 0]), values);
      const n = table.add([b]);
      if (values.Enable === true) clockOf([b, n]).setUp(true);
      rows.apply([b, n], values);
      return n;
    },
    delete: (keys) => {
      table.delete(check(keys));
      clocks.delete(table.node.pathOf(keys));
    },
    snapshot: (keys) => table.snapshot(keys),
    restore: (keys, snap) => table.restore(keys, snap),
  });

  const readStats = statsReader(model, `${PORT}Stats.`, seed);
  model.register(`${PORT}Stats.`, {
    params: STATS_PARAMS,
    get: (keys) => {
      check(keys);
      if (isManagement(keys)) return readStats(lanTraffic, clockOf(keys).upSeconds());
      const lower = lowerOf(keys);
      if (!lower) return readStats({ label: 'none', sentRate: 0, receivedRate: 0 }, 0);
      return readStats(lower.traffic, lower.upSeconds());
    },
  });

  // br-lan's management port, wherever a Controller left it (none once it was deleted).
  const management = (): InstanceKeys | undefined => {
    if (!bridge.list().includes(1)) return undefined;
    const p = table.list([1]).find((n) => isManagement([1, n]));
    return p === undefined ? undefined : [1, p];
  };
  return {
    table,
    managementPortUp: () => {
      const k = management();
      return k !== undefined && status(k) === 'Up';
    },
    managementPortLastChange: () => {
      const k = management();
      return k ? Math.min(clockOf(k).lastChange(), bridge.lastChange(1)) : 0;
    },
  };
}

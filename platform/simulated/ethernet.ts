/**
 * Device.Ethernet. of the simulated gateway (TR-181 EthernetInterface:2): four LAN ports and a
 * WAN port. The WAN port exists but has no cable: on a 5G FWA gateway the cellular interface
 * is the uplink, and the Ethernet WAN is only used for an optional fibre/DSL fallback.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { Prng } from './random.js';
import { EnableClock, type LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import { readStats, STATS_PARAMS, type StatsTypes, statsTypesAt, type TrafficProfile } from './traffic.js';

interface Port {
  name: string;
  upstream: boolean;
  /** A cable and a link partner are present. */
  cabled: boolean;
  /** PHY rate the link negotiates, Mbps. */
  linkMbps: number;
  /** Offset in the device's MAC block. */
  macOffset: number;
}

const PORTS: readonly Port[] = [
  { name: 'lan1', upstream: false, cabled: true, linkMbps: 1000, macOffset: 1 },
  { name: 'lan2', upstream: false, cabled: true, linkMbps: 1000, macOffset: 2 },
  { name: 'lan3', upstream: false, cabled: false, linkMbps: 1000, macOffset: 3 },
  { name: 'lan4', upstream: false, cabled: true, linkMbps: 100, macOffset: 4 }, // an old set-top box
  { name: 'wan', upstream: true, cabled: false, linkMbps: 2500, macOffset: 5 },
];

const WRITABLE = ['Enable', 'Alias', 'MaxBitRate', 'DuplexMode', 'EEEEnable', 'MDIX'] as const;
/** Device.Ethernet.Interface.{i}. as served: one list for every gateway of a fleet (issue 14). */
const INTERFACE_PARAMS = ['Status', 'Name', 'LastChange', 'Upstream', 'MACAddress', 'CurrentBitRate', 'CurrentDuplexMode', 'EEECapability', 'EEEStatus', 'CurrentMDIX', ...WRITABLE];

/** What the bridge and the LAN hosts need to know about Device.Ethernet.Interface.{i}. */
export interface EthernetPortState {
  name: string;
  upstream: boolean;
  cabled: boolean;
  /** Link status: enabled, and a cable with a link partner. */
  clock: LinkClock;
  /** Wall-clock ms at which the link first came up after boot (auto-negotiation done). */
  linkUpAt: number;
  /** The port's MACAddress (its Ethernet.Link has the same one: one netdev). */
  macAddress: string;
  /** Its traffic (Device.Ethernet.Interface.{i}.Stats.), which a bridge port over it counts too. */
  traffic: TrafficProfile;
}

export interface EthernetState {
  /** The LAN ports' average download rate, bytes/s. */
  lanDownRate: number;
  /** Interface i is ports[i - 1]. */
  ports: readonly EthernetPortState[];
}

/** Device.Ethernet.: one binding for every gateway of a fleet (issue 14): nothing in it is the gateway's. */
const ETHERNET: ObjectBinding = {
  params: ['WoLSupported', 'FlowControlSupported'],
  get: () => ({ WoLSupported: false, FlowControlSupported: true }),
};

/** The interfaces' instance numbers: one list for every gateway of a fleet. */
const INSTANCES = PORTS.map((_, i) => i + 1);

/** Interface i's writable values until written (its Alias names its port). */
class InterfaceRows extends WritableRows {
  protected override initialRow(keys: InstanceKeys): Record<string, Value> {
    return { Enable: true, Alias: `cpe-${nth(PORTS, keys[0]).name}`, MaxBitRate: -1, DuplexMode: 'Auto', EEEEnable: false, MDIX: 'Auto' };
  }
}

/** One port of one gateway: its traffic, link clock and what auto-negotiation settled on. */
interface PortUnit {
  port: Port;
  traffic: TrafficProfile;
  clock: LinkClock;
  autoneg: number;
  mdix: string;
}

/**
 * The Ethernet interfaces of one gateway. Its bindings are classes over it, their methods one
 * copy on the prototype for a whole fleet (issue 14).
 */
class EthernetPorts {
  readonly rows: WritableRows;
  readonly units: readonly PortUnit[];
  readonly statsTypes: StatsTypes;

  constructor(readonly ctx: SimContext) {
    const rnd = new Prng(ctx.seed, 'ethernet');
    const rows = (this.rows = new InterfaceRows(ctx, 'Device.Ethernet.Interface.{i}.', {}));
    this.units = PORTS.map((port, i) => {
      // LAN "Sent" is towards the host, i.e. the household's downloads: the bulk direction.
      const down = port.cabled ? rnd.int(50_000, 1_500_000) : 0;
      const traffic: TrafficProfile = { label: `eth.${i + 1}`, sentRate: down, receivedRate: Math.round(down / 12) };
      const autoneg = rnd.int(2_500, 6_000); // PHY auto-negotiation
      const clock = new EnableClock(ctx, rows, i + 1, autoneg, port.cabled);
      return { port, traffic, clock, autoneg, mdix: rnd.pick(['On', 'Off']) };
    });
    this.statsTypes = statsTypesAt(ctx.model, 'Device.Ethernet.Interface.{i}.Stats.');
  }

  at(keys: InstanceKeys): PortUnit {
    return nth(this.units, keys[0]);
  }
}

/** Device.Ethernet.Interface.{i}. */
class InterfaceBinding implements ObjectBinding {
  readonly params = INTERFACE_PARAMS;

  constructor(private readonly eth: EthernetPorts) {}

  list(): number[] {
    return INSTANCES;
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { port, clock, mdix } = this.eth.at(keys);
    const row = this.eth.rows.row(keys);
    const up = clock.up;
    const max = Number(row.MaxBitRate);
    const values: Record<string, Value> = {
      ...row,
      Status: up ? 'Up' : 'Down',
      Name: port.name,
      LastChange: clock.lastChange(),
      Upstream: port.upstream,
      MACAddress: this.eth.ctx.mac(port.macOffset),
      CurrentBitRate: up ? (max > 0 ? Math.min(max, port.linkMbps) : port.linkMbps) : 0,
      CurrentDuplexMode: up ? (row.DuplexMode === 'Half' ? 'Half' : 'Full') : 'Unknown',
      EEECapability: true,
      EEEStatus: !row.EEEEnable ? 'Disabled' : up ? 'Active' : 'Inactive',
      CurrentMDIX: up ? mdix : 'Unknown',
    };
    return values;
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { port, clock } = this.eth.at(keys);
    // Disabling the port drops the link; re-enabling brings it back if a cable is present.
    if (changes.Enable !== undefined) clock.setUp(changes.Enable === true && port.cabled);
    this.eth.rows.apply(keys, changes);
  }
}

/** Device.Ethernet.Interface.{i}.Stats. */
class InterfaceStatsBinding implements ObjectBinding {
  readonly params = STATS_PARAMS;

  constructor(private readonly eth: EthernetPorts) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const { traffic, clock } = this.eth.at(keys);
    return readStats(this.eth.statsTypes, this.eth.ctx.seed, traffic, clock.upSeconds());
  }
}

/** Registers the Ethernet objects. */
export function registerEthernet(ctx: SimContext): EthernetState {
  const { model } = ctx;
  const eth = new EthernetPorts(ctx);
  model.register('Device.Ethernet.', ETHERNET);
  model.register('Device.Ethernet.Interface.{i}.', new InterfaceBinding(eth));
  model.register('Device.Ethernet.Interface.{i}.Stats.', new InterfaceStatsBinding(eth));
  return {
    lanDownRate: eth.units.reduce((sum, p) => sum + p.traffic.sentRate, 0),
    ports: eth.units.map(({ port, clock, autoneg, traffic }) => ({
      name: port.name,
      upstream: port.upstream,
      cabled: port.cabled,
      clock,
      linkUpAt: ctx.bootedAt + autoneg,
      macAddress: ctx.mac(port.macOffset),
      traffic,
    })),
  };
}

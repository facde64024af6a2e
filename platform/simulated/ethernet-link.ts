/**
 * Device.Ethernet.Link.{i}. of the simulated gateway (TR-181 EthernetLink:1): the layer TR-181
 * puts between an IP interface and what carries its frames (IP.Interface → Ethernet.Link →
 * Bridging.Bridge.{i}.Port or Ethernet.Interface). Link.1 is br-lan, over the bridge's
 * management port, with the device's base MAC, so IP.Interface.1 stacks on it. Link.2 is the
 * Ethernet WAN port's, waiting for a cable: no IP interface uses it while the 5G modem is the
 * uplink (ethernet.ts). wwan0 has no Link: the modem hands the host raw IP, so
 * IP.Interface.2 sits directly on Cellular.Interface.1.
 *
 * A Controller may add Links (EthernetLink:1 createDelete) over one Ethernet.Interface or one
 * Bridging.Bridge.{i}.Port.{i} no other Link sits on, and delete those; their Status,
 * LastChange and MACAddress follow that lower layer (ethernet-link-lower.ts), their Name is
 * `linkN`, and their counters stay at 0: the simulation routes no traffic over them. The
 * gateway's own two cannot be deleted (7024): IP.Interface.1 and the WAN port rest on them.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import type { BridgeState } from './bridging.js';
import type { EthernetPortState } from './ethernet.js';
import { LINK_LOWER_RE, lowerExists, lowerMac, readLower } from './ethernet-link-lower.js';
import { FactoryTable } from './factory-table.js';
import { EnableClock, invalidParams, type LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import { readStats, STATS_PARAMS, type StatsTypes, statsTypesAt, type TrafficProfile } from './traffic.js';

/** br-lan's Link, as IP.Interface.1's LowerLayers names it. */
export const LAN_LINK = 'Device.Ethernet.Link.1';

/** MTUs the switch and the bridge take: IPv4's minimum up to the switch's jumbo-frame limit. */
const MTU_RANGE = { min: 68, max: 9000 } as const;
/** Links the gateway holds at most, its own two included (7005 beyond). */
export const MAX_LINKS = 16;
const MAC_RE = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;

interface LinkDef {
  name: string;
  lowerLayers: string;
  mac: string;
  lower: { up(): boolean; lastChange(): number };
  traffic: TrafficProfile;
}

/** What IP.Interface.1 and its IPv6 link-local address need of br-lan's Link. */
export interface LinkState {
  /** Link.1 is Up: enabled, over a forwarding management port. */
  lanUp(): boolean;
  /** Link.1's MACAddress now (a Controller may change it), for the EUI-64 link-local address. */
  lanMac(): string;
  /** The traffic over Link `n` (none over a Link a Controller added), for the VLANs tagged on it. */
  trafficOf(n: number): TrafficProfile;
}

/** br-lan's traffic: the WAN's, the other way round (the household's downloads are br-lan's Sent). */
export function lanLinkTraffic(wanTraffic: TrafficProfile): TrafficProfile {
  return { label: 'link.1', sentRate: wanTraffic.receivedRate, receivedRate: wanTraffic.sentRate };
}

const LINK = 'Device.Ethernet.Link.{i}.';
const LINK_PARAMS = ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'MTU', 'MACAddress', 'PriorityTagging', 'FlowControl', 'NoARP'] as const;

/** br-lan's Link rests on the bridge's management port. */
class ManagementPortLower {
  constructor(private readonly bridge: BridgeState) {}

  up(): boolean {
    return this.bridge.managementPortUp();
  }

  lastChange(): number {
    return this.bridge.managementPortLastChange();
  }
}

/** The Ethernet WAN port's Link rests on the port itself. */
class PortLower {
  constructor(private readonly port: EthernetPortState) {}

  up(): boolean {
    return this.port.clock.up;
  }

  lastChange(): number {
    return this.port.clock.lastChange();
  }
}

/** Link i's writable values until written: its own name, stacking and MAC. */
class LinkRows extends WritableRows {
  constructor(
    ctx: SimContext,
    private readonly defs: readonly LinkDef[],
  ) {
    super(ctx, LINK, {});
  }

  protected override initialRow(keys: InstanceKeys): Record<string, Value> {
    const def = this.defs[keys[0] - 1];
    // An added Link: disabled and on nothing until the Controller says (TR-181 defaults); its
    // MACAddress "" reads as its lower layer's.
    if (!def) return { Enable: false, Alias: '', LowerLayers: '', MTU: 1500, MACAddress: '', PriorityTagging: false, FlowControl: false, NoARP: false };
    return { Enable: true, Alias: `cpe-${def.name}`, LowerLayers: def.lowerLayers, MTU: 1500, MACAddress: def.mac, PriorityTagging: false, FlowControl: false, NoARP: false };
  }
}

/**
 * The Links of one gateway. Its bindings are classes over it, their methods one copy on the
 * prototype for a whole fleet (issue 14).
 */
class Links {
  readonly rows: WritableRows;
  readonly links: ReadonlyArray<{ def: LinkDef; clock: EnableClock }>;
  readonly table: FactoryTable;
  readonly statsTypes: StatsTypes;
  /** The clocks of Links a Controller added, made at first use (most gateways have none). */
  private added: Map<number, LinkClock> | undefined;

  constructor(
    readonly ctx: SimContext,
    defs: readonly LinkDef[],
  ) {
    const rows = (this.rows = new LinkRows(ctx, defs));
    this.links = defs.map((def, i) => ({ def, clock: new EnableClock(ctx, rows, i + 1, 1_500) }));
    this.table = new FactoryTable(
      ctx,
      LINK,
      defs.map((_, i) => i + 1),
      MAX_LINKS,
    );
    this.statsTypes = statsTypesAt(ctx.model, `${LINK}Stats.`);
  }

  /** One of the gateway's own Links, or undefined for one a Controller added. */
  own(keys: InstanceKeys): { def: LinkDef; clock: EnableClock } | undefined {
    return keys[0] <= this.links.length ? this.links[keys[0] - 1] : undefined;
  }

  at(keys: InstanceKeys): { def: LinkDef; clock: EnableClock } {
    return nth(this.links, keys[0]);
  }

  clockOf(n: number): LinkClock {
    const own = this.links[n - 1];
    if (own) return own.clock;
    let c = this.added?.get(n);
    if (!c) (this.added ??= new Map()).set(n, (c = new EnableClock(this.ctx, this.rows, n)));
    return c;
  }

  forget(n: number): void {
    this.added?.delete(n);
  }

  status(keys: InstanceKeys): string {
    const { def, clock } = this.at(keys);
    return !clock.up ? 'Down' : def.lower.up() ? 'Up' : 'LowerLayerDown';
  }

  /** Checks LowerLayers of Link `n` (0: one being added) against the other Links; 7012 when refused. */
  async validate(n: number, row: Record<string, Value>, changes: Record<string, Value>): Promise<void> {
    canonicalizeReferences(changes, ['LowerLayers']);
    const ll = changes.LowerLayers;
    const own = n > 0 && this.own([n]) !== undefined;
    const bad: Array<{ param: string; message: string }> = [];
    if (ll !== undefined && ll !== row.LowerLayers && own) {
      bad.push({ param: 'LowerLayers', message: 'fixed by the hardware: the Link cannot be re-stacked' });
    } else if (ll !== undefined && ll !== '' && ll !== row.LowerLayers) {
      const ref = String(ll);
      if (!LINK_LOWER_RE.test(ref)) bad.push({ param: 'LowerLayers', message: 'a Link stacks on one Device.Ethernet.Interface or Device.Bridging.Bridge.{i}.Port.{i}' });
      else if (!(await lowerExists(this.ctx.model, ref))) bad.push({ param: 'LowerLayers', message: `${ref} does not exist` });
      else if (this.table.list([]).some((k) => k !== n && this.rows.row([k]).LowerLayers === ref)) bad.push({ param: 'LowerLayers', message: `${ref} carries another Link already` });
    }
    if (bad.length > 0) throw invalidParams(bad);
    validate(changes);
  }

  /** An added Link's values: its lower layer's Status, LastChange and MAC address. */
  async addedValues(n: number): Promise<Record<string, Value>> {
    const row = this.rows.row([n]);
    const clock = this.clockOf(n);
    const ref = String(row.LowerLayers);
    const lower = ref === '' ? undefined : await readLower(this.ctx.model, ref);
    const status = !clock.up ? 'Down' : lower?.Status === 'Up' ? 'Up' : 'LowerLayerDown';
    const lowerChange = typeof lower?.LastChange === 'number' ? lower.LastChange : Infinity;
    const mac = row.MACAddress !== '' ? row.MACAddress : await lowerMac(this.ctx.model, ref);
    return { ...row, Status: status, Name: `link${n}`, LastChange: Math.min(clock.lastChange(), lowerChange), MACAddress: mac };
  }
}

/** Device.Ethernet.Link.{i}. */
class LinkBinding implements ObjectBinding {
  readonly params = LINK_PARAMS;

  constructor(private readonly s: Links) {}

  list(): number[] {
    return this.s.table.list([]);
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const n = this.s.table.check(keys)[0];
    const own = this.s.own(keys);
    if (!own) return this.s.addedValues(n);
    const { def, clock } = own;
    // Seconds since this Link or the layer below it last changed.
    const lastChange = Math.min(clock.lastChange(), def.lower.lastChange());
    return { ...this.s.rows.row(keys), Status: this.s.status(keys), Name: def.name, LastChange: lastChange };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const n = this.s.table.check(keys)[0];
    await this.s.validate(n, this.s.rows.row(keys), changes);
    // One spelling of a MAC everywhere, as the simulation formats its own.
    if (typeof changes.MACAddress === 'string') changes.MACAddress = changes.MACAddress.toLowerCase();
    if (changes.Enable !== undefined) this.s.clockOf(n).setUp(changes.Enable === true);
    this.s.rows.apply(keys, changes);
  }

  async add(_parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    const values = { ...params };
    // Checked as instance 0 (a row not yet numbered), so a refused Add uses up no number.
    await this.s.validate(0, this.s.rows.row([0]), values);
    if (typeof values.MACAddress === 'string') values.MACAddress = values.MACAddress.toLowerCase();
    const n = this.s.table.add([]);
    if (values.Enable === true) this.s.clockOf(n).setUp(true);
    this.s.rows.apply([n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    const own = this.s.own(this.s.table.check(keys));
    if (own)
      throw new UspError(
        ErrorCode.DeleteFailure,
        `${own.def.name} is one of the gateway's own Links (${own.def.name === 'br-lan' ? 'IP.Interface.1 rests on it' : 'the Ethernet WAN port'}): disable it instead`,
      );
    this.s.table.delete(keys);
    this.s.forget(keys[0]);
  }

  /** Links on no lower layer yet have no MAC address (""): that is no clash of the MACAddress key. */
  findByValues(_parent: InstanceKeys, params: readonly string[], values: Readonly<Record<string, Value>>): number[] | undefined {
    return params.length === 1 && params[0] === 'MACAddress' && values.MACAddress === '' ? [] : undefined;
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.s.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.s.table.restore(keys, snap);
  }
}

/** Device.Ethernet.Link.{i}.Stats. */
class LinkStatsBinding implements ObjectBinding {
  readonly params = STATS_PARAMS;

  constructor(private readonly s: Links) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const own = this.s.own(this.s.table.check(keys));
    return readStats(this.s.statsTypes, this.s.ctx.seed, own?.def.traffic ?? NO_TRAFFIC, own ? own.clock.upSeconds() : 0);
  }
}

/**
 * Serves Device.Ethernet.Link.{i}. and .Stats.; `wanTraffic` is the cellular data session's:
 * br-lan routes the same bytes, the other way round (the household's downloads are br-lan's Sent).
 */
export function registerEthernetLinks(ctx: SimContext, bridge: BridgeState, ports: readonly EthernetPortState[], wanTraffic: TrafficProfile): LinkState {
  const { model } = ctx;
  const wanPort = ports.findIndex((p) => p.upstream);
  const defs: LinkDef[] = [
    {
      name: 'br-lan',
      lowerLayers: 'Device.Bridging.Bridge.1.Port.1',
      mac: ctx.mac(0),
      lower: new ManagementPortLower(bridge),
      traffic: lanLinkTraffic(wanTraffic),
    },
  ];
  if (wanPort >= 0) {
    const port = ports[wanPort];
    defs.push({
      name: port.name,
      lowerLayers: `Device.Ethernet.Interface.${wanPort + 1}`,
      mac: port.macAddress,
      lower: new PortLower(port),
      // Nothing is routed over the Ethernet WAN while the modem is the uplink.
      traffic: { label: 'link.2', sentRate: 0, receivedRate: 0 },
    });
  }
  const links = new Links(ctx, defs);
  model.register(LINK, new LinkBinding(links));
  model.register(`${LINK}Stats.`, new LinkStatsBinding(links));
  return linkState(links);
}

/** Apart from registerEthernetLinks, so its two functions keep only the Links in their context. */
function linkState(links: Links): LinkState {
  return { lanUp: () => links.status([1]) === 'Up', lanMac: () => String(links.rows.row([1]).MACAddress), trafficOf: (n) => links.own([n])?.def.traffic ?? NO_TRAFFIC };
}

/** Nothing is routed over a Link a Controller added. */
const NO_TRAFFIC: TrafficProfile = { label: 'none', sentRate: 0, receivedRate: 0 };

/** Refuses (7012) an MTU or MAC address the hardware cannot take; the schema has already checked the types. */
function validate(changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  const mtu = changes.MTU;
  if (mtu !== undefined && !(Number(mtu) >= MTU_RANGE.min && Number(mtu) <= MTU_RANGE.max)) {
    bad.push({ param: 'MTU', message: `must be ${MTU_RANGE.min} to ${MTU_RANGE.max} bytes` });
  }
  const mac = changes.MACAddress;
  // A Link needs a unicast address: the I/G bit (lowest bit of the first octet) clear.
  if (mac !== undefined && (!MAC_RE.test(String(mac)) || (parseInt(String(mac).slice(0, 2), 16) & 1) === 1)) {
    bad.push({ param: 'MACAddress', message: `${JSON.stringify(mac)} is not a unicast MAC address` });
  }
  if (bad.length > 0) throw invalidParams(bad);
}

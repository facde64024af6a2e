/**
 * Device.Ethernet.Link.{i}. of the simulated gateway (TR-181 EthernetLink:1): the layer TR-181
 * puts between an IP interface and what carries its frames (IP.Interface → Ethernet.Link →
 * Bridging.Bridge.{i}.Port or Ethernet.Interface). Link.1 is br-lan, over the bridge's
 * management port, with the device's base MAC, so IP.Interface.1 stacks on it. Link.2 is the
 * Ethernet WAN port's, waiting for a cable: no IP interface uses it while the 5G modem is the
 * uplink (ethernet.ts). wwan0 has no Link: the modem hands the host raw IP, so
 * IP.Interface.2 sits directly on Cellular.Interface.1.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import type { BridgeState } from './bridging.js';
import type { EthernetPortState } from './ethernet.js';
import { EnableClock, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import { readStats, STATS_PARAMS, type StatsTypes, statsTypesAt, type TrafficProfile } from './traffic.js';

/** br-lan's Link, as IP.Interface.1's LowerLayers names it. */
export const LAN_LINK = 'Device.Ethernet.Link.1';

/** MTUs the switch and the bridge take: IPv4's minimum up to the switch's jumbo-frame limit. */
const MTU_RANGE = { min: 68, max: 9000 } as const;
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
    const def = nth(this.defs, keys[0]);
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
  readonly instances: number[];
  readonly statsTypes: StatsTypes;

  constructor(
    readonly ctx: SimContext,
    defs: readonly LinkDef[],
  ) {
    const rows = (this.rows = new LinkRows(ctx, defs));
    this.links = defs.map((def, i) => ({ def, clock: new EnableClock(ctx, rows, i + 1, 1_500) }));
    this.instances = defs.map((_, i) => i + 1);
    this.statsTypes = statsTypesAt(ctx.model, `${LINK}Stats.`);
  }

  at(keys: InstanceKeys): { def: LinkDef; clock: EnableClock } {
    return nth(this.links, keys[0]);
  }

  status(keys: InstanceKeys): string {
    const { def, clock } = this.at(keys);
    return !clock.up ? 'Down' : def.lower.up() ? 'Up' : 'LowerLayerDown';
  }
}

/** Device.Ethernet.Link.{i}. */
class LinkBinding implements ObjectBinding {
  readonly params = LINK_PARAMS;

  constructor(private readonly s: Links) {}

  list(): number[] {
    return this.s.instances;
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { def, clock } = this.s.at(keys);
    // Seconds since this Link or the layer below it last changed.
    const lastChange = Math.min(clock.lastChange(), def.lower.lastChange());
    return { ...this.s.rows.row(keys), Status: this.s.status(keys), Name: def.name, LastChange: lastChange };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['LowerLayers']);
    validate(this.s.rows.row(keys), changes);
    // One spelling of a MAC everywhere, as the simulation formats its own.
    if (typeof changes.MACAddress === 'string') changes.MACAddress = changes.MACAddress.toLowerCase();
    if (changes.Enable !== undefined) this.s.at(keys).clock.setUp(changes.Enable === true);
    this.s.rows.apply(keys, changes);
  }
}

/** Device.Ethernet.Link.{i}.Stats. */
class LinkStatsBinding implements ObjectBinding {
  readonly params = STATS_PARAMS;

  constructor(private readonly s: Links) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const { def, clock } = this.s.at(keys);
    return readStats(this.s.statsTypes, this.s.ctx.seed, def.traffic, clock.upSeconds());
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
  return { lanUp: () => links.status([1]) === 'Up', lanMac: () => String(links.rows.row([1]).MACAddress) };
}

/** Refuses (7012) what the hardware cannot do; the schema has already checked the types. */
function validate(row: Record<string, Value>, changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  if (changes.LowerLayers !== undefined && changes.LowerLayers !== row.LowerLayers) {
    bad.push({ param: 'LowerLayers', message: 'fixed by the hardware: the Link cannot be re-stacked' });
  }
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

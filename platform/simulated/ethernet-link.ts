/**
 * Device.Ethernet.Link.{i}. of the simulated gateway (TR-181 EthernetLink:1): the layer TR-181
 * puts between an IP interface and what carries its frames (IP.Interface → Ethernet.Link →
 * Bridging.Bridge.{i}.Port or Ethernet.Interface). Link.1 is br-lan, over the bridge's
 * management port, with the device's base MAC, so IP.Interface.1 stacks on it. Link.2 is the
 * Ethernet WAN port's, waiting for a cable: no IP interface uses it while the 5G modem is the
 * uplink (ethernet.ts). wwan0 has no Link: the modem hands the host raw IP, so
 * IP.Interface.2 sits directly on Cellular.Interface.1.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import type { BridgeState } from './bridging.js';
import type { EthernetPortState } from './ethernet.js';
import { EnableClock, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import { STATS_PARAMS, statsReader, type TrafficProfile } from './traffic.js';

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

/**
 * Serves Device.Ethernet.Link.{i}. and .Stats.; `wanTraffic` is the cellular data session's:
 * br-lan routes the same bytes, the other way round (the household's downloads are br-lan's Sent).
 */
export function registerEthernetLinks(ctx: SimContext, bridge: BridgeState, ports: readonly EthernetPortState[], wanTraffic: TrafficProfile): LinkState {
  const { model, seed } = ctx;
  const wanPort = ports.findIndex((p) => p.upstream);
  const defs: LinkDef[] = [
    {
      name: 'br-lan',
      lowerLayers: 'Device.Bridging.Bridge.1.Port.1',
      mac: ctx.mac(0),
      lower: { up: bridge.managementPortUp, lastChange: bridge.managementPortLastChange },
      traffic: lanLinkTraffic(wanTraffic),
    },
  ];
  if (wanPort >= 0) {
    const port = ports[wanPort];
    defs.push({
      name: port.name,
      lowerLayers: `Device.Ethernet.Interface.${wanPort + 1}`,
      mac: port.macAddress,
      lower: { up: () => port.clock.up, lastChange: () => port.clock.lastChange() },
      // Nothing is routed over the Ethernet WAN while the modem is the uplink.
      traffic: { label: 'link.2', sentRate: 0, receivedRate: 0 },
    });
  }
  const rows: WritableRows = new WritableRows(ctx, 'Device.Ethernet.Link.{i}.', (keys) => {
    const def = at(keys).def;
    return { Enable: true, Alias: `cpe-${def.name}`, LowerLayers: def.lowerLayers, MTU: 1500, MACAddress: def.mac, PriorityTagging: false, FlowControl: false, NoARP: false };
  });
  const links = defs.map((def, i) => ({ def, clock: new EnableClock(ctx, rows, i + 1, 1_500) }));
  const at = (keys: InstanceKeys) => nth(links, keys[0]);
  const status = (keys: InstanceKeys): string => {
    const { def, clock } = at(keys);
    return !clock.up ? 'Down' : def.lower.up() ? 'Up' : 'LowerLayerDown';
  };

  model.register('Device.Ethernet.Link.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'MTU', 'MACAddress', 'PriorityTagging', 'FlowControl', 'NoARP'],
    list: () => links.map((_, i) => i + 1),
    get: (keys) => {
      const { def, clock } = at(keys);
      // Seconds since this Link or the layer below it last changed.
      const lastChange = Math.min(clock.lastChange(), def.lower.lastChange());
      return { ...rows.row(keys), Status: status(keys), Name: def.name, LastChange: lastChange };
    },
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['LowerLayers']);
      validate(rows.row(keys), changes);
      // One spelling of a MAC everywhere, as the simulation formats its own.
      if (typeof changes.MACAddress === 'string') changes.MACAddress = changes.MACAddress.toLowerCase();
      if (changes.Enable !== undefined) at(keys).clock.setUp(changes.Enable === true);
      rows.apply(keys, changes);
    },
  });

  const readStats = statsReader(model, 'Device.Ethernet.Link.{i}.Stats.', seed);
  model.register('Device.Ethernet.Link.{i}.Stats.', {
    params: STATS_PARAMS,
    get: (keys) => {
      const { def, clock } = at(keys);
      return readStats(def.traffic, clock.upSeconds());
    },
  });

  return { lanUp: () => status([1]) === 'Up', lanMac: () => String(rows.row([1]).MACAddress) };
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

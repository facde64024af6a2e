/**
 * The Device.Bridging rows shared by the Bridge/Port provider (bridging.ts) and the VLAN/VLANPort
 * provider (bridging-vlan.ts), all from two cached reads: `uci -q -X show network` (which bridges,
 * ports and VLANs are configured) and `ubus call network.device status` (the same answer
 * Ethernet reads: whether each device is up, and the members netifd added to a bridge at run
 * time, such as Wi-Fi interfaces, which UCI does not list).
 *
 * Rows are keyed by what names them to netifd, not by UCI section: a bridge by its device name,
 * a port by its interface name, a VLAN by its VLAN ID and a VLANPort by VLAN ID and port. libuci
 * renames anonymous sections on every commit that changes them, and these keys survive that;
 * a write that changes a key (a new VLANID, a VLANPort moved) carries the row's instance number
 * and Alias over with `rekey`.
 */
import { noSuchInstance } from './convert.js';
import { type BridgeConfig, parseBridges, type VlanConfig, type VlanPortEntry } from './bridge-config.js';
import type { EthernetLinks } from './ethernet.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { DeviceStatusMap } from './ubus-types.js';
import { NETWORK_RELOAD, type UciStage, type UciWriter } from './uci.js';
import type { WiFiState } from './WiFiState.js';

export interface PortRow {
  n: number;
  name: string;
  management: boolean;
}
export interface VlanRow {
  n: number;
  config: VlanConfig;
}
export interface VlanPortRow {
  n: number;
  key: string;
  vlan: VlanRow;
  port: PortRow;
  entry: VlanPortEntry;
}

export interface BridgeRow {
  n: number;
  config: BridgeConfig;
  devices: DeviceStatusMap;
  /** The management port (the bridge device itself) first, then the members. */
  ports: PortRow[];
  vlans: VlanRow[];
  vlanPorts: VlanPortRow[];
}

/** The instance numbers of one table under each bridge, and the Aliases Controllers gave its rows. */
export class BridgeTable {
  private readonly maps = new Map<string, InstanceMap>();
  private readonly aliases = new Map<string, string>();

  map(bridge: string): InstanceMap {
    let m = this.maps.get(bridge);
    if (!m) this.maps.set(bridge, (m = new InstanceMap()));
    return m;
  }

  /** A row's Alias: the one a Controller set, else "cpe-<instance>" (stable for the row's life). */
  alias(bridge: string, key: string, n: number): string {
    return this.aliases.get(`${bridge}\n${key}`) ?? `cpe-${n}`;
  }

  setAlias(bridge: string, key: string, alias: string): void {
    this.aliases.set(`${bridge}\n${key}`, alias);
  }

  /** Moves instance numbers and Aliases to new keys, all pairs at once. */
  rekey(bridge: string, pairs: ReadonlyArray<readonly [string, string]>): void {
    // A key a deleted row once had must not hand that row's instance or Alias to the moved one.
    for (const [, to] of pairs) if (!pairs.some(([from]) => from === to)) this.retire(bridge, to);
    this.map(bridge).rekey(pairs);
    const moved = pairs.map(([from, to]) => [to, this.aliases.get(`${bridge}\n${from}`)] as const);
    for (const [from] of pairs) this.aliases.delete(`${bridge}\n${from}`);
    for (const [to, alias] of moved) if (alias !== undefined) this.aliases.set(`${bridge}\n${to}`, alias);
  }

  /** Forgets a row a Controller deleted: its number is not reused and its Alias goes. */
  retire(bridge: string, key: string): void {
    this.map(bridge).retire(key);
    this.aliases.delete(`${bridge}\n${key}`);
  }
}

/** At most this many bridges are served (Device.Bridging.MaxBridgeEntries); more are not listed. */
export const MAX_BRIDGES = 16;

export class BridgingState {
  readonly bridges = new InstanceMap();
  readonly ports = new BridgeTable();
  readonly vlans = new BridgeTable();
  readonly vlanPorts = new BridgeTable();
  /** Bridges whose own device has no Port row: a Controller made it a member (bridge-port-role.ts). */
  readonly withoutManagement = new Set<string>();

  constructor(
    readonly ctx: OpenWrtContext,
    private readonly ethernet: EthernetLinks,
    private readonly wifi: WiFiState,
    private readonly uci: UciWriter,
  ) {}

  /** Every bridge with its rows, numbered on every reading so no Get order changes the numbers. */
  async read(): Promise<BridgeRow[]> {
    const [config, devices] = await Promise.all([this.ctx.uci('network'), this.ethernet.devices()]);
    const bridges = parseBridges(config).slice(0, MAX_BRIDGES);
    this.bridges.list(bridges.map((b) => b.name));
    return bridges.map((b) => this.rows(b, devices));
  }

  private rows(config: BridgeConfig, devices: DeviceStatusMap): BridgeRow {
    const bridge = config.name;
    const names = [...new Set([...(this.withoutManagement.has(bridge) ? [] : [bridge]), ...config.ports, ...(devices[bridge]?.['bridge-members'] ?? [])])];
    const portMap = this.ports.map(bridge);
    portMap.list(names);
    const ports = names.map((name) => ({ n: portMap.numberOf(name), name, management: name === bridge }));
    const vlanMap = this.vlans.map(bridge);
    vlanMap.list(config.vlans.map((v) => String(v.vid)));
    const vlans = config.vlans.map((v) => ({ n: vlanMap.numberOf(String(v.vid)), config: v }));
    // An entry for something that is not a member of the bridge does nothing in netifd: no row.
    const members = vlans.flatMap((vlan) =>
      vlan.config.ports.flatMap((entry) => {
        const port = ports.find((p) => !p.management && p.name === entry.port);
        return port ? [{ key: vlanPortKey(vlan.config.vid, port.name), vlan, port, entry }] : [];
      }),
    );
    const vpMap = this.vlanPorts.map(bridge);
    vpMap.list(members.map((m) => m.key));
    const vlanPorts = members.map((m) => ({ ...m, n: vpMap.numberOf(m.key) }));
    return { n: this.bridges.numberOf(bridge), config, devices, ports, vlans, vlanPorts };
  }

  async bridge(n: number | undefined): Promise<BridgeRow> {
    const b = (await this.read()).find((r) => r.n === n);
    if (!b) throw noSuchInstance('bridge', n);
    return b;
  }

  /** The row `ref` names in bridge `b`'s `table` ("Device.Bridging.Bridge.1.VLAN.2"), if any. */
  refTo<T extends { n: number }>(b: BridgeRow, table: 'Port' | 'VLAN', ref: unknown, rows: readonly T[]): T | undefined {
    const m = new RegExp(`^Device\\.Bridging\\.Bridge\\.(\\d+)\\.${table}\\.(\\d+)$`).exec(String(ref));
    return m && Number(m[1]) === b.n ? rows.find((r) => r.n === Number(m[2])) : undefined;
  }

  /**
   * The layer below a member port: its Ethernet.Interface, or the WiFi.SSID of a Wi-Fi member,
   * or "" (a tunnel, a VLAN device). A failing Wi-Fi source loses only the reference.
   */
  async lowerLayer(name: string): Promise<string> {
    const eth = await this.ethernet.interfacePath(name);
    if (eth) return eth;
    try {
      for (const f of (await this.wifi.read()).ifaces.values()) {
        if (f.ifname === name) return `Device.WiFi.SSID.${this.wifi.ssids.numberOf(f.section)}`;
      }
    } catch (e) {
      this.ctx.log.debug('no WiFi.SSID for a bridge port', { port: name, error: e instanceof Error ? e.message : String(e) });
    }
    return '';
  }

  /** Every device netifd knows (the cached `network.device status`). */
  ethernetDevices(): Promise<DeviceStatusMap> {
    return this.ethernet.devices();
  }

  /** Commits one network write and reloads netifd; a failure reverts. Cached reads are dropped either way. */
  write<T>(stage: (s: UciStage) => Promise<T>): Promise<T> {
    return this.uci.transact('network', stage, NETWORK_RELOAD).finally(() => {
      this.ctx.forgetUci('network');
      // Bridge membership and port state follow the reload.
      this.ctx.forget('network.device');
    });
  }
}

export function portPath(b: BridgeRow, p: PortRow): string {
  return `Device.Bridging.Bridge.${b.n}.Port.${p.n}`;
}

export function vlanPath(b: BridgeRow, v: VlanRow): string {
  return `Device.Bridging.Bridge.${b.n}.VLAN.${v.n}`;
}

export function vlanPortKey(vid: number, port: string): string {
  return `${vid}/${port}`;
}

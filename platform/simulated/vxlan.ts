/**
 * Device.VXLAN. of the simulated gateway (TR-181 VXLANBasic:1): Tunnel.{i}. and its
 * Interface.{i}. rows a Controller adds, changes and deletes. The gateway ships none, and the
 * rows are kept in the gateway's store (StoredTable), so a gateway nobody configured holds
 * nothing for them: the two rules objects below are all it has, made when something first reads
 * Device.VXLAN. (a deferred group).
 *
 * The same checks as on Linux (vxlan-rules.ts). An Interface is Up while it, its Tunnel and a
 * remote endpoint are there (the simulated WAN always reaches it), LowerLayerDown while its
 * Tunnel is disabled or has no endpoint; its Name is the one Linux would give its device.
 * Stats: a segment of a few kB/s each way, counted over the time the Interface has been Up;
 * the Tunnel's are its Interfaces' summed. KeepAlivePolicy ICMP: one echo per KeepAliveTimeout
 * while the Tunnel is enabled with an endpoint, each answered (KeepAliveSent = KeepAliveReceived;
 * the threshold is never reached, so ConnectedRemoteEndpoint stays the first address).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { publicValues, type Row, StoredTable, type TableRules } from '../stored-table.js';
import {
  checkVxlanInterface,
  checkVxlanTunnel,
  endpointsOf,
  MAX_VXLAN_INTERFACES,
  MAX_VXLAN_TUNNELS,
  VXLAN_INTERFACE,
  VXLAN_INTERFACE_DEFAULTS,
  VXLAN_INTERFACE_DISCARDS,
  VXLAN_INTERFACE_LIVE,
  VXLAN_INTERFACE_PARAMS,
  VXLAN_INTERFACE_STATS,
  VXLAN_INTERFACE_WRITABLE,
  VXLAN_TUNNEL,
  VXLAN_TUNNEL_DEFAULTS,
  VXLAN_TUNNEL_LIVE,
  VXLAN_TUNNEL_PARAMS,
  VXLAN_TUNNEL_STATS,
  VXLAN_TUNNEL_WRITABLE_KEEPALIVE,
} from '../vxlan-rules.js';
import type { SimContext } from './SimContext.js';
import { registerVxlanFilterSim } from './vxlan-filter.js';
import { readStats, STATS_PARAMS, type StatsTypes, statsTypesAt } from './traffic.js';

/** A segment's average traffic, bytes per second (a site-to-site L2 link: mostly quiet). */
const SEGMENT_RATE = { sentRate: 2_000, receivedRate: 6_000 } as const;
const IP_INTERFACE = 'Device.IP.Interface.{i}.';
const IP_INTERFACE_REF = /^Device\.IP\.Interface\.(\d+)$/;

/** Agent-only keys of an Interface row: last change (ms), ms Up before now, start of the current Up period. */
const CHANGED_AT = '$changedAt';
const UP_MS = '$upMs';
const UP_SINCE = '$upSince';
/** Agent-only keys of a Tunnel row: keepalive echoes counted up to `$kaSince`, and when that was (absent: none being sent). */
const KA_COUNT = '$kaCount';
const KA_SINCE = '$kaSince';

/** Whether Tunnel `row` sends ICMP keepalives. */
function keepAliveActive(row: Readonly<Record<string, Value>>): boolean {
  return row.Enable === true && row.KeepAlivePolicy === 'ICMP' && endpointsOf(row.RemoteEndpoints).length > 0;
}

/** Echoes Tunnel `row` has sent by `now`: one per KeepAliveTimeout while active. */
function keepAliveCount(row: Readonly<Record<string, Value>>, now: number): number {
  const since = row[KA_SINCE];
  const period = Math.max(1, Number(row.KeepAliveTimeout ?? 10)) * 1000;
  return Number(row[KA_COUNT] ?? 0) + (typeof since === 'number' ? Math.floor(Math.max(0, now - since) / period) : 0);
}

/** One gateway's Device.VXLAN; methods on the prototype, shared by a whole fleet. */
class SimVxlan {
  tunnels!: StoredTable;
  interfaces!: StoredTable;
  readonly interfaceNode: ModelNode;
  readonly types: StatsTypes;

  constructor(readonly ctx: SimContext) {
    this.interfaceNode = ctx.model.requireNode(VXLAN_INTERFACE);
    this.types = statsTypesAt(ctx.model, VXLAN_INTERFACE_STATS);
  }

  tunnelRow(t: number): Row | undefined {
    return this.ctx.store.row(`Device.VXLAN.Tunnel.${t}.`);
  }

  /** Whether Interface `iface` of Tunnel `tunnel` carries traffic now. */
  up(tunnel: Row | undefined, iface: Row): boolean {
    return iface.Enable === true && tunnel?.Enable === true && endpointsOf(tunnel.RemoteEndpoints).length > 0;
  }

  /** The Up-time keys of every Interface of Tunnel `t` after its Tunnel became `tunnel` (its Up periods start or end with it). */
  retime(t: number, before: Row | undefined, tunnel: Row): void {
    for (const [i, row] of this.interfaces.rows([t])) {
      if (this.up(before, row) === this.up(tunnel, row)) continue;
      this.ctx.store.setRow(this.interfaceNode.pathOf([t, i]), timed(row, this.up(tunnel, row), this.ctx.now()));
    }
  }

  upSeconds(row: Row): number {
    const since = row[UP_SINCE];
    return (Number(row[UP_MS] ?? 0) + (typeof since === 'number' ? Math.max(0, this.ctx.now() - since) : 0)) / 1000;
  }

  interfaceStats(keys: InstanceKeys): Record<string, Value> {
    const row = this.ctx.store.row(this.interfaceNode.pathOf(keys));
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${this.interfaceNode.pathOf(keys)}`);
    return { ...readStats(this.types, this.ctx.seed, { label: `vxlan.${keys[0]}.${keys[1]}`, ...SEGMENT_RATE }, this.upSeconds(row)), ...VXLAN_INTERFACE_DISCARDS };
  }

  tunnelStats(keys: InstanceKeys): Record<string, Value> {
    if (!this.tunnelRow(keys[0]!)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.VXLAN.Tunnel.${keys[0]}.`);
    const sums = new Map<string, bigint>(TUNNEL_COUNTERS.map((n) => [n, 0n]));
    for (const [i] of this.interfaces.rows([keys[0]!])) {
      const s = this.interfaceStats([keys[0]!, i]);
      for (const n of TUNNEL_COUNTERS) sums.set(n, sums.get(n)! + BigInt(s[n] as string | number));
    }
    const out: Record<string, Value> = {};
    for (const [n, v] of sums) out[n] = n.startsWith('Errors') ? Number(v % 2n ** 32n) : v.toString();
    const echoes = keepAliveCount(this.tunnelRow(keys[0]!)!, this.ctx.now()) % 2 ** 32;
    out.KeepAliveSent = echoes;
    out.KeepAliveReceived = echoes;
    return out;
  }
}

/** `row` with its Up period started (`up`) or ended at `now`. */
function timed(row: Readonly<Record<string, Value>>, up: boolean, now: number): Record<string, Value> {
  const out = { ...row };
  const since = row[UP_SINCE];
  if (up && since === undefined) out[UP_SINCE] = now;
  if (!up && typeof since === 'number') {
    out[UP_MS] = Number(row[UP_MS] ?? 0) + (now - since);
    delete out[UP_SINCE];
  }
  return out;
}

const TUNNEL_COUNTERS = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived'] as const;

class TunnelRules implements TableRules {
  readonly params = VXLAN_TUNNEL_PARAMS;
  // KeepAlive ICMP: the simulated WAN answers every echo (Stats.KeepAliveSent/Received).
  readonly writable = VXLAN_TUNNEL_WRITABLE_KEEPALIVE;
  readonly live = VXLAN_TUNNEL_LIVE;
  readonly max = MAX_VXLAN_TUNNELS;
  readonly defaults = VXLAN_TUNNEL_DEFAULTS;
  constructor(private readonly v: SimVxlan) {}
  check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Record<string, Value> {
    checkVxlanTunnel(merged, changes);
    // Kept as soon as checked (nothing here can refuse it later): the Interfaces' Up periods
    // follow their Tunnel's Enable and endpoint. A rolled-back Set comes back through here.
    const before = keys[0] === 0 ? undefined : this.v.tunnelRow(keys[0]!);
    if (keys[0] !== 0) this.v.retime(keys[0]!, before, merged);
    // The echoes so far are counted under the old settings; the new ones count from now.
    const now = this.v.ctx.now();
    const out: Record<string, Value> = { ...merged, [KA_COUNT]: before ? keepAliveCount(before, now) : 0 };
    delete out[KA_SINCE];
    if (keepAliveActive(out)) out[KA_SINCE] = now;
    return out;
  }
  read(keys: InstanceKeys, row: Row): Record<string, Value> {
    const out = publicValues(row);
    const anyUp = this.v.interfaces.rows([keys[0]!]).some(([, i]) => this.v.up(row, i));
    out.Status = row.Enable !== true ? 'Disabled' : endpointsOf(row.RemoteEndpoints).length === 0 ? 'Error' : 'Enabled';
    out.ConnectedRemoteEndpoint = anyUp ? endpointsOf(row.RemoteEndpoints)[0]! : '';
    return out;
  }
}

class InterfaceRules implements TableRules {
  readonly params = VXLAN_INTERFACE_PARAMS;
  readonly writable = VXLAN_INTERFACE_WRITABLE;
  readonly live = VXLAN_INTERFACE_LIVE;
  readonly max = MAX_VXLAN_INTERFACES;
  readonly references = ['LowerLayers'] as const;
  readonly defaults = VXLAN_INTERFACE_DEFAULTS;
  constructor(private readonly v: SimVxlan) {}

  private async ipInterfaceExists(ref: string): Promise<boolean> {
    const m = IP_INTERFACE_REF.exec(ref);
    return m !== null && (await this.v.ctx.model.listInstances(this.v.ctx.model.requireNode(IP_INTERFACE), [], {})).includes(Number(m[1]));
  }

  async check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    const [t, i] = [keys[0]!, keys[1]!];
    const out = await checkVxlanInterface(i, merged, changes, this.v.interfaces.rows([t]), (ref) => this.ipInterfaceExists(ref));
    const now = this.v.ctx.now();
    if (i === 0 || Object.keys(changes).some((k) => k !== 'Alias')) out[CHANGED_AT] = now;
    return timed(out, this.v.up(this.v.tunnelRow(t), out), now);
  }

  read(keys: InstanceKeys, row: Row): Record<string, Value> {
    const [t, i] = [keys[0]!, keys[1]!];
    const out = publicValues(row);
    out.Name = `vxlan-usp${t}-${i}`;
    out.Status = row.Enable !== true ? 'Down' : this.v.up(this.v.tunnelRow(t), row) ? 'Up' : 'LowerLayerDown';
    out.LastChange = Math.max(0, Math.floor((this.v.ctx.now() - Number(row[CHANGED_AT] ?? this.v.ctx.bootedAt)) / 1000));
    return out;
  }
}

/** Device.VXLAN.Tunnel.{i}.Stats. and Interface.{i}.Stats.: counters move with time, not through the agent. */
class StatsBinding implements ObjectBinding {
  readonly changesOnlyThroughAgent = false;
  constructor(
    readonly params: readonly string[],
    private readonly read: (keys: InstanceKeys) => Record<string, Value>,
  ) {}
  get(keys: InstanceKeys): Record<string, Value> {
    return this.read(keys);
  }
}

/** Serves Device.VXLAN.Tunnel.{i}., its Interface.{i}., both Stats and Filter.{i}. from the gateway's store. */
export function registerVxlanSim(ctx: SimContext): void {
  const v = new SimVxlan(ctx);
  v.tunnels = new StoredTable(ctx.store, ctx.model.requireNode(VXLAN_TUNNEL), new TunnelRules(v));
  v.interfaces = new StoredTable(ctx.store, v.interfaceNode, new InterfaceRules(v));
  ctx.model.register(VXLAN_TUNNEL, v.tunnels);
  ctx.model.register(VXLAN_INTERFACE, v.interfaces);
  ctx.model.register(VXLAN_TUNNEL_STATS, new StatsBinding([...TUNNEL_COUNTERS, 'KeepAliveSent', 'KeepAliveReceived'], (keys) => v.tunnelStats(keys)));
  registerVxlanFilterSim(ctx, { tunnels: () => v.tunnels.list([]), interfaces: (t) => v.interfaces.list([t]) });
  ctx.model.register(VXLAN_INTERFACE_STATS, new StatsBinding([...STATS_PARAMS, ...Object.keys(VXLAN_INTERFACE_DISCARDS)], (keys) => v.interfaceStats(keys)));
}

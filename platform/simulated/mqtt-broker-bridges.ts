/**
 * Device.MQTT.Broker.{i}.Bridge.{i}. with Server.{i}. and Subscription.{i}. of the simulated
 * gateway (MQTTBrokerBridgeBase:1). The gateway ships no bridge; a Controller adds them, checked
 * as on Linux (../mqtt-broker/bridge-rows.ts: 7012, nothing kept).
 *
 * The remote brokers are simulated: every Server answers except those no real network reaches,
 * host names under `.invalid` (RFC 6761) and addresses in 192.0.2.0/24 (TEST-NET-1, RFC 5737).
 * A bridge takes the reachable enabled Server of lowest Priority; it is Connecting for
 * CONNECT_S seconds after a change of the bridge (or its broker's restart), then Connected.
 * Status: Disabled (Enable false), Error_Misconfigured (no enabled Server with an Address or no
 * enabled Subscription with a Topic), Error (its broker is not Enabled), Error_BrokerUnreachable
 * (no Server answers), else Connecting or Connected. A Subscription is Enabled while its bridge
 * is Connected, Disabled with Enable false, else Error. The Server in use cannot be deleted (7024).
 *
 * Nothing runs and nothing is kept per gateway beyond the rows a Controller stored: the binding
 * objects are built with the broker's deferred group, and a gateway without bridges stores nothing.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import {
  BRIDGE,
  BRIDGE_PARAMS,
  BRIDGE_SERVER,
  BRIDGE_SUBSCRIPTION,
  bridgeMisconfigured,
  bridgeProblems,
  MAX_BRIDGE_SERVERS,
  MAX_BRIDGE_SUBSCRIPTIONS,
  MAX_BRIDGES,
  SERVER_PARAMS,
  serverProblems,
  serversByPriority,
  SUBSCRIPTION_PARAMS,
  subscriptionProblems,
} from '../mqtt-broker/bridge-rows.js';
import type { BadParam } from '../stored-table.js';
import { FactoryTable } from './factory-table.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';

/** Seconds a simulated bridge takes to connect. */
const CONNECT_S = 2;
const NO_ROWS: readonly number[] = Object.freeze([]);
const BRIDGE_ROW: Readonly<Record<string, Value>> = Object.freeze({
  Alias: '',
  Name: '',
  Enable: false,
  Username: '',
  Password: '',
  KeepAliveTime: 60,
  ConnectRetryTime: 30,
  CleanSession: true,
  $since: 0,
});
const SERVER_ROW: Readonly<Record<string, Value>> = Object.freeze({ Alias: '', Enable: false, Priority: 0, Address: '', Port: 1883 });
const SUBSCRIPTION_ROW: Readonly<Record<string, Value>> = Object.freeze({ Alias: '', Enable: false, Topic: '', Direction: 'out', QoS: 0, LocalPrefix: '', RemotePrefix: '' });

/** Whether the simulated network reaches a remote broker at `address`. */
export function simulatedRemoteAnswers(address: string): boolean {
  return !/\.invalid\.?$/i.test(address) && !/^192\.0\.2\.\d+$/.test(address);
}

/** What a broker row says to its bridges: whether it runs, and since when (ms). */
export interface SimBrokerState {
  enabled(brokerKeys: InstanceKeys): boolean;
  since(brokerKeys: InstanceKeys): number;
}

/** One table of the three: instance numbers in a FactoryTable (none shipped), values in the store. */
class SimTable {
  readonly numbers: FactoryTable;
  readonly values: WritableRows;
  constructor(
    readonly ctx: SimContext,
    path: string,
    max: number,
    initial: Readonly<Record<string, Value>>,
    private readonly problems: (v: Record<string, Value>, changes: Record<string, Value>) => BadParam[],
  ) {
    this.numbers = new FactoryTable(ctx, path, NO_ROWS, max);
    this.values = new WritableRows(ctx, path, initial);
  }

  row(keys: InstanceKeys): Record<string, Value> {
    return this.values.row(this.numbers.check(keys));
  }

  rows(parentKeys: InstanceKeys): Array<{ n: number; row: Record<string, Value> }> {
    return this.numbers.list(parentKeys).map((n) => ({ n, row: this.values.row([...parentKeys, n]) }));
  }

  check(current: Record<string, Value>, changes: Record<string, Value>): void {
    const bad = this.problems({ ...current, ...changes }, changes);
    if (bad.length > 0) throw invalidParams(bad);
  }
}

/** The three tables and the simulated connection of each bridge. */
class Bridges {
  readonly bridges: SimTable;
  readonly servers: SimTable;
  readonly subscriptions: SimTable;

  constructor(
    readonly ctx: SimContext,
    readonly broker: SimBrokerState,
  ) {
    this.bridges = new SimTable(ctx, BRIDGE, MAX_BRIDGES, BRIDGE_ROW, bridgeProblems);
    this.servers = new SimTable(ctx, BRIDGE_SERVER, MAX_BRIDGE_SERVERS, SERVER_ROW, serverProblems);
    this.subscriptions = new SimTable(ctx, BRIDGE_SUBSCRIPTION, MAX_BRIDGE_SUBSCRIPTIONS, SUBSCRIPTION_ROW, subscriptionProblems);
  }

  /** Bridge `keys`' Status and the Server it uses (while Connecting or Connected). */
  state(keys: InstanceKeys, row: Record<string, Value>): { status: string; server?: number } {
    if (row.Enable !== true) return { status: 'Disabled' };
    const servers = this.servers.rows(keys);
    if (
      bridgeMisconfigured(
        servers.map((s) => s.row),
        this.subscriptions.rows(keys).map((s) => s.row),
      ) !== undefined
    )
      return { status: 'Error_Misconfigured' };
    const brokerKeys = keys.slice(0, 1);
    if (!this.broker.enabled(brokerKeys)) return { status: 'Error' };
    const used = serversByPriority(servers).find((s) => simulatedRemoteAnswers(String(s.row.Address)));
    if (!used) return { status: 'Error_BrokerUnreachable' };
    const since = Math.max(Number(row.$since) || 0, this.broker.since(brokerKeys));
    return { status: (this.ctx.now() - since) / 1000 < CONNECT_S ? 'Connecting' : 'Connected', server: used.n };
  }
}

/** The binding of one table; `live` adds what is computed on read. */
class SimTableBinding implements ObjectBinding {
  readonly changesOnlyThroughAgent: boolean;
  constructor(
    readonly params: readonly string[],
    private readonly t: SimTable,
    private readonly live?: (keys: InstanceKeys, row: Record<string, Value>) => Record<string, Value>,
    /** A change of the bridge (a new connection): when it happened. */
    private readonly restarts = false,
    private readonly deletable?: (keys: InstanceKeys) => void,
  ) {
    this.changesOnlyThroughAgent = live === undefined;
  }

  list(parentKeys: InstanceKeys): number[] {
    return this.t.numbers.list(parentKeys);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { $since: _, ...row } = this.t.row(keys);
    return this.live ? { ...row, ...this.live(keys, this.t.row(keys)) } : row;
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.t.check(this.t.row(keys), changes);
    this.t.values.apply(keys, this.restarts ? { ...changes, $since: this.t.ctx.now() } : changes);
  }

  add(parentKeys: InstanceKeys, params: Record<string, Value>): number {
    // Checked before numbering, so a refused Add uses no instance number.
    this.t.check(this.t.values.row([...parentKeys, 0]), params);
    const n = this.t.numbers.add(parentKeys);
    this.t.values.apply([...parentKeys, n], { ...(params.Alias === undefined || params.Alias === '' ? { Alias: `cpe-${n}` } : {}), ...params, ...(this.restarts ? { $since: this.t.ctx.now() } : {}) });
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.deletable?.(keys);
    this.t.numbers.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.t.numbers.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.t.numbers.restore(keys, snap);
  }
}

/** Registers the three tables (inside the broker's deferred group). */
export function registerMqttBridges(ctx: SimContext, broker: SimBrokerState): void {
  const b = new Bridges(ctx, broker);
  const serverPath = (keys: InstanceKeys): string => b.servers.numbers.node.pathOf(keys).slice(0, -1);
  ctx.model.register(
    BRIDGE,
    new SimTableBinding(
      BRIDGE_PARAMS,
      b.bridges,
      (keys, row) => {
        const { status, server } = b.state(keys, row);
        return { Status: status, ServerConnection: server === undefined ? '' : serverPath([...keys, server]) };
      },
      true,
    ),
  );
  ctx.model.register(
    BRIDGE_SERVER,
    new SimTableBinding(SERVER_PARAMS, b.servers, undefined, false, (keys) => {
      const bridgeKeys = keys.slice(0, 2);
      if (b.state(bridgeKeys, b.bridges.row(bridgeKeys)).server === keys[2]) {
        throw new UspError(ErrorCode.DeleteFailure, `${serverPath(keys)} is the Server the bridge uses (ServerConnection): disable it or the bridge first`);
      }
    }),
  );
  ctx.model.register(
    BRIDGE_SUBSCRIPTION,
    new SimTableBinding(SUBSCRIPTION_PARAMS, b.subscriptions, (keys, row) => {
      if (row.Enable !== true) return { Status: 'Disabled' };
      const bridgeKeys = keys.slice(0, 2);
      return { Status: b.state(bridgeKeys, b.bridges.row(bridgeKeys)).status === 'Connected' && row.Topic !== '' ? 'Enabled' : 'Error' };
    }),
  );
}

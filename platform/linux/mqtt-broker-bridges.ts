/**
 * Device.MQTT.Broker.{i}.Bridge.{i}. with Server.{i}. and Subscription.{i}. on generic Linux
 * (MQTTBrokerBridgeBase:1): rows kept in the agent's store, checked before they are kept (7012,
 * nothing kept), and written as `connection` sections into their broker's Mosquitto configuration
 * (mosquitto-bridge-conf.ts) when the transaction commits: the broker restarts on it.
 *
 * Status (TR-181): Disabled (Enable false); Error_Misconfigured (no enabled Server with an
 * Address, or no enabled Subscription with a Topic: Mosquitto refuses a bridge without a topic,
 * so such a bridge is left out of the file); Error (its broker does not run); else from the
 * broker: Connected while its `$SYS/broker/connection/<name>/state` says 1, Error_BrokerUnreachable
 * once an attempt failed (refused, or the connection could not be made or broke), Connecting
 * before. ServerConnection is the Server row of the address of the last attempt while Connecting
 * or Connected, "" otherwise; that Server cannot be deleted meanwhile (7024). A Subscription is
 * Enabled while its bridge is Connected, Disabled with Enable false, else Error (not in use).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import {
  BRIDGE,
  BRIDGE_LIVE,
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
  SUBSCRIPTION_DEFAULTS,
  SUBSCRIPTION_LIVE,
  SUBSCRIPTION_PARAMS,
  subscriptionProblems,
  usableServer,
} from '../mqtt-broker/bridge-rows.js';
import { invalid, publicValues, type Row, StoredTable, type TableRules } from '../stored-table.js';
import { bridgeConnectionName, mosquittoBridgeLines } from './mosquitto-bridge-conf.js';

/** What the running broker of one row says about its bridges. */
export interface BridgeSource {
  /** Whether broker `n`'s Mosquitto runs. */
  running(n: number): boolean;
  /** Bridge `name` of broker `n`: Connecting, Connected or Error_BrokerUnreachable, and the address of its last attempt. */
  bridge(n: number, name: string): { status: string; server?: { host: string; port: number } };
}

/** A stored table whose rows may refuse their Delete (a Server in use). */
class GuardedTable extends StoredTable {
  constructor(
    store: DataStore,
    node: ConstructorParameters<typeof StoredTable>[1],
    rules: TableRules,
    private readonly deletable: (keys: InstanceKeys) => Promise<void>,
  ) {
    super(store, node, rules);
  }

  override async delete(keys: InstanceKeys): Promise<void> {
    await this.deletable(keys);
    return super.delete(keys);
  }
}

/** The three bridge tables of every broker row. */
export class LinuxBrokerBridges {
  private bridges!: StoredTable;
  private servers!: StoredTable;
  private subscriptions!: StoredTable;

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
    private readonly source: BridgeSource,
    /** Puts the rows into effect once the transaction commits (the broker's CommitApplier). */
    private readonly changed: () => void,
  ) {}

  register(): void {
    const { model, store } = this;
    this.bridges = new StoredTable(store, model.requireNode(BRIDGE), {
      params: BRIDGE_PARAMS,
      live: BRIDGE_LIVE,
      max: MAX_BRIDGES,
      changesOnlyThroughAgent: false,
      check: (_keys, merged, changes) => this.checked(merged, bridgeProblems(merged, changes)),
      read: (keys, row) => this.readBridge(keys, row),
      apply: this.changed,
    });
    this.servers = new GuardedTable(
      store,
      model.requireNode(BRIDGE_SERVER),
      {
        params: SERVER_PARAMS,
        max: MAX_BRIDGE_SERVERS,
        check: (_keys, merged, changes) => this.checked(merged, serverProblems(merged, changes)),
        apply: this.changed,
      },
      (keys) => this.serverDeletable(keys),
    );
    this.subscriptions = new StoredTable(store, model.requireNode(BRIDGE_SUBSCRIPTION), {
      params: SUBSCRIPTION_PARAMS,
      live: SUBSCRIPTION_LIVE,
      max: MAX_BRIDGE_SUBSCRIPTIONS,
      defaults: SUBSCRIPTION_DEFAULTS,
      changesOnlyThroughAgent: false,
      check: (_keys, merged, changes) => this.checked(merged, subscriptionProblems(merged, changes)),
      read: (keys, row) => ({ ...publicValues(row), Status: this.subscriptionStatus(keys, row) }),
      apply: this.changed,
    });
    model.register(BRIDGE, this.bridges);
    model.register(BRIDGE_SERVER, this.servers);
    model.register(BRIDGE_SUBSCRIPTION, this.subscriptions);
  }

  private checked(merged: Record<string, Value>, bad: ReturnType<typeof bridgeProblems>): Record<string, Value> {
    if (bad.length > 0) throw invalid(bad);
    return merged;
  }

  /** The `connection` sections of broker `n`: its enabled bridges that can run. */
  confLines(n: number): string[] {
    const lines: string[] = [];
    for (const [b, row] of this.bridges.rows([n])) {
      if (row.Enable !== true) continue;
      const servers = this.servers.rows([n, b]).map(([m, r]) => ({ n: m, row: r }));
      const subscriptions = this.subscriptions.rows([n, b]).map(([m, r]) => ({ n: m, row: r }));
      if (
        bridgeMisconfigured(
          servers.map((s) => s.row),
          subscriptions.map((s) => s.row),
        ) !== undefined
      )
        continue;
      lines.push(...mosquittoBridgeLines({ n: b, row, servers, subscriptions }));
    }
    return lines;
  }

  private state(keys: InstanceKeys, row: Row): { status: string; server?: number } {
    const [n, b] = [keys[0]!, keys[1]!];
    if (row.Enable !== true) return { status: 'Disabled' };
    const servers = this.servers.rows([n, b]);
    if (
      bridgeMisconfigured(
        servers.map(([, r]) => r),
        this.subscriptions.rows([n, b]).map(([, r]) => r),
      ) !== undefined
    )
      return { status: 'Error_Misconfigured' };
    if (!this.source.running(n)) return { status: 'Error' };
    const { status, server } = this.source.bridge(n, bridgeConnectionName(b));
    if (status === 'Error_BrokerUnreachable' || server === undefined) return { status };
    const used = servers.find(([, r]) => usableServer(r) && String(r.Address) === server.host && Number(r.Port ?? 1883) === server.port);
    return { status, server: used?.[0] };
  }

  private readBridge(keys: InstanceKeys, row: Row): Record<string, Value> {
    const { status, server } = this.state(keys, row);
    return {
      ...publicValues(row),
      Status: status,
      ServerConnection:
        server === undefined
          ? ''
          : this.model
              .requireNode(BRIDGE_SERVER)
              .pathOf([...keys, server])
              .slice(0, -1),
    };
  }

  private subscriptionStatus(keys: InstanceKeys, row: Row): string {
    if (row.Enable !== true) return 'Disabled';
    const bridgeKeys = keys.slice(0, 2);
    const bridge = this.bridges.rows([keys[0]!]).find(([b]) => b === keys[1]);
    return bridge && this.state(bridgeKeys, bridge[1]).status === 'Connected' && String(row.Topic ?? '') !== '' ? 'Enabled' : 'Error';
  }

  /** TR-181: the Server a Bridge is connecting or connected through cannot be deleted. */
  private serverDeletable(keys: InstanceKeys): Promise<void> {
    const bridge = this.bridges.rows([keys[0]!]).find(([b]) => b === keys[1]);
    if (bridge && this.state(keys.slice(0, 2), bridge[1]).server === keys[2]) {
      return Promise.reject(
        new UspError(ErrorCode.DeleteFailure, `${this.model.requireNode(BRIDGE_SERVER).pathOf(keys)} is the Server the bridge uses (ServerConnection): disable it or the bridge first`),
      );
    }
    return Promise.resolve();
  }
}

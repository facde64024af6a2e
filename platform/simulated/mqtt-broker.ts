/**
 * Device.MQTT.Broker.{i}. of the simulated gateway (MQTTBrokerBase:1, MQTTBrokerExtended:1): the
 * gateway ships one broker for its LAN's IoT devices (row 1, "iot", enabled, port 1883 on br-lan,
 * anonymous), and a Controller may add up to three more or delete it.
 *
 * The broker's clients are simulated: a broker on br-lan has 3-6 IoT devices (drawn from the
 * seed), one of them a battery sensor that connects 15 s in every minute and keeps its session
 * meanwhile (an inactive client). Each device publishes about every 5 s, and the broker delivers
 * each PUBLISH to 1.5 subscribers on average. A broker on another interface has no client.
 *
 * Writes take effect: a change of Enable, Port, Interface, Username or Password restarts the
 * broker (its counters start again from 0, as a restarted Mosquitto's do). With a Username the
 * devices, which were never given it, are refused: no client connects, and each refused attempt
 * (every 30 s per device) is a ConnectionError. Enable false stops it (Status Disabled, Stats 0).
 *
 * Bridges to simulated remote brokers: mqtt-broker-bridges.ts.
 *
 * Nothing runs and nothing is kept per gateway beyond the stored rows: every counter is a closed
 * form of the seed and the seconds since the broker (re)started (`$since` in the row), so an idle
 * fleet gateway pays nothing, and the group is built only when something reads Device.MQTT.Broker.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { BROKER, BROKER_PARAMS, BROKER_STATS, brokerMisconfigured, brokerStatsValues, brokerProblems, MAX_BROKERS, STATS_PARAMS } from '../mqtt-broker/broker-rows.js';
import { ZERO_STATS, type BrokerStats } from '../mqtt-broker/broker-stats.js';
import { FactoryTable } from './factory-table.js';
import { registerMqttBridges } from './mqtt-broker-bridges.js';
import { LAN_INTERFACE } from './ip.js';
import { growth, hash32 } from './random.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';

const FACTORY_ROWS = [1] as const;
/** Row 1 as shipped; a row a Controller adds starts disabled, with no Interface until one is given. */
const FACTORY_ROW: Readonly<Record<string, Value>> = Object.freeze({ Alias: 'cpe-1', Name: 'iot', Enable: true, Port: 1883, Interface: LAN_INTERFACE, Username: '', Password: '', $since: 0 });
const ADDED_ROW: Readonly<Record<string, Value>> = Object.freeze({ Alias: '', Name: '', Enable: false, Port: 1883, Interface: '', Username: '', Password: '', $since: 0 });
/** Writes that restart the broker. */
const RESTARTING = ['Enable', 'Port', 'Interface', 'Username', 'Password'];
const SENSOR_PERIOD_S = 60;
const SENSOR_AWAKE_S = 15;
const PUBLISH_EVERY_S = 5;
const RETRY_EVERY_S = 30;

/** The rows of one gateway: numbers in a FactoryTable, values in its store. */
class Brokers {
  readonly table: FactoryTable;
  readonly rows: WritableRows;

  constructor(readonly ctx: SimContext) {
    this.table = new FactoryTable(ctx, BROKER, FACTORY_ROWS, MAX_BROKERS);
    this.rows = new WritableRows(ctx, BROKER, (keys) => (keys[0] === 1 ? { ...FACTORY_ROW } : { ...ADDED_ROW }));
  }

  row(keys: InstanceKeys): Record<string, Value> {
    return this.rows.row(this.table.check(keys));
  }

  status(row: Record<string, Value>): string {
    if (row.Enable !== true) return 'Disabled';
    return brokerMisconfigured(row) !== undefined ? 'Error_Misconfigured' : 'Enabled';
  }

  /** Seconds the broker has run since its last (re)start. */
  private uptime(row: Record<string, Value>): number {
    const since = Number(row.$since) || this.ctx.bootedAt;
    return Math.max(0, (this.ctx.now() - since) / 1000);
  }

  stats(n: number, row: Record<string, Value>): BrokerStats {
    if (this.status(row) !== 'Enabled') return { ...ZERO_STATS };
    const devices = row.Interface === LAN_INTERFACE ? 3 + (hash32(this.ctx.seed, 'mqtt-devices', n) % 4) : 0;
    const t = this.uptime(row);
    if (devices === 0) return { ...ZERO_STATS };
    if (row.Username !== '') return { ...ZERO_STATS, ConnectionErrors: devices * Math.floor(t / RETRY_EVERY_S + 1) };
    const sensorAwake = t % SENSOR_PERIOD_S < SENSOR_AWAKE_S ? 1 : 0;
    const label = `mqtt-broker-${n}`;
    const publishReceived = Math.floor(growth(this.ctx.seed, label, t, devices / PUBLISH_EVERY_S));
    const publishSent = Math.floor(publishReceived * 1.5);
    // Keep-alives: a PINGREQ/PINGRESP per device a minute, plus each CONNECT/CONNACK and SUBSCRIBE/SUBACK.
    const pings = Math.floor((devices * t) / 60);
    const connects = devices + Math.floor(t / SENSOR_PERIOD_S);
    return {
      TotalNumberOfClients: devices,
      NumberOfActiveClients: devices - 1 + sensorAwake,
      NumberOfInactiveClients: 1 - sensorAwake,
      Subscriptions: devices + 2,
      MQTTMessagesReceived: publishReceived + pings + 2 * connects,
      MQTTMessagesSent: publishSent + pings + 2 * connects,
      PublishReceived: publishReceived,
      PublishSent: publishSent,
      PublishErrors: Math.floor(publishSent / 20_000),
      ConnectionErrors: 0,
    };
  }

  /** Refuses (7012) what the broker cannot take: an Interface that names no IP.Interface row, a Username its password file cannot hold. */
  async check(n: number, current: Record<string, Value>, changes: Record<string, Value>): Promise<void> {
    canonicalizeReferences(changes, ['Interface']);
    const others = this.table
      .list([])
      .filter((m) => m !== n)
      .map((m) => this.rows.row([m]));
    const bad = brokerProblems({ ...current, ...changes }, changes, others);
    const ref = changes.Interface;
    if (ref !== undefined && ref !== '') {
      const { model } = this.ctx;
      const m = /^Device\.IP\.Interface\.(\d+)$/.exec(String(ref));
      const exists = m !== null && (await model.listInstances(model.requireNode('Device.IP.Interface.{i}.'), [], {})).includes(Number(m[1]));
      if (!exists) bad.push({ param: 'Interface', message: `${String(ref)} is no Device.IP.Interface row of this device` });
    }
    if (bad.length > 0) throw invalidParams(bad);
  }

  apply(keys: InstanceKeys, changes: Record<string, Value>): void {
    const restart = RESTARTING.some((p) => changes[p] !== undefined);
    this.rows.apply(keys, restart ? { ...changes, $since: this.ctx.now() } : changes);
  }
}

/** Device.MQTT.Broker.{i}. */
class BrokerBinding implements ObjectBinding {
  readonly params = BROKER_PARAMS;
  readonly changesOnlyThroughAgent = true;
  constructor(private readonly b: Brokers) {}

  list(): number[] {
    return this.b.table.list([]);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { $since: _, ...row } = this.b.row(keys);
    return { ...row, Status: this.b.status(row) };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const current = this.b.row(keys);
    await this.b.check(keys[0]!, current, changes);
    this.b.apply(keys, changes);
  }

  async add(_parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    const values = { ...params };
    // Checked before numbering, so a refused Add uses no instance number.
    await this.b.check(0, { ...ADDED_ROW }, values);
    const n = this.b.table.add([]);
    this.b.apply([n], { ...(values.Alias === undefined || values.Alias === '' ? { Alias: `cpe-${n}` } : {}), ...values, $since: this.b.ctx.now() });
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.b.table.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.b.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.b.table.restore(keys, snap);
  }
}

/** Device.MQTT.Broker.{i}.Stats. */
class StatsBinding implements ObjectBinding {
  readonly params = STATS_PARAMS;
  readonly changesOnlyThroughAgent = false;
  constructor(private readonly b: Brokers) {}

  get(keys: InstanceKeys): Record<string, Value> {
    return brokerStatsValues(this.b.stats(keys[0]!, this.b.row(keys)));
  }
}

export function registerMqttBroker(ctx: SimContext): void {
  const b = new Brokers(ctx);
  ctx.model.register(BROKER, new BrokerBinding(b));
  ctx.model.register(BROKER_STATS, new StatsBinding(b));
  registerMqttBridges(ctx, {
    enabled: (keys) => b.status(b.row(keys)) === 'Enabled',
    since: (keys) => Number(b.row(keys).$since) || ctx.bootedAt,
  });
}

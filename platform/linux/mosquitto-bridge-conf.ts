/**
 * The bridge sections of the Mosquitto configuration of one Device.MQTT.Broker.{i} row: one
 * `connection` per Bridge.{i} that can run (mosquitto.conf(5), "Bridges"). Pure: no file, no process.
 *
 * | TR-181 Bridge.{i}. | mosquitto.conf |
 * |---|---|
 * | (instance number) | `connection usp-bridge-<i>`, its state on `$SYS/broker/connection/usp-bridge-<i>/state` (local only) |
 * | Server.{i}. Address, Port, Priority | `address host:port ...`, lowest Priority first (the primary); `round_robin false`: back to the primary when it returns |
 * | Username, Password | `remote_username`, `remote_password` (only with a Username, as TR-181 says) |
 * | KeepAliveTime, ConnectRetryTime, CleanSession | `keepalive_interval`, `restart_timeout`, `cleansession` |
 * | Subscription.{i}. Topic, Direction, QoS, LocalPrefix, RemotePrefix | `topic <Topic> <Direction> <QoS> <LocalPrefix> <RemotePrefix>` (same prefix rules) |
 *
 * The password goes into the configuration file, never onto a command line: the file lies in the
 * broker's run directory, which only the broker's user (and root) can enter.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { serversByPriority, usableSubscription } from '../mqtt-broker/bridge-rows.js';

type Row = Readonly<Record<string, Value>>;

/** One bridge ready to run: its row, its Servers and its Subscriptions with their instance numbers. */
export interface BridgeConf {
  n: number;
  row: Row;
  servers: ReadonlyArray<{ n: number; row: Row }>;
  subscriptions: ReadonlyArray<{ n: number; row: Row }>;
}

/** The `connection` name of bridge `n` (unique in its broker: each broker is a Mosquitto of its own). */
export function bridgeConnectionName(n: number): string {
  return `usp-bridge-${n}`;
}

/** A value Mosquitto reads as one token: "" for an empty one. */
const token = (v: Value | undefined): string => (String(v ?? '') === '' ? '""' : String(v));

export function mosquittoBridgeLines(b: BridgeConf): string[] {
  const name = bridgeConnectionName(b.n);
  const r = b.row;
  const lines = [
    `# ${name}: Bridge.${b.n}`,
    `connection ${name}`,
    `address ${serversByPriority(b.servers)
      .map((s) => `${String(s.row.Address)}:${Number(s.row.Port ?? 1883)}`)
      .join(' ')}`,
    'round_robin false',
    `cleansession ${r.CleanSession === false ? 'false' : 'true'}`,
    `keepalive_interval ${Number(r.KeepAliveTime ?? 60)}`,
    `restart_timeout ${Number(r.ConnectRetryTime ?? 30)}`,
    'notifications true',
    'notifications_local_only true',
    `notification_topic $SYS/broker/connection/${name}/state`,
  ];
  const user = String(r.Username ?? '');
  if (user !== '') lines.push(`remote_username ${user}`, ...(String(r.Password ?? '') !== '' ? [`remote_password ${String(r.Password)}`] : []));
  for (const s of b.subscriptions) {
    if (!usableSubscription(s.row)) continue;
    const t = s.row;
    const prefixes = String(t.LocalPrefix ?? '') === '' && String(t.RemotePrefix ?? '') === '' ? '' : ` ${token(t.LocalPrefix)} ${token(t.RemotePrefix)}`;
    lines.push(`topic ${String(t.Topic)} ${String(t.Direction ?? 'out')} ${Number(t.QoS ?? 0)}${prefixes}`);
  }
  return lines;
}

/**
 * Device.MQTT.Broker.{i}.Stats. from Mosquitto's own counters: the agent subscribes to the
 * broker's `$SYS/broker/...` topics over the broker's own listener, as one more MQTT client, and
 * maps them (Mosquitto publishes them every `sys_interval` seconds, and only those that changed):
 *
 * | TR-181 Stats | Mosquitto $SYS topic |
 * |---|---|
 * | TotalNumberOfClients | `clients/total` (connected + disconnected clients with a session) |
 * | NumberOfActiveClients | `clients/connected` |
 * | NumberOfInactiveClients | `clients/disconnected` (sessions kept for clients not connected) |
 * | Subscriptions | `subscriptions/count` |
 * | MQTTMessagesSent / Received | `messages/sent` / `messages/received` (every MQTT control packet) |
 * | PublishSent / Received | `publish/messages/sent` / `publish/messages/received` |
 * | PublishErrors | `publish/messages/dropped` (PUBLISHes the broker dropped: queues full, client gone) |
 * | ConnectionErrors | no $SYS topic: counted from the broker's log lines (`connectionErrorLine` in mosquitto-log.ts) |
 *
 * The agent's own client is not one of the broker's clients for TR-181: it is taken out of the
 * client counts while it is connected, and the packets it sent and received (its CONNECT,
 * SUBSCRIBE, PINGREQ and the $SYS PUBLISHes it receives) out of the message counts. Mosquitto's
 * values are as of its last $SYS round, so each is corrected by the agent's own counts when the
 * value arrived; a counter reads 0 until the first round (a second after the broker starts).
 */
import { connect, type MqttClient } from 'mqtt';
import type { BrokerStats } from './broker-stats.js';
import type { Logger } from '../../datamodel/Logger.js';

const SYS = '$SYS/broker/';
/** The $SYS topics read (below `$SYS/broker/`): one SUBSCRIBE of these, not `$SYS/#` with its load averages. */
export const SYS_TOPICS = [
  'clients/total',
  'clients/connected',
  'clients/disconnected',
  'subscriptions/count',
  'messages/sent',
  'messages/received',
  'publish/messages/sent',
  'publish/messages/received',
  'publish/messages/dropped',
] as const;
type SysTopic = (typeof SYS_TOPICS)[number];
/** Where Mosquitto says whether each bridge is connected ("1") or not ("0"), retained: the agent's bridges publish there (mosquitto-bridge-conf.ts). */
export const BRIDGE_STATE_TOPIC = 'connection/+/state';
const BRIDGE_STATE_RE = /^connection\/([^/]+)\/state$/;

/** Reconnects to a broker that restarted (a new configuration) or is not up yet: bounded, not a tight loop. */
const RECONNECT_MS = 2000;

export interface BrokerSysStatsOptions {
  /** Where the broker listens (its listener's address, 127.0.0.1 for one on every address). */
  host: string;
  port: number;
  username?: string;
  password?: string;
  log?: Logger;
}

/** The $SYS subscription of one broker and the values it got. */
export class BrokerSysStats {
  private client?: MqttClient;
  private readonly sys = new Map<SysTopic, number>();
  /** The agent's own packets on this connection (reset at each CONNECT: a restarted broker counts afresh). */
  private ownSent = 0;
  private ownReceived = 0;
  private ownPublishReceived = 0;
  private connected = false;
  private ownSubscriptions = 0;
  /** Each bridge's last `$SYS/broker/connection/<name>/state`: true while connected. */
  private readonly bridges = new Map<string, boolean>();
  /** Connection errors from the broker's log since it started (broker-owned: reset at each restart). */
  connectionErrors = 0;

  constructor(private readonly opts: BrokerSysStatsOptions) {}

  start(): void {
    if (this.client) return;
    const { host, port, username, password } = this.opts;
    const client = connect({
      host,
      port,
      protocol: 'mqtt',
      protocolVersion: 4,
      clientId: `usp-agent-broker-stats-${process.pid}-${port}`,
      clean: true,
      reconnectPeriod: RECONNECT_MS,
      connectTimeout: 5000,
      ...(username ? { username, password } : {}),
    });
    this.client = client;
    client.on('packetsend', () => this.ownSent++);
    client.on('packetreceive', (p) => {
      this.ownReceived++;
      if (p.cmd === 'publish') this.ownPublishReceived++;
    });
    client.on('connect', () => {
      // A new session on a (maybe restarted) broker: its counters and ours start again.
      this.sys.clear();
      this.bridges.clear();
      this.connected = true;
      client.subscribe(
        [...SYS_TOPICS, BRIDGE_STATE_TOPIC].map((t) => SYS + t),
        { qos: 0 },
        (e) => {
          if (e) this.opts.log?.warn('broker $SYS subscription refused; its Stats read 0', { port, why: e.message });
          else this.ownSubscriptions = SYS_TOPICS.length + 1;
        },
      );
      this.ownSent = 1; // the CONNECT (sent before this connection's counts began)
      this.ownReceived = 1; // its CONNACK
      this.ownPublishReceived = 0;
    });
    client.on('close', () => {
      this.connected = false;
      // A broker gone (restarting on a new configuration) says nothing more about its bridges.
      this.bridges.clear();
      this.ownSubscriptions = 0;
    });
    client.on('error', (e) => this.opts.log?.debug('broker $SYS client', { port, why: e.message }));
    client.on('message', (topic, payload) => this.take(topic, payload.toString('utf8')));
  }

  private take(topic: string, text: string): void {
    if (!topic.startsWith(SYS)) return;
    const bridge = BRIDGE_STATE_RE.exec(topic.slice(SYS.length));
    if (bridge) {
      this.bridges.set(bridge[1]!, text.trim() === '1');
      return;
    }
    const name = topic.slice(SYS.length) as SysTopic;
    if (!(SYS_TOPICS as readonly string[]).includes(name)) return;
    const n = Number.parseInt(text, 10);
    if (!Number.isFinite(n) || n < 0) return;
    // The broker counted up to just before this PUBLISH: take out what the agent's client had exchanged by then.
    const own = name === 'messages/sent' ? this.ownReceived - 1 : name === 'messages/received' ? this.ownSent : name === 'publish/messages/sent' ? this.ownPublishReceived - 1 : 0;
    this.sys.set(name, Math.max(0, n - own));
  }

  /** Whether bridge `name` is connected, as the broker last said; undefined before it said anything. */
  bridgeConnected(name: string): boolean | undefined {
    return this.bridges.get(name);
  }

  /** The Stats now (0 for what the broker has not published yet). */
  values(): BrokerStats {
    const v = (t: SysTopic): number => this.sys.get(t) ?? 0;
    const self = this.connected ? 1 : 0;
    return {
      TotalNumberOfClients: Math.max(0, v('clients/total') - self),
      NumberOfActiveClients: Math.max(0, v('clients/connected') - self),
      NumberOfInactiveClients: v('clients/disconnected'),
      Subscriptions: Math.max(0, v('subscriptions/count') - this.ownSubscriptions),
      MQTTMessagesSent: v('messages/sent'),
      MQTTMessagesReceived: v('messages/received'),
      PublishSent: v('publish/messages/sent'),
      PublishReceived: v('publish/messages/received'),
      PublishErrors: v('publish/messages/dropped'),
      ConnectionErrors: this.connectionErrors,
    };
  }

  stop(): void {
    this.client?.end(true);
    this.client = undefined;
    this.connected = false;
  }
}

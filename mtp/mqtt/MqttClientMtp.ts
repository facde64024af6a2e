/**
 * The agent's MQTT MTP (TR-369 §"MQTT Binding"): one MQTT 5.0 or 3.1.1 client per
 * Device.MQTT.Client.{i} that a Device.LocalAgent.MTP.{i} row references. It connects (CONNECT
 * with usp-endpoint-id and Request Response Information in 5.0), subscribes (R-MQTT.15; later
 * Subscription row changes by SUBSCRIBE/UNSUBSCRIBE on the same session, TP-469 11.9), announces
 * itself with an MQTTConnectRecord to every known controller topic, and moves Records as PUBLISH
 * payloads carrying its "reply to" topic (R-MQTT.22-27). Reconnection is its own, by the
 * ConnectRetry* back-off (R-MQTT.10/33), never MQTT.js's fixed reconnectPeriod. With transport
 * "TLS" it connects over mqtts (TLS 1.2+, broker verified, client certificate presented; R-MQTT.48).
 * Its CONNECT carries the configured Will (mqtt-will.ts), which the broker publishes only if the
 * connection ends without the DISCONNECT this MTP always sends when it stops.
 */
import type { X509Certificate } from 'node:crypto';
import { connect, type IClientOptions, type IClientPublishOptions, type IClientSubscribeOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../../datamodel/Logger.js';
import type { Mtp, MtpConnection } from '../Mtp.js';
import { connectRetryWait } from './connect-backoff.js';
import { trimAfterConnack } from './mqtt-client-trim.js';
import { describeTlsFailure, mqttTlsConnectOptions } from './mqtt-tls.js';
import { verifiedPeerCertificate } from '../tls/peer-certificate.js';
import { MqttTopicConnection, publishOptions, type MqttPublisher } from './MqttTopicConnection.js';
import type { MqttClientMtpOptions, MqttClientStatus, MqttControllerTopic } from './mqtt-options.js';
import { MqttStatsCounter, type MqttClientStats } from './mqtt-stats.js';
import { connectWill, willProblem, type MqttWill } from './mqtt-will.js';
import { filterCovers, planSubscriptions, replyToOf, withReplyTo, type MqttQoS, type SubscriptionPlan, type TopicSubscription } from './topics.js';

export type { MqttClientMtpOptions, MqttClientStatus, MqttControllerTopic, MqttTlsOptions } from './mqtt-options.js';
export type { MqttClientStats } from './mqtt-stats.js';
export type { MqttWill } from './mqtt-will.js';

/** Device.MQTT.Client.{i}.Subscription.{i}.Status. */
export type MqttSubscriptionStatus = 'Unsubscribed' | 'Subscribing' | 'Subscribed' | 'Error';

/** One filter of the SUBSCRIBE set, with what the SUBACK said of it. */
interface RequestedFilter {
  qos: MqttQoS;
  state: 'Subscribing' | 'Subscribed' | 'Error';
}

/** Content Types a received USP Record may carry (R-MQTT.27a); absent is accepted too. */
const USP_CONTENT_TYPES = new Set(['usp.msg', 'application/vnd.bbf.usp.msg']);
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024;
/** Bytes the socket may hold unsent before publishes are refused (a bounded send queue). */
export const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * MQTT.js's debug logger, made per client unless one is given: ~1 KB each, and a fleet runs
 * 10,000 clients (issue 14). Kept when DEBUG is set, so `DEBUG=mqttjs*` still traces the clients.
 */
const MQTT_JS_LOG: IClientOptions['log'] = process.env.DEBUG ? undefined : () => undefined;
const DISCONNECT_GRACE_MS = 500;

export class MqttClientMtp implements Mtp, MqttPublisher {
  private client?: MqttClient;
  /** CONNACK Maximum QoS and Retain Available (MQTT 5.0), for publishes that are not USP Records. */
  private brokerMaximumQoS?: number;
  private brokerRetainAvailable = true;
  /** Set once SUBACK granted at least one filter: only then may Records be published (R-MQTT.17). */
  private live?: MqttClient;
  private retryTimer?: NodeJS.Timeout;
  private attempt = 0;
  private stopping = false;
  private clientIdInUse: string;
  private replyTo?: string;
  private state: MqttClientStatus = 'Disabled';
  private controllers = new Map<string, MqttControllerTopic>();
  private get links(): Map<string, MqttTopicConnection> {
    return (this.linksOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private linksOf?: Map<string, MqttTopicConnection>;
  private readonly log: Logger;
  /** Taken once per broker session, so every Record of the session shares one object (trust caches key on it). */
  private brokerCert?: X509Certificate;
  /** Enabled Client.{i}.Subscription.{i} rows; replaced live by setSubscriptions() (TP-469 11.9). */
  private subscriptions: readonly TopicSubscription[];
  /** What the last CONNACK said: "subscribe-topic" User Properties and Response Information (MQTT 5). */
  private subscribeTopics: string[] = [];
  private responseInfo = '';
  /** Filters SUBSCRIBE was sent for on this session, to UNSUBSCRIBE what is dropped and show Subscription.{i}.Status. */
  private get requested(): Map<string, RequestedFilter> {
    return (this.requestedOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private requestedOf?: Map<string, RequestedFilter>;
  /** Set when R-MQTT.16 disabled the MTP: a Subscription row appearing connects again. */
  private disabledNoTopic = false;
  /** Device.MQTT.Client.{i}.Will*, for the next CONNECT; replaced by setWill(). */
  private will?: MqttWill;
  /** Set while an enabled Will that cannot be sent keeps the MTP from connecting: setWill() with a usable one connects. */
  private waitingForWill = false;
  private readonly stats = new MqttStatsCounter();

  constructor(private readonly opts: MqttClientMtpOptions) {
    if (opts.transport !== 'TCP/IP' && opts.transport !== 'TLS') throw new Error(`MQTT transport ${String(opts.transport)} is not implemented (TCP/IP, TLS)`);
    // Checked now (a certificate without its key), not at the first connect.
    if (opts.transport === 'TLS') mqttTlsConnectOptions(opts.tls);
    this.log = opts.log;
    this.clientIdInUse = opts.clientId;
    this.subscriptions = opts.subscriptions;
    this.will = opts.will;
    this.setControllers(opts.controllers);
  }

  get v5(): boolean {
    return this.opts.protocolVersion === '5.0';
  }
  get status(): MqttClientStatus {
    return this.state;
  }
  /** The "reply to" topic in use (Device.LocalAgent.MTP.{i}.MQTT.ResponseTopicDiscovered). */
  get responseTopicDiscovered(): string {
    return this.replyTo ?? '';
  }
  /** The ClientId used on the wire: configured, assigned by the broker (5.0), or the Endpoint ID (3.1.1). */
  get clientId(): string {
    return this.clientIdInUse || (this.v5 ? '' : this.opts.agentEndpointId);
  }
  get connected(): boolean {
    return this.live?.connected === true;
  }
  /** The broker's verified certificate (TLS transport), for the Trusted Broker check. */
  get brokerCertificate(): X509Certificate | undefined {
    return this.live ? this.brokerCert : undefined;
  }
  /** Device.MQTT.Client.{i}.ResponseInformation: the last CONNACK's Response Information (MQTT 5), "" if none. */
  get responseInformation(): string {
    return this.responseInfo;
  }
  /** Device.MQTT.Client.{i}.Stats.: counters since this MTP was created (a configuration restart creates a new one). */
  get statistics(): MqttClientStats {
    return this.stats.snapshot();
  }

  /**
   * Device.MQTT.Client.{i}.Subscription.{i}.Status of an enabled row with this Topic: the state
   * of the filter that carries it on the live session (itself, or a wider filter that covers it).
   */
  subscriptionStatus(topic: string): MqttSubscriptionStatus {
    if (!this.live) return 'Unsubscribed';
    const exact = this.requested.get(topic);
    if (exact) return exact.state;
    for (const [filter, f] of this.requested) if (filterCovers(filter, topic)) return f.state;
    return 'Unsubscribed';
  }

  /** Starts connecting in the background; the MTP keeps retrying until stopped. */
  async start(): Promise<void> {
    if (this.client || this.retryTimer) return;
    this.stopping = false;
    this.disabledNoTopic = false;
    this.connectOnce();
  }

  /**
   * Device.MQTT.Client.{i}.Subscription.{i} rows changed (TP-469 11.9): on the live session,
   * SUBSCRIBE to the filters added and UNSUBSCRIBE from those removed or disabled, without
   * dropping the connection. Without a session the next CONNACK uses the new list. Losing the
   * last topic disables the MTP (R-MQTT.16); gaining one after that connects again.
   */
  setSubscriptions(list: readonly TopicSubscription[]): void {
    this.subscriptions = list;
    if (this.disabledNoTopic) {
      if (this.hasTopic()) {
        this.log.info('mqtt: a subscription topic is configured again; connecting');
        this.disabledNoTopic = false;
        this.stopping = false;
        this.attempt = 0;
        this.connectOnce();
      }
      return;
    }
    const client = this.live;
    if (!client) return;
    if (!this.hasTopic()) {
      this.disableNoTopic(client);
      return;
    }
    this.syncSubscriptions(client);
  }

  /**
   * Device.MQTT.Client.{i}.Will* changed. TR-181 (WillTopic, WillValue, ...): "a change of this
   * parameter is only communicated to the MQTT server with the next MQTT CONNECT packet", and
   * ForceReconnect() applies it at once; so the live session keeps the Will it connected with.
   * A client held back by an unusable Will (Status Error_Misconfigured) connects once it is usable.
   */
  setWill(will: MqttWill | undefined): void {
    this.will = will;
    if (!this.waitingForWill || this.stopping || willProblem(will) !== undefined) return;
    this.waitingForWill = false;
    this.attempt = 0;
    this.log.info('mqtt: the Will is usable now; connecting');
    this.connectOnce();
  }

  /**
   * Reconnect now (e.g. the WAN came back): drops a pending back-off wait and dials, with the
   * retry count reset. Does nothing while connected or already connecting.
   */
  kick(): void {
    if (this.stopping || this.client || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    this.log.info('mqtt reconnect requested');
    this.connectOnce();
  }

  /** Controller.{i}.MTP.{j}.MQTT.Topic by Endpoint ID; replaces the previous list. */
  setControllers(list: readonly MqttControllerTopic[]): void {
    this.controllers = new Map(list.filter((c) => c.topic !== '').map((c) => [c.endpointId, c]));
    for (const [eid, link] of this.links) if (this.controllers.get(eid)?.topic !== link.topic) this.links.delete(eid);
  }

  /** A link publishing to the controller's configured topic (notifications); undefined if it has none. */
  connectionFor(endpointId: string): MtpConnection | undefined {
    const c = this.controllers.get(endpointId);
    if (!c) return undefined;
    let link = this.links.get(endpointId);
    if (!link) {
      link = new MqttTopicConnection(this, c.topic, c.retainNotify === true);
      this.links.set(endpointId, link);
    }
    return link;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.live = undefined;
    this.disabledNoTopic = false;
    this.waitingForWill = false;
    this.setStatus('Disabled');
    if (client) await endClient(client);
  }

  /** Publishes one Record to `topic` with the "reply to" topic (R-MQTT.22); false when not connected or backed up. */
  publish(topic: string, record: Uint8Array, retain: boolean): boolean {
    const client = this.live;
    if (!client?.connected) {
      this.stats.publishError();
      return false;
    }
    if ((client.stream?.writableLength ?? 0) > (this.opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED)) {
      this.log.warn('mqtt publish refused: send buffer full', { topic });
      this.stats.publishError();
      return false;
    }
    const name = !this.v5 && this.replyTo ? withReplyTo(topic, this.replyTo) : topic;
    const payload = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
    client.publish(name, payload, publishOptions(this.v5, this.opts.publishQoS, retain, this.replyTo), (err) => {
      if (!err) return;
      this.stats.publishError();
      this.log.warn('mqtt publish failed', { topic: name, error: err.message });
    });
    return true;
  }

  /**
   * Publishes a message that is not a USP Record (a Bulk Data report, TR-369 Annex A) to `topic`
   * as given. Resolves true once sent (QoS 0) or acknowledged (QoS 1, 2); false when not
   * connected, backed up (the same bounded send buffer as Records) or refused by the broker.
   * With MQTT 5.0 the Content Type property carries `contentType` (R-BULK.8a).
   */
  publishMessage(topic: string, payload: Uint8Array, opts: { qos: MqttQoS; retain: boolean; contentType: string }): Promise<boolean> {
    const client = this.live;
    if (!client?.connected) {
      this.stats.publishError();
      return Promise.resolve(false);
    }
    if ((client.stream?.writableLength ?? 0) > (this.opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED)) {
      this.log.warn('mqtt publish refused: send buffer full', { topic });
      this.stats.publishError();
      return Promise.resolve(false);
    }
    // TR-181 BulkData Profile.{i}.MQTT.PublishQoS/PublishRetain: never above the CONNACK's Maximum QoS, RETAIN 0 when Retain Available is 0.
    const qos = Math.min(opts.qos, this.brokerMaximumQoS ?? 2) as MqttQoS;
    const publish: IClientPublishOptions = { qos, retain: opts.retain && this.brokerRetainAvailable, ...(this.v5 ? { properties: { contentType: opts.contentType } } : {}) };
    return new Promise((resolve) => {
      client.publish(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), publish, (err) => {
        if (!err) {
          resolve(true);
          return;
        }
        this.stats.publishError();
        this.log.warn('mqtt publish failed', { topic, error: err.message });
        resolve(false);
      });
    });
  }

  private connectOnce(): void {
    const o = this.opts;
    this.retryTimer = undefined;
    const willFault = willProblem(this.will);
    this.waitingForWill = willFault !== undefined;
    if (willFault !== undefined) {
      // TR-181 WillEnable: Error_Misconfigured, and no CONNECT until setWill() brings a usable Will.
      this.log.error(`mqtt: ${willFault}; not connecting until Device.MQTT.Client Will* is fixed`, { broker: `${o.brokerAddress}:${o.brokerPort}` });
      this.setStatus('Error_Misconfigured');
      return;
    }
    this.setStatus('Connecting');
    // R-MQTT.8: configured or assigned ClientId; else empty (5.0, the broker assigns) or the Endpoint ID (3.1.1).
    const clientId = this.clientId;
    const tls = o.transport === 'TLS';
    const options: IClientOptions = {
      host: o.brokerAddress,
      port: o.brokerPort,
      protocol: 'mqtt',
      protocolVersion: this.v5 ? 5 : 4,
      clientId,
      clean: o.cleanSession ?? true,
      keepalive: o.keepAliveTime,
      will: connectWill(this.will, this.v5),
      username: o.username || undefined,
      password: o.password || undefined,
      reconnectPeriod: 0,
      resubscribe: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      queueQoSZero: false,
      log: MQTT_JS_LOG,
      // R-MQTT.12/13: ask for a Response Information topic and name ourselves.
      properties: this.v5 ? { requestResponseInformation: true, userProperties: { 'usp-endpoint-id': o.agentEndpointId } } : undefined,
      // Only for TLS: MQTT.js quietly switches to mqtts whenever it is given a certificate and key.
      ...(tls ? mqttTlsConnectOptions(o.tls) : {}),
    };
    const client = connect(options);
    // MQTT.js leaves Nagle on: a response written after the PUBACK would wait for the broker's
    // delayed ACK (~40 ms per request).
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.client = client;
    client.on('packetsend', (p) => this.stats.sent(p));
    client.on('packetreceive', (p) => this.stats.received(p));
    let reachedBroker = false;
    client.on('connect', (connack) => {
      reachedBroker = true;
      this.onConnack(client, connack);
    });
    client.on('message', (topic, payload, packet) => this.receive(topic, payload, packet));
    let lastError = '';
    client.on('error', (e) => {
      // MQTT.js reports a failed TLS handshake twice (the TLS socket's error, then the stream's).
      if (e.message === lastError) return;
      lastError = e.message;
      const code = (e as { code?: unknown }).code;
      const tlsFailure = tls ? describeTlsFailure(e.message, code) : undefined;
      this.log.warn(tlsFailure ? `mqtt tls: ${tlsFailure}` : 'mqtt client error', { broker: `${o.brokerAddress}:${o.brokerPort}`, error: e.message, ...(code !== undefined ? { code } : {}) });
    });
    client.on('close', () => this.onClose(client, reachedBroker));
  }

  private onConnack(client: MqttClient, connack: IConnackPacket): void {
    if (client !== this.client) {
      void endClient(client);
      return;
    }
    const o = this.opts;
    this.brokerCert = verifiedPeerCertificate(client.stream);
    trimAfterConnack(client);
    const props = this.v5 ? connack.properties : undefined;
    // MQTT 5.0 §3.2.2.3.4/.5: what the server takes; publishes of other messages are lowered to it.
    this.brokerMaximumQoS = props?.maximumQoS;
    this.brokerRetainAvailable = props?.retainAvailable !== false;
    const assigned = props?.assignedClientIdentifier;
    if (assigned && assigned !== this.clientIdInUse) {
      // R-MQTT.9/11: keep the assigned ClientId for every later connection, and let the agent save it.
      this.clientIdInUse = assigned;
      o.onClientIdAssigned?.(assigned);
    }
    this.subscribeTopics = userProperty(props?.userProperties, 'subscribe-topic').filter((t) => t !== '');
    this.responseInfo = props?.responseInformation ?? '';
    this.requested.clear();
    this.stats.connected();
    if (!this.hasTopic()) {
      this.disableNoTopic(client);
      return;
    }
    const plan = this.plan();
    const entries = plan.filters.map((f) => this.request(f));
    client.subscribe(this.subscribeMap(plan.filters), (err, _subs, suback) => {
      if (client !== this.client) return;
      // The last Subscription row went while the SUBACK was awaited.
      if (!this.hasTopic()) {
        this.disableNoTopic(client);
        return;
      }
      const granted = (suback?.granted ?? []).map(Number);
      const ok = plan.filters.filter((_f, n) => granted[n] !== undefined && granted[n] < 0x80);
      entries.forEach((e, n) => {
        e.state = granted[n] !== undefined && granted[n] < 0x80 ? 'Subscribed' : 'Error';
      });
      if (ok.length === 0) {
        // R-MQTT.17: not reachable, so publish nothing; the back-off retries.
        this.log.error('mqtt: no subscription accepted; disconnecting', { error: err?.message ?? 'no SUBACK' });
        this.setStatus('Error');
        void endClient(client);
        return;
      }
      if (ok.length < plan.filters.length)
        this.log.warn('mqtt: some subscriptions refused', {
          refused: plan.filters
            .filter((f) => !ok.includes(f))
            .map((f) => f.topic)
            .join(','),
        });
      this.attempt = 0;
      this.live = client;
      this.replyTo = plan.replyTo;
      this.setStatus('Connected');
      this.log.info('mqtt connected', {
        broker: `${o.brokerAddress}:${o.brokerPort}`,
        transport: o.transport,
        version: o.protocolVersion,
        clientId: this.clientIdInUse,
        replyTo: this.replyTo ?? '',
        subscribed: ok.map((f) => f.topic).join(','),
      });
      o.onReplyTopic?.(this.replyTo ?? '');
      this.announce();
      // Subscription rows that changed while the SUBACK was awaited.
      this.syncSubscriptions(client);
    });
  }

  /**
   * R-MQTT.16: a "subscribe-topic" from the CONNACK or a configured Subscription topic. The
   * Response Information and ResponseTopicConfigured topics do not count: they are where
   * responses come back, not where the agent is told to listen.
   */
  private hasTopic(): boolean {
    return this.subscribeTopics.length > 0 || this.subscriptions.some((s) => s.topic !== '');
  }

  /** R-MQTT.16: DISCONNECT and consider the MTP disabled (no retry) until the Subscription rows change. */
  private disableNoTopic(client: MqttClient): void {
    this.log.error('mqtt: no Device.MQTT.Client Subscription topic and no subscribe-topic from the broker (R-MQTT.16); disconnected, MTP disabled until a Subscription is enabled');
    this.stopping = true;
    this.disabledNoTopic = true;
    this.live = undefined;
    this.requested.clear();
    this.setStatus('Error_Misconfigured');
    void endClient(client);
  }

  /** The SUBSCRIBE set (R-MQTT.15) from the current Subscription rows and the last CONNACK. */
  private plan(): SubscriptionPlan {
    const o = this.opts;
    return planSubscriptions({
      v5: this.v5,
      configured: this.subscriptions,
      subscribeTopics: this.subscribeTopics,
      responseInformation: this.responseInfo || undefined,
      responseTopicConfigured: o.responseTopicConfigured,
      qos: o.publishQoS,
    });
  }

  private subscribeMap(filters: readonly TopicSubscription[]): Record<string, IClientSubscribeOptions> {
    // No Local (5.0): the agent's own publishes on a topic it also listens on do not come back.
    return Object.fromEntries(filters.map((f) => [f.topic, { qos: f.qos, ...(this.v5 ? { nl: true } : {}) }]));
  }

  /**
   * Brings the live session's subscriptions in line with plan(): SUBSCRIBE first (a filter that
   * replaces another leaves no gap), then UNSUBSCRIBE what is no longer wanted. A changed
   * "reply to" topic (it may come from the first exact Subscription topic) is announced again.
   */
  private syncSubscriptions(client: MqttClient): void {
    const plan = this.plan();
    const add = plan.filters.filter((f) => this.requested.get(f.topic)?.qos !== f.qos);
    const drop = [...this.requested.keys()].filter((t) => !plan.filters.some((f) => f.topic === t));
    const entries = add.map((f) => this.request(f));
    for (const t of drop) this.requested.delete(t);
    if (add.length > 0) {
      client.subscribe(this.subscribeMap(add), (err, _subs, suback) => {
        const granted = (suback?.granted ?? []).map(Number);
        // An entry replaced meanwhile (the row changed again) keeps the state of its own SUBSCRIBE.
        entries.forEach((e, n) => {
          e.state = granted[n] !== undefined && granted[n] < 0x80 ? 'Subscribed' : 'Error';
        });
        const refused = add.filter((_f, n) => !(granted[n] !== undefined && granted[n] < 0x80));
        if (err || refused.length > 0) this.log.warn('mqtt: subscription refused', { topics: refused.map((f) => f.topic).join(','), error: err?.message ?? '' });
        else this.log.info('mqtt subscribed', { topics: add.map((f) => f.topic).join(',') });
      });
    }
    if (drop.length > 0) {
      client.unsubscribe(drop, (err) => {
        if (err) this.log.warn('mqtt: unsubscribe failed', { topics: drop.join(','), error: err.message });
        else this.log.info('mqtt unsubscribed', { topics: drop.join(',') });
      });
    }
    if (plan.replyTo !== this.replyTo) {
      this.replyTo = plan.replyTo;
      this.opts.onReplyTopic?.(this.replyTo ?? '');
      this.announce();
    }
  }

  /** Records a SUBSCRIBE about to be sent for `f`; its SUBACK settles the returned entry. */
  private request(f: TopicSubscription): RequestedFilter {
    const entry: RequestedFilter = { qos: f.qos, state: 'Subscribing' };
    this.requested.set(f.topic, entry);
    return entry;
  }

  /** R-MTP.6 / TP-469 11.17: an MQTTConnectRecord to every known controller after each (re)subscription. */
  private announce(): void {
    if (!this.replyTo) {
      this.log.warn('mqtt: no exact "reply to" topic; MQTTConnectRecord not sent');
      return;
    }
    for (const c of this.controllers.values()) {
      const record = this.opts.connectRecord(this.v5 ? 'V5' : 'V3_1_1', this.replyTo, c.endpointId);
      this.publish(c.topic, record, false);
    }
  }

  private receive(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const o = this.opts;
    if (payload.length > (o.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE)) {
      this.log.warn('mqtt record dropped: too large', { topic, bytes: payload.length });
      return;
    }
    let replyTopic: string | undefined;
    if (this.v5) {
      const type = packet.properties?.contentType;
      if (type !== undefined && !USP_CONTENT_TYPES.has(type)) {
        this.log.info('mqtt publish ignored: not a USP Record', { topic, contentType: type });
        return;
      }
      replyTopic = packet.properties?.responseTopic;
    } else {
      replyTopic = replyToOf(topic);
    }
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    let retain = false;
    if (!replyTopic) {
      // Controllers that give no "reply to" (usp-js) are answered on their configured topic.
      const sender = o.recordSender?.(bytes);
      const c = sender === undefined ? undefined : this.controllers.get(sender);
      replyTopic = c?.topic;
      retain = c?.retainResponse === true;
      if (!replyTopic) this.log.warn('mqtt record has no "reply to" topic and its sender has no configured topic', { topic, from: sender ?? '' });
    }
    o.onRecord(bytes, new MqttTopicConnection(this, replyTopic, retain));
  }

  private onClose(client: MqttClient, reachedBroker: boolean): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.live = undefined;
    if (this.stopping) return;
    this.stats.connectionError();
    this.attempt++;
    const wait = connectRetryWait(
      this.attempt,
      {
        retryTime: this.opts.connectRetryTime,
        multiplier: this.opts.connectRetryIntervalMultiplier,
        maxInterval: this.opts.connectRetryMaxInterval,
      },
      this.opts.random,
    );
    this.setStatus(reachedBroker ? 'Connecting' : 'Error_BrokerUnreachable');
    this.log.info('mqtt disconnected; reconnecting', { attempt: this.attempt, waitMs: wait });
    this.retryTimer = setTimeout(() => this.connectOnce(), wait);
    this.retryTimer.unref();
  }

  private setStatus(s: MqttClientStatus): void {
    if (s === this.state) return;
    this.state = s;
    this.opts.onStatus?.(s);
  }
}

/** MQTT 5 user properties come as a string or, when repeated, an array. */
function userProperty(props: Record<string, string | string[]> | undefined, name: string): string[] {
  const v = props?.[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * Sends DISCONNECT (R-MQTT.35) and closes; a broker that does not answer is cut off.
 *
 * MQTT.js holds the DISCONNECT back until every packet awaiting an acknowledgement (a QoS 1/2
 * PUBLISH, a SUBSCRIBE) has it, and a second end() while it waits does nothing. Closing without
 * DISCONNECT would make the broker publish the Will of an agent that stops on purpose, so those
 * packets get DISCONNECT_GRACE_MS, are then dropped, and the DISCONNECT goes out regardless.
 */
function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    const cutOff = setTimeout(() => {
      client.stream?.destroy();
      resolve();
    }, 2 * DISCONNECT_GRACE_MS);
    const disconnect = (): void => {
      client.end(false, {}, () => {
        clearTimeout(cutOff);
        resolve();
      });
    };
    const awaited = Object.keys(client.outgoing).map(Number);
    if (awaited.length === 0) {
      disconnect();
      return;
    }
    const giveUp = setTimeout(() => {
      client.off('outgoingEmpty', acknowledged);
      for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
      disconnect();
    }, DISCONNECT_GRACE_MS);
    const acknowledged = (): void => {
      clearTimeout(giveUp);
      disconnect();
    };
    client.once('outgoingEmpty', acknowledged);
  });
}

export type { MqttQoS };

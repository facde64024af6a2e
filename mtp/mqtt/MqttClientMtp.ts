/**
 * The agent's MQTT MTP (TR-369 §"MQTT Binding"): one MQTT 5.0 or 3.1.1 client per
 * Device.MQTT.Client.{i} that a Device.LocalAgent.MTP.{i} row references. It connects (CONNECT
 * with usp-endpoint-id and Request Response Information in 5.0), subscribes (R-MQTT.15), announces
 * itself with an MQTTConnectRecord to every known controller topic, and moves Records as PUBLISH
 * payloads carrying its "reply to" topic (R-MQTT.22-27). Reconnection is its own, by the
 * ConnectRetry* back-off (R-MQTT.10/33), never MQTT.js's fixed reconnectPeriod. With transport
 * "TLS" it connects over mqtts (TLS 1.2+, broker verified, client certificate presented; R-MQTT.48).
 */
import type { X509Certificate } from 'node:crypto';
import { connect, type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../../datamodel/Logger.js';
import type { Mtp, MtpConnection } from '../Mtp.js';
import { connectRetryWait } from './connect-backoff.js';
import { describeTlsFailure, mqttTlsConnectOptions } from './mqtt-tls.js';
import { verifiedPeerCertificate } from '../tls/peer-certificate.js';
import { MqttTopicConnection, publishOptions, type MqttPublisher } from './MqttTopicConnection.js';
import type { MqttClientMtpOptions, MqttClientStatus, MqttControllerTopic } from './mqtt-options.js';
import { planSubscriptions, replyToOf, withReplyTo, type MqttQoS } from './topics.js';

export type { MqttClientMtpOptions, MqttClientStatus, MqttControllerTopic, MqttTlsOptions } from './mqtt-options.js';

/** Content Types a received USP Record may carry (R-MQTT.27a); absent is accepted too. */
const USP_CONTENT_TYPES = new Set(['usp.msg', 'application/vnd.bbf.usp.msg']);
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024;
/** Bytes the socket may hold unsent before publishes are refused (a bounded send queue). */
export const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;
const DISCONNECT_GRACE_MS = 500;

export class MqttClientMtp implements Mtp, MqttPublisher {
  private client?: MqttClient;
  /** Set once SUBACK granted at least one filter: only then may Records be published (R-MQTT.17). */
  private live?: MqttClient;
  private retryTimer?: NodeJS.Timeout;
  private attempt = 0;
  private stopping = false;
  private clientIdInUse: string;
  private replyTo?: string;
  private state: MqttClientStatus = 'Disabled';
  private controllers = new Map<string, MqttControllerTopic>();
  private readonly links = new Map<string, MqttTopicConnection>();
  private readonly log: Logger;
  /** Taken once per broker session, so every Record of the session shares one object (trust caches key on it). */
  private brokerCert?: X509Certificate;

  constructor(private readonly opts: MqttClientMtpOptions) {
    if (opts.transport !== 'TCP/IP' && opts.transport !== 'TLS') throw new Error(`MQTT transport ${String(opts.transport)} is not implemented (TCP/IP, TLS)`);
    // Checked now (a certificate without its key), not at the first connect.
    if (opts.transport === 'TLS') mqttTlsConnectOptions(opts.tls);
    this.log = opts.log;
    this.clientIdInUse = opts.clientId;
    this.setControllers(opts.controllers);
  }

  get v5(): boolean { return this.opts.protocolVersion === '5.0'; }
  get status(): MqttClientStatus { return this.state; }
  /** The "reply to" topic in use (Device.LocalAgent.MTP.{i}.MQTT.ResponseTopicDiscovered). */
  get responseTopicDiscovered(): string { return this.replyTo ?? ''; }
  /** The ClientId used on the wire: configured, assigned by the broker (5.0), or the Endpoint ID (3.1.1). */
  get clientId(): string { return this.clientIdInUse || (this.v5 ? '' : this.opts.agentEndpointId); }
  get connected(): boolean { return this.live?.connected === true; }
  /** The broker's verified certificate (TLS transport), for the Trusted Broker check. */
  get brokerCertificate(): X509Certificate | undefined { return this.live ? this.brokerCert : undefined; }

  /** Starts connecting in the background; the MTP keeps retrying until stopped. */
  async start(): Promise<void> {
    if (this.client || this.retryTimer) return;
    this.stopping = false;
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
    if (!link) { link = new MqttTopicConnection(this, c.topic, c.retainNotify === true); this.links.set(endpointId, link); }
    return link;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.live = undefined;
    this.setStatus('Disabled');
    if (client) await endClient(client);
  }

  /** Publishes one Record to `topic` with the "reply to" topic (R-MQTT.22); false when not connected or backed up. */
  publish(topic: string, record: Uint8Array, retain: boolean): boolean {
    const client = this.live;
    if (!client?.connected) return false;
    if ((client.stream?.writableLength ?? 0) > (this.opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED)) {
      this.log.warn('mqtt publish refused: send buffer full', { topic });
      return false;
    }
    const name = !this.v5 && this.replyTo ? withReplyTo(topic, this.replyTo) : topic;
    const payload = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
    client.publish(name, payload, publishOptions(this.v5, this.opts.publishQoS, retain, this.replyTo), (err) => {
      if (err) this.log.warn('mqtt publish failed', { topic: name, error: err.message });
    });
    return true;
  }

  private connectOnce(): void {
    const o = this.opts;
    this.retryTimer = undefined;
    this.setStatus('Connecting');
    // R-MQTT.8: configured or assigned ClientId; else empty (5.0, the broker assigns) or the Endpoint ID (3.1.1).
    const clientId = this.clientId;
    const tls = o.transport === 'TLS';
    const options: IClientOptions = {
      host: o.brokerAddress, port: o.brokerPort, protocol: 'mqtt', protocolVersion: this.v5 ? 5 : 4,
      clientId, clean: o.cleanSession ?? true, keepalive: o.keepAliveTime,
      username: o.username || undefined, password: o.password || undefined,
      reconnectPeriod: 0, resubscribe: false, connectTimeout: CONNECT_TIMEOUT_MS, queueQoSZero: false,
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
    let reachedBroker = false;
    client.on('connect', (connack) => { reachedBroker = true; this.onConnack(client, connack); });
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
    if (client !== this.client) { void endClient(client); return; }
    const o = this.opts;
    this.brokerCert = verifiedPeerCertificate(client.stream);
    const props = this.v5 ? connack.properties : undefined;
    const assigned = props?.assignedClientIdentifier;
    if (assigned && assigned !== this.clientIdInUse) {
      // R-MQTT.9/11: keep the assigned ClientId for every later connection, and let the agent save it.
      this.clientIdInUse = assigned;
      o.onClientIdAssigned?.(assigned);
    }
    const plan = planSubscriptions({
      v5: this.v5, configured: o.subscriptions, subscribeTopics: userProperty(props?.userProperties, 'subscribe-topic'),
      responseInformation: props?.responseInformation, responseTopicConfigured: o.responseTopicConfigured, qos: o.publishQoS,
    });
    if (plan.filters.length === 0) {
      // R-MQTT.16: nowhere to be reached; disconnect and treat the MTP as disabled.
      this.log.error('mqtt: no topic to subscribe to (Subscription, subscribe-topic, ResponseTopicConfigured); MTP disabled');
      this.stopping = true;
      this.setStatus('Error_Misconfigured');
      void endClient(client);
      return;
    }
    const filters = Object.fromEntries(plan.filters.map((f) => [f.topic, { qos: f.qos, ...(this.v5 ? { nl: true } : {}) }]));
    client.subscribe(filters, (err, _subs, suback) => {
      if (client !== this.client) return;
      const granted = (suback?.granted ?? []).map(Number);
      const ok = plan.filters.filter((_f, n) => granted[n] !== undefined && granted[n] < 0x80);
      if (ok.length === 0) {
        // R-MQTT.17: not reachable, so publish nothing; the back-off retries.
        this.log.error('mqtt: no subscription accepted; disconnecting', { error: err?.message ?? 'no SUBACK' });
        this.setStatus('Error');
        void endClient(client);
        return;
      }
      if (ok.length < plan.filters.length) this.log.warn('mqtt: some subscriptions refused', { refused: plan.filters.filter((f) => !ok.includes(f)).map((f) => f.topic).join(',') });
      this.attempt = 0;
      this.live = client;
      this.replyTo = plan.replyTo;
      this.setStatus('Connected');
      this.log.info('mqtt connected', { broker: `${o.brokerAddress}:${o.brokerPort}`, transport: o.transport, version: o.protocolVersion, clientId: this.clientIdInUse, replyTo: this.replyTo ?? '', subscribed: ok.map((f) => f.topic).join(',') });
      o.onReplyTopic?.(this.replyTo ?? '');
      this.announce();
    });
  }

  /** R-MTP.6 / TP-469 11.17: an MQTTConnectRecord to every known controller after each (re)subscription. */
  private announce(): void {
    if (!this.replyTo) { this.log.warn('mqtt: no exact "reply to" topic; MQTTConnectRecord not sent'); return; }
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
    this.attempt++;
    const wait = connectRetryWait(this.attempt, {
      retryTime: this.opts.connectRetryTime, multiplier: this.opts.connectRetryIntervalMultiplier, maxInterval: this.opts.connectRetryMaxInterval,
    }, this.opts.random);
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

/** Sends DISCONNECT (R-MQTT.35) and closes; a broker that does not answer is cut off. */
function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => { client.end(true); resolve(); }, DISCONNECT_GRACE_MS);
    client.end(false, {}, () => { clearTimeout(t); resolve(); });
  });
}

export type { MqttQoS };

/**
 * MQTT MTPs from TR-181 (MQTTAgent:1, MQTTController:2): every enabled Device.LocalAgent.MTP.{i}
 * with Protocol "MQTT" names a Device.MQTT.Client.{i} in .MQTT.Reference; that client row, its
 * enabled Subscription.{i} rows and the MQTT topics of the enabled controllers become one running
 * MqttClientMtp. The broker-assigned ClientId (R-MQTT.9) and the "reply to" topic
 * (ResponseTopicDiscovered) are written back into the data model. TransportProtocol "TLS"
 * connects over mqtts with the agent's TLS identity (--cert/--key, trust anchors from --ca).
 * The client row's Will* parameters become the CONNECT's Will; later changes are followed live
 * (for the next CONNECT) by the MTP's MqttRowFollower, not by a restart.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { MtpConnection } from '../../mtp/Mtp.js';
import type { MqttClientMtp, MqttControllerTopic, MqttTlsOptions, MqttWill } from '../../mtp/mqtt/MqttClientMtp.js';
import type { MqttQoS, TopicSubscription } from '../../mtp/mqtt/topics.js';
import { MqttClientRow, MqttRowFollower, type MqttRowReaders, type MqttRowSettings, type MqttRowWriters } from './mqtt-client-row.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';

/** Where the MQTT MTP writes what it learns from the broker; each default saves through a transaction. */
export interface MqttStartHooks {
  /** R-MQTT.9: the ClientId a 5.0 broker assigned, for Device.MQTT.Client.{i}.ClientID. */
  onClientIdAssigned?(client: ObjectInstance, clientId: string): Promise<void>;
  /** The "reply to" topic in use, for Device.LocalAgent.MTP.{i}.MQTT.ResponseTopicDiscovered. */
  onResponseTopicDiscovered?(mtp: ObjectInstance, topic: string): Promise<void>;
}

/** One running MQTT MTP, the LocalAgent.MTP row it came from and its Device.MQTT.Client row ("Device.MQTT.Client.1."). */
export class StartedMqtt implements StartedTransport {
  constructor(
    readonly client: MqttClientMtp,
    readonly mtpPath: string,
    private readonly follower: { stop(): void },
    readonly clientRow = '',
  ) {}
  start(): Promise<void> {
    return this.client.start();
  }
  async stop(): Promise<void> {
    this.follower.stop();
    await this.client.stop();
  }
  connectionFor(endpointId: string): MtpConnection | undefined {
    return this.client.connectionFor(endpointId);
  }
  kick(): void {
    this.client.kick();
  }
  /** Device.MQTT.Client.{i}.ForceReconnect(): DISCONNECT, then connect again with the same settings. */
  async reconnect(): Promise<void> {
    await this.client.stop();
    await this.client.start();
  }
}

/** What the MTP learns, written back by default through a transaction each (hooks replace either). */
class RowWriters implements MqttRowWriters {
  constructor(
    private readonly model: DataModel,
    private readonly hooks: MqttStartHooks,
  ) {}
  saveClientId(client: ObjectInstance, clientId: string): Promise<void> {
    return this.hooks.onClientIdAssigned ? this.hooks.onClientIdAssigned(client, clientId) : writeValues(this.model, client, { ClientID: clientId });
  }
  saveReplyTo(mtp: ObjectInstance, topic: string): Promise<void> {
    return this.hooks.onResponseTopicDiscovered ? this.hooks.onResponseTopicDiscovered(mtp, topic) : writeValues(this.model, mtp, { ResponseTopicDiscovered: topic });
  }
}

const ROW_READERS: MqttRowReaders = { controllerTopics, subscriptionsOf, willOf };

export async function startMqtt(deps: TransportDeps, hooks: MqttStartHooks = {}): Promise<StartedTransport[]> {
  const { model, log } = deps;
  const writers = new RowWriters(model, hooks);
  const table = model.requireNode('Device.LocalAgent.MTP.{i}.');
  const mqttCfg = model.requireNode('Device.LocalAgent.MTP.{i}.MQTT.');
  const clients = model.requireNode('Device.MQTT.Client.{i}.');
  const used = new Set<number>();
  const out: StartedTransport[] = [];
  for (const n of await model.listInstances(table, [], {})) {
    const mtp = await model.readValues({ node: table, keys: [n] }, {});
    if (mtp.Enable !== true || mtp.Protocol !== 'MQTT') continue;
    const mtpPath = table.pathOf([n]).slice(0, -1);
    const mlog = log.child('mtp-mqtt');
    const cfg = await model.readValues({ node: mqttCfg, keys: [n] }, {});
    const c = clientInstanceOf(String(cfg.Reference ?? ''));
    if (c === undefined || !(await model.exists({ node: clients, keys: [c] }, {}))) {
      mlog.error('MQTT MTP skipped: MQTT.Reference names no Device.MQTT.Client row', { mtp: mtpPath, reference: String(cfg.Reference ?? '') });
      continue;
    }
    if (used.has(c)) {
      mlog.error('MQTT MTP skipped: its client is used by another MTP', { mtp: mtpPath, client: c });
      continue;
    }
    const client = await model.readValues({ node: clients, keys: [c] }, {});
    if (client.Enable !== true) {
      mlog.warn('MQTT MTP skipped: Device.MQTT.Client is disabled', { mtp: mtpPath, client: c });
      continue;
    }
    used.add(c);
    const clientInst: ObjectInstance = { node: clients, keys: [c] };
    const mqttInst: ObjectInstance = { node: mqttCfg, keys: [n] };
    if (cfg.ResponseTopicDiscovered) {
      await writers.saveReplyTo(mqttInst, '').catch((e: unknown) => mlog.error('could not save ResponseTopicDiscovered', { error: e instanceof Error ? e.message : String(e) }));
    }
    const settings: MqttRowSettings = {
      brokerAddress: String(client.BrokerAddress ?? ''),
      brokerPort: Number(client.BrokerPort ?? 1883),
      protocolVersion: client.ProtocolVersion === '3.1.1' ? '3.1.1' : '5.0',
      transport: client.TransportProtocol === 'TLS' ? 'TLS' : 'TCP/IP',
      clientId: String(client.ClientID ?? ''),
      username: String(client.Username ?? ''),
      password: String(client.Password ?? ''),
      cleanSession: (client.ProtocolVersion === '3.1.1' ? client.CleanSession : client.CleanStart) !== false,
      keepAliveTime: Number(client.KeepAliveTime ?? 60),
      will: willValues(client),
      connectRetryTime: Number(client.ConnectRetryTime ?? 5),
      connectRetryIntervalMultiplier: Number(client.ConnectRetryIntervalMultiplier ?? 2000),
      connectRetryMaxInterval: Number(client.ConnectRetryMaxInterval ?? 30720),
      subscriptions: await subscriptionsOf(model, c),
      responseTopicConfigured: String(cfg.ResponseTopicConfigured ?? ''),
      publishQoS: Number(cfg.PublishQoS ?? 0) as MqttQoS,
      agentEndpointId: deps.endpointId,
      controllers: await controllerTopics(model, mtpPath),
    };
    if (!settings.brokerAddress) {
      mlog.error('MQTT MTP skipped: BrokerAddress is empty', { client: c });
      continue;
    }
    if (settings.transport === 'TLS') settings.tls = mqttTls(deps, mlog, c);
    // The mqtt package is loaded only when an MQTT MTP is enabled (start-up time on WebSocket-only agents).
    const { MqttClientMtp } = await import('../../mtp/mqtt/MqttClientMtp.js');
    const mtpClient = new MqttClientMtp(new MqttClientRow(settings, model, clientInst, mqttInst, writers, deps.onRecord, mlog));
    const started = new StartedMqtt(mtpClient, mtpPath, new MqttRowFollower(model, mtpPath, c, mtpClient, ROW_READERS, mlog), clients.pathOf([c]));
    await started.start();
    out.push(started);
  }
  return out;
}

/**
 * The mqtts material for client row `c` (R-MQTT.48): the agent's certificate chain and key, so a
 * broker requiring client certificates can authenticate it, and the --ca trust anchors the broker
 * certificate must chain to (Node's built-in CA list when none was given).
 */
function mqttTls(deps: TransportDeps, log: Logger, c: number): MqttTlsOptions {
  const id = deps.tls;
  if (!id) log.warn('MQTT over TLS without an agent certificate: a broker that requires client certificates will refuse it', { client: c });
  else if (id.origin === 'bootstrap') log.warn('MQTT over TLS with the self-signed bootstrap certificate: a broker that checks client certificates will refuse it', { client: c });
  if (!id?.caPem) log.warn('MQTT over TLS without --ca: the broker certificate must chain to a public CA', { client: c });
  return id ? { cert: id.certPem, key: id.keyPem, ca: id.caPem } : {};
}

/** Whether an enabled MQTT MTP uses an enabled client with TransportProtocol "TLS" (the agent then wants its TLS identity). */
export async function mqttClientsNeedTls(model: DataModel): Promise<boolean> {
  const table = model.requireNode('Device.LocalAgent.MTP.{i}.');
  const mqttCfg = model.requireNode('Device.LocalAgent.MTP.{i}.MQTT.');
  const clients = model.requireNode('Device.MQTT.Client.{i}.');
  for (const n of await model.listInstances(table, [], {})) {
    const mtp = await model.readValues({ node: table, keys: [n] }, {});
    if (mtp.Enable !== true || mtp.Protocol !== 'MQTT') continue;
    const c = clientInstanceOf(String((await model.readValues({ node: mqttCfg, keys: [n] }, {})).Reference ?? ''));
    if (c === undefined || !(await model.exists({ node: clients, keys: [c] }, {}))) continue;
    const client = await model.readValues({ node: clients, keys: [c] }, {});
    if (client.Enable === true && client.TransportProtocol === 'TLS') return true;
  }
  return false;
}

/** "Device.MQTT.Client.2" (references are stored with instance numbers) → 2. */
function clientInstanceOf(reference: string): number | undefined {
  const m = /^Device\.MQTT\.Client\.(\d+)\.?$/.exec(reference.trim());
  return m ? Number(m[1]) : undefined;
}

/** Device.MQTT.Client.{c}.Will* (MQTTClientExtended:1); undefined while WillEnable is false. */
async function willOf(model: DataModel, client: number): Promise<MqttWill | undefined> {
  return willValues(await model.readValues({ node: model.requireNode('Device.MQTT.Client.{i}.'), keys: [client] }, {}));
}

/** The Will of a client row's values; defaults as TR-181's (WillDelayInterval 5 s). */
function willValues(v: Record<string, Value>): MqttWill | undefined {
  if (v.WillEnable !== true) return undefined;
  return {
    enable: true,
    topic: String(v.WillTopic ?? ''),
    value: String(v.WillValue ?? ''),
    qos: Math.min(2, Number(v.WillQoS ?? 0)) as MqttQoS,
    retain: v.WillRetain === true,
    delayInterval: Number(v.WillDelayInterval ?? 5),
    messageExpiryInterval: Number(v.WillMessageExpiryInterval ?? 0),
    contentType: String(v.WillContentType ?? ''),
    responseTopic: String(v.WillResponseTopic ?? ''),
  };
}

async function subscriptionsOf(model: DataModel, client: number): Promise<TopicSubscription[]> {
  const node = model.requireNode('Device.MQTT.Client.{i}.Subscription.{i}.');
  const out: TopicSubscription[] = [];
  for (const s of await model.listInstances(node, [client], {})) {
    const v = await model.readValues({ node, keys: [client, s] }, {});
    if (v.Enable === true && v.Topic) out.push({ topic: String(v.Topic), qos: Math.min(2, Number(v.QoS ?? 0)) as MqttQoS });
  }
  return out;
}

/**
 * Topics of the enabled controllers' enabled MQTT MTPs (Controller.{i}.MTP.{j}.MQTT.Topic), skipping
 * those whose AgentMTPReference points at another of the agent's MTPs.
 */
async function controllerTopics(model: DataModel, mtpPath: string): Promise<MqttControllerTopic[]> {
  const ctrl = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const cmtp = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.');
  const cmqtt = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.MQTT.');
  const out: MqttControllerTopic[] = [];
  for (const i of await model.listInstances(ctrl, [], {})) {
    const c = await model.readValues({ node: ctrl, keys: [i] }, {});
    if (c.Enable !== true || !c.EndpointID) continue;
    for (const j of await model.listInstances(cmtp, [i], {})) {
      const m = await model.readValues({ node: cmtp, keys: [i, j] }, {});
      if (m.Enable !== true || m.Protocol !== 'MQTT') continue;
      const q = await model.readValues({ node: cmqtt, keys: [i, j] }, {});
      const ref = String(q.AgentMTPReference ?? '').replace(/\.$/, '');
      if (!q.Topic || (ref !== '' && ref !== mtpPath)) continue;
      out.push({ endpointId: String(c.EndpointID), topic: String(q.Topic), retainResponse: q.PublishRetainResponse === true, retainNotify: q.PublishRetainNotify === true });
    }
  }
  return out;
}

/** Writes values the agent learned (not a controller's Set) and persists them. */
async function writeValues(model: DataModel, inst: ObjectInstance, values: Record<string, Value>): Promise<void> {
  await Transaction.run(model, {}, (tx) => tx.set(inst, values));
}

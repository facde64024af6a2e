/**
 * One running MQTT MTP's side of the data model (TR-181 Device.MQTT.Client.{i},
 * Device.LocalAgent.MTP.{i}.MQTT, Controller.{i}.MTP.{j}.MQTT): the MTP's options with its
 * callbacks as methods, and one change listener that keeps its controller topics and
 * Subscription rows in step. Classes rather than a dozen closures per MTP: a fleet runs one MQTT
 * MTP per gateway, 10,000 in a process (issue 14), and each closure with its context is ~60-100
 * bytes there; methods on a prototype cost nothing per gateway.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import type { RecordHandler } from '../../mtp/Mtp.js';
import type { MqttClientMtp, MqttWill } from '../../mtp/mqtt/MqttClientMtp.js';
import type { MqttClientMtpOptions, MqttClientStatus, MqttControllerTopic, MqttRecordVersion } from '../../mtp/mqtt/mqtt-options.js';
import type { TopicSubscription } from '../../mtp/mqtt/topics.js';
import { encodeRecord, mqttConnectRecord, salvageRecord } from '../codec/record.js';
import { WILL_PARAMS } from '../localagent/register-mqtt-client.js';

/** Where the MQTT MTP writes what it learns from the broker (start-mqtt.ts MqttStartHooks, resolved). */
export interface MqttRowWriters {
  /** R-MQTT.9: the ClientId a 5.0 broker assigned, into Device.MQTT.Client.{i}.ClientID. */
  saveClientId(client: ObjectInstance, clientId: string): Promise<void>;
  /** The "reply to" topic in use, into Device.LocalAgent.MTP.{i}.MQTT.ResponseTopicDiscovered. */
  saveReplyTo(mtp: ObjectInstance, topic: string): Promise<void>;
}

/** The plain settings of an MqttClientMtp, as start-mqtt.ts reads them from the rows. */
export type MqttRowSettings = Omit<MqttClientMtpOptions, 'connectRecord' | 'recordSender' | 'onRecord' | 'onClientIdAssigned' | 'onReplyTopic' | 'onStatus' | 'log'>;

/** The MTP's options for one Device.MQTT.Client.{i} row; the MTP calls the callbacks as methods of this object. */
// The settings' fields are declared once, by MqttRowSettings (interface merging), and copied in by the constructor.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface MqttClientRow extends MqttRowSettings {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class MqttClientRow implements MqttClientMtpOptions {
  constructor(
    s: MqttRowSettings,
    private readonly model: DataModel,
    /** Device.MQTT.Client.{i} and Device.LocalAgent.MTP.{i}.MQTT of this MTP. */
    private readonly clientInst: ObjectInstance,
    private readonly mqttInst: ObjectInstance,
    private readonly writers: MqttRowWriters,
    readonly onRecord: RecordHandler,
    readonly log: Logger,
  ) {
    Object.assign(this, s);
  }

  /** R-MTP.6: the MQTTConnectRecord for one controller. */
  connectRecord(version: MqttRecordVersion, subscribedTopic: string, controllerEndpointId: string): Uint8Array {
    return encodeRecord(mqttConnectRecord({ toId: controllerEndpointId, fromId: this.agentEndpointId }, version, subscribedTopic));
  }

  recordSender(record: Uint8Array): string | undefined {
    return salvageRecord(record).fromId;
  }

  onClientIdAssigned(clientId: string): void {
    this.writers.saveClientId(this.clientInst, clientId).catch((e: unknown) => this.saveFailed('ClientID', e));
  }

  onReplyTopic(topic: string): void {
    this.writers.saveReplyTo(this.mqttInst, topic).catch((e: unknown) => this.saveFailed('ResponseTopicDiscovered', e));
  }

  /** Status is read live (not stored), so ValueChange subscriptions learn of it from here. */
  onStatus(status: MqttClientStatus): void {
    const { node, keys } = this.clientInst;
    this.model.changes.emit({ kind: 'value', inst: this.clientInst, path: node.pathOf(keys), param: 'Status', value: status });
  }

  private saveFailed(what: string, e: unknown): void {
    this.log.error(`could not save ${what}`, { error: e instanceof Error ? e.message : String(e) });
  }
}

/** Rows whose edits change an MQTT MTP's controller topics (Controller.{i}.MTP.{j}.MQTT). */
const CONTROLLER_ROWS: ReadonlySet<string> = new Set(['Device.LocalAgent.Controller.{i}.', 'Device.LocalAgent.Controller.{i}.MTP.{i}.', 'Device.LocalAgent.Controller.{i}.MTP.{i}.MQTT.']);
/** TP-469 11.9: Subscription rows change the live session (SUBSCRIBE/UNSUBSCRIBE), not restart the MTP. */
const SUBSCRIPTION_ROWS: ReadonlySet<string> = new Set(['Device.MQTT.Client.{i}.Subscription.{i}.']);

/**
 * TR-181 Will* ("only communicated to the MQTT server with the next MQTT CONNECT packet"): the
 * MTP takes them for its next CONNECT instead of restarting (mtp-kinds.ts MQTT.inEffect).
 */
const CLIENT_ROW = 'Device.MQTT.Client.{i}.';
const WILL_PARAM_NAMES: ReadonlySet<string> = new Set(WILL_PARAMS);

/** Whether `param` of a Device.MQTT.Client.{i} row is one a running MQTT MTP follows live (for the next CONNECT). */
export function followedLive(param: string): boolean {
  return WILL_PARAM_NAMES.has(param);
}

/** How the follower re-reads the lists (start-mqtt.ts's row readers). */
export interface MqttRowReaders {
  controllerTopics(model: DataModel, mtpPath: string): Promise<MqttControllerTopic[]>;
  subscriptionsOf(model: DataModel, client: number): Promise<TopicSubscription[]>;
  willOf(model: DataModel, client: number): Promise<MqttWill | undefined>;
}

/**
 * Keeps a running MQTT MTP's controller topics and subscriptions in step with the rows: after a
 * burst of changes (a transaction commits many at once) each list is read again once and handed
 * to the MTP. One change listener for both.
 */
export class MqttRowFollower implements ChangeObserver {
  private controllersPending = false;
  private subscriptionsPending = false;
  private willPending = false;

  constructor(
    private readonly model: DataModel,
    private readonly mtpPath: string,
    private readonly client: number,
    private readonly mtp: MqttClientMtp,
    private readonly readers: MqttRowReaders,
    private readonly log: Logger,
  ) {
    // An observer, not a listener function: no closure (and unsubscribe closure) per MTP (issue 14).
    model.changes.observe(this);
  }

  stop(): void {
    this.model.changes.unobserve(this);
  }

  /** A change of the model (ChangeFeed.observe). */
  modelChanged(change: Change): void {
    const path = change.inst.node.supportedPath;
    if (!this.controllersPending && CONTROLLER_ROWS.has(path)) {
      this.controllersPending = true;
      queueMicrotask(() => {
        this.controllersPending = false;
        this.readers
          .controllerTopics(this.model, this.mtpPath)
          .then((list) => this.mtp.setControllers(list))
          .catch((e: unknown) => this.rereadFailed('controller MQTT topics', e));
      });
    } else if (!this.subscriptionsPending && SUBSCRIPTION_ROWS.has(path)) {
      this.subscriptionsPending = true;
      queueMicrotask(() => {
        this.subscriptionsPending = false;
        this.readers
          .subscriptionsOf(this.model, this.client)
          .then((list) => this.mtp.setSubscriptions(list))
          .catch((e: unknown) => this.rereadFailed('MQTT Subscription rows', e));
      });
    } else if (!this.willPending && path === CLIENT_ROW && change.kind === 'value' && followedLive(change.param) && change.inst.keys[0] === this.client) {
      this.willPending = true;
      queueMicrotask(() => {
        this.willPending = false;
        this.readers
          .willOf(this.model, this.client)
          .then((will) => this.mtp.setWill(will))
          .catch((e: unknown) => this.rereadFailed('MQTT Will', e));
      });
    }
  }

  private rereadFailed(what: string, e: unknown): void {
    this.log.error(`could not re-read ${what}`, { error: e instanceof Error ? e.message : String(e) });
  }
}

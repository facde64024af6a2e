/**
 * Device.LocalAgent as stored configuration (TR-181 LocalAgent:1, Controllers:1, Subscriptions:1
 * and the ControllerTrust tables): the agent's own settings live in the data model, seeded by
 * the factory-defaults file and persisted by the DataStore.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { type Certificates, registerCertificates, SUPPORTED_FINGERPRINT_ALGORITHMS } from '../certificates/register-certificates.js';
import type { RowIndex } from '../../datamodel/store/RowIndex.js';
import type { InstanceKeys, RequestContext } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { registerChallenges } from '../challenge/register-challenges.js';
import { checkReferenceList, checkSubscriptionBound, deleteSubscriptionsWithTheirController, indexSubscriptionsByRecipient } from '../notify/subscription-rules.js';
import { checkTriggerConfigSettings } from '../notify/trigger-config.js';

export interface LocalAgentInfo {
  softwareVersion: string;
  /** process start, for UpTime */
  startedAt: number;
  /** Protocols the agent's MTPs implement, e.g. "WebSocket". */
  supportedProtocols: string;
  now: () => Date;
  /**
   * Controller.{i}.MTP.{j}.WebSocket.CurrentRetryCount of the running WebSocket client for that
   * row (keys [i, j]); 0 when none runs.
   */
  currentRetryCount?: (keys: readonly number[]) => number;
  /** Vendor parameters of Device.LocalAgent. (e.g. X_<VENDOR>_AllowLocalDownloads), stored like the rest. */
  vendorParams?: StoredOptions['vendorParams'];
}

/** Tables TP-469 writes to and the agent keeps across restarts. */
const STORED_OBJECTS = [
  'Device.LocalAgent.MTP.{i}.',
  'Device.LocalAgent.MTP.{i}.WebSocket.',
  'Device.LocalAgent.MTP.{i}.MQTT.',
  'Device.LocalAgent.Controller.{i}.MTP.{i}.',
  'Device.LocalAgent.Controller.{i}.MTP.{i}.MQTT.',
  'Device.LocalAgent.Controller.{i}.BootParameter.{i}.',
  'Device.LocalAgent.Controller.{i}.TransferCompletePolicy.',
  'Device.LocalAgent.ControllerTrust.',
  'Device.LocalAgent.ControllerTrust.Role.{i}.',
  'Device.LocalAgent.ControllerTrust.Role.{i}.Permission.{i}.',
  'Device.LocalAgent.ControllerTrust.Credential.{i}.',
  'Device.LocalAgent.ControllerTrust.Challenge.{i}.',
] as const;

const LOCAL_AGENT_PARAMS = [
  'EndpointID',
  'SoftwareVersion',
  'UpTime',
  'SupportedProtocols',
  'SupportedFingerprintAlgorithms',
  'AdvertisedDeviceSubtypes',
  'MaxSubscriptionChangeAdoptionTime',
  'SupportedNumberOfSubscriptions',
] as const;
const LOCAL_AGENT_LIVE = ['SoftwareVersion', 'UpTime', 'SupportedProtocols', 'SupportedFingerprintAlgorithms'] as const;
const CONTROLLER_PARAMS = [
  'Alias',
  'EndpointID',
  'ControllerCode',
  'ProvisioningCode',
  'Enable',
  'AssignedRole',
  'InheritedRole',
  'Credential',
  'PeriodicNotifInterval',
  'PeriodicNotifTime',
  'USPNotifRetryMinimumWaitInterval',
  'USPNotifRetryIntervalMultiplier',
  'OnBoardingComplete',
  'OnBoardingRestartTime',
] as const;
/** Per connection, never stored (R-SEC.21). */
const CONTROLLER_LIVE = ['InheritedRole'] as const;
/** The retry count belongs to the running client, not to the configuration. */
const RETRY_COUNT_LIVE = ['CurrentRetryCount'] as const;

export function registerLocalAgent(model: DataModel, store: DataStore, info: LocalAgentInfo): void {
  // Certificate.{i}, AddCertificate(), AddMyCertificate() and certificate trust (InheritedRole).
  const certificates = registerCertificates(model, store);
  registerStored(model, store, 'Device.LocalAgent.', new LocalAgentOptions(info));
  registerStored(model, store, 'Device.LocalAgent.Controller.{i}.', new ControllerOptions(certificates));
  for (const path of STORED_OBJECTS) registerStored(model, store, path);
  registerStored(model, store, 'Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.', new ControllerWebSocketOptions(info));
  // ControllerTrust.RequestChallenge() / ChallengeResponse() (Challenge:1).
  registerChallenges(model);
  registerStored(model, store, 'Device.LocalAgent.Subscription.{i}.', new SubscriptionOptions(model, store, info));
  deleteSubscriptionsWithTheirController(model, store);
}

/*
 * The options of the stored LocalAgent objects are classes over the gateway's own state: their
 * methods then live once for every gateway of a fleet, not once per gateway (issue 14).
 */

/** Device.LocalAgent.: the agent's identity, with its version, uptime and protocols read live. */
class LocalAgentOptions implements StoredOptions {
  readonly params: readonly string[] = LOCAL_AGENT_PARAMS;
  readonly liveParams: readonly string[] = LOCAL_AGENT_LIVE;
  readonly vendorParams: StoredOptions['vendorParams'];

  constructor(private readonly info: LocalAgentInfo) {
    this.vendorParams = info.vendorParams;
  }

  liveValue(name: string): Value {
    switch (name as (typeof LOCAL_AGENT_LIVE)[number]) {
      case 'SoftwareVersion':
        return this.info.softwareVersion;
      case 'UpTime':
        return Math.floor((Date.now() - this.info.startedAt) / 1000);
      case 'SupportedProtocols':
        return this.info.supportedProtocols;
      case 'SupportedFingerprintAlgorithms':
        return SUPPORTED_FINGERPRINT_ALGORITHMS;
    }
  }
}

/** Device.LocalAgent.Controller.{i}.: InheritedRole is the current connection's. */
class ControllerOptions implements StoredOptions {
  readonly params: readonly string[] = CONTROLLER_PARAMS;
  readonly liveParams: readonly string[] = CONTROLLER_LIVE;

  constructor(private readonly certificates: Certificates) {}

  liveValue(_name: string, keys: InstanceKeys): Value {
    return this.certificates.inheritedRole(keys);
  }
}

/** Controller.{i}.MTP.{i}.WebSocket.: CurrentRetryCount from the running WebSocket client. */
class ControllerWebSocketOptions implements StoredOptions {
  readonly liveParams: readonly string[] = RETRY_COUNT_LIVE;

  constructor(private readonly info: LocalAgentInfo) {}

  liveValue(_name: string, keys: InstanceKeys): Value {
    return this.info.currentRetryCount?.(keys) ?? 0;
  }
}

/** Device.LocalAgent.Subscription.{i}.: the agent fills Recipient and CreationDate, and checks each change. */
class SubscriptionOptions implements StoredOptions {
  private readonly byRecipient: RowIndex;

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
    private readonly info: LocalAgentInfo,
  ) {
    this.byRecipient = indexSubscriptionsByRecipient(store);
  }

  /** TR-181; TP-469 1.81. */
  initial(_parent: InstanceKeys, ctx: RequestContext): Record<string, Value> {
    return {
      Recipient: ctx.controllerPath ?? '',
      CreationDate: this.info
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    };
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    const adding = keys[keys.length - 1] === 0;
    const row = adding ? {} : (this.store.row(`Device.LocalAgent.Subscription.${keys[0]}.`) ?? {});
    if (adding) checkSubscriptionBound(this.byRecipient, String(changes.Recipient ?? ''));
    if (!adding && 'ReferenceList' in changes) {
      const current = row.ReferenceList;
      // TR-181: ReferenceList cannot change once set; delete and recreate the subscription.
      if (current !== undefined && current !== '' && current !== changes.ReferenceList) {
        throw new UspError(ErrorCode.InvalidValue, 'ReferenceList cannot be changed once set');
      }
    }
    // A new NotifType must fit the stored ReferenceList, and a new ReferenceList the NotifType.
    if ('ReferenceList' in changes || 'NotifType' in changes) {
      checkReferenceList(this.model, String(changes.NotifType ?? row.NotifType ?? ''), String(changes.ReferenceList ?? row.ReferenceList ?? ''));
    }
    if ('TriggerConfigSettings' in changes) checkTriggerConfigSettings(this.model, String(changes.TriggerConfigSettings));
  }
}

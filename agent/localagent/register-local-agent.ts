/**
 * Device.LocalAgent as stored configuration (TR-181 LocalAgent:1, Controllers:1, Subscriptions:1
 * and the ControllerTrust tables): the agent's own settings live in the data model, seeded by
 * the factory-defaults file and persisted by the DataStore.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { registerCertificates, SUPPORTED_FINGERPRINT_ALGORITHMS } from '../certificates/register-certificates.js';
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

export function registerLocalAgent(model: DataModel, store: DataStore, info: LocalAgentInfo): void {
  // Certificate.{i}, AddCertificate(), AddMyCertificate() and certificate trust (InheritedRole).
  const certificates = registerCertificates(model, store);
  registerStored(model, store, 'Device.LocalAgent.', {
    params: [
      'EndpointID',
      'SoftwareVersion',
      'UpTime',
      'SupportedProtocols',
      'SupportedFingerprintAlgorithms',
      'AdvertisedDeviceSubtypes',
      'MaxSubscriptionChangeAdoptionTime',
      'SupportedNumberOfSubscriptions',
    ],
    live: {
      SoftwareVersion: () => info.softwareVersion,
      UpTime: () => Math.floor((Date.now() - info.startedAt) / 1000),
      SupportedProtocols: () => info.supportedProtocols,
      SupportedFingerprintAlgorithms: () => SUPPORTED_FINGERPRINT_ALGORITHMS,
    },
    vendorParams: info.vendorParams,
  });
  registerStored(model, store, 'Device.LocalAgent.Controller.{i}.', {
    params: [
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
    ],
    // Per connection, never stored (R-SEC.21).
    live: { InheritedRole: certificates.inheritedRole },
  });
  for (const path of STORED_OBJECTS) registerStored(model, store, path);
  registerStored(model, store, 'Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.', {
    // The retry count belongs to the running client, not to the configuration.
    live: { CurrentRetryCount: (keys) => info.currentRetryCount?.(keys) ?? 0 },
  });
  // ControllerTrust.RequestChallenge() / ChallengeResponse() (Challenge:1).
  registerChallenges(model);
  const byRecipient = indexSubscriptionsByRecipient(store);
  registerStored(model, store, 'Device.LocalAgent.Subscription.{i}.', {
    // The agent fills Recipient and CreationDate itself (TR-181; TP-469 1.81).
    initial: (_parent, ctx) => ({
      Recipient: ctx.controllerPath ?? '',
      CreationDate: info
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    }),
    validate: (keys, changes) => {
      const adding = keys[keys.length - 1] === 0;
      const row = adding ? {} : (store.row(`Device.LocalAgent.Subscription.${keys[0]}.`) ?? {});
      if (adding) checkSubscriptionBound(byRecipient, String(changes.Recipient ?? ''));
      if (!adding && 'ReferenceList' in changes) {
        const current = row.ReferenceList;
        // TR-181: ReferenceList cannot change once set; delete and recreate the subscription.
        if (current !== undefined && current !== '' && current !== changes.ReferenceList) {
          throw new UspError(ErrorCode.InvalidValue, 'ReferenceList cannot be changed once set');
        }
      }
      // A new NotifType must fit the stored ReferenceList, and a new ReferenceList the NotifType.
      if ('ReferenceList' in changes || 'NotifType' in changes) {
        checkReferenceList(model, String(changes.NotifType ?? row.NotifType ?? ''), String(changes.ReferenceList ?? row.ReferenceList ?? ''));
      }
      if ('TriggerConfigSettings' in changes) checkTriggerConfigSettings(model, String(changes.TriggerConfigSettings));
    },
  });
  deleteSubscriptionsWithTheirController(model, store);
}

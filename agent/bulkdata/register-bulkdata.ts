/**
 * Device.BulkData. (TR-181 BulkData:1 with BulkDataReports:1, the JSON and CSV encodings,
 * BulkDataHTTP:1 and Profile.{i}.MQTT.; TR-369 Annex A) as stored configuration: Profiles are
 * made by controllers (Add) or by the factory-defaults file, persisted by the DataStore, checked
 * at Set/Add (bulkdata-rules.ts) and run by the BulkDataService.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { BulkDataService, type BulkDataDeps } from './BulkDataService.js';
import { BULKDATA_ENCODINGS, BULKDATA_PROTOCOLS, DEFAULT_MIN_REPORTING_INTERVAL, MAX_PARAMETER_REFERENCES, MAX_PROFILES } from './bulkdata-limits.js';
import { checkHttp, checkMqtt, checkParameterRow, checkProfile, checkUriParameterRow } from './bulkdata-rules.js';
import type { HttpChannelFactory } from './channels.js';
import { readHttpTarget } from './http-target.js';
import type { MqttReportPublisher } from './mqtt-channel.js';
import { PROFILE_TABLE } from './profile-config.js';
import { PROFILE_NODE, PUSH_EVENT } from './push-event-channel.js';

export interface BulkDataOptions {
  log: Logger;
  dataDir?: string;
  /** Device.BulkData.MinReportingInterval in seconds (default DEFAULT_MIN_REPORTING_INTERVAL). */
  minReportingInterval?: number;
  /** The HTTP(S) report channel; without it Protocol HTTP Profiles cannot report (Status Error). */
  httpChannel?: HttpChannelFactory;
  mqttClientFor: (clientRow: string) => MqttReportPublisher | undefined;
  accessFor: BulkDataDeps['accessFor'];
}

/** Registers Device.BulkData. and returns the service that runs it (start it once the state is loaded). */
export function registerBulkData(model: DataModel, store: DataStore, opts: BulkDataOptions): BulkDataService {
  const minInterval = opts.minReportingInterval ?? DEFAULT_MIN_REPORTING_INTERVAL;
  const service = new BulkDataService({
    model,
    store,
    log: opts.log,
    dataDir: opts.dataDir,
    minReportingInterval: minInterval,
    httpChannel: opts.httpChannel,
    mqttClientFor: opts.mqttClientFor,
    accessFor: opts.accessFor,
    readHttpTarget: async (n) => readHttpTarget(model, store, n, Number(store.row(`${PROFILE_TABLE}${n}.`)?.NumberOfRetainedFailedReports ?? 0)),
  });
  const protocols = opts.httpChannel ? BULKDATA_PROTOCOLS : BULKDATA_PROTOCOLS.filter((p) => p !== 'HTTP');
  registerStored(model, store, 'Device.BulkData.', {
    params: ['Enable', 'Status', 'MinReportingInterval', 'Protocols', 'EncodingTypes', 'ParameterWildCardSupported', 'MaxNumberOfProfiles', 'MaxNumberOfParameterReferences'],
    live: {
      Status: () => service.status(),
      MinReportingInterval: () => minInterval,
      // HTTP is listed once a channel for it is wired in: a controller reads what it can use.
      Protocols: () => protocols.join(','),
      EncodingTypes: () => BULKDATA_ENCODINGS.join(','),
      ParameterWildCardSupported: () => true,
      MaxNumberOfProfiles: () => MAX_PROFILES,
      MaxNumberOfParameterReferences: () => MAX_PARAMETER_REFERENCES,
    },
  });
  registerStored(model, store, PROFILE_NODE, {
    // TR-181 Profile.{i}.Controller: filled by the agent with the creating Controller (read-only).
    initial: (_parent, ctx) => ({ Controller: ctx.controllerPath ?? '' }),
    validate: (keys, changes) => checkProfile(store, keys, changes, { minInterval, protocols }),
    commands: {
      'ForceCollection()': {
        run: async (call) => {
          await service.forceCollection(call.keys[0]);
          return {};
        },
      },
    },
  });
  model.registerEvent(PROFILE_NODE, PUSH_EVENT);
  registerStored(model, store, 'Device.BulkData.Profile.{i}.Parameter.{i}.', {
    validate: (keys, changes) => checkParameterRow(model, store, keys, changes),
  });
  registerStored(model, store, 'Device.BulkData.Profile.{i}.CSVEncoding.');
  registerStored(model, store, 'Device.BulkData.Profile.{i}.JSONEncoding.');
  registerStored(model, store, 'Device.BulkData.Profile.{i}.MQTT.', {
    validate: (_keys, changes) => checkMqtt(changes),
  });
  registerStored(model, store, 'Device.BulkData.Profile.{i}.HTTP.', {
    live: { CompressionsSupported: () => 'GZIP,Deflate', MethodsSupported: () => 'POST,PUT' },
    validate: (_keys, changes) => checkHttp(changes),
  });
  registerStored(model, store, 'Device.BulkData.Profile.{i}.HTTP.RequestURIParameter.{i}.', {
    validate: (keys, changes) => checkUriParameterRow(model, store, keys, changes),
  });
  deleteProfilesWithTheirController(model, store);
  return service;
}

/** TR-181 Profile.{i}.Controller is a strong reference "|delete": the Profile goes with its Controller row. */
function deleteProfilesWithTheirController(model: DataModel, store: DataStore): void {
  const profile = model.requireNode(PROFILE_NODE);
  model.onDelete('Device.LocalAgent.Controller.{i}.', async (controller, tx) => {
    const target = controller.node.pathOf(controller.keys).replace(/\.$/, '');
    for (const n of [...store.instances(PROFILE_TABLE)]) {
      const owner = String(store.row(`${PROFILE_TABLE}${n}.`)?.Controller ?? '').replace(/\.$/, '');
      if (owner === target) await tx.delete({ node: profile, keys: [n] });
    }
  });
}

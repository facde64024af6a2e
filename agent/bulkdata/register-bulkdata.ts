/**
 * Device.BulkData. (TR-181 BulkData:1 with BulkDataReports:1, the JSON and CSV encodings,
 * BulkDataHTTP:1 and Profile.{i}.MQTT.; TR-369 Annex A) as stored configuration: Profiles are
 * made by controllers (Add) or by the factory-defaults file, persisted by the DataStore, checked
 * at Set/Add (bulkdata-rules.ts) and run by the BulkDataService.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { CommandBinding, CommandInvocation, InstanceKeys, RequestContext } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { BulkDataService, type BulkDataDeps } from './BulkDataService.js';
import { BULKDATA_ENCODINGS, BULKDATA_PROTOCOLS, DEFAULT_MIN_REPORTING_INTERVAL, MAX_PARAMETER_REFERENCES, MAX_PROFILES } from './bulkdata-limits.js';
import { checkHttp, checkMqtt, checkParameterRow, checkProfile, checkUriParameterRow } from './bulkdata-rules.js';
import type { HttpChannelFactory } from './channels.js';
import type { HttpTarget } from './report-contract.js';
import type { AccessView } from '../../datamodel/access/AccessView.js';
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
  /** What a Profile reaches of the agent: the running MQTT clients, its Controller's permissions. */
  links: BulkDataLinks;
}

/** The agent's side of Bulk Data: an object whose methods the service calls (one copy for a fleet, issue 14). */
export interface BulkDataLinks {
  /** The running MQTT client of a Device.MQTT.Client.{i}. row. */
  mqttPublisherFor(clientRow: string): MqttReportPublisher | undefined;
  /** See BulkDataDeps.accessFor. */
  profileAccess(controllerPath: string): Promise<AccessView | undefined>;
}

/** Registers Device.BulkData. and returns the service that runs it (start it once the state is loaded). */
export function registerBulkData(model: DataModel, store: DataStore, opts: BulkDataOptions): BulkDataService {
  const minInterval = opts.minReportingInterval ?? DEFAULT_MIN_REPORTING_INTERVAL;
  const service = new BulkDataService(new ServiceDeps(model, store, opts, minInterval));
  const protocols = opts.httpChannel ? BULKDATA_PROTOCOLS : BULKDATA_PROTOCOLS.filter((p) => p !== 'HTTP');
  const config = new BulkDataConfig(model, store, service, minInterval, protocols);
  registerStored(model, store, 'Device.BulkData.', config);
  registerStored(model, store, PROFILE_NODE, new ProfileOptions(config));
  model.registerEvent(PROFILE_NODE, PUSH_EVENT);
  registerStored(model, store, 'Device.BulkData.Profile.{i}.Parameter.{i}.', new RowRules(config, checkParameterRow));
  registerStored(model, store, 'Device.BulkData.Profile.{i}.CSVEncoding.');
  registerStored(model, store, 'Device.BulkData.Profile.{i}.JSONEncoding.');
  registerStored(model, store, 'Device.BulkData.Profile.{i}.MQTT.', MQTT_OPTIONS);
  registerStored(model, store, 'Device.BulkData.Profile.{i}.HTTP.', HTTP_OPTIONS);
  registerStored(model, store, 'Device.BulkData.Profile.{i}.HTTP.RequestURIParameter.{i}.', new RowRules(config, checkUriParameterRow));
  deleteProfilesWithTheirController(model, store);
  return service;
}

const ROOT_PARAMS = ['Enable', 'Status', 'MinReportingInterval', 'Protocols', 'EncodingTypes', 'ParameterWildCardSupported', 'MaxNumberOfProfiles', 'MaxNumberOfParameterReferences'] as const;
const ROOT_LIVE = ['Status', 'MinReportingInterval', 'Protocols', 'EncodingTypes', 'ParameterWildCardSupported', 'MaxNumberOfProfiles', 'MaxNumberOfParameterReferences'] as const;

/**
 * One gateway's Device.BulkData. settings, and the stored options of Device.BulkData. itself. The
 * options of BulkData's objects are classes over it (or constants) rather than objects of
 * closures: their methods then live once for every gateway of a fleet (issue 14).
 */
class BulkDataConfig implements StoredOptions {
  readonly params: readonly string[] = ROOT_PARAMS;
  readonly liveParams: readonly string[] = ROOT_LIVE;

  constructor(
    readonly model: DataModel,
    readonly store: DataStore,
    readonly service: BulkDataService,
    readonly minInterval: number,
    /** HTTP is listed once a channel for it is wired in: a controller reads what it can use. */
    readonly protocols: readonly string[],
  ) {}

  liveValue(name: string): Value {
    switch (name as (typeof ROOT_LIVE)[number]) {
      case 'Status':
        return this.service.status();
      case 'MinReportingInterval':
        return this.minInterval;
      case 'Protocols':
        return this.protocols.join(',');
      case 'EncodingTypes':
        return BULKDATA_ENCODINGS.join(',');
      case 'ParameterWildCardSupported':
        return true;
      case 'MaxNumberOfProfiles':
        return MAX_PROFILES;
      case 'MaxNumberOfParameterReferences':
        return MAX_PARAMETER_REFERENCES;
    }
  }
}

/** Device.BulkData.Profile.{i}.: checked at Set/Add, with ForceCollection(). */
class ProfileOptions implements StoredOptions {
  readonly commands: Readonly<Record<string, CommandBinding>>;

  constructor(private readonly config: BulkDataConfig) {
    this.commands = { 'ForceCollection()': new ForceCollection(config.service) };
  }

  /** TR-181 Profile.{i}.Controller: filled by the agent with the creating Controller (read-only). */
  initial(_parent: InstanceKeys, ctx: RequestContext): Record<string, Value> {
    return { Controller: ctx.controllerPath ?? '' };
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    checkProfile(this.config.store, keys, changes, this.config);
  }
}

class ForceCollection implements CommandBinding {
  constructor(private readonly service: BulkDataService) {}

  async run(call: CommandInvocation): Promise<Record<string, Value>> {
    await this.service.forceCollection(call.keys[0]);
    return {};
  }
}

/** A table of parameter references (Parameter.{i}, RequestURIParameter.{i}), checked at Set/Add against the gateway's model. */
class RowRules implements StoredOptions {
  constructor(
    private readonly config: BulkDataConfig,
    private readonly check: (model: DataModel, store: DataStore, keys: InstanceKeys, changes: Record<string, Value>) => void,
  ) {}

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.check(this.config.model, this.config.store, keys, changes);
  }
}

/** Nothing of a gateway in them: one for the fleet. */
/** The service's deps as methods over the gateway's model, store and links. */
class ServiceDeps implements BulkDataDeps {
  readonly log: Logger;
  readonly dataDir: string | undefined;
  readonly httpChannel: HttpChannelFactory | undefined;
  private readonly links: BulkDataLinks;

  constructor(
    readonly model: DataModel,
    readonly store: DataStore,
    opts: BulkDataOptions,
    readonly minReportingInterval: number,
  ) {
    this.log = opts.log;
    this.dataDir = opts.dataDir;
    this.httpChannel = opts.httpChannel;
    this.links = opts.links;
  }

  mqttClientFor(clientRow: string): MqttReportPublisher | undefined {
    return this.links.mqttPublisherFor(clientRow);
  }

  accessFor(controllerPath: string): Promise<AccessView | undefined> {
    return this.links.profileAccess(controllerPath);
  }

  readHttpTarget(n: number): Promise<HttpTarget> {
    return readHttpTarget(this.model, this.store, n, Number(this.store.row(`${PROFILE_TABLE}${n}.`)?.NumberOfRetainedFailedReports ?? 0));
  }
}

const MQTT_OPTIONS: StoredOptions = { validate: (_keys, changes) => checkMqtt(changes) };
const HTTP_OPTIONS: StoredOptions = {
  live: { CompressionsSupported: () => 'GZIP,Deflate', MethodsSupported: () => 'POST,PUT' },
  validate: (_keys, changes) => checkHttp(changes),
};

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

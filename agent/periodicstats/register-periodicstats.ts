/**
 * Device.PeriodicStatistics. (TR-181 PeriodicStatsBase:1, PeriodicStatsAdv:2) on every platform:
 * SampleSet.{i} and Parameter.{i} rows made by Controllers (or the factory-defaults file),
 * persisted in the agent's store, checked at Set/Add, sampled by the PeriodicStatsService with
 * the owning Controller's permissions. The collected lists are live values of the service: they
 * are not saved, and a restart begins collecting afresh.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored, storedBinding, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { CommandBinding, CommandInvocation, InstanceKeys, RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { UNKNOWN_TIME } from '../../datamodel/value/Value.js';
import { ParameterTableBinding } from './ParameterTableBinding.js';
import { PeriodicStatsService, PUSH_EVENT, type PeriodicStatsLinks } from './PeriodicStatsService.js';
import { MAX_REPORT_SAMPLES, MIN_SAMPLE_INTERVAL } from './periodicstats-limits.js';
import { PARAMETER_NODE, SAMPLE_SET_NODE, SAMPLE_SET_TABLE } from './sampleset-config.js';
import { checkParameterRow, checkSampleSet } from './sampleset-rules.js';

export interface PeriodicStatsOptions {
  log: Logger;
  links: PeriodicStatsLinks;
}

/** Registers Device.PeriodicStatistics. and returns the service that samples (start it once the state is loaded). */
export function registerPeriodicStatistics(model: DataModel, store: DataStore, opts: PeriodicStatsOptions): PeriodicStatsService {
  const service = new PeriodicStatsService(model, store, opts.log, opts.links);
  registerStored(model, store, 'Device.PeriodicStatistics.', ROOT_OPTIONS);
  registerStored(model, store, SAMPLE_SET_NODE, new SampleSetOptions(store, service));
  model.registerEvent(SAMPLE_SET_NODE, PUSH_EVENT);
  const parameterNode = model.requireNode(PARAMETER_NODE);
  model.register(PARAMETER_NODE, new ParameterTableBinding(model, storedBinding(parameterNode, store, new ParameterOptions(store, service))));
  deleteSampleSetsWithTheirController(model, store);
  return service;
}

const ROOT_OPTIONS: StoredOptions = {
  params: ['MinSampleInterval', 'MaxReportSamples'],
  live: { MinSampleInterval: () => MIN_SAMPLE_INTERVAL, MaxReportSamples: () => MAX_REPORT_SAMPLES },
};

const SET_LIVE = ['ReportStartTime', 'ReportEndTime', 'SampleSeconds'] as const;
const PARAMETER_LIVE = ['Values', 'SampleSeconds', 'SuspectData', 'Failures', 'ValuesIfHistogram'] as const;

/** SampleSet.{i}: checked at Set/Add, its Controller filled in, its lists from the service. A class: one copy of its methods for a fleet. */
class SampleSetOptions implements StoredOptions {
  readonly liveParams: readonly string[] = SET_LIVE;
  readonly commands: Readonly<Record<string, CommandBinding>>;

  constructor(
    private readonly store: DataStore,
    private readonly service: PeriodicStatsService,
  ) {
    this.commands = { 'ForceSample()': new SampleSetCommand(service, 'sample'), 'ForceCollection()': new SampleSetCommand(service, 'collect') };
  }

  /** TR-181 SampleSet.{i}.Controller: the Controller that created the row (read-only). */
  initial(_parent: InstanceKeys, ctx: RequestContext): Record<string, Value> {
    return { Controller: ctx.controllerPath ?? '' };
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    checkSampleSet(this.store, keys, changes, MIN_SAMPLE_INTERVAL);
  }

  liveValue(name: string, keys: InstanceKeys): Value {
    return this.service.setValue(keys[0], name) ?? (name === 'SampleSeconds' ? '' : UNKNOWN_TIME);
  }
}

class ParameterOptions implements StoredOptions {
  readonly liveParams: readonly string[] = PARAMETER_LIVE;

  constructor(
    private readonly store: DataStore,
    private readonly service: PeriodicStatsService,
  ) {}

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    checkParameterRow(this.store, keys, changes);
  }

  liveValue(name: string, keys: InstanceKeys): Value {
    return this.service.parameterValue(keys[0], keys[1], name) ?? (name === 'Failures' ? 0 : '');
  }
}

class SampleSetCommand implements CommandBinding {
  constructor(
    private readonly service: PeriodicStatsService,
    private readonly what: 'sample' | 'collect',
  ) {}

  async run(call: CommandInvocation): Promise<Record<string, Value>> {
    if (this.what === 'sample') await this.service.forceSample(call.keys[0]);
    else await this.service.forceCollection(call.keys[0]);
    return {};
  }
}

/** TR-181 SampleSet.{i}.Controller is a strong reference "|delete": the set goes with its Controller row. */
function deleteSampleSetsWithTheirController(model: DataModel, store: DataStore): void {
  const sampleSet = model.requireNode(SAMPLE_SET_NODE);
  model.onDelete('Device.LocalAgent.Controller.{i}.', async (controller, tx) => {
    const target = controller.node.pathOf(controller.keys).replace(/\.$/, '');
    for (const n of [...store.instances(SAMPLE_SET_TABLE)]) {
      const owner = String(store.row(`${SAMPLE_SET_TABLE}${n}.`)?.Controller ?? '').replace(/\.$/, '');
      if (owner === target) await tx.delete({ node: sampleSet, keys: [n] });
    }
  });
}

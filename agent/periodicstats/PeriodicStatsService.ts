/**
 * Runs the Device.PeriodicStatistics.SampleSet.{i} rows (TR-181 PeriodicStatsBase:1,
 * PeriodicStatsAdv:2). Configuration is followed through the change feed after commit (a
 * rolled-back Set changes nothing); a set that is not enabled costs no timer, and a gateway that
 * never had one holds nothing but this object (the fleet: issue 14). A completed sample is told
 * to ValueChange subscribers (ReportEndTime, the lists, Failures) and, every FetchSamples
 * intervals, sent as the set's Push! event to its Controller.
 */
import type { AccessView } from '../../datamodel/access/AccessView.js';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { SampleSetRunner, type RunnerDeps } from './SampleSetRunner.js';
import { PARAMETER_NODE, readSampleSet, SAMPLE_SET_NODE, SAMPLE_SET_TABLE, type SampleSetConfig } from './sampleset-config.js';

export const PUSH_EVENT = 'Push!';
/**
 * What a completed sample tells ValueChange subscribers: the set's report times (a Controller
 * subscribes to ReportEndTime to learn when to fetch) and a Parameter's Failures when it moved.
 * The lists themselves (SampleSeconds, SuspectData, Values) are activeNotify="canDeny" in TR-181
 * and are not announced: every list of every set each second would flood the notification
 * backlog that real configuration changes share.
 */
const SET_NOTIFIED = ['ReportStartTime', 'ReportEndTime'] as const;
const PARAMETER_LISTS = ['Values', 'SampleSeconds', 'SuspectData', 'Failures'] as const;
/** Values that change by sampling, not by configuration: the change feed's news of them is not a reload. */
const SAMPLED = new Set(['ReportStartTime', 'ReportEndTime', 'SampleSeconds', 'Values', 'SuspectData', 'Failures']);

/** What the service reaches of the agent. */
export interface PeriodicStatsLinks {
  /** The permissions of a Controller row ("Device.LocalAgent.Controller.2"), undefined when it does not exist. */
  profileAccess(controllerPath: string): Promise<AccessView | undefined>;
}

export class PeriodicStatsService implements ChangeObserver, RunnerDeps {
  /** Made at first use: most gateways of a fleet never have a SampleSet. */
  private runnersOf?: Map<number, SampleSetRunner>;
  private dirtyOf?: Set<number>;
  private reloadAll = false;
  private flushing?: Promise<void>;
  private stopped = false;

  constructor(
    readonly model: DataModel,
    private readonly store: DataStore,
    readonly log: Logger,
    private readonly links: PeriodicStatsLinks,
    private readonly clock: () => number = Date.now,
  ) {}

  now(): number {
    return this.clock();
  }

  accessFor(controllerPath: string): Promise<AccessView | undefined> {
    return this.links.profileAccess(controllerPath);
  }

  /** Reads every SampleSet (the saved ones start sampling afresh) and follows their configuration from now on. */
  async start(): Promise<void> {
    this.model.changes.observe(this);
    this.reloadAll = true;
    await this.flush();
  }

  stop(): void {
    this.stopped = true;
    this.model.changes.unobserve(this);
    for (const r of this.runnersOf?.values() ?? []) r.stop();
    this.runnersOf?.clear();
  }

  /** Waits until the configuration changes seen so far are applied. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  modelChanged(c: Change): void {
    if (c.kind === 'event' || !c.path.startsWith(SAMPLE_SET_TABLE)) return;
    // The lists this service itself announces are not configuration.
    if (c.kind === 'value' && SAMPLED.has(c.param)) return;
    const m = /^Device\.PeriodicStatistics\.SampleSet\.(\d+)\./.exec(c.path);
    if (m) (this.dirtyOf ??= new Set()).add(Number(m[1]));
    else this.reloadAll = true;
    this.scheduleFlush();
  }

  /** A live value of SampleSet `n` (ReportStartTime, ReportEndTime, SampleSeconds). */
  setValue(n: number, name: string): Value | undefined {
    return this.runnersOf?.get(n)?.setValue(name);
  }

  /** A live value of Parameter `p` of SampleSet `n` (Values, SampleSeconds, SuspectData, Failures). */
  parameterValue(n: number, p: number, name: string): Value | undefined {
    const r = this.runnersOf?.get(n);
    const s = r?.series.get(p);
    if (!r || !s) return undefined;
    if (name === 'Failures') return s.failures;
    if (name === 'Values' || name === 'SampleSeconds' || name === 'SuspectData') return s.list(name, r.cfg.reportSamples);
    return undefined;
  }

  /** ForceSample(): a sneak preview of the running interval (nothing when the set is not enabled). */
  async forceSample(n: number): Promise<void> {
    await this.settled();
    await this.runnersOf?.get(n)?.forceSample();
  }

  /** ForceCollection(): ForceSample() and a Push! now, whatever Enable and FetchSamples say. */
  async forceCollection(n: number): Promise<void> {
    await this.forceSample(n);
    const cfg = this.runnersOf?.get(n)?.cfg ?? readSampleSet(this.store, n);
    if (cfg) this.push(cfg);
  }

  sampled(runner: SampleSetRunner, completed: boolean, failuresMoved: readonly number[]): void {
    const { model } = this;
    const n = runner.cfg.n;
    const inst = { node: model.requireNode(SAMPLE_SET_NODE), keys: [n] };
    for (const param of SET_NOTIFIED) model.changes.emit({ kind: 'value', inst, path: runner.cfg.path, param, value: runner.setValue(param) });
    const paramNode = model.requireNode(PARAMETER_NODE);
    for (const p of failuresMoved) {
      const keys = [n, p];
      model.changes.emit({ kind: 'value', inst: { node: paramNode, keys }, path: paramNode.pathOf(keys), param: 'Failures', value: runner.series.get(p)?.failures ?? 0 });
    }
    if (completed && runner.fetchDue()) this.push(runner.cfg);
  }

  /** Push! with every sampled Parameter's lists (the event's Parameter.{i} are the rows' instance numbers). */
  private push(cfg: SampleSetConfig): void {
    const node = this.model.requireNode(SAMPLE_SET_NODE);
    const args: Record<string, Value> = {};
    for (const p of cfg.parameters) {
      if (!p.enable || !p.parsed) continue;
      const at = `Parameter.${p.n}.`;
      args[`${at}Reference`] = p.reference;
      for (const name of PARAMETER_LISTS) args[`${at}${name}`] = this.parameterValue(cfg.n, p.n, name) ?? (name === 'Failures' ? 0 : '');
    }
    this.model.changes.emit({ kind: 'event', inst: { node, keys: [cfg.n] }, path: cfg.path, event: PUSH_EVENT, args });
  }

  private scheduleFlush(): void {
    if (this.flushing || this.stopped) return;
    this.flushing = (async () => {
      // The rest of the commit's changes arrive first: one reload per set per commit.
      await new Promise<void>((r) => setImmediate(r));
      await this.flush();
    })().finally(() => {
      this.flushing = undefined;
      if ((this.dirtyOf?.size ?? 0) > 0 || this.reloadAll) this.scheduleFlush();
    });
  }

  private async flush(): Promise<void> {
    const all = this.reloadAll;
    this.reloadAll = false;
    const which = all ? new Set([...this.store.instances(SAMPLE_SET_TABLE), ...(this.runnersOf?.keys() ?? [])]) : new Set(this.dirtyOf);
    this.dirtyOf?.clear();
    for (const n of which) {
      try {
        this.reload(n);
      } catch (e) {
        this.log.error('sample set could not be read', { sampleSet: `${SAMPLE_SET_TABLE}${n}.`, error: e instanceof Error ? e.message : String(e) });
      }
    }
    await Promise.resolve();
  }

  private reload(n: number): void {
    if (this.stopped) return;
    const cfg = readSampleSet(this.store, n);
    const old = this.runnersOf?.get(n);
    if (!cfg) {
      old?.stop();
      this.runnersOf?.delete(n);
      return;
    }
    if (!old) {
      // A set that never ran holds no runner: its lists read empty.
      if (!cfg.enable) return;
      const r = new SampleSetRunner(cfg, this);
      (this.runnersOf ??= new Map()).set(n, r);
      r.restart();
      return;
    }
    const was = old.cfg;
    const restart = cfg.enable && (!old.running || was.sampleInterval !== cfg.sampleInterval || was.timeReference !== cfg.timeReference);
    old.update(cfg);
    if (!cfg.enable) old.stop();
    else if (restart) old.restart();
  }
}

/**
 * Runs the Device.BulkData.Profile.{i} rows (TR-369 Annex A; TR-181 BulkData:1): one timer per
 * enabled Profile (reports at TimeReference + k × ReportingInterval, report-schedule.ts), one
 * collection in flight per Profile (a slow one makes the next due report skip, never queue),
 * ForceCollection() outside the schedule. Configuration is followed through the change feed,
 * after commit, so a rolled-back Set never reschedules anything. Every timer is unref'd and
 * stopped with the agent.
 */
import type { AccessView } from '../../datamodel/access/AccessView.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { channelFor, type ChannelChoice, type ChannelDeps } from './channels.js';
import { collectReport } from './collect-report.js';
import type { CollectedReport } from './report-contract.js';
import { PROFILE_TABLE, readProfile, type ProfileConfig } from './profile-config.js';
import { profileEncoder } from './report-encoder.js';
import { nextReportAt } from './report-schedule.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';

/** setTimeout's limit; a longer wait is done in steps. */
const MAX_TIMER_MS = 2_147_483_647;

export interface BulkDataDeps extends ChannelDeps {
  store: DataStore;
  /**
   * The permissions of the Controller row at `controllerPath` ("Device.LocalAgent.Controller.2"),
   * undefined when no such row exists. A Profile collects with its Controller's permissions.
   */
  accessFor: (controllerPath: string) => Promise<AccessView | undefined>;
  /**
   * Device.BulkData.MinReportingInterval (s): a Profile restored with a shorter interval (saved
   * by an agent started with a lower minimum) reports at the minimum.
   */
  minReportingInterval: number;
  now?: () => number;
}

interface Runner {
  cfg: ProfileConfig;
  choice?: ChannelChoice;
  /** Why the Profile cannot report (no channel), logged once per change. */
  error?: string;
  timer?: NodeJS.Timeout;
  /** Phase for the Unknown Time: when the Profile was enabled or its timing last changed. */
  anchor: number;
  inFlight: boolean;
  /** Deleted, its Protocol changed, or the agent stopped: a collection still running delivers nothing. */
  retired?: boolean;
}

export class BulkDataService implements ChangeObserver {
  private get runners(): Map<number, Runner> {
    return (this.runnersOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private runnersOf?: Map<number, Runner>;
  private get dirty(): Set<number> {
    return (this.dirtyOf ??= new Set());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Set costs ~180 bytes. */
  private dirtyOf?: Set<number>;
  private reloadAll = false;
  private flushing?: Promise<void>;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly deps: BulkDataDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Reads every Profile and follows their configuration from now on. */
  async start(): Promise<void> {
    this.deps.model.changes.observe(this);
    this.reloadAll = true;
    await this.flush();
  }

  /** The change feed's observer method (ChangeFeed.observe: no closure per gateway). */
  modelChanged(c: Change): void {
    // Configuration only: a Profile's own Push! is on the same feed.
    if (c.kind === 'event' || !c.path.startsWith('Device.BulkData.')) return;
    const m = /^Device\.BulkData\.Profile\.(\d+)\./.exec(c.path);
    if (m) this.dirty.add(Number(m[1]));
    else this.reloadAll = true;
    this.scheduleFlush();
  }

  stop(): void {
    this.stopped = true;
    this.deps.model.changes.unobserve(this);
    for (const r of this.runners.values()) this.retire(r);
    this.runners.clear();
  }

  /** Waits until configuration changes seen so far are applied (tests, ForceCollection()). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Device.BulkData.Status: Error when an enabled Profile cannot report, Disabled when Enable is false. */
  status(): 'Enabled' | 'Disabled' | 'Error' {
    if (!this.globallyEnabled()) return 'Disabled';
    for (const r of this.runners.values()) if (r.cfg.enable && r.error) return 'Error';
    return 'Enabled';
  }

  /**
   * Profile.{i}.ForceCollection(): collect and deliver now, whatever Enable and ReportingInterval
   * say, without moving the schedule. Fails (7022) when the Profile has no usable channel or a
   * collection of it is still running.
   */
  async forceCollection(n: number): Promise<void> {
    await this.settled();
    const r = this.runners.get(n);
    if (!r) throw new UspError(ErrorCode.CommandFailure, `${PROFILE_TABLE}${n}. does not exist`);
    if (!r.choice) throw new UspError(ErrorCode.CommandFailure, `${r.cfg.path} cannot report: ${r.error ?? 'no channel'}`);
    if (r.inFlight) throw new UspError(ErrorCode.CommandFailure, `${r.cfg.path}: a collection is still running`);
    await this.run(r, 'ForceCollection()');
  }

  private globallyEnabled(): boolean {
    return this.deps.store.row('Device.BulkData.')?.Enable === true;
  }

  private scheduleFlush(): void {
    if (this.flushing || this.stopped) return;
    this.flushing = (async () => {
      // Let the rest of the commit's changes arrive first: one reload per Profile per commit.
      await new Promise<void>((r) => setImmediate(r));
      await this.flush();
    })().finally(() => {
      this.flushing = undefined;
      if (this.dirty.size > 0 || this.reloadAll) this.scheduleFlush();
    });
  }

  private async flush(): Promise<void> {
    const all = this.reloadAll;
    this.reloadAll = false;
    const which = all ? new Set([...this.deps.store.instances(PROFILE_TABLE), ...this.runners.keys()]) : new Set(this.dirty);
    this.dirty.clear();
    for (const n of which) {
      try {
        await this.reload(n);
      } catch (e) {
        this.deps.log.error('bulk data profile could not be read', { profile: `${PROFILE_TABLE}${n}.`, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private async reload(n: number): Promise<void> {
    if (this.stopped) return;
    const cfg = await readProfile(this.deps.model, this.deps.store, n);
    const old = this.runners.get(n);
    if (!cfg) {
      if (old) {
        this.retire(old);
        this.runners.delete(n);
      }
      return;
    }
    const timingChanged = !old || old.cfg.enable !== cfg.enable || old.cfg.reportingInterval !== cfg.reportingInterval || old.cfg.timeReference !== cfg.timeReference;
    let runner = old;
    if (!runner || runner.cfg.protocol !== cfg.protocol) {
      if (runner) this.retire(runner);
      runner = { cfg, anchor: this.now(), inFlight: false };
      const r = runner;
      const choice = channelFor(
        this.deps,
        cfg,
        () => r.cfg,
        profileEncoder(() => r.cfg),
      );
      if (typeof choice === 'string') r.error = choice;
      else r.choice = choice;
      this.runners.set(n, r);
    } else runner.cfg = cfg;
    if (timingChanged) runner.anchor = this.now();
    if (cfg.enable && runner.error && (timingChanged || runner !== old)) {
      this.deps.log.error('bulk data profile cannot report', { profile: cfg.path, why: runner.error });
    }
    this.arm(runner, timingChanged);
  }

  /**
   * (Re)starts the Profile's timer when it should run; stops it otherwise. `firedFor`: the report
   * time a timer just fired for, so the next is after it even when the timer fired a little
   * before it by the wall clock (Node's timers run on another clock): else the same report time
   * came again 2 ms later, a second report with the same CollectionTime.
   */
  private arm(r: Runner, restart: boolean, firedFor?: number): void {
    const runs = r.cfg.enable && r.choice !== undefined && this.globallyEnabled() && !this.stopped;
    if (!runs) {
      clearTimeout(r.timer);
      r.timer = undefined;
      return;
    }
    if (r.timer && !restart) return;
    clearTimeout(r.timer);
    const due = nextReportAt(Math.max(this.now(), firedFor ?? -Infinity), Math.max(r.cfg.reportingInterval, this.deps.minReportingInterval), r.cfg.timeReference, r.anchor);
    const wait = Math.min(Math.max(0, due - this.now()), MAX_TIMER_MS);
    r.timer = setTimeout(() => {
      r.timer = undefined;
      if (this.now() + 5 < due) {
        this.arm(r, true);
        return;
      }
      this.arm(r, true, due);
      void this.run(r, 'interval', due);
    }, wait);
    r.timer.unref();
  }

  /**
   * Collects one report and hands it to the Profile's channel. Only the collection counts as in
   * flight: a delivery may wait for retries until the next report is due (HTTP), and the channel
   * itself bounds what waits behind it, so a collector that is down never stops collections.
   * Resolves once the report is handed over (ForceCollection() answers then; a collector that
   * retries for minutes must not hold the OperateResp).
   */
  private async run(r: Runner, why: string, reportTime?: number): Promise<void> {
    const log = this.deps.log;
    if (r.inFlight) {
      log.warn('bulk data report skipped: the previous collection is still running', { profile: r.cfg.path, why });
      return;
    }
    const choice = r.choice;
    if (!choice) return;
    r.inFlight = true;
    const cfg = r.cfg;
    let report: CollectedReport;
    try {
      const access = cfg.controller === '' ? undefined : await this.deps.accessFor(cfg.controller);
      if (cfg.controller !== '' && !access) {
        log.warn("bulk data report skipped: the Profile's Controller no longer exists", { profile: cfg.path, controller: cfg.controller });
        return;
      }
      // A timer may fire up to 5 ms before its report time by the wall clock (arm): the report is
      // still that time's, so its CollectionTime is never before it (a Unix-Epoch second would
      // otherwise read one second early, off the TimeReference phase).
      const collectedAt = (): Date => new Date(Math.max(this.now(), reportTime ?? -Infinity));
      const collected = await collectReport(this.deps.model, cfg.parameters, { controllerPath: cfg.controller || undefined, access }, collectedAt);
      for (const f of collected.notes.failed) log.warn('bulk data reference left out of the report', { profile: cfg.path, reference: f.reference, why: f.why });
      if (collected.notes.truncated) log.warn('bulk data report truncated at its bound', { profile: cfg.path, parameters: collected.report.entries.length });
      if (r.retired) return;
      await choice.prepare?.();
      report = collected.report;
    } catch (e) {
      log.error('bulk data report failed', { profile: cfg.path, why, error: e instanceof Error ? e.message : String(e) });
      return;
    } finally {
      r.inFlight = false;
    }
    void choice.channel.deliver(report).then(
      (outcome) => {
        if (outcome.ok) log.debug('bulk data report delivered', { profile: cfg.path, protocol: cfg.protocol, parameters: report.entries.length, why });
        else log.warn('bulk data report not delivered', { profile: cfg.path, protocol: cfg.protocol, reason: outcome.reason, retained: outcome.retained });
      },
      (e: unknown) => {
        log.error('bulk data report failed', { profile: cfg.path, why, error: e instanceof Error ? e.message : String(e) });
      },
    );
  }

  private retire(r: Runner): void {
    r.retired = true;
    clearTimeout(r.timer);
    r.timer = undefined;
    r.choice?.channel.stop();
  }
}

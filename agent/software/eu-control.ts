/**
 * Execution Unit state (TR-369 Appendix I, EU state machine; TR-181 ExecutionUnit.{i}.Status):
 * SetRequestedState() and Restart() ask the unit's EE to start or stop it, the EE reports each
 * transition, and the agent keeps the last requested state so a restart of the agent brings the
 * unit back as it was (AutoStart units start at boot too).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { ExecutionUnitHandle, ExecutionUnitState } from '../../platform/software/ExecutionEnvironment.js';
import type { SoftwareDeps } from './SoftwareDeps.js';
import type { EuRecord } from './SoftwareUnits.js';
import { restartDelayMs, type AutoRestartState } from './auto-restart.js';

/** How long Uninstall()/Update() wait for a stopping EU to reach Idle. */
const STOP_WAIT_MS = 15_000;

export class ExecutionUnits {
  /** EUs to start again once they are Idle (Restart()). */
  private get restartPending(): Set<number> {
    return (this.restartPendingOf ??= new Set());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Set costs ~180 bytes. */
  private restartPendingOf?: Set<number>;
  private get idleWaiters(): Map<number, Array<() => void>> {
    return (this.idleWaitersOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private idleWaitersOf?: Map<number, Array<() => void>>;
  /** AutoRestart runtime state per EU. */
  private get autoRestarts(): Map<number, AutoRestartState> {
    return (this.autoRestartsOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private autoRestartsOf?: Map<number, AutoRestartState>;

  constructor(private readonly d: SoftwareDeps) {}

  handle(e: EuRecord): ExecutionUnitHandle {
    const u = this.d.units.units.get(e.du)!;
    return { key: e.n, dir: this.d.units.dirOf(u), spec: e.spec, report: (s) => this.onReport(e.n, s) };
  }

  private envOf(e: EuRecord) {
    const u = this.d.units.units.get(e.du)!;
    return { env: this.d.envs[u.ee - 1]!, u };
  }

  /**
   * Records an EU's state and tells subscribers at once: Status and the fault are read live,
   * so without this a ValueChange subscription would see only what the poller happens to catch.
   */
  private setState(n: number, next: ExecutionUnitState): void {
    const prev = this.d.units.euState.get(n) ?? { status: 'Idle' };
    this.d.units.euState.set(n, next);
    const node = this.d.model.node('Device.SoftwareModules.ExecutionUnit.{i}.');
    if (!node) return;
    const inst = { node, keys: [n] };
    const path = node.pathOf([n]);
    const emit = (param: string, before: string, after: string): void => {
      if (before !== after) this.d.model.changes.emit({ kind: 'value', inst, path, param, value: after });
    };
    emit('Status', prev.status, next.status);
    emit('ExecutionFaultCode', prev.fault?.code ?? 'NoFault', next.fault?.code ?? 'NoFault');
    emit('ExecutionFaultMessage', prev.fault?.message.slice(0, 256) ?? '', next.fault?.message.slice(0, 256) ?? '');
  }

  private onReport(n: number, s: ExecutionUnitState): void {
    if (!this.d.units.eus.has(n)) return;
    const prev = this.d.units.euState.get(n);
    // A new start clears the last fault; other transitions keep it until then.
    this.setState(n, { status: this.restartPending.has(n) && s.status !== 'Idle' ? 'Restarting' : s.status, fault: s.fault ?? (s.status === 'Starting' ? undefined : prev?.fault) });
    if (s.fault) this.d.log.warn('execution unit fault', { eu: n, fault: s.fault.code, message: s.fault.message });
    if (s.status === 'Active') this.autoRestartState(n).activeSince = Date.now();
    if (s.status !== 'Idle') return;
    if (s.fault?.code === 'FailureWhileActive') this.scheduleAutoRestart(n);
    for (const w of this.idleWaiters.get(n) ?? []) w();
    this.idleWaiters.delete(n);
    if (this.restartPending.delete(n)) void this.start(n, 'FailureOnStart');
  }

  /** The AutoRestart state of EU `n`; RetryCount and LastRestarted start from what units.json kept. */
  autoRestartState(n: number): AutoRestartState {
    let a = this.autoRestarts.get(n);
    if (!a) {
      const kept = this.d.units.eus.get(n)?.autoRestartCounts;
      a = { retryCount: kept?.retryCount ?? 0, lastRestarted: kept?.lastRestarted ? new Date(kept.lastRestarted) : undefined };
      this.autoRestarts.set(n, a);
    }
    return a;
  }

  /** AutoRestart.RetryCount set (a Set, Restart(), a ResetPeriod without failure, a retry): kept in units.json (saved by the caller). */
  setRetryCount(n: number, count: number): void {
    const a = this.autoRestartState(n);
    a.retryCount = count;
    const e = this.d.units.eus.get(n);
    if (e) e.autoRestartCounts = { retryCount: a.retryCount, lastRestarted: a.lastRestarted?.toISOString() };
  }

  /** After an abnormal end: a start after the back-off delay, when AutoRestart allows one more. */
  private scheduleAutoRestart(n: number): void {
    const e = this.d.units.eus.get(n);
    const c = e?.autoRestart;
    if (!e || !c?.enable || e.requested !== 'Active') return;
    const a = this.autoRestartState(n);
    // A run of ResetPeriod seconds without a failure starts the back-off again.
    if (c.resetPeriod > 0 && a.activeSince !== undefined && Date.now() - a.activeSince >= c.resetPeriod * 1000) this.setRetryCount(n, 0);
    if (c.maxRetries > 0 && a.retryCount >= c.maxRetries) {
      this.d.log.warn('execution unit not restarted: MaximumRetryCount reached', { eu: n, retries: a.retryCount });
      return;
    }
    const delay = restartDelayMs(c, a.retryCount, Math.random());
    a.nextRestart = new Date(Date.now() + delay);
    clearTimeout(a.timer);
    a.timer = setTimeout(() => {
      a.timer = undefined;
      a.nextRestart = undefined;
      if (!this.d.units.eus.has(n) || e.requested !== 'Active' || this.status(n).status !== 'Idle' || this.d.units.units.get(e.du)?.status !== 'Installed') return;
      a.lastRestarted = new Date();
      this.setRetryCount(n, a.retryCount + 1);
      this.d.units.save().catch((err: unknown) => this.d.log.warn('software units not saved', { error: String(err) }));
      void this.start(n, 'FailureOnStart');
    }, delay);
    a.timer.unref();
  }

  /** Cancels a pending automatic restart (a stop asked for, the unit removed, the agent stopping). */
  cancelAutoRestart(n?: number): void {
    for (const [k, a] of this.autoRestarts) {
      if (n !== undefined && k !== n) continue;
      clearTimeout(a.timer);
      a.timer = undefined;
      a.nextRestart = undefined;
    }
  }

  status(n: number): ExecutionUnitState {
    return this.d.units.euState.get(n) ?? { status: 'Idle' };
  }

  /** ExecutionUnit.{i}.SetRequestedState() (TR-181). */
  async setRequestedState(n: number, requested: 'Idle' | 'Active'): Promise<void> {
    const e = this.checkControllable(n);
    e.requested = requested;
    if (requested === 'Idle') this.cancelAutoRestart(n);
    await this.d.units.save();
    const { status } = this.status(n);
    if (requested === 'Active') {
      if (status === 'Stopping') throw new UspError(ErrorCode.CommandFailure, `${this.path(n)} is Stopping; request Active once it is Idle`);
      if (status === 'Idle') await this.start(n, 'FailureOnStart');
    } else if (status === 'Starting' || status === 'Active' || status === 'Restarting') {
      this.restartPending.delete(n);
      // Answered once the stop is asked for; Stopping → Idle is notified as it happens.
      await this.stop(n, { waitIdle: false });
    }
  }

  /** ExecutionUnit.{i}.Restart() (TR-181 2.16). */
  async restart(n: number): Promise<void> {
    const e = this.checkControllable(n);
    const { status } = this.status(n);
    if (status === 'Stopping') throw new UspError(ErrorCode.CommandFailure, `${this.path(n)} is Stopping`);
    e.requested = 'Active';
    // TR-181: Restart() also sets AutoRestart.RetryCount back to zero.
    this.setRetryCount(n, 0);
    await this.d.units.save();
    if (status === 'Idle') {
      await this.start(n, 'FailureOnStart');
      return;
    }
    if (status === 'Starting' || status === 'Active') {
      this.restartPending.add(n);
      this.setState(n, { status: 'Restarting' });
      await this.stop(n, { keepRestarting: true, waitIdle: false });
    }
  }

  /** Starts a unit; a failure to start becomes its ExecutionFaultCode. */
  async start(n: number, faultCode: 'FailureOnStart' | 'FailureOnAutoStart'): Promise<void> {
    const e = this.d.units.eus.get(n);
    if (!e) return;
    const { env } = this.envOf(e);
    try {
      await env.start(this.handle(e));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.setState(n, { status: 'Idle', fault: { code: faultCode, message } });
      this.d.log.warn('execution unit did not start', { eu: n, why: message });
    }
  }

  /**
   * Stops a unit; with `waitIdle` (the default: Update, Uninstall, an EE restart) resolves once it
   * is Idle, or after STOP_WAIT_MS.
   */
  async stop(n: number, { keepRestarting = false, waitIdle = true } = {}): Promise<void> {
    const e = this.d.units.eus.get(n);
    if (!e) return;
    if (this.status(n).status === 'Idle') return;
    const idle = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, STOP_WAIT_MS);
      t.unref();
      this.idleWaiters.set(n, [
        ...(this.idleWaiters.get(n) ?? []),
        () => {
          clearTimeout(t);
          resolve();
        },
      ]);
    });
    const { env } = this.envOf(e);
    try {
      await env.stop(this.handle(e));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.setState(n, { status: keepRestarting ? 'Restarting' : 'Idle', fault: { code: 'FailureOnStop', message } });
      return;
    }
    if (waitIdle && !keepRestarting) await idle;
  }

  /** At agent start: units that were requested Active, or AutoStart, start again. */
  async startAtBoot(): Promise<void> {
    for (const e of this.d.units.eus.values()) {
      const u = this.d.units.units.get(e.du);
      if (!u || this.d.units.disabledEnvs.has(this.d.envs[u.ee - 1]?.name ?? '')) continue;
      if (e.requested === 'Active' || e.spec.autoStart) await this.start(e.n, 'FailureOnAutoStart');
    }
  }

  private checkControllable(n: number): EuRecord {
    const e = this.d.units.eus.get(n);
    if (!e) throw new UspError(ErrorCode.ObjectDoesNotExist, `${this.path(n)} does not exist`);
    const u = this.d.units.units.get(e.du)!;
    if (u.status !== 'Installed') throw new UspError(ErrorCode.InvalidDeploymentUnitState, `its Deployment Unit is ${u.status}`);
    const env = this.d.envs[u.ee - 1]!;
    if (this.d.units.disabledEnvs.has(env.name)) throw new UspError(ErrorCode.DisabledExecEnv, `the execution environment ${env.name} is disabled`);
    return e;
  }

  private path(n: number): string {
    return `Device.SoftwareModules.ExecutionUnit.${n}`;
  }
}

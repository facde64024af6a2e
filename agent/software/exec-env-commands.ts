/**
 * ExecEnv.{i}.Restart() and Reset() (TR-181 SoftwareModules:1, both async). Restart(): the EE's
 * running EUs go Idle (Status Restarting meanwhile), then the EE is Up and the EUs requested
 * Active or AutoStart start again; RestartReason, RestartCount, LastRestarted follow, and
 * Restarted! is sent. Reset(): back to the factory state, which on this agent holds no Deployment
 * Unit: every DU of the EE is uninstalled (each with its DUStateChange!), then the EE restarts.
 */
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { dateTime } from '../firmware/transfer-complete.js';
import type { DuOperations } from './du-operations.js';
import { emitDuStateChange, type DuStateChange } from './du-state-change.js';
import type { ExecutionUnits } from './eu-control.js';
import { EE_PATH, eeRef, type SoftwareDeps } from './SoftwareDeps.js';

/**
 * Per ExecEnv row: what its Restart() parameters read. RestartCount counts Restart() calls since
 * the EE was last disabled (TR-181), so the counters are kept in units.json across agent starts.
 */
export interface EnvRestarts {
  restarting: boolean;
  reason: string;
  count: number;
  last?: Date;
}

export class ExecEnvCommands {
  get restarts(): Map<number, EnvRestarts> {
    return (this.restartsOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private restartsOf?: Map<number, EnvRestarts>;

  constructor(
    private readonly d: SoftwareDeps,
    private readonly eus: ExecutionUnits,
    private readonly dus: DuOperations,
  ) {}

  of(n: number): EnvRestarts {
    let r = this.restarts.get(n);
    if (!r) {
      const saved = this.d.units.envRestarts.get(this.d.envs[n - 1]?.name ?? '');
      r = { restarting: false, reason: saved?.reason ?? '', count: saved?.count ?? 0, last: saved?.last ? new Date(saved.last) : undefined };
      this.restarts.set(n, r);
    }
    return r;
  }

  /** ExecEnv.{i}.Enable set false: RestartCount counts from here (TR-181 "since it was last disabled"). */
  disabled(n: number): void {
    this.of(n).count = 0;
    this.keep(n);
  }

  /** Copies row `n`'s counters into units.json's record (saved by the caller). */
  private keep(n: number): void {
    const env = this.d.envs[n - 1];
    if (!env) return;
    const r = this.of(n);
    this.d.units.envRestarts.set(env.name, { reason: r.reason, count: r.count, last: r.last?.toISOString() });
  }

  async restart(call: CommandInvocation): Promise<Record<string, Value>> {
    const n = call.keys[call.keys.length - 1]!;
    await this.restartEnv(n, String(call.input.Reason ?? ''));
    return {};
  }

  async reset(call: CommandInvocation): Promise<Record<string, Value>> {
    const n = call.keys[call.keys.length - 1]!;
    this.checkEnabled(n);
    const units = [...this.d.units.units.values()].filter((u) => u.ee === n);
    const busy = units.find((u) => u.status !== 'Installed');
    if (busy) throw new UspError(ErrorCode.InvalidDeploymentUnitState, `Deployment Unit ${busy.n} is ${busy.status}`);
    const reports: DuStateChange[] = [];
    for (const u of units) reports.push(await this.dus.remove(u, this.dus.uninstallReport(u)));
    await this.restartEnv(n, 'Reset()');
    this.d.afterCompletion(() => {
      for (const r of reports) emitDuStateChange(this.d.model, r);
    });
    return {};
  }

  private checkEnabled(n: number): void {
    const env = this.d.envs[n - 1];
    if (!env) throw new UspError(ErrorCode.ObjectDoesNotExist, `${eeRef(n)} does not exist`);
    if (this.d.units.disabledEnvs.has(env.name)) throw new UspError(ErrorCode.DisabledExecEnv, `${eeRef(n)} is disabled; Restart() needs it enabled`);
  }

  private async restartEnv(n: number, reason: string): Promise<void> {
    this.checkEnabled(n);
    const r = this.of(n);
    if (r.restarting) throw new UspError(ErrorCode.CommandFailure, `${eeRef(n)} is restarting already`);
    r.restarting = true;
    try {
      const mine = [...this.d.units.eus.values()].filter((e) => this.d.units.units.get(e.du)?.ee === n);
      await Promise.all(mine.map((e) => this.eus.stop(e.n)));
      r.count++;
      r.reason = reason.slice(0, 256);
      r.last = this.d.now();
      this.keep(n);
      await this.d.units.save();
    } finally {
      r.restarting = false;
    }
    for (const e of this.d.units.eus.values()) {
      if (this.d.units.units.get(e.du)?.ee === n && (e.requested === 'Active' || e.spec.autoStart)) await this.eus.start(e.n, 'FailureOnAutoStart');
    }
    const node = this.d.model.requireNode(`${EE_PATH}{i}.`);
    const last = r.last!;
    this.d.afterCompletion(() =>
      this.d.model.changes.emit({ kind: 'event', inst: { node, keys: [n] }, path: node.pathOf([n]), event: 'Restarted!', args: { RestartTime: dateTime(last), RestartReason: r.reason } }),
    );
  }
}

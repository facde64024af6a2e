/**
 * Device.SoftwareModules. (TR-181 SoftwareModules:1, USP variant; TR-369 Appendix I) over the
 * execution environments a platform registers: ExecEnv.{i} (one row per EE), DeploymentUnit.{i}
 * and ExecutionUnit.{i} (kept and persisted by SoftwareUnits), InstallDU(), Update(),
 * Uninstall(), SetRequestedState(), Restart() and DUStateChange!.
 */
import { rm } from 'node:fs/promises';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { CommandBinding, CommandInvocation, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { BoundCommand } from '../../datamodel/tree/bound-command.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { ExecutionEnvironment } from '../../platform/software/ExecutionEnvironment.js';
import { DEFAULT_FETCH_LIMITS, type FetchLimits, type FetchOptions } from '../firmware/fetch-image.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import { DuOperations } from './du-operations.js';
import { DU_STATE_CHANGE, SOFTWARE_MODULES_PATH } from './du-state-change.js';
import { ExecutionUnits } from './eu-control.js';
import { applyAutoRestartSet, AUTO_RESTART_OFF, autoRestartValues } from './auto-restart.js';
import { ExecEnvCommands } from './exec-env-commands.js';
import { DU_PATH, eeRef, EE_PATH, euRef, EU_PATH, type SoftwareDeps } from './SoftwareDeps.js';
import { SoftwareUnits } from './SoftwareUnits.js';

export interface SoftwareModulesOptions {
  envs: readonly ExecutionEnvironment[];
  /** Where units.json and the units' files live (`<data dir>/software`). */
  dir: string;
  /** False for an agent without a data directory: nothing is saved. */
  persist: boolean;
  log: Logger;
  limits?: Partial<FetchLimits>;
  ca?: FetchOptions['ca'];
  downloadPolicy?: DownloadPolicy;
  now?: () => Date;
}

export interface SoftwareModules {
  /** Starts the EUs requested Active or AutoStart (after the agent is up). */
  startUnits(): Promise<void>;
  /**
   * Stops every running EU (agent stop); they start again at the next start. `forget` (a factory
   * reset) deletes every unit and its files.
   */
  stop(forget?: boolean): Promise<void>;
}

const last = (keys: InstanceKeys): number => keys[keys.length - 1]!;
const newDate = (): Date => new Date();
/** After the command's OperationComplete is queued (SoftwareDeps.afterCompletion). */
const afterCompletion = (fn: () => void): void => {
  setImmediate(fn);
};
const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

const EE_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'Name',
  'Type',
  'Vendor',
  'Version',
  'AvailableDiskSpace',
  'AvailableMemory',
  'ActiveExecutionUnits',
  'RestartReason',
  'RestartCount',
  'LastRestarted',
] as const;
const DU_PARAMS = [
  'UUID',
  'DUID',
  'Alias',
  'Name',
  'Status',
  'Resolved',
  'URL',
  'Description',
  'Vendor',
  'Version',
  'VendorConfigList',
  'ExecutionUnitList',
  'ExecutionEnvRef',
  'Installed',
  'LastUpdate',
] as const;
const EU_PARAMS = [
  'EUID',
  'Alias',
  'Name',
  'ExecEnvLabel',
  'Status',
  'ExecutionFaultCode',
  'ExecutionFaultMessage',
  'AutoStart',
  'RunLevel',
  'Vendor',
  'Version',
  'Description',
  'DiskSpaceInUse',
  'MemoryInUse',
  'CreationTime',
  'References',
  'AssociatedProcessList',
  'VendorConfigList',
  'ExecutionEnvRef',
] as const;

export function registerSoftwareModules(model: DataModel, opts: SoftwareModulesOptions): SoftwareModules {
  const units = new SoftwareUnits(opts.dir, opts.log, opts.persist);
  units.load();
  const d: SoftwareDeps = {
    model,
    units,
    envs: opts.envs,
    log: opts.log,
    ca: opts.ca,
    downloadPolicy: opts.downloadPolicy,
    limits: opts.limits ? { ...DEFAULT_FETCH_LIMITS, ...opts.limits } : DEFAULT_FETCH_LIMITS,
    now: opts.now ?? newDate,
    afterCompletion: afterCompletion,
  };
  const eus = new ExecutionUnits(d);
  const ops = new DuOperations(d, eus);
  const s = new Software(opts, units, eus, ops, new ExecEnvCommands(d, eus, ops));

  model.registerCommand(SOFTWARE_MODULES_PATH, 'InstallDU()', new BoundCommand(ops, installDu));
  model.registerEvent(SOFTWARE_MODULES_PATH, DU_STATE_CHANGE);
  model.register(`${EE_PATH}{i}.`, new ExecEnvRows(s));
  model.registerEvent(`${EE_PATH}{i}.`, 'Restarted!');
  model.register(`${DU_PATH}{i}.`, new DeploymentUnitRows(s));
  model.register(`${EU_PATH}{i}.`, new ExecutionUnitRows(s));
  model.register(`${EU_PATH}{i}.AutoRestart.`, new AutoRestartBinding(s));
  return s;
}

/*
 * One gateway's software state, and the bindings over it: classes, so their methods live once
 * for every gateway of a fleet instead of a closure each per gateway (issue 14).
 */

/** The agent's software: units, their EEs and the operations on them. */
class Software implements SoftwareModules {
  constructor(
    readonly opts: SoftwareModulesOptions,
    readonly units: SoftwareUnits,
    readonly eus: ExecutionUnits,
    readonly ops: DuOperations,
    readonly envCommands: ExecEnvCommands,
  ) {}

  startUnits(): Promise<void> {
    return this.eus.startAtBoot();
  }

  async stop(forget = false): Promise<void> {
    this.eus.cancelAutoRestart();
    await Promise.allSettled(this.opts.envs.map((e) => e.shutdown()));
    await this.units.save().catch(() => undefined);
    // An agent without a data directory had its units in a temporary directory: nothing to keep.
    if (!this.opts.persist || forget) await rm(this.opts.dir, { recursive: true, force: true });
  }
}

/** SoftwareModules.ExecEnv.{i}: one row per execution environment of the platform. */
class ExecEnvRows implements ObjectBinding {
  readonly params: readonly string[] = EE_PARAMS;
  readonly commands: Readonly<Record<string, CommandBinding>>;

  constructor(private readonly s: Software) {
    this.commands = { 'Restart()': new BoundCommand(s.envCommands, restartEnv), 'Reset()': new BoundCommand(s.envCommands, resetEnv) };
  }

  list(): number[] {
    return this.s.opts.envs.map((_, i) => i + 1);
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const { units, envCommands } = this.s;
    const env = this.s.opts.envs[last(keys) - 1]!;
    const enabled = !units.disabledEnvs.has(env.name);
    const restarts = envCommands.of(last(keys));
    const res = await env.resources(units.dir);
    const active = [...units.eus.values()].filter((e) => units.units.get(e.du)?.ee === last(keys) && units.euState.get(e.n)?.status === 'Active').map((e) => euRef(e.n));
    return {
      Enable: enabled,
      Status: !enabled ? 'Disabled' : restarts.restarting ? 'Restarting' : 'Up',
      RestartReason: restarts.reason,
      RestartCount: restarts.count,
      LastRestarted: restarts.last ? restarts.last.toISOString().replace(/\.\d{3}Z$/, 'Z') : UNKNOWN_TIME,
      Alias: `cpe-ee-${last(keys)}`,
      Name: env.name,
      Type: env.type,
      Vendor: env.vendor,
      Version: env.version,
      AvailableDiskSpace: res.availableDiskSpace,
      AvailableMemory: res.availableMemory,
      ActiveExecutionUnits: active.join(','),
    };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    if (changes.Enable === undefined) return;
    const { units, eus, envCommands } = this.s;
    const n = last(keys);
    const env = this.s.opts.envs[n - 1]!;
    // Disabling an EE stops its units (TR-181 ExecEnv.{i}.Enable), enabling starts those that
    // should run; their requested state stays. The Set is answered without waiting for them:
    // their Status changes are notified as they happen.
    const mine = [...units.eus.values()].filter((e) => units.units.get(e.du)?.ee === n);
    if (changes.Enable === false) {
      units.disabledEnvs.add(env.name);
      envCommands.disabled(n);
      for (const e of mine) void eus.stop(e.n, { waitIdle: false });
    } else {
      units.disabledEnvs.delete(env.name);
      for (const e of mine) if (e.requested === 'Active' || e.spec.autoStart) void eus.start(e.n, 'FailureOnAutoStart');
    }
    await units.save();
  }
}

/** SoftwareModules.DeploymentUnit.{i}: the installed units, with Update() and Uninstall(). */
class DeploymentUnitRows implements ObjectBinding {
  readonly params: readonly string[] = DU_PARAMS;
  readonly commands: Readonly<Record<string, CommandBinding>>;

  constructor(private readonly s: Software) {
    this.commands = { 'Update()': new BoundCommand(s.ops, updateDu), 'Uninstall()': new BoundCommand(s.ops, uninstallDu) };
  }

  list(): number[] {
    return [...this.s.units.units.keys()].sort((a, b) => a - b);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const u = this.s.units.units.get(last(keys));
    if (!u) return {};
    return {
      UUID: u.uuid,
      DUID: u.duid,
      Alias: u.alias,
      Name: u.name,
      Status: u.status,
      Resolved: u.status !== 'Installing',
      URL: u.url,
      Description: u.description,
      Vendor: u.vendor,
      Version: u.version,
      VendorConfigList: '',
      ExecutionUnitList: u.eus.map(euRef).join(','),
      ExecutionEnvRef: eeRef(u.ee),
      Installed: u.installed || UNKNOWN_TIME,
      LastUpdate: u.lastUpdate || UNKNOWN_TIME,
    };
  }
}

/** SoftwareModules.ExecutionUnit.{i}: the units' running parts, with SetRequestedState() and Restart(). */
class ExecutionUnitRows implements ObjectBinding {
  readonly params: readonly string[] = EU_PARAMS;
  readonly commands: Readonly<Record<string, CommandBinding>>;

  constructor(private readonly s: Software) {
    this.commands = { 'SetRequestedState()': new BoundCommand(s.eus, setRequestedState), 'Restart()': new BoundCommand(s.eus, restartEu) };
  }

  list(): number[] {
    return [...this.s.units.eus.keys()].sort((a, b) => a - b);
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const { units, eus } = this.s;
    const e = units.eus.get(last(keys));
    const u = e && units.units.get(e.du);
    if (!e || !u) return {};
    const state = eus.status(e.n);
    const usage = await this.s.opts.envs[u.ee - 1]!.usage(eus.handle(e));
    const out: Record<string, Value> = {
      EUID: e.euid,
      Alias: e.alias,
      Name: e.spec.name,
      ExecEnvLabel: e.spec.label,
      Status: state.status,
      ExecutionFaultCode: state.fault?.code ?? 'NoFault',
      ExecutionFaultMessage: state.fault?.message.slice(0, 256) ?? '',
      AutoStart: e.spec.autoStart,
      RunLevel: 0,
      Vendor: e.spec.vendor,
      Version: e.spec.version,
      Description: e.spec.description,
      DiskSpaceInUse: usage.diskSpaceInUse,
      MemoryInUse: usage.memoryInUse,
      CreationTime: e.created,
      // AssociatedProcessList names ProcessStatus.Process rows, which no platform serves yet.
      References: '',
      AssociatedProcessList: '',
      VendorConfigList: '',
      ExecutionEnvRef: eeRef(u.ee),
    };
    return out;
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const e = this.s.units.eus.get(last(keys));
    if (!e) throw new UspError(ErrorCode.ObjectDoesNotExist, `${euRef(last(keys))} does not exist`);
    if (typeof changes.AutoStart === 'boolean') e.spec = { ...e.spec, autoStart: changes.AutoStart };
    if (changes.RunLevel !== undefined && changes.RunLevel !== 0) throw new UspError(ErrorCode.InvalidValue, 'run levels are not supported (RunLevel stays 0)');
    await this.s.units.save();
  }
}

/** SoftwareModules.ExecutionUnit.{i}.AutoRestart. */
class AutoRestartBinding implements ObjectBinding {
  constructor(private readonly s: Software) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const e = this.s.units.eus.get(last(keys));
    return e ? autoRestartValues(e.autoRestart ?? AUTO_RESTART_OFF, this.s.eus.autoRestartState(e.n)) : {};
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const { units, eus } = this.s;
    const e = units.eus.get(last(keys));
    if (!e) throw new UspError(ErrorCode.ObjectDoesNotExist, `${euRef(last(keys))} does not exist`);
    e.autoRestart = applyAutoRestartSet(e.autoRestart ?? AUTO_RESTART_OFF, changes);
    if (typeof changes.RetryCount === 'number') eus.setRetryCount(e.n, changes.RetryCount);
    if (!e.autoRestart.enable) eus.cancelAutoRestart(e.n);
    await units.save();
  }
}

const installDu = (ops: DuOperations, call: CommandInvocation): Promise<Record<string, Value>> => ops.install(call);
const updateDu = (ops: DuOperations, call: CommandInvocation): Promise<Record<string, Value>> => ops.update(call);
const uninstallDu = (ops: DuOperations, call: CommandInvocation): Promise<Record<string, Value>> => ops.uninstall(call);
const restartEnv = (envs: ExecEnvCommands, call: CommandInvocation): Promise<Record<string, Value>> => envs.restart(call);
const resetEnv = (envs: ExecEnvCommands, call: CommandInvocation): Promise<Record<string, Value>> => envs.reset(call);

async function setRequestedState(eus: ExecutionUnits, call: CommandInvocation): Promise<Record<string, Value>> {
  await eus.setRequestedState(last(call.keys), call.input.RequestedState === 'Active' ? 'Active' : 'Idle');
  return {};
}

async function restartEu(eus: ExecutionUnits, call: CommandInvocation): Promise<Record<string, Value>> {
  await eus.restart(last(call.keys));
  return {};
}

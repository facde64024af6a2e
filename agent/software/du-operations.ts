/**
 * InstallDU(), DeploymentUnit.{i}.Update() and Uninstall() (TR-181 SoftwareModules:1, TR-369
 * Appendix I DU state machine; all async): each runs with a Request row, ends with the command's
 * OperationComplete and then one DUStateChange! carrying the outcome, also when it failed
 * (FaultCode as TR-181 lists them: 7004 a URL with userinfo or one the download policy refuses,
 * 7223 unknown ExecEnv, 7224 disabled ExecEnv, 7225 a package the EE cannot run, 7226 the same
 * UUID and Version already on that EE, 7227 no space, 7229 the DU is busy with another
 * operation, 7033 server unreachable or too slow, 7035 corrupt package, 7002 anything else,
 * 7023 Request.{i}.Cancel()). One operation per DU at a time.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { PackageError, type UnpackedUnit } from '../../platform/software/ExecutionEnvironment.js';
import { fetchImage, TransferError, urlProblem } from '../firmware/fetch-image.js';
import { autoRestartFromInput } from './auto-restart.js';
import { emitDuStateChange, type DuStateChange } from './du-state-change.js';
import type { ExecutionUnits } from './eu-control.js';
import { DU_PATH, duRef, EE_PATH, eeRef, EU_PATH, euRef, type SoftwareDeps } from './SoftwareDeps.js';
import { MAX_DEPLOYMENT_UNITS, type DuRecord } from './SoftwareUnits.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Namespace of the name-based UUIDs the agent makes when InstallDU() gives none (RFC 4122 v5). */
const DU_UUID_NAMESPACE = '0f3d5c8e-7a51-4e0b-9b1c-5a2f6d4e8c21';

export class DuOperations {
  constructor(
    private readonly d: SoftwareDeps,
    private readonly eus: ExecutionUnits,
  ) {}

  /** Device.SoftwareModules.InstallDU(). */
  async install(call: CommandInvocation): Promise<Record<string, Value>> {
    const d = this.d;
    const started = d.now();
    const url = String(call.input.URL ?? '');
    const given = String(call.input.UUID ?? '').toLowerCase();
    const report: DuStateChange = {
      uuid: given,
      deploymentUnitRef: '',
      version: '',
      currentState: 'Failed',
      resolved: false,
      executionUnitRefList: [],
      startTime: started,
      operationPerformed: 'Install',
      faultCode: 0,
      faultString: '',
    };
    let unit: DuRecord | undefined;
    try {
      if (given !== '' && !UUID_RE.test(given)) throw new UspError(ErrorCode.InvalidArguments, `UUID ${JSON.stringify(given)} is not an RFC 4122 UUID`);
      const ee = this.envRef(String(call.input.ExecutionEnvRef ?? ''));
      await this.checkUrl(url);
      if (given !== '' && [...d.units.units.values()].some((u) => u.uuid === given && u.ee === ee && u.status !== 'Installed')) {
        throw new UspError(ErrorCode.InvalidDeploymentUnitState, `a Deployment Unit with UUID ${given} on ${eeRef(ee)} is busy with another operation`);
      }
      if (d.units.units.size >= MAX_DEPLOYMENT_UNITS) throw new UspError(ErrorCode.SystemResourcesExceeded, `${MAX_DEPLOYMENT_UNITS} Deployment Units are installed already`);
      unit = d.units.newUnit({ uuid: given, url, ee });
      d.model.changes.emit({ kind: 'created', inst: this.inst(DU_PATH, unit.n), path: `${duRef(unit.n)}.` });
      const dirName = d.units.newDirName(unit.n);
      const got = await this.fetchAndUnpack(call, url, ee, unit.n, dirName);
      const uuid = given || nameUuid(`${got.vendor}:${got.name}`);
      const dup = [...d.units.units.values()].find((u) => u !== unit && u.uuid === uuid && u.ee === ee && u.version === got.version);
      if (dup) {
        await rm(join(d.units.dir, dirName), { recursive: true, force: true });
        throw new UspError(ErrorCode.DuplicateDeploymentUnit, `${duRef(dup.n)} has UUID ${uuid} and Version ${got.version} on ${eeRef(ee)} already`);
      }
      const now = d.now().toISOString();
      Object.assign(unit, { uuid, name: got.name, vendor: got.vendor, version: got.version, description: got.description, dir: dirName, installed: now, lastUpdate: now });
      const autoRestart = autoRestartFromInput(call.input);
      unit.eus = got.executionUnits.map((spec) => Object.assign(d.units.newEu(unit!.n, spec, now), { autoRestart }).n);
      unit.status = 'Installed';
      await d.units.save();
      for (const n of unit.eus) d.model.changes.emit({ kind: 'created', inst: this.inst(EU_PATH, n), path: `${euRef(n)}.` });
      d.log.info('deployment unit installed', { du: unit.n, name: unit.name, version: unit.version, ee: d.envs[ee - 1]!.name });
      Object.assign(report, {
        uuid,
        deploymentUnitRef: duRef(unit.n),
        version: unit.version,
        currentState: 'Installed',
        resolved: true,
        executionUnitRefList: unit.eus.map(euRef),
        completeTime: d.now(),
      });
      // AutoStart units start when the EE starts (the agent's next start), not at install: a new unit is Idle.
      d.afterCompletion(() => emitDuStateChange(d.model, report));
      return { UUID: uuid, Version: unit.version, ExecEnvRef: eeRef(ee) };
    } catch (e) {
      const u = this.fault(call, e);
      if (unit) {
        d.units.units.delete(unit.n);
        for (const n of unit.eus) {
          d.units.eus.delete(n);
          d.units.euState.delete(n);
        }
        d.model.changes.emit({ kind: 'deleted', inst: this.inst(DU_PATH, unit.n), path: `${duRef(unit.n)}.` });
      }
      Object.assign(report, { faultCode: u.code, faultString: u.message, uuid: report.uuid || '' });
      d.log.warn('deployment unit install failed', { url: safeHost(url), code: u.code, why: u.message });
      d.afterCompletion(() => emitDuStateChange(d.model, report));
      throw u;
    }
  }

  /** DeploymentUnit.{i}.Update(): the new package replaces the DU's files; its EUs keep running state. */
  async update(call: CommandInvocation): Promise<Record<string, Value>> {
    const d = this.d;
    const unit = this.unitOf(call);
    const started = d.now();
    const report: DuStateChange = {
      uuid: unit.uuid,
      deploymentUnitRef: duRef(unit.n),
      version: unit.version,
      currentState: 'Installed',
      resolved: true,
      executionUnitRefList: unit.eus.map(euRef),
      startTime: started,
      operationPerformed: 'Update',
      faultCode: 0,
      faultString: '',
    };
    const busy = unit.status !== 'Installed';
    try {
      if (busy) throw new UspError(ErrorCode.InvalidDeploymentUnitState, `${duRef(unit.n)} is ${unit.status}`);
      unit.status = 'Updating';
      const url = String(call.input.URL ?? '') || unit.url;
      await this.checkUrl(url);
      const dirName = d.units.newDirName(unit.n);
      const got = await this.fetchAndUnpack(call, url, unit.ee, unit.n, dirName);
      // The running EUs stop, the files are swapped in one save, and the EUs requested Active start again.
      const byLabel = new Map(unit.eus.map((n) => [d.units.eus.get(n)!.spec.label, n]));
      for (const n of unit.eus) await this.eus.stop(n);
      const oldDir = unit.dir;
      const now = d.now().toISOString();
      const kept: number[] = [];
      const created: number[] = [];
      for (const spec of got.executionUnits) {
        const n = byLabel.get(spec.label);
        if (n !== undefined) {
          d.units.eus.get(n)!.spec = spec;
          byLabel.delete(spec.label);
          kept.push(n);
        } else {
          const e = d.units.newEu(unit.n, spec, now);
          kept.push(e.n);
          created.push(e.n);
        }
      }
      for (const n of byLabel.values()) {
        d.units.eus.delete(n);
        d.units.euState.delete(n);
      }
      Object.assign(unit, { url, name: got.name, vendor: got.vendor, version: got.version, description: got.description, dir: dirName, lastUpdate: now, eus: kept, status: 'Installed' });
      await d.units.save();
      await rm(join(d.units.dir, oldDir), { recursive: true, force: true });
      for (const n of byLabel.values()) d.model.changes.emit({ kind: 'deleted', inst: this.inst(EU_PATH, n), path: `${euRef(n)}.` });
      for (const n of created) d.model.changes.emit({ kind: 'created', inst: this.inst(EU_PATH, n), path: `${euRef(n)}.` });
      d.log.info('deployment unit updated', { du: unit.n, version: unit.version });
      Object.assign(report, { version: unit.version, executionUnitRefList: kept.map(euRef), completeTime: d.now() });
      d.afterCompletion(() => {
        emitDuStateChange(d.model, report);
        for (const n of kept) {
          const e = d.units.eus.get(n);
          if (e && (e.requested === 'Active' || e.spec.autoStart)) void this.eus.start(n, 'FailureOnStart');
        }
      });
      return {};
    } catch (e) {
      if (!busy) unit.status = 'Installed';
      const u = this.fault(call, e);
      Object.assign(report, { faultCode: u.code, faultString: u.message });
      d.log.warn('deployment unit update failed', { du: unit.n, code: u.code, why: u.message });
      d.afterCompletion(() => emitDuStateChange(d.model, report));
      throw u;
    }
  }

  /** DeploymentUnit.{i}.Uninstall(): stops its EUs, removes them, the DU and its files. */
  async uninstall(call: CommandInvocation): Promise<Record<string, Value>> {
    const d = this.d;
    const unit = this.unitOf(call);
    const report = this.uninstallReport(unit);
    if (unit.status !== 'Installed') {
      const u = new UspError(ErrorCode.InvalidDeploymentUnitState, `${duRef(unit.n)} is ${unit.status}`);
      Object.assign(report, { faultCode: u.code, faultString: u.message });
      d.afterCompletion(() => emitDuStateChange(d.model, report));
      throw u;
    }
    const done = await this.remove(unit, report);
    d.afterCompletion(() => emitDuStateChange(d.model, done));
    return {};
  }

  /**
   * Removes an Installed DU: stops its EUs, deletes them, the DU and its files (units.json first,
   * so a crash in between leaves only files that the next start deletes). Returns `report`
   * completed as Uninstalled, for the DUStateChange! the caller sends.
   */
  async remove(unit: DuRecord, report: DuStateChange): Promise<DuStateChange> {
    const d = this.d;
    unit.status = 'Uninstalling';
    for (const n of unit.eus) await this.eus.stop(n);
    d.units.units.delete(unit.n);
    for (const n of unit.eus) {
      d.units.eus.delete(n);
      d.units.euState.delete(n);
    }
    await d.units.save();
    await rm(d.units.dirOf(unit), { recursive: true, force: true });
    for (const n of unit.eus) d.model.changes.emit({ kind: 'deleted', inst: this.inst(EU_PATH, n), path: `${euRef(n)}.` });
    d.model.changes.emit({ kind: 'deleted', inst: this.inst(DU_PATH, unit.n), path: `${duRef(unit.n)}.` });
    d.log.info('deployment unit uninstalled', { du: unit.n, name: unit.name, version: unit.version });
    return { ...report, currentState: 'Uninstalled', resolved: false, completeTime: d.now() };
  }

  /** What an Uninstall of `unit` reports, before it runs. */
  uninstallReport(unit: DuRecord): DuStateChange {
    return {
      uuid: unit.uuid,
      deploymentUnitRef: duRef(unit.n),
      version: unit.version,
      currentState: 'Installed',
      resolved: true,
      executionUnitRefList: unit.eus.map(euRef),
      startTime: this.d.now(),
      operationPerformed: 'Uninstall',
      faultCode: 0,
      faultString: '',
    };
  }

  private unitOf(call: CommandInvocation): DuRecord {
    const n = call.keys[call.keys.length - 1]!;
    const u = this.d.units.units.get(n);
    if (!u) throw new UspError(ErrorCode.UnknownDeploymentUnit, `${duRef(n)} does not exist`);
    return u;
  }

  /** ExecEnv.{i} named by ExecutionEnvRef (empty: the first enabled one). */
  private envRef(ref: string): number {
    const { envs, units } = this.d;
    if (ref === '') {
      const i = envs.findIndex((e) => !units.disabledEnvs.has(e.name));
      if (i < 0) throw new UspError(ErrorCode.DisabledExecEnv, 'every execution environment is disabled');
      return i + 1;
    }
    const m = new RegExp(`^${EE_PATH.replace(/\./g, '\\.')}(\\d+)\\.?$`).exec(ref);
    const n = m ? Number(m[1]) : 0;
    const env = envs[n - 1];
    if (!env) throw new UspError(ErrorCode.UnknownExecEnv, `no execution environment ${ref}`);
    if (units.disabledEnvs.has(env.name)) throw new UspError(ErrorCode.DisabledExecEnv, `${eeRef(n)} is disabled`);
    return n;
  }

  private async checkUrl(url: string): Promise<void> {
    const problem = urlProblem(url);
    if (problem) throw new UspError(ErrorCode.InvalidArguments, problem);
    const refused = await this.d.downloadPolicy?.check(new URL(url));
    if (refused) throw new UspError(ErrorCode.InvalidArguments, refused);
  }

  /** Downloads `url` (bounded by the space the EE has left) and has the EE unpack it into `dirName`. */
  private async fetchAndUnpack(call: CommandInvocation, url: string, ee: number, du: number, dirName: string): Promise<UnpackedUnit> {
    const { units, envs, limits } = this.d;
    const env = envs[ee - 1]!;
    const free = (await env.resources(units.dir)).availableDiskSpace;
    const maxBytes = free >= 0 ? Math.min(limits.maxBytes, free * 1024) : limits.maxBytes;
    const part = units.partFile(du);
    const dir = join(units.dir, dirName);
    try {
      const out = createWriteStream(part, { mode: 0o600 });
      const closed = new Promise<void>((resolve, reject) => {
        out.on('close', resolve);
        out.on('error', reject);
      });
      try {
        await fetchImage(url, {
          username: String(call.input.Username ?? ''),
          password: String(call.input.Password ?? ''),
          limits: { ...limits, maxBytes },
          signal: call.signal,
          ca: this.d.ca,
          policy: this.d.downloadPolicy,
          onData: (chunk) =>
            new Promise<void>((resolve, reject) => {
              out.write(chunk, (err) => (err ? reject(err) : resolve()));
            }),
        });
      } finally {
        out.end();
        await closed;
      }
      if (call.signal.aborted) throw call.signal.reason;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return await env.install(part, dir, url);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      if (e instanceof TransferError && e.failure === 'too-large') throw new UspError(ErrorCode.SystemResourcesExceeded, `${e.message} (space left on ${env.name})`);
      throw e;
    } finally {
      await rm(part, { force: true });
    }
  }

  /** Any failure as the UspError the command fails with (and DUStateChange! reports). */
  private fault(call: CommandInvocation, e: unknown): UspError {
    if (call.signal.aborted) return new UspError(ErrorCode.CommandCanceled, 'operation canceled');
    if (e instanceof UspError) return e;
    if (e instanceof PackageError) return new UspError(e.code as ErrorCode, e.message);
    if (e instanceof TransferError) {
      // An HTTP status is an answer (the file is not there); anything else did not reach the server in time.
      return new UspError(e.failure === 'answered' ? ErrorCode.RequestDenied : ErrorCode.ServerUnreachable, e.message);
    }
    return new UspError(ErrorCode.RequestDenied, e instanceof Error ? e.message : String(e));
  }

  private inst(path: string, n: number) {
    return { node: this.d.model.requireNode(`${path}{i}.`), keys: [n] };
  }
}

/** RFC 4122 version 5 UUID of `name` in the agent's DU namespace. */
export function nameUuid(name: string): string {
  const ns = Buffer.from(DU_UUID_NAMESPACE.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

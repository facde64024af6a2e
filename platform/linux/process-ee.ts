/**
 * The Linux process execution environment (Device.SoftwareModules.ExecEnv.{i} "Process EE"):
 * a Deployment Unit is a .tar.gz with manifest.json whose every Execution Unit names an
 * `entryPoint` (argv; a first element with a "/" that is not absolute is taken in the unit's
 * directory, e.g. "./run.sh"); an EU runs as a supervised process of the agent's user in the
 * unit's directory (platform/software/SupervisedProcesses.ts; logs in
 * `<DU dir>/.usp-logs/<name>.log`). No isolation: this EE is for trusted packages on a device
 * without a container runtime.
 */
import { isAbsolute, join } from 'node:path';
import { PackageError, type ExecutionUnitHandle, type UnpackedUnit } from '../software/ExecutionEnvironment.js';
import { freeBytes } from '../software/disk-space.js';
import { unitFrom } from '../software/package-manifest.js';
import { SupervisedProcessEnv } from '../software/SupervisedProcessEnv.js';
import { unpackTarGz } from '../software/unpack.js';

export class ProcessExecutionEnv extends SupervisedProcessEnv {
  readonly name = 'Process EE';
  readonly type = 'Linux process';
  readonly vendor = 'usp-agent';
  readonly version = '1.0';

  async install(file: string, dir: string, url: string): Promise<UnpackedUnit> {
    const entries = await unpackTarGz(file, dir, await freeBytes(dir));
    if (!entries) throw new PackageError(7225, 'the process EE takes a .tar.gz with a manifest.json naming each entry point');
    const unit = unitFrom(entries, url);
    const missing = unit.executionUnits.find((e) => !e.entryPoint);
    if (missing) throw new PackageError(7225, `execution unit ${missing.name} has no entryPoint in manifest.json`);
    return unit;
  }

  start(eu: ExecutionUnitHandle): Promise<void> {
    const [cmd, ...args] = eu.spec.entryPoint ?? [];
    if (!cmd) {
      eu.report({ status: 'Idle', fault: { code: 'UnStartable', message: 'no entryPoint' } });
      return Promise.resolve();
    }
    const command = !isAbsolute(cmd) && cmd.includes('/') ? join(eu.dir, cmd) : cmd;
    return this.procs.start(eu, { command, args, cwd: eu.dir });
  }
}

/**
 * What every execution environment whose Execution Units are supervised child processes of the
 * agent shares (the Linux process EE, the OCI EE whose runtime runs in the foreground): stopping
 * a unit, the host's resources, a unit's disk and memory use, and stopping them all when the
 * agent stops. Subclasses say how a package installs and how a unit starts.
 */
import type { ExecEnvResources, ExecutionEnvironment, ExecutionUnitHandle, ExecutionUnitUsage, UnpackedUnit } from './ExecutionEnvironment.js';
import { hostResources } from './disk-space.js';
import { SupervisedProcesses } from './SupervisedProcesses.js';
import { treeSize } from './unpack.js';

/** How long the agent's stop waits for units to exit after SIGTERM. */
const SHUTDOWN_GRACE_MS = 1000;

export abstract class SupervisedProcessEnv implements ExecutionEnvironment {
  abstract readonly name: string;
  abstract readonly type: string;
  abstract readonly vendor: string;
  abstract readonly version: string;
  protected readonly procs = new SupervisedProcesses();

  abstract install(file: string, dir: string, url: string): Promise<UnpackedUnit>;
  abstract start(eu: ExecutionUnitHandle): Promise<void>;

  stop(eu: ExecutionUnitHandle): Promise<void> {
    return this.procs.stop(eu);
  }

  resources(dir: string): Promise<ExecEnvResources> {
    return hostResources(dir);
  }

  async usage(eu: ExecutionUnitHandle): Promise<ExecutionUnitUsage> {
    const pid = this.procs.pid(eu.key);
    return { diskSpaceInUse: Math.ceil((await treeSize(eu.dir)) / 1024), memoryInUse: await this.procs.memoryKb(eu.key), pids: pid === undefined ? [] : [pid] };
  }

  shutdown(): Promise<void> {
    return this.procs.stopAll(SHUTDOWN_GRACE_MS);
  }
}

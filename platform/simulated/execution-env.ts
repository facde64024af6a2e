/**
 * The simulated gateway's execution environment (Device.SoftwareModules.ExecEnv.1, "Simulated
 * EE"): any downloaded file becomes a Deployment Unit (a .tar.gz with a manifest.json names it,
 * otherwise the URL does; platform/software/package-manifest.ts) and every Execution Unit only
 * pretends to run: its Status follows requests with a router's timing (Idle → Starting → Active
 * in a few hundred ms, Stopping → Idle), and it reports a fixed memory footprint while Active.
 * Its "flash" holds SIM_EE_DISK_BYTES; a package that does not fit is 7227.
 */
import { dirname } from 'node:path';
import type { ExecEnvResources, ExecutionEnvironment, ExecutionUnitHandle, ExecutionUnitUsage, UnpackedUnit } from '../software/ExecutionEnvironment.js';
import { unitFrom } from '../software/package-manifest.js';
import { treeSize, unpackTarGz } from '../software/unpack.js';

export const SIM_EE_DISK_BYTES = 16 * 1024 * 1024;
const SIM_EE_MEMORY_KB = 128 * 1024;
const EU_MEMORY_KB = 2048;
const START_MS = 300;
const STOP_MS = 200;

export class SimulatedExecutionEnv implements ExecutionEnvironment {
  readonly name = 'Simulated EE';
  readonly type = 'Linux Container (simulated)';
  readonly vendor = 'usp-agent';
  readonly version = '1.0';
  // Made at the first start: most gateways of a fleet never run a unit (issue 14).
  private active: Set<number> | undefined;
  private timers: Map<number, NodeJS.Timeout> | undefined;

  async install(file: string, dir: string, url: string): Promise<UnpackedUnit> {
    const free = SIM_EE_DISK_BYTES - (await treeSize(dirname(dir)));
    const entries = await unpackTarGz(file, dir, free);
    return unitFrom(entries, url);
  }

  async start(eu: ExecutionUnitHandle): Promise<void> {
    this.clear(eu.key);
    eu.report({ status: 'Starting' });
    const active = (this.active ??= new Set<number>());
    const timers = (this.timers ??= new Map<number, NodeJS.Timeout>());
    timers.set(
      eu.key,
      setTimeout(() => {
        timers.delete(eu.key);
        active.add(eu.key);
        eu.report({ status: 'Active' });
      }, START_MS).unref(),
    );
  }

  async stop(eu: ExecutionUnitHandle): Promise<void> {
    this.clear(eu.key);
    eu.report({ status: 'Stopping' });
    const timers = (this.timers ??= new Map<number, NodeJS.Timeout>());
    timers.set(
      eu.key,
      setTimeout(() => {
        timers.delete(eu.key);
        this.active?.delete(eu.key);
        eu.report({ status: 'Idle' });
      }, STOP_MS).unref(),
    );
  }

  async resources(dir: string): Promise<ExecEnvResources> {
    return {
      availableDiskSpace: Math.max(0, Math.floor((SIM_EE_DISK_BYTES - (await treeSize(dir))) / 1024)),
      availableMemory: SIM_EE_MEMORY_KB - (this.active?.size ?? 0) * EU_MEMORY_KB,
    };
  }

  async usage(eu: ExecutionUnitHandle): Promise<ExecutionUnitUsage> {
    return { diskSpaceInUse: Math.ceil((await treeSize(eu.dir)) / 1024), memoryInUse: this.active?.has(eu.key) ? EU_MEMORY_KB : 0, pids: [] };
  }

  async shutdown(): Promise<void> {
    for (const t of this.timers?.values() ?? []) clearTimeout(t);
    this.timers?.clear();
    this.active?.clear();
  }

  private clear(key: number): void {
    const t = this.timers?.get(key);
    if (t) clearTimeout(t);
    this.timers?.delete(key);
  }
}

/**
 * Device.DeviceInfo.MemoryStatus. and .ProcessStatus. (TR-181 MemoryStatus:1, ProcessStatus:1)
 * of a Linux host: memory from /proc/meminfo, persistent storage from statfs(2) of the writable
 * root (/overlay on OpenWrt), CPU usage from /proc/stat.
 *
 * /proc/loadavg is not used: TR-181 has no load-average parameter, and the load average (the
 * run-queue length) is not a CPU usage percentage.
 */
import fs from 'node:fs';
import type { LinuxContext } from './LinuxContext.js';
import { parseCpuTimes, parseMeminfo, type CpuTimes } from './proc-parsers.js';

const UINT32_MAX = 0xffff_ffff;
/** Shortest interval CPUUsage is measured over; closer reads repeat the last measurement. */
export const CPU_SAMPLE_MIN_MS = 1000;

/**
 * Serves MemoryStatus (Total, Free; TotalPersistent, FreePersistent of `persistentPath`) and
 * ProcessStatus.CPUUsage.
 */
export function registerSystemStatus(ctx: LinuxContext, persistentPath: string): void {
  const { files } = ctx;
  ctx.model.register('Device.DeviceInfo.MemoryStatus.', {
    params: ['Total', 'Free', 'TotalPersistent', 'FreePersistent'],
    get: async () => {
      const [meminfo, fsStats] = await Promise.all([files.read(files.proc('meminfo')), statfs(persistentPath)]);
      const mem = parseMeminfo(meminfo ?? '');
      const values: Record<string, number> = {};
      const total = mem.get('MemTotal');
      // Free is what can be allocated without swapping (MemAvailable, kernel 3.14+), which is
      // what OpenWrt's `memory.available` reports too; MemFree alone ignores reclaimable cache.
      const free = mem.get('MemAvailable') ?? mem.get('MemFree');
      if (total !== undefined) values.Total = Math.min(total, UINT32_MAX);
      if (free !== undefined) values.Free = Math.min(free, UINT32_MAX);
      if (fsStats) {
        // KiB, capped at the unsignedInt maximum (4 TiB).
        values.TotalPersistent = Math.min(Math.floor((fsStats.blocks * fsStats.bsize) / 1024), UINT32_MAX);
        values.FreePersistent = Math.min(Math.floor((fsStats.bavail * fsStats.bsize) / 1024), UINT32_MAX);
      }
      return values;
    },
  });

  const cpu = new CpuUsage(ctx.now);
  ctx.model.register('Device.DeviceInfo.ProcessStatus.', {
    params: ['CPUUsage'],
    get: async () => {
      const times = parseCpuTimes((await files.read(files.proc('stat'))) ?? '');
      const values: Record<string, number> = {};
      if (times) values.CPUUsage = cpu.update(times);
      return values;
    },
  });
}

/**
 * CPU usage in percent over the time between two reads of /proc/stat. The first read has no
 * earlier sample and reports the average since boot (the counters start at boot).
 */
export class CpuUsage {
  private base?: { at: number; times: CpuTimes };
  private last = 0;

  constructor(private readonly now: () => number) {}

  update(times: CpuTimes): number {
    const at = this.now();
    const base = this.base;
    if (base && at - base.at < CPU_SAMPLE_MIN_MS) return this.last;
    const from = base?.times ?? { total: 0, idle: 0 };
    const total = times.total - from.total;
    const idle = times.idle - from.idle;
    // Counters only go back if the source was swapped (a container restart): start over.
    if (total > 0 && idle >= 0 && idle <= total) this.last = Math.round((100 * (total - idle)) / total);
    this.base = { at, times };
    return this.last;
  }
}

async function statfs(path: string): Promise<fs.StatsFs | undefined> {
  try {
    return await fs.promises.statfs(path);
  } catch {
    return undefined;
  }
}

/**
 * Device.DeviceInfo.ProcessStatus.Process.{i}. of a Linux host (TR-181 ProcessStatus:1), from
 * procfs: one row per process, /proc/[pid]/stat for the state, priority and CPU time and
 * /proc/[pid]/status for the resident size (VmRSS; kernel threads have none and read 0).
 *
 * Bounded: at most MAX_PROCESSES rows, the lowest PIDs (a router's daemons start first), so one
 * read costs at most 2 x MAX_PROCESSES small file reads, and one snapshot serves every read for
 * `cacheMs`. A row is its process, PID and start time together: a PID the kernel reuses for
 * another program is a new instance.
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { HostFiles } from './HostFiles.js';
import { parseMeminfo, parseProcessStat, type ProcessStat } from './proc-parsers.js';

/** Processes Process.{i} lists at most (ProcessNumberOfEntries never exceeds it). */
export const MAX_PROCESSES = 256;
/**
 * USER_HZ, the unit of the CPU times in /proc/[pid]/stat: 100 on every architecture OpenWrt and
 * mainstream Linux run on (proc(5): sysconf(_SC_CLK_TCK), which Node cannot call).
 */
const CLOCK_TICKS_PER_S = 100;
/** TR-181 Priority is 0 (highest) to 99. */
const MAX_PRIORITY = 99;

/** proc(5) state letters → TR-181 Process.{i}.State. */
const STATES: Record<string, string> = {
  R: 'Running',
  S: 'Sleeping',
  D: 'Uninterruptible',
  T: 'Stopped',
  t: 'Stopped',
  Z: 'Zombie',
  X: 'Zombie',
  I: 'Idle',
  P: 'Idle',
  W: 'Sleeping',
};

/** One row's values from its two procfs files (`status` may be absent: the process just ended). */
export function processValues(stat: ProcessStat, status: string | undefined): Record<string, Value> {
  const rss = status === undefined ? undefined : parseMeminfo(status).get('VmRSS');
  return {
    PID: stat.pid,
    Command: stat.comm,
    Size: Math.min(rss ?? 0, 0xffff_ffff),
    // Real-time tasks (negative) come before every normal one: the highest priority, 0.
    Priority: Math.min(MAX_PRIORITY, Math.max(0, stat.priority)),
    CPUTime: Math.min(Math.round(((stat.utime + stat.stime) * 1000) / CLOCK_TICKS_PER_S), 0xffff_ffff),
    State: STATES[stat.state] ?? 'Sleeping',
  };
}

interface Snapshot {
  at: number;
  rows: Map<string, Record<string, Value>>;
}

/** Serves the Process.{i} table from `files` (its procRoot), a snapshot reused for `cacheMs`. */
export function registerProcessTable(model: DataModel, files: HostFiles, now: () => number, cacheMs: number): void {
  const numbers = new InstanceMap();
  let last: Snapshot | undefined;
  let pending: Promise<Snapshot> | undefined;

  const take = async (): Promise<Snapshot> => {
    const pids = (await files.list(files.procRoot))
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b)
      .slice(0, MAX_PROCESSES);
    const read = await Promise.all(
      pids.map(async (pid) => {
        const [stat, status] = await Promise.all([files.read(files.proc(String(pid), 'stat')), files.read(files.proc(String(pid), 'status'))]);
        const parsed = stat === undefined ? undefined : parseProcessStat(stat);
        return parsed && { key: `${parsed.pid}@${parsed.starttime}`, values: processValues(parsed, status) };
      }),
    );
    const rows = new Map<string, Record<string, Value>>();
    for (const r of read) if (r) rows.set(r.key, r.values);
    // Ended processes give up their keys (not their numbers), so the map stays as small as the table.
    for (const key of last?.rows.keys() ?? []) if (!rows.has(key)) numbers.retire(key);
    return { at: now(), rows };
  };
  const snapshot = async (): Promise<Snapshot> => {
    if (last && now() - last.at < cacheMs) return last;
    // Reads that arrive together share one walk of /proc.
    pending ??= take()
      .then((s) => {
        last = s;
        return s;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  model.register('Device.DeviceInfo.ProcessStatus.Process.{i}.', {
    params: ['PID', 'Command', 'Size', 'Priority', 'CPUTime', 'State'],
    list: async () => numbers.list((await snapshot()).rows.keys()),
    get: async (keys: InstanceKeys) => {
      const rows = (await snapshot()).rows;
      const row = rows.get(numbers.keyOf(keys[0]) ?? '');
      if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such process: instance ${keys[0]}`);
      return { ...row };
    },
  });
}

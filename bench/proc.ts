/** Reads a process's resident memory from Linux procfs. */
import { readFileSync } from 'node:fs';

export interface Rss {
  /** VmRSS: all resident pages. */
  total: number;
  /** RssAnon: heap, stacks, V8 spaces. */
  anon: number;
  /** RssFile: resident pages of mapped files (mostly the node binary; clean and shareable). */
  file: number;
}

/** Resident memory of `pid` in KiB (from /proc/<pid>/status). */
export function rssKiB(pid: number): Rss {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    if (!m) throw new Error(`no ${name} for pid ${pid}`);
    return Number(m[1]);
  };
  return { total: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

/** The CPU model name (first /proc/cpuinfo entry) and the number of logical CPUs listed there. */
export function cpuInfo(): { model: string; logicalCpus: number } {
  const text = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  const logicalCpus = text.match(/^processor\s*:/gm)?.length ?? 0;
  return { model, logicalCpus };
}

/** Memory of a process in KiB: /proc/<pid>/status plus the private pages from smaps_rollup. */
export interface ProcMemory {
  /** VmRSS. */
  rss: number;
  /** RssAnon: heap, stacks, V8 spaces. */
  anon: number;
  /** RssFile: resident mapped-file pages (mostly the node binary; shareable). */
  file: number;
  /** Private_Clean + Private_Dirty: what this process alone holds (freed when it exits). */
  privateClean: number;
  privateDirty: number;
  /** Pss: resident pages with shared ones divided among their sharers. */
  pss: number;
}

/** RSS split and private memory of `pid` (smaps_rollup needs Linux 4.14+). */
export function memoryKiB(pid: number): ProcMemory {
  const r = rssKiB(pid);
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: r.total, anon: r.anon, file: r.file, privateClean: field('Private_Clean'), privateDirty: field('Private_Dirty'), pss: field('Pss') };
}

/** utime + stime of `pid` in clock ticks (/proc/<pid>/stat fields 14 and 15). */
export function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

/** Clock ticks per second for cpuTicks(): USER_HZ, 100 on every Linux ABI Node supports. */
export function ticksPerSecond(): number {
  return 100;
}

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

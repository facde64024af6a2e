/**
 * Parsers for the kernel's and the distribution's text files (procfs(5), os-release(5)).
 * Pure functions over the file text, so they are tested on recorded files.
 */

/** os-release(5): KEY=value lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) {
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\([\\"$`])/g, '$1');
    }
    out.set(m[1]!, v);
  }
  return out;
}

/** /proc/cpuinfo: "key<TAB>: value" lines; the first processor's block wins, then later keys. */
export function parseCpuinfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const key = line.slice(0, i).trim();
    if (key !== '' && !out.has(key)) out.set(key, line.slice(i + 1).trim());
  }
  return out;
}

/** /proc/meminfo: "Name:   12345 kB" lines, values in KiB (the kernel's "kB" means 1024). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+):\s+(\d+)/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Aggregate CPU time from the "cpu " line of /proc/stat, in USER_HZ ticks. */
export interface CpuTimes {
  /** All time: user + nice + system + idle + iowait + irq + softirq + steal. */
  total: number;
  /** Time doing nothing: idle + iowait. */
  idle: number;
}

/**
 * proc(5) /proc/stat "cpu" line. guest and guest_nice are left out of the total because the
 * kernel already counts them in user and nice.
 */
export function parseCpuTimes(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait };
}

/** /proc/uptime: seconds since boot (first field), fractional. */
export function parseUptime(text: string): number | undefined {
  const s = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(s) && s >= 0 ? s : undefined;
}

/** Interfaces carrying a default route: /proc/net/route (IPv4) and /proc/net/ipv6_route. */
export function defaultRouteInterfaces(route: string | undefined, ipv6Route: string | undefined): Set<string> {
  const out = new Set<string>();
  const RTF_UP = 0x1;
  const RTF_REJECT = 0x200;
  for (const line of (route ?? '').split('\n').slice(1)) {
    const [iface, dest, , flags, , , , mask] = line.trim().split(/\s+/);
    if (!iface || dest !== '00000000' || mask !== '00000000') continue;
    const fl = parseInt(flags ?? '0', 16);
    if (fl & RTF_UP && !(fl & RTF_REJECT)) out.add(iface);
  }
  for (const line of (ipv6Route ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^0{32}$/.test(f[0]!) || f[1] !== '00') continue;
    const fl = parseInt(f[8]!, 16);
    if (fl & RTF_UP && !(fl & RTF_REJECT)) out.add(f[9]!);
  }
  return out;
}

/** The fields of one /proc/[pid]/stat line that TR-181 Device.DeviceInfo.ProcessStatus.Process.{i} needs. */
export interface ProcessStat {
  pid: number;
  /** The executable's name (comm, at most 15 bytes): it may hold spaces and parentheses. */
  comm: string;
  /** One letter: R running, S sleeping, D disk sleep, T/t stopped, Z zombie, I idle, ... */
  state: string;
  /** User and system CPU time, in clock ticks (USER_HZ). */
  utime: number;
  stime: number;
  /** The kernel's priority: 0..39 (20 + nice) for normal tasks, -2..-100 for real-time ones. */
  priority: number;
  /** Clock ticks after boot the process started: with the PID, it tells a reused PID apart. */
  starttime: number;
}

/**
 * proc(5) /proc/[pid]/stat. The comm field (2) is in parentheses and may itself hold ") ", so it
 * ends at the *last* ")"; fields 3 on are counted from there.
 */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // f[0] is field 3 (state): field n is f[n - 3].
  const f = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const num = (n: number): number => Number(f[n - 3]);
  const out = { pid, comm: text.slice(open + 1, close), state: f[0] ?? '', utime: num(14), stime: num(15), priority: num(18), starttime: num(22) };
  if (!Number.isInteger(pid) || pid <= 0 || out.state.length !== 1) return undefined;
  if (![out.utime, out.stime, out.priority, out.starttime].every(Number.isFinite)) return undefined;
  return out;
}

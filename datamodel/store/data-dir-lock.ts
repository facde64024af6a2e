/**
 * One agent per data directory. Two agents on one directory overwrite each other's state and
 * remove each other's temporary files (Sets then fail with ENOENT), so the first takes a lock
 * file, created with O_EXCL, that names its process: pid, the process's start time and the
 * kernel boot id. A lock whose holder is gone (kill -9, a power cut: the file is still on flash
 * after the reboot, and its pid may now belong to another process) is stale and taken over.
 * Pure JS: Node has no flock(2), and native addons are not wanted on a router.
 */
import { closeSync, existsSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../Logger.js';
import { DataDirError, DATA_FILE_MODE, errnoOf, explain } from './data-dir-error.js';

/** The lock file's name inside the data directory. */
export const LOCK_FILE = 'usp-agent.lock';

/** A lock file whose content cannot be read is another agent's for this long (it is writing it). */
const UNREADABLE_GRACE_MS = 5000;

/** What a lock file holds: enough to tell whether its holder still runs. */
interface LockHolder {
  pid: number;
  bootId?: string;
  startTime?: string;
}

/** The held lock of a data directory; `release()` removes the file (idempotent). */
export interface DataDirLock {
  readonly dir: string;
  readonly file: string;
  release(): void;
}

/** Lock files held by this process, removed on exit even when the process exits abruptly. */
const held = new Map<string, string>();
let exitHookInstalled = false;

/** Takes the lock of `abs` (an existing directory) or throws a DataDirError naming the holder. */
export function acquireDataDirLock(abs: string, log: Logger): DataDirLock {
  const file = join(abs, LOCK_FILE);
  const me = JSON.stringify(currentHolder(process.pid));
  // Two rounds: a stale lock is removed in the first and created afresh in the second.
  for (let round = 0; round < 2; round++) {
    try {
      const fd = openSync(file, 'wx', DATA_FILE_MODE);
      try {
        writeSync(fd, me);
      } finally {
        closeSync(fd);
      }
      held.set(file, me);
      installExitHook();
      return { dir: abs, file, release: () => release(file) };
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw explain(abs, e, abs);
    }
    const text = readText(file);
    if (text === undefined) continue; // removed meanwhile: try again
    const holder = parseHolder(text);
    if (holder ? holderRuns(holder, file) : recentlyWritten(file)) {
      throw new DataDirError(
        abs,
        `in use by another usp-agent${holder ? ` (pid ${holder.pid})` : ''}`,
        `stop that agent first, or give this one its own --data-dir (if no agent runs, remove ${file})`,
      );
    }
    breakStaleLock(file, text);
    log.warn('removed the stale lock of an agent that is no longer running', { file, pid: holder?.pid ?? 'unknown' });
  }
  throw new DataDirError(abs, 'another usp-agent took the lock while this one was starting', 'stop the other agent, or give this one its own --data-dir');
}

/**
 * Moves the stale file aside under a name only this process uses, so two agents breaking the
 * same stale lock cannot remove each other's fresh one; if what was moved is not the stale
 * content (another agent already replaced it), it is put back.
 */
function breakStaleLock(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // already gone: the next round creates it
  }
  if (readText(aside) !== staleText) {
    try {
      linkSync(aside, file);
    } catch {
      /* a third agent holds it now; the next round sees that */
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    /* best effort */
  }
}

function release(file: string): void {
  const mine = held.get(file);
  if (mine === undefined) return;
  held.delete(file);
  // Only our own lock: never remove one another agent took after ours was (wrongly) broken.
  if (readText(file) === mine) {
    try {
      unlinkSync(file);
    } catch {
      /* gone already */
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // process.exit() from the signal handler's hard-stop timer skips the agent's stop(): the lock
  // still goes. (After kill -9 nothing runs; the next start finds the lock stale.)
  process.on('exit', () => {
    for (const file of [...held.keys()]) release(file);
  });
}

/** Whether the process a lock names still runs (and is the same process, not a reused pid). */
function holderRuns(h: LockHolder, file: string): boolean {
  // Our own pid: another agent of this process holds it, or a previous process whose pid we
  // were given after a reboot left it.
  if (h.pid === process.pid) return held.has(file);
  const now = currentHolder(h.pid);
  if (h.bootId && now.bootId && h.bootId !== now.bootId) return false;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if (errnoOf(e) !== 'EPERM') return false; // ESRCH: no such process
  }
  const stat = procStat(h.pid);
  // A killed holder stays a zombie until its parent reaps it (in a container, maybe never).
  if (stat?.state === 'Z' || stat?.state === 'X') return false;
  // Alive: the same process only if it started when the lock's holder did.
  return !(h.startTime && stat?.startTime && h.startTime !== stat.startTime);
}

function currentHolder(pid: number): LockHolder {
  return { pid, bootId: readText('/proc/sys/kernel/random/boot_id')?.trim(), startTime: procStat(pid)?.startTime };
}

/** Fields 3 (state) and 22 (start time, clock ticks since boot) of /proc/<pid>/stat, on Linux. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: fields[19] };
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    return typeof v.pid === 'number' && Number.isSafeInteger(v.pid) && v.pid > 0 ? { pid: v.pid, bootId: v.bootId, startTime: v.startTime } : undefined;
  } catch {
    return undefined;
  }
}

function recentlyWritten(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < UNREADABLE_GRACE_MS;
  } catch {
    return false;
  }
}

function readText(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

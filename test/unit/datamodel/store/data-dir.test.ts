import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../datamodel/Logger.js';
import { DataDirError, openDataDir } from '../../../../datamodel/store/data-dir.js';
import { explain } from '../../../../datamodel/store/data-dir-error.js';
import { LOCK_FILE, type DataDirLock } from '../../../../datamodel/store/data-dir-lock.js';

const tmpDirs: string[] = [];
const locks: DataDirLock[] = [];
let lines: string[] = [];
const log = createLogger('debug', 'test', (_lvl, line) => {
  lines.push(line);
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'usp-data-dir-'));
  tmpDirs.push(d);
  return d;
}

function open(dir: string): DataDirLock {
  const l = openDataDir(dir, log);
  locks.push(l);
  return l;
}

function openError(dir: string): DataDirError {
  try {
    open(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(DataDirError);
    return e as DataDirError;
  }
  throw new Error(`openDataDir(${dir}) succeeded`);
}

/** A pid that no process has (a child that already exited and was reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

function bootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

const mode = (p: string): number => statSync(p).mode & 0o777;

afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  lines = [];
});

describe('data directory: creation and permissions', () => {
  it('creates every missing level 0700, whatever the umask left', () => {
    const dir = join(tmp(), 'a', 'b');
    open(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, '..'))).toBe(0o700);
    expect(mode(join(dir, LOCK_FILE))).toBe(0o600);
  });

  it('under /proc: stops at once with a DataDirError naming the place (Node recursive mkdir loops there)', () => {
    const e = openError('/proc/usp-agent-test/x');
    expect(e.dir).toBe('/proc/usp-agent-test/x');
    expect(e.problem).toContain('/proc does not allow creating');
    expect(e.fix).toContain('writable');
  });

  // A read-only mount needs root to make; the integration check was done by hand on a tmpfs mounted ro.
  it.each([
    ['EROFS', 'is on a read-only filesystem'],
    ['ENOSPC', 'no space left'],
    ['EACCES', 'permission denied in /data'],
  ])('%s from the filesystem is explained in words, with the fix', (code, words) => {
    const e = explain('/data/usp', Object.assign(new Error(`${code}: raw`), { code }), '/data');
    expect(e.problem).toContain(words);
    expect(e.problem).not.toContain(code);
    expect(e.fix).not.toBe('');
  });

  it('a path through a regular file: not a directory', () => {
    const d = tmp();
    writeFileSync(join(d, 'file'), '');
    expect(openError(join(d, 'file', 'x')).problem).toContain('not a directory');
    expect(openError(join(d, 'file')).problem).toContain('not a directory');
  });

  it('an existing directory open to others is left as it is, with a warning naming it and the fix', () => {
    const d = tmp();
    chmodSync(d, 0o755);
    open(d);
    expect(mode(d)).toBe(0o755);
    expect(lines.join('\n')).toMatch(new RegExp(`level=warn .*msg="data directory is open to other users.*dir="${d}" mode="0755" fix="chmod 700 ${d}"`));
  });

  it('a group/world-readable state.json (older versions) is tightened to 0600', () => {
    const d = tmp();
    chmodSync(d, 0o700);
    writeFileSync(join(d, 'state.json'), '{}', { mode: 0o644 });
    chmodSync(join(d, 'state.json'), 0o644);
    open(d);
    expect(mode(join(d, 'state.json'))).toBe(0o600);
    expect(lines).toEqual([]);
  });
});

describe('data directory: one agent at a time', () => {
  it('a second open of a locked directory is refused, naming the directory; after release it succeeds', () => {
    const d = tmp();
    const first = open(d);
    const e = openError(d);
    expect(e.message).toContain(d);
    expect(e.problem).toBe(`in use by another usp-agent (pid ${process.pid})`);
    first.release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
    open(d);
  });

  it('a live process of this boot that started when the lock says holds it', () => {
    const d = tmp();
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: process.ppid, bootId: bootId(), startTime }));
    expect(openError(d).problem).toBe(`in use by another usp-agent (pid ${process.ppid})`);
  });

  it.each([
    ['a holder that is gone (kill -9)', (): object => ({ pid: deadPid(), bootId: bootId() })],
    ['a lock from before a reboot (another boot id)', (): object => ({ pid: process.ppid, bootId: '00000000-0000-0000-0000-000000000000' })],
    ['a live pid that started at another time (pid reused)', (): object => ({ pid: process.ppid, bootId: bootId(), startTime: '1' })],
    ['our own pid, not held by this process (reused after a reboot)', (): object => ({ pid: process.pid })],
  ])('%s: the stale lock is taken over, with a warning', (_name, holder) => {
    const d = tmp();
    const stale = holder() as { pid: number };
    writeFileSync(join(d, LOCK_FILE), JSON.stringify(stale));
    open(d);
    expect(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(lines.join('\n')).toContain(`msg="removed the stale lock of an agent that is no longer running" file="${join(d, LOCK_FILE)}" pid=${stale.pid}`);
  });

  it('an unreadable lock is another agent writing it, until it is old', () => {
    const d = tmp();
    const file = join(d, LOCK_FILE);
    writeFileSync(file, '');
    expect(openError(d).problem).toBe('in use by another usp-agent');
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    open(d);
  });

  it('release leaves a lock that is no longer ours', () => {
    const d = tmp();
    mkdirSync(d, { recursive: true });
    const l = open(d);
    const other = JSON.stringify({ pid: process.ppid });
    writeFileSync(join(d, LOCK_FILE), other);
    l.release();
    expect(readFileSync(join(d, LOCK_FILE), 'utf8')).toBe(other);
  });
});

/**
 * The data directory (`--data-dir`): checked and created before anything is written to it, owner
 * only, and locked against a second agent (data-dir-lock.ts). It holds the saved configuration
 * (state.json, including secrets such as Device.MQTT.Client.{i}.Password in clear text), the boot
 * record and the bootstrap TLS key, so it is created 0700 and its files 0600.
 *
 * Every problem stops the start with a DataDirError that says what is wrong and how to fix it;
 * nothing here may loop or hang (Node's recursive mkdir spins forever under /proc).
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../Logger.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { DATA_DIR_MODE, DATA_FILE_MODE, DataDirError, errnoOf, explain } from './data-dir-error.js';
import { STATE_FILE } from './DataStore.js';

export { DataDirError } from './data-dir-error.js';

/**
 * Creates `dir` if needed (0700, each missing level without recursion), warns when an existing
 * one is open to other users, tightens a group/world-readable state file, and takes the lock.
 * Release the returned lock when the agent stops.
 */
export function openDataDir(dir: string, log: Logger): DataDirLock {
  const abs = resolve(dir);
  ensureDirectory(abs);
  checkPermissions(abs, log);
  return acquireDataDirLock(abs, log);
}

function ensureDirectory(abs: string): void {
  // Walk up to the nearest existing ancestor (bounded by the path's depth), then create downwards.
  const missing: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      const code = errnoOf(e);
      if (code === 'ENOENT' && dirname(p) !== p) {
        missing.unshift(p);
        continue;
      }
      throw explain(abs, e, p);
    }
    if (!isDir) throw new DataDirError(abs, `${p} exists and is not a directory`, 'remove it or give another directory');
    break;
  }
  for (const p of missing) {
    try {
      mkdirSync(p, { mode: DATA_DIR_MODE });
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw explain(abs, e, dirname(p));
    }
    // The umask may have taken bits away (even the owner's); set exactly 0700.
    chmodSync(p, DATA_DIR_MODE);
  }
}

/**
 * An existing directory keeps its mode (it may be a shared place the operator chose; changing
 * it could break other software), but a warning says the secrets in it are exposed. The state
 * file is the agent's own: a group/world-readable one (written by an older version) is tightened.
 */
function checkPermissions(abs: string, log: Logger): void {
  const mode = statSync(abs).mode & 0o777;
  if (mode & 0o077) {
    log.warn('data directory is open to other users; the saved state holds secrets in clear text', { dir: abs, mode: `0${mode.toString(8)}`, fix: `chmod 700 ${abs}` });
  }
  const state = join(abs, STATE_FILE);
  try {
    if (statSync(state).mode & 0o077) chmodSync(state, DATA_FILE_MODE);
  } catch {
    /* no state yet, or not ours to change: the next save writes it 0600 anyway */
  }
}

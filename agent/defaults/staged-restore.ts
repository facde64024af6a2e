/**
 * A configuration that Device.DeviceInfo.VendorConfigFile.{i}.Restore() downloaded and checked,
 * waiting in the data directory (restore.json) for the restart that applies it. It is applied
 * the way a factory-defaults file is (apply-defaults.ts: one transaction, all or nothing) to an
 * empty store, in place of the saved configuration; the saved one is kept aside
 * (state.json.pre-restore, state.journal.pre-restore) until the restored one is saved, and put
 * back if the restored one is refused, so a bad file never leaves the agent without a configuration.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { JOURNAL_FILE, STATE_FILE } from '../../datamodel/store/DataStore.js';
import { writeFileAtomic } from '../../datamodel/store/atomic-write.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { withBuiltinRoles } from '../access/builtin-roles.js';
import { applyDefaults, type DefaultsFile } from './apply-defaults.js';

export const RESTORE_FILE = 'restore.json';
const ASIDE = '.pre-restore';

/** Writes `config` as the configuration the next start applies (atomically: all of it or none). */
export async function stageRestore(dataDir: string, config: DefaultsFile): Promise<void> {
  await writeFileAtomic(join(dataDir, RESTORE_FILE), JSON.stringify(config));
}

export interface StagedRestore {
  config: DefaultsFile;
  /** The restored configuration is saved: forget the staged file and the previous one. */
  done(): void;
  /** The restored configuration was refused: the previous one comes back. */
  undo(): void;
}

/**
 * At start, before the store loads: when a restore is staged, moves the saved configuration
 * aside (the store then finds none) and returns the staged one. A start that was cut short
 * after the move finds the previous configuration already aside and applies the staged one again.
 */
export function takeStagedRestore(dataDir: string | undefined, log: Logger): StagedRestore | undefined {
  if (dataDir === undefined) return undefined;
  const staged = join(dataDir, RESTORE_FILE);
  if (!existsSync(staged)) return undefined;
  const files = [STATE_FILE, JOURNAL_FILE].map((f) => join(dataDir, f));
  let config: DefaultsFile;
  try {
    config = JSON.parse(readFileSync(staged, 'utf8')) as DefaultsFile;
  } catch (e) {
    // Checked before it was staged: only a damaged disk gets here. The saved configuration stays.
    log.error('staged configuration unreadable; keeping the saved one', { file: staged, why: e instanceof Error ? e.message : String(e) });
    rmSync(staged, { force: true });
    return undefined;
  }
  const interrupted = files.some((f) => existsSync(f + ASIDE));
  for (const f of files) {
    if (interrupted) rmSync(f, { force: true });
    else if (existsSync(f)) renameSync(f, f + ASIDE);
  }
  return {
    config,
    done: () => {
      rmSync(staged, { force: true });
      for (const f of files) rmSync(f + ASIDE, { force: true });
    },
    undo: () => {
      for (const f of files) {
        rmSync(f, { force: true });
        if (existsSync(f + ASIDE)) renameSync(f + ASIDE, f);
      }
      rmSync(staged, { force: true });
    },
  };
}

/**
 * Applies the staged configuration to the empty store, as factory defaults are (with the
 * built-in Roles), and saves it; true when it took. Refused, the previous configuration's files
 * are put back (the caller loads them) and the reason is logged.
 */
export async function applyStagedRestore(model: DataModel, store: DataStore, staged: StagedRestore, log: Logger): Promise<boolean> {
  try {
    await applyDefaults(model, withBuiltinRoles(staged.config));
    await store.flush();
  } catch (e) {
    log.error('restored configuration refused; starting with the previous one', { why: e instanceof Error ? e.message : String(e) });
    staged.undo();
    return false;
  }
  staged.done();
  log.info('restored configuration applied');
  return true;
}

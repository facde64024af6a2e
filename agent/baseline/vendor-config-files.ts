/**
 * Device.DeviceInfo.VendorConfigFile.{i}. (TR-181 DeviceInfo): the agent's own configuration
 * files. 1 is the factory-defaults file (what the agent applies to an empty data directory and
 * FactoryReset() restores), 2 the configuration it has saved in its data directory (state.json
 * and its journal), served only when there is one (`--data-dir`).
 *
 * Backup() and Restore() (vendor-config-transfer.ts) upload either file and restore the saved
 * configuration, so UseForBackupRestore is true for row 2 only.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { dateTimeOf, UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DefaultsFile } from '../defaults/apply-defaults.js';

/** TR-181 Version is at most 16 characters: the first 8 hex digits of the content's SHA-256. */
export function defaultsVersion(defaults: DefaultsFile): string {
  const canonical = JSON.stringify(
    Object.keys(defaults)
      .sort()
      .map((k) => [k, defaults[k]]),
  );
  return `sha256:${createHash('sha256').update(canonical).digest('hex').slice(0, 8)}`;
}

/** Alias is left out: these rows are the agent's, there is nothing for a Controller to name. */
const PARAMS = ['Name', 'Version', 'Date', 'Description', 'UseForBackupRestore'] as const;

/** Serves the VendorConfigFile table from the factory defaults and the agent's store. */
export function registerVendorConfigFiles(model: DataModel, store: DataStore, defaults: DefaultsFile): void {
  model.register('Device.DeviceInfo.VendorConfigFile.{i}.', new VendorConfigFiles(store, defaultsVersion(defaults)));
}

/** The table's binding: a class, so a fleet's gateways share its methods and parameter list (issue 14). */
class VendorConfigFiles implements ObjectBinding {
  readonly params: readonly string[] = PARAMS;

  constructor(
    private readonly store: DataStore,
    private readonly version: string,
  ) {}

  /** Row 2, the saved configuration, only with a data directory. */
  list(): number[] {
    return this.store.dir !== undefined ? [1, 2] : [1];
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    if (keys[0] === 1) {
      return {
        Name: 'factory-defaults',
        Version: this.version,
        Date: UNKNOWN_TIME,
        Description: 'Factory defaults: applied to an empty data directory, restored by FactoryReset()',
        UseForBackupRestore: false,
      };
    }
    if (keys[0] === 2 && this.store.dir !== undefined) {
      return {
        Name: 'state.json',
        // The commit number of the last saved change: it moves with every change, never back.
        Version: `r${this.store.revision}`,
        Date: await lastSaved(this.store),
        Description: 'The configuration the agent has saved in its data directory (state.json and state.journal)',
        UseForBackupRestore: true,
      };
    }
    throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${keys[0]}`);
  }
}

/** When the saved configuration last changed on disk: the newer of state.json and its journal. */
async function lastSaved(store: DataStore): Promise<string> {
  const times = await Promise.all(
    [store.file, store.journalFile].map(async (f) => {
      try {
        return f === undefined ? 0 : (await stat(f)).mtimeMs;
      } catch {
        return 0;
      }
    }),
  );
  const ms = Math.max(...times);
  return ms === 0 ? UNKNOWN_TIME : dateTimeOf(ms);
}

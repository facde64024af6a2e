/**
 * Why the agent (re)started, for Device.Boot! (Cause, CommandKey). A Reboot() or FactoryReset()
 * writes it into the data directory just before the agent stops, so it survives both the
 * in-process restart of the simulated platform and a real process restart by procd; the next
 * start reads and removes it. Without a record the cause is LocalReboot.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../datamodel/store/atomic-write.js';

export type BootCause = 'LocalReboot' | 'RemoteReboot' | 'FactoryReset' | 'LocalFactoryReset' | 'RemoteFactoryReset';
export interface BootRecord {
  cause: BootCause;
  commandKey: string;
}

const FILE = 'boot-cause.json';

export async function writeBootRecord(dataDir: string | undefined, rec: BootRecord): Promise<void> {
  if (dataDir) await writeFileAtomic(join(dataDir, FILE), JSON.stringify(rec));
}

export function takeBootRecord(dataDir: string | undefined): BootRecord | undefined {
  if (!dataDir) return undefined;
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as BootRecord;
    return typeof rec.cause === 'string' ? { cause: rec.cause, commandKey: String(rec.commandKey ?? '') } : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
}

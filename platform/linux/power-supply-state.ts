/**
 * What a power supply says about itself beyond its measurements (Documentation/ABI/testing/
 * sysfs-class-power): `status`, one of a fixed set the kernel defines, and `uevent`, the
 * driver's whole property list as POWER_SUPPLY_<NAME>=<value> lines (the text udev receives).
 * A router's battery backup or UPS charger (gpio-charger, bq24xxx) has both; a mains adapter
 * has a `uevent` but no `status`.
 */
import path from 'node:path';
import type { HostFiles } from './HostFiles.js';
import { MAX_SUPPLIES } from './power-supply-sysfs.js';

/** The values of `status` the kernel's power supply class defines, in its order. */
export const SUPPLY_STATUSES = ['Unknown', 'Charging', 'Discharging', 'Not charging', 'Full'] as const;

/** sysfs attributes are at most a page: a longer `uevent` is cut there. */
export const MAX_UEVENT_BYTES = 4096;

export interface SupplyState {
  name: string;
  /** One of SUPPLY_STATUSES (a value the kernel does not define reads as Unknown); undefined without `status`. */
  status?: string;
  /** The `uevent` text; undefined when it cannot be read. */
  uevent?: string;
}

function statusOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return (SUPPLY_STATUSES as readonly string[]).includes(text) ? text : 'Unknown';
}

/** Every supply with a `status` or a `uevent`, in name order. */
export async function findSupplyStates(files: HostFiles): Promise<SupplyState[]> {
  const dir = files.sys('class', 'power_supply');
  const out: SupplyState[] = [];
  for (const name of (await files.list(dir)).sort().slice(0, MAX_SUPPLIES)) {
    const status = statusOf(await files.attr(path.join(dir, name, 'status')));
    const uevent = (await files.read(path.join(dir, name, 'uevent')))?.slice(0, MAX_UEVENT_BYTES);
    if (status === undefined && uevent === undefined) continue;
    out.push({ name, status, uevent });
  }
  return out;
}

/** Which of `status` / `uevent` some supply has, read synchronously at registration. */
export function supplyStateSync(files: HostFiles): { status: boolean; uevent: boolean } {
  const dir = files.sys('class', 'power_supply');
  const names = files.listSync(dir);
  return {
    status: names.some((n) => files.attrSync(path.join(dir, n, 'status')) !== undefined),
    uevent: names.some((n) => files.readSync(path.join(dir, n, 'uevent')) !== undefined),
  };
}

/**
 * The kernel's power supplies (Documentation/ABI/testing/sysfs-class-power): a battery or UPS
 * backup of a router under `/sys/class/power_supply/<name>/`, with `capacity` (percent charged)
 * and `temp` (tenths of a degree Celsius) where the driver measures them. Mains adapters have
 * neither and give no row.
 */
import path from 'node:path';
import type { HostFiles } from './HostFiles.js';

/** At most this many supplies are served. */
export const MAX_SUPPLIES = 8;

export interface SupplyReading {
  name: string;
  /** Percent charged, 0..100. */
  capacity?: number;
  /** °C. */
  celsius?: number;
  /** The driver's alert levels of capacity (capacity_alert_min/max), percent. */
  capacityLow?: number;
  capacityHigh?: number;
}

const int = (s: string | undefined): number | undefined => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);

export async function findSupplies(files: HostFiles): Promise<SupplyReading[]> {
  const dir = files.sys('class', 'power_supply');
  const out: SupplyReading[] = [];
  for (const name of (await files.list(dir)).sort().slice(0, MAX_SUPPLIES)) {
    const attr = async (a: string): Promise<number | undefined> => int(await files.attr(path.join(dir, name, a)));
    const capacity = await attr('capacity');
    const temp = await attr('temp');
    if (capacity === undefined && temp === undefined) continue;
    out.push({ name, capacity, celsius: temp === undefined ? undefined : temp / 10, capacityLow: await attr('capacity_alert_min'), capacityHigh: await attr('capacity_alert_max') });
  }
  return out;
}

/** Whether any supply measures something, read synchronously at registration. */
export function hasSupplyReadingsSync(files: HostFiles): boolean {
  const dir = files.sys('class', 'power_supply');
  return files.listSync(dir).some((n) => ['capacity', 'temp'].some((a) => int(files.attrSync(path.join(dir, n, a))) !== undefined));
}

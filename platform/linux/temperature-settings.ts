/**
 * What a Controller wrote to a kernel sensor's Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}
 * (Enable, LowAlarmValue, HighAlarmValue, PollingInterval: TR-181 TempStatus:1, TempStatusAdv:2),
 * kept in the agent's store so it outlives a restart of the agent and a reboot. The kernel has no
 * such settings, so without the store they would fall back to the chip's limits at every start.
 *
 * A sensor is named by what survives a reboot, not by its sysfs directory: hwmonN is numbered in
 * probe order, which may differ from one boot to the next. Its identity is its TR-181 Name
 * ("lm75 board"), with "#2", "#3"... for the second and further sensors of the same name in
 * scan order. Only written values are kept; the rest follow the chip.
 *
 * Bounded: at most MAX_SENSORS sensors' settings (the number of sensors served). A write drops
 * the settings of sensors absent from the scan it was made on before it would pass the bound;
 * a sensor that stays away keeps its settings only until then, and they do nothing meanwhile.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_SENSORS } from './temperature-sysfs.js';

/** The store row holding them, beside nothing else of the agent's. */
const ROW = 'Device.DeviceInfo.TemperatureStatus.';
/** In that row: a JSON object, sensor identity → the values written. */
const KEY = '$sensorSettings';

/** The writable parameters of a sensor, as a Controller last wrote them (absent: the chip's). */
export interface WrittenSettings {
  Enable?: boolean;
  LowAlarmValue?: number;
  HighAlarmValue?: number;
  PollingInterval?: number;
}

const PARAMS = ['Enable', 'LowAlarmValue', 'HighAlarmValue', 'PollingInterval'] as const;

/** Identity of each sensor, in scan order: its Name, "#k" from its second namesake on. */
export function sensorIdentities(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const k = (seen.get(name) ?? 0) + 1;
    seen.set(name, k);
    return k === 1 ? name : `${name}#${k}`;
  });
}

/** The sensors' written settings in `store` (none without a store: they last until the agent stops). */
export class SensorSettings {
  /** The stored text last parsed, and what it held: a poll reads the settings without parsing them again. */
  private parsedText: string | undefined;
  private parsed: Record<string, WrittenSettings> = {};
  /** Without a store: held here for the life of the agent. */
  private readonly held = new Map<string, WrittenSettings>();

  constructor(private readonly store: DataStore | undefined) {}

  /** What was written for sensor `id` (empty: nothing, the chip's values apply). */
  of(id: string): WrittenSettings {
    if (!this.store) return this.held.get(id) ?? {};
    return this.all()[id] ?? {};
  }

  /**
   * Keeps `changes` (their writable parameters) for sensor `id`; `present` are the identities the
   * last scan found, whose settings are never the ones dropped to stay within the bound.
   */
  write(id: string, changes: Record<string, Value>, present: readonly string[]): void {
    const next: WrittenSettings = { ...this.of(id) };
    for (const p of PARAMS) if (changes[p] !== undefined) (next as Record<string, Value>)[p] = changes[p];
    if (!this.store) {
      this.held.set(id, next);
      return;
    }
    const all = { ...this.all(), [id]: next };
    const ids = Object.keys(all);
    if (ids.length > MAX_SENSORS) {
      const here = new Set(present);
      // Sensors away from this scan go first, the earliest written first (object keys keep insertion order).
      for (const gone of ids.filter((x) => !here.has(x) && x !== id).slice(0, ids.length - MAX_SENSORS)) delete all[gone];
    }
    this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [KEY]: JSON.stringify(all) });
  }

  private all(): Record<string, WrittenSettings> {
    const text = this.store!.row(ROW)?.[KEY];
    if (typeof text !== 'string') return {};
    if (text !== this.parsedText) {
      this.parsedText = text;
      try {
        this.parsed = sanitize(JSON.parse(text) as unknown);
      } catch {
        // A damaged entry (edited by hand) is no settings, not a failed start: the chip's values apply.
        this.parsed = {};
      }
    }
    return this.parsed;
  }
}

/** Keeps only well-typed values: the store file may have been edited by hand. */
function sanitize(raw: unknown): Record<string, WrittenSettings> {
  const out: Record<string, WrittenSettings> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null) continue;
    const s = v as Record<string, unknown>;
    const w: WrittenSettings = {};
    if (typeof s.Enable === 'boolean') w.Enable = s.Enable;
    for (const p of ['LowAlarmValue', 'HighAlarmValue', 'PollingInterval'] as const) if (typeof s[p] === 'number' && Number.isInteger(s[p])) w[p] = s[p];
    out[id] = w;
  }
  return out;
}

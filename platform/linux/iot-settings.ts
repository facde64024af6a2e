/**
 * What a Controller wrote to the host's IoT capabilities, kept in the agent's store so it
 * outlives a restart and a reboot: the kernel forgets an LED's brightness and trigger at every
 * boot (and on OpenWrt the `led` sections of UCI `system` are applied again by /etc/init.d/led),
 * and has no thresholds or step sizes at all. At start (stateLoaded) the agent writes the stored
 * LED settings back to sysfs, after the boot scripts have run, so the Controller's setting is
 * the one in force.
 *
 * Keyed by what survives a reboot: the LED's name, the sensor's Name (temperature-settings.ts).
 * Bounded: at most MAX_ENTRIES entries of each kind; a new one past the bound drops the oldest.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';

const ROW = 'Device.IoTCapability.';
const KEY = '$hostSettings';
const MAX_ENTRIES = 64;

export interface LedSetting {
  brightness?: number;
  trigger?: string;
  step?: number;
}
export interface ThresholdSetting {
  low?: number;
  high?: number;
}
interface AllSettings {
  leds: Record<string, LedSetting>;
  thresholds: Record<string, ThresholdSetting>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Keeps only well-typed entries: the store file may have been edited by hand. */
function sanitize(raw: unknown): AllSettings {
  const out: AllSettings = { leds: {}, thresholds: {} };
  if (typeof raw !== 'object' || raw === null) return out;
  const r = raw as { leds?: Record<string, Record<string, unknown>>; thresholds?: Record<string, Record<string, unknown>> };
  for (const [k, v] of Object.entries(r.leds ?? {})) {
    if (typeof v !== 'object' || v === null) continue;
    out.leds[k] = { brightness: num(v.brightness), trigger: typeof v.trigger === 'string' ? v.trigger : undefined, step: num(v.step) };
  }
  for (const [k, v] of Object.entries(r.thresholds ?? {})) {
    if (typeof v === 'object' && v !== null) out.thresholds[k] = { low: num(v.low), high: num(v.high) };
  }
  return out;
}

function bounded<T>(all: Record<string, T>, key: string, value: T): Record<string, T> {
  const next = { ...all };
  delete next[key];
  next[key] = value;
  const keys = Object.keys(next);
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete next[old];
  return next;
}

export class IoTHostSettings {
  /** Without a store: held for the life of the agent. */
  private held: AllSettings = { leds: {}, thresholds: {} };

  constructor(private readonly store: DataStore | undefined) {}

  private all(): AllSettings {
    if (!this.store) return this.held;
    const text = this.store.row(ROW)?.[KEY];
    if (typeof text !== 'string') return { leds: {}, thresholds: {} };
    try {
      return sanitize(JSON.parse(text) as unknown);
    } catch {
      // A damaged entry is no settings, not a failed start: the device's own values apply.
      return { leds: {}, thresholds: {} };
    }
  }

  private save(all: AllSettings): void {
    if (!this.store) this.held = all;
    else this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [KEY]: JSON.stringify(all) });
  }

  led(name: string): LedSetting {
    return this.all().leds[name] ?? {};
  }
  leds(): Record<string, LedSetting> {
    return this.all().leds;
  }
  threshold(id: string): ThresholdSetting {
    return this.all().thresholds[id] ?? {};
  }

  writeLed(name: string, change: LedSetting): void {
    const all = this.all();
    const next: LedSetting = { ...all.leds[name], ...change };
    // A trigger drives the brightness itself: a stored brightness would switch it off again at start.
    if (change.trigger !== undefined && change.trigger !== 'none') delete next.brightness;
    // The kernel removes the trigger of an LED set to 0: so does the setting.
    if (change.brightness === 0 && next.trigger !== undefined) next.trigger = 'none';
    this.save({ ...all, leds: bounded(all.leds, name, next) });
  }

  writeThreshold(id: string, change: ThresholdSetting): void {
    const all = this.all();
    this.save({ ...all, thresholds: bounded(all.thresholds, id, { ...all.thresholds[id], ...change }) });
  }
}

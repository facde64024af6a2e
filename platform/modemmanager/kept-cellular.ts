/**
 * What a Controller wrote to Device.Cellular. on generic Linux that ModemManager itself forgets,
 * kept in the agent's store so the agent can apply it again (cellular-restore.ts) when the agent
 * starts, and when ModemManager restarts or re-probes a modem:
 *
 * - Interface.{i}.NetworkRequested per modem (by its physical device path): ModemManager does
 *   not say which operator it was asked for and registers automatically after a restart.
 * - the AccessPoint rows a Controller added (or remade by a Set): ModemManager keeps bearers in
 *   memory only. Each is its bearer's properties, the modem's device path, and Enable as last
 *   written (whether the Controller wants it connected).
 * - Device.Cellular.RoamingEnabled as last written: the allow-roaming of the bearers made again.
 *
 * Both live in the store row "Device.Cellular." under `$` keys (no TR-181 parameter has one),
 * written only inside the Controller's transaction (saved, or put back, with it). Without a
 * store they are held for the life of the agent. Bounded: MAX_KEPT_MODEMS requested networks,
 * MAX_KEPT_BEARERS access points (the oldest go first).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Value } from '../../datamodel/value/Value.js';

const ROW = 'Device.Cellular.';
const REQUESTED_KEY = '$networkRequested';
const BEARERS_KEY = '$controllerBearers';
const ROAMING_KEY = '$roamingEnabled';
/** Modems whose requested network is kept at most (a gateway has one or two). */
export const MAX_KEPT_MODEMS = 16;
/** Access points kept at most: as many as the bearer table serves (bearer-access-points.ts MAX_BEARERS). */
export const MAX_KEPT_BEARERS = 16;

/** One access point a Controller made: its bearer's properties as TR-181 values. */
export interface KeptBearer {
  /** Stable id within the store (instance numbers and bearer paths change across restarts). */
  id: number;
  /** The modem's stable key (its device path). */
  modem: string;
  APN: string;
  Username: string;
  Password: string;
  /** 4, 6, or -1 (both, the modem's choice). */
  IPVersion: number;
  Type: string;
  /** Whether the Controller wants it connected. */
  Enable: boolean;
}

/** The kept values in one store (or in memory). */
export class KeptCellular {
  private readonly memory = new Map<string, Value>();

  constructor(private readonly store: DataStore | undefined) {}

  /** Whether a requested network or an access point is kept (RoamingEnabled alone needs no restore). */
  anything(): boolean {
    return Object.keys(this.requested()).length > 0 || this.bearers().length > 0;
  }

  /** NetworkRequested of modem `modem` ("" automatic, the default). */
  networkRequested(modem: string): string {
    return this.requested()[modem] ?? '';
  }

  setNetworkRequested(modem: string, code: string): void {
    const all = this.requested();
    delete all[modem];
    if (code !== '') all[modem] = code;
    const ids = Object.keys(all);
    // The modems written longest ago go first (object keys keep insertion order).
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_KEPT_MODEMS))) delete all[old];
    this.put(REQUESTED_KEY, JSON.stringify(all));
  }

  bearers(): KeptBearer[] {
    const parsed = parse(this.get(BEARERS_KEY));
    return Array.isArray(parsed) ? parsed.filter(isKeptBearer) : [];
  }

  /** Keeps (or replaces, by id) an access point; returns its id. */
  keepBearer(b: Omit<KeptBearer, 'id'> & { id?: number }): number {
    const all = this.bearers();
    const id = b.id ?? Math.max(0, ...all.map((x) => x.id)) + 1;
    const next = [...all.filter((x) => x.id !== id), { ...b, id }];
    this.put(BEARERS_KEY, JSON.stringify(next.slice(Math.max(0, next.length - MAX_KEPT_BEARERS))));
    return id;
  }

  forgetBearer(id: number): void {
    const all = this.bearers();
    if (all.some((x) => x.id === id)) this.put(BEARERS_KEY, JSON.stringify(all.filter((x) => x.id !== id)));
  }

  /** RoamingEnabled as last written (undefined: never). */
  roaming(): boolean | undefined {
    const v = this.get(ROAMING_KEY);
    return typeof v === 'boolean' ? v : undefined;
  }

  setRoaming(enabled: boolean): void {
    if (!this.store) this.memory.set(ROAMING_KEY, enabled);
    else this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [ROAMING_KEY]: enabled });
  }

  private requested(): Record<string, string> {
    const parsed = parse(this.get(REQUESTED_KEY));
    const out: Record<string, string> = {};
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string' && /^\d{5,6}$/.test(v)) out[k] = v;
    }
    return out;
  }

  private get(key: string): Value | undefined {
    return this.store ? this.store.row(ROW)?.[key] : this.memory.get(key);
  }

  private put(key: string, text: string): void {
    if (!this.store) this.memory.set(key, text);
    else this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [key]: text });
  }
}

/** The JSON of a kept value; undefined when absent or damaged (edited by hand): nothing kept, not a failed start. */
function parse(text: Value | undefined): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isKeptBearer(x: unknown): x is KeptBearer {
  if (typeof x !== 'object' || x === null) return false;
  const b = x as Record<string, unknown>;
  return (
    typeof b.id === 'number' &&
    typeof b.modem === 'string' &&
    typeof b.APN === 'string' &&
    typeof b.Username === 'string' &&
    typeof b.Password === 'string' &&
    typeof b.IPVersion === 'number' &&
    typeof b.Type === 'string' &&
    typeof b.Enable === 'boolean'
  );
}

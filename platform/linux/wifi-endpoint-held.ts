/**
 * What the agent keeps of Device.WiFi.EndPoint. on generic Linux because wpa_supplicant does not
 * keep it across its own restart, or cannot say it: the station interfaces a Controller added
 * (wpa_supplicant starts only those on its command line), the EndPoints a Controller disabled
 * (`disconnect` lasts until wpa_supplicant restarts), the WPS settings written (config_methods
 * is saved only with update_config=1), and which WEP key length a Profile was given (wpa_supplicant
 * prints every key as "*"). One JSON value in the agent's store (row Device.WiFi., beside the
 * Profile Locations); without a store, kept for the life of the agent. Bounded.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';

const ROW = 'Device.WiFi.';
const KEY = '$endpointHeld';
/** Station interfaces a Controller may add in all (wpa_supplicant runs each with its own control socket). */
export const MAX_ADDED_STATIONS = 8;
/** WEP lengths kept (stations × networks); past it, the earliest written goes. */
const MAX_WEP = 512;
const MAX_STATIONS = 64;

/** The WPS settings a Controller wrote for one station. */
export interface HeldWps {
  enable: boolean;
  /** config_methods while enabled (wpa_supplicant's words). */
  methods: string;
}

interface Held {
  added: string[];
  disabled: string[];
  wps: Record<string, HeldWps>;
  wep: Record<string, 'WEP-64' | 'WEP-128'>;
}

const IFNAME = /^[\w.-]{1,15}$/;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && IFNAME.test(x)) : []);
const record = <T>(v: unknown, ok: (x: unknown) => x is T): Record<string, T> =>
  typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).filter((e): e is [string, T] => ok(e[1]))) : {};
const isWps = (x: unknown): x is HeldWps => typeof x === 'object' && x !== null && typeof (x as HeldWps).enable === 'boolean' && typeof (x as HeldWps).methods === 'string';
const isWep = (x: unknown): x is 'WEP-64' | 'WEP-128' => x === 'WEP-64' || x === 'WEP-128';

/** Keeps the first `max` entries of a record, dropping the earliest written. */
function bounded<T>(r: Record<string, T>, max: number): Record<string, T> {
  const keys = Object.keys(r);
  return Object.fromEntries(keys.slice(Math.max(0, keys.length - max)).map((k) => [k, r[k]!]));
}

export class EndPointHeld {
  private memory: Held = { added: [], disabled: [], wps: {}, wep: {} };
  constructor(private readonly store: DataStore | undefined) {}

  private read(): Held {
    if (!this.store) return this.memory;
    const text = this.store.row(ROW)?.[KEY];
    try {
      const v = (typeof text === 'string' ? JSON.parse(text) : {}) as Record<string, unknown>;
      return { added: strings(v.added).slice(0, MAX_ADDED_STATIONS), disabled: strings(v.disabled).slice(0, MAX_STATIONS), wps: record(v.wps, isWps), wep: record(v.wep, isWep) };
    } catch {
      return { added: [], disabled: [], wps: {}, wep: {} };
    }
  }

  private write(change: (h: Held) => void): void {
    const h = this.read();
    change(h);
    const next: Held = {
      added: [...new Set(h.added)].slice(0, MAX_ADDED_STATIONS),
      disabled: [...new Set(h.disabled)].slice(-MAX_STATIONS),
      wps: bounded(h.wps, MAX_STATIONS),
      wep: bounded(h.wep, MAX_WEP),
    };
    if (!this.store) this.memory = next;
    else this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [KEY]: JSON.stringify(next) });
  }

  /** The station interfaces a Controller added, in the order added. */
  added(): string[] {
    return this.read().added;
  }
  setAdded(ifname: string, on: boolean): void {
    this.write((h) => {
      h.added = h.added.filter((x) => x !== ifname);
      if (on) h.added.push(ifname);
    });
  }

  /** Whether a Controller set EndPoint.Enable false on `ifname`. */
  disabled(ifname: string): boolean {
    return this.read().disabled.includes(ifname);
  }
  setDisabled(ifname: string, off: boolean): void {
    this.write((h) => {
      h.disabled = h.disabled.filter((x) => x !== ifname);
      if (off) h.disabled.push(ifname);
    });
  }

  /** The WPS settings written for `ifname`; undefined: none written (wpa_supplicant's own apply). */
  wps(ifname: string): HeldWps | undefined {
    return this.read().wps[ifname];
  }
  setWps(ifname: string, wps: HeldWps | undefined): void {
    this.write((h) => {
      delete h.wps[ifname];
      if (wps) h.wps[ifname] = wps;
    });
  }

  /** The WEP mode given to network `id` of `ifname`, when the agent gave one. */
  wep(ifname: string, id: number): 'WEP-64' | 'WEP-128' | undefined {
    return this.read().wep[`${ifname}/${id}`];
  }
  setWep(ifname: string, id: number, mode: 'WEP-64' | 'WEP-128' | undefined): void {
    this.write((h) => {
      delete h.wep[`${ifname}/${id}`];
      if (mode) h.wep[`${ifname}/${id}`] = mode;
    });
  }

  /** Forgets what was kept of a station interface (its Delete). */
  forget(ifname: string): void {
    this.write((h) => {
      h.added = h.added.filter((x) => x !== ifname);
      h.disabled = h.disabled.filter((x) => x !== ifname);
      delete h.wps[ifname];
      for (const k of Object.keys(h.wep)) if (k.startsWith(`${ifname}/`)) delete h.wep[k];
    });
  }
}

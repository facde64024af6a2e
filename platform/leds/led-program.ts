/**
 * What a Controller programmed on the LEDs (TR-181 LEDAdv:1): per LED a label (LED.{i}.Name) and
 * the rows of its CycleElement.{i}. table, kept by the agent. An LED without rows of its own
 * shows what its platform drives (the kernel trigger, the simulated firmware); once a Controller
 * adds, changes or deletes a row the LED plays the programmed cycle (its enabled elements in
 * Order), and when the last row is deleted, or none is enabled, it goes back to its own driver.
 *
 * The map is built on the first write, so a fleet gateway nobody programs holds only an empty
 * field. A store (when the platform has one) keeps the programs across agent restarts, as one
 * JSON text in a `$`-key of Device.LEDs. (the agent's own, never served).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/** Elements per LED (ledtrig-pattern takes at most 1024 brightness/duration pairs; each element needs up to three). */
export const MAX_CYCLE_ELEMENTS = 32;
/** LEDs with a program or a label (the platforms serve at most 64 LEDs). */
const MAX_PROGRAMS = 64;
/** Longest Duration or FadeInterval accepted, ms (one day): a longer cycle is a mistake, not a light show. */
export const MAX_ELEMENT_MS = 86_400_000;
/** Longest label kept. */
export const MAX_LABEL = 64;

/** One CycleElement row as the Controller set it. */
export interface ProgramElement {
  /** The row's instance number. */
  n: number;
  enable: boolean;
  order: number;
  /** Six hex digits, upper case. */
  color: string;
  durationMs: number;
  fadeMs: number;
}

/** One LED's program. */
export interface LedProgram {
  /** LED.{i}.Name as the Controller set it; the device name is served while unset. */
  label?: string;
  /** The CycleElement rows; undefined: the LED shows what its platform drives. */
  elements?: ProgramElement[];
  /** The next row number (never reused while the agent runs). */
  next?: number;
  /** When the cycle last (re)started, ms of the platform's clock: where in it the LED is follows from it. */
  startedAt?: number;
  /** The LED's trigger before the agent programmed it (sysfs), to go back to. */
  previousTrigger?: string;
  /** Its brightness then, when that trigger was "none". */
  previousBrightness?: number;
}

const ROW = 'Device.LEDs.';
const KEY = '$ledPrograms';

/** The enabled elements in Order: what the LED plays. */
export function playedElements(p: LedProgram | undefined): ProgramElement[] {
  return (p?.elements ?? []).filter((e) => e.enable).sort((a, b) => a.order - b.order || a.n - b.n);
}

/** True when the LED plays its program rather than its own driver. */
export function isPlaying(p: LedProgram | undefined): boolean {
  return playedElements(p).length > 0;
}

/**
 * The element lit at `now` and what is left of it, from the clock: the cycle repeats from
 * `startedAt` without end (CyclePeriodRepetitions -1). A cycle of zero length is its first
 * element held (Duration 0: until the state changes, as TR-181 has it).
 */
export function currentElement(p: LedProgram, now: number): { element: ProgramElement; remainingMs: number } | undefined {
  const played = playedElements(p);
  if (played.length === 0) return undefined;
  const total = played.reduce((s, e) => s + e.durationMs, 0);
  if (total === 0) return { element: played[0], remainingMs: 0 };
  let at = (((now - (p.startedAt ?? 0)) % total) + total) % total;
  for (const e of played) {
    if (at < e.durationMs) return { element: e, remainingMs: e.durationMs - at };
    at -= e.durationMs;
  }
  return { element: played[0], remainingMs: played[0].durationMs };
}

/** A copy deep enough that changing the copy leaves the original as it was (snapshots, undo). */
export function copyProgram(p: LedProgram | undefined): LedProgram | undefined {
  return p === undefined ? undefined : { ...p, elements: p.elements?.map((e) => ({ ...e })) };
}

/** The programs of one device's LEDs, by the LED's device name. */
export class LedPrograms {
  private map: Map<string, LedProgram> | undefined;

  constructor(private readonly store?: DataStore) {}

  get(name: string): LedProgram | undefined {
    return this.map?.get(name);
  }

  /** Every LED with a program, for re-applying them at start. */
  entries(): [string, LedProgram][] {
    return [...(this.map?.entries() ?? [])];
  }

  /** Replaces (undefined: forgets) the program of `name` and keeps the lot in the store. */
  put(name: string, p: LedProgram | undefined): void {
    const empty = p === undefined || (p.label === undefined && p.elements === undefined && p.previousTrigger === undefined);
    if (empty) this.map?.delete(name);
    else {
      this.map ??= new Map();
      if (!this.map.has(name) && this.map.size >= MAX_PROGRAMS) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_PROGRAMS} LEDs are programmed`);
      this.map.set(name, p);
    }
    this.save();
  }

  /** Reads the programs the store kept (a damaged text is dropped: the LEDs then show their own driver). */
  load(): void {
    const text = this.store?.row(ROW)?.[KEY];
    if (typeof text !== 'string' || text === '') return;
    try {
      const kept = JSON.parse(text) as Record<string, LedProgram>;
      this.map = new Map(
        Object.entries(kept)
          .slice(0, MAX_PROGRAMS)
          .filter(([, p]) => typeof p === 'object' && p !== null),
      );
    } catch {
      this.map = undefined;
    }
  }

  private save(): void {
    if (!this.store) return;
    const text = this.map && this.map.size > 0 ? JSON.stringify(Object.fromEntries(this.map)) : '';
    this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), [KEY]: text });
  }
}

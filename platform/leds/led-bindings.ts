/**
 * Device.LEDs.LED.{i}. with its CycleElement.{i}. and CurrentCycleElement. over any LedSource
 * (TR-181 2.11 LEDBasic:1; Device.LEDs.LEDNumberOfEntries follows from the table). These serve
 * what a platform sees, read-only; a platform that can play a cycle a Controller programs
 * (LEDAdv:1) registers with a LedCycleControl, and led-cycle-bindings.ts adds the writes over
 * them. Bindings are classes, one copy of their methods for a fleet of simulated gateways.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';

export const LED_ROW = 'Device.LEDs.LED.{i}.';
/** Device.LEDs. itself serves only the derived LEDNumberOfEntries: one binding for a whole fleet. */
const LEDS_OBJECT: ObjectBinding = { params: [], get: () => ({}) };

/** One element of an LED's cycle period: what it shows and for how long (0: until the state changes). */
export interface LedCycleElement {
  /** RGB hex, six digits ("00FF00"); "000000" is dark; undefined when the LED's colour is unknown (left out of a Get). */
  color?: string;
  durationMs: number;
}

/** What one LED shows now, as a platform sees it. */
export interface LedRow {
  /** Stable name (the kernel's LED name), the table's functional unique key. */
  name: string;
  /** TR-181 enumeration: Disabled, InUse, Controlled or Error. */
  status: 'Disabled' | 'InUse' | 'Controlled' | 'Error';
  /** What the lighting means ("netdev", "Broadband Down"); "" when nothing drives it. */
  reason: string;
  /** Cycle periods left; -1 for a cycle that runs until the LED's driver changes. */
  repetitions: number;
  location: 'Front' | 'Back' | 'Left' | 'Right' | 'Top' | 'Bottom';
  /** 0 and 0: the position is unknown (TR-181). */
  x: number;
  y: number;
  /** The hardware's maximum brightness, when known. */
  maxBrightness?: number;
  elements: readonly LedCycleElement[];
  /** The element lit now (0-based) and what is left of it, ms; undefined when unknown. */
  current?: { index: number; remainingMs: number; color?: string };
}

export interface LedSource {
  /** Every LED, in a stable order; one call fills the table and its sub-objects. */
  leds(): Promise<readonly LedRow[]>;
  /** Forgets what was read (a source that caches), after the agent wrote to the LEDs. */
  invalidate?(): void;
}

export const ROW_PARAMS = ['Name', 'Status', 'Reason', 'CyclePeriodRepetitions', 'Location', 'RelativeXPosition', 'RelativeYPosition', 'MaxBrightness'] as const;
export const ELEMENT_PARAMS = ['Enable', 'Order', 'Color', 'Duration', 'FadeInterval'] as const;
export const CURRENT_PARAMS = ['CycleElementReference', 'Color', 'Duration'] as const;

/** The LEDs of one source with their instance numbers (per device: a fleet gateway makes one when first read). */
export class LedRows {
  private readonly numbers = new InstanceMap();

  constructor(private readonly source: LedSource) {}

  async list(): Promise<number[]> {
    return this.numbers.list((await this.source.leds()).map((r) => r.name));
  }

  /** The next read asks the source again. */
  invalidate(): void {
    this.source.invalidate?.();
  }

  identity(keys: InstanceKeys): string | undefined {
    return this.numbers.keyOf(keys[0]);
  }

  async row(keys: InstanceKeys): Promise<LedRow> {
    const name = this.numbers.keyOf(keys[0]);
    const row = name === undefined ? undefined : (await this.source.leds()).find((r) => r.name === name);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no LED ${keys[0]}`);
    return row;
  }
}

export class LedBinding implements ObjectBinding {
  readonly params = ROW_PARAMS;
  readonly writable: readonly string[] = [];
  constructor(protected readonly rows: LedRows) {}
  list(): Promise<number[]> {
    return this.rows.list();
  }
  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const r = await this.rows.row(keys);
    return {
      Name: r.name,
      Status: r.status,
      Reason: r.reason,
      CyclePeriodRepetitions: r.repetitions,
      Location: r.location,
      RelativeXPosition: r.x,
      RelativeYPosition: r.y,
      ...(r.maxBrightness === undefined ? {} : { MaxBrightness: r.maxBrightness }),
    };
  }
  rowIdentity(keys: InstanceKeys): string | undefined {
    return this.rows.identity(keys);
  }
}

/** CycleElement n is the n-th element: Order is the instance number, so the table never reorders. */
export class CycleElementBinding implements ObjectBinding {
  readonly params = ELEMENT_PARAMS;
  readonly writable: readonly string[] = [];
  constructor(protected readonly rows: LedRows) {}
  async list(parentKeys: InstanceKeys): Promise<number[]> {
    return (await this.rows.row(parentKeys)).elements.map((_, i) => i + 1);
  }
  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const e = (await this.rows.row(keys)).elements[keys[1] - 1];
    if (!e) throw new UspError(ErrorCode.ObjectDoesNotExist, `no cycle element ${keys[1]} of LED ${keys[0]}`);
    // No fading: sysfs and the simulated gateway switch between elements at once.
    return { Enable: true, Order: keys[1], Color: e.color, Duration: e.durationMs, FadeInterval: 0 } as Record<string, Value>;
  }
}

export class CurrentCycleElementBinding implements ObjectBinding {
  readonly params = CURRENT_PARAMS;
  constructor(protected readonly rows: LedRows) {}
  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const r = await this.rows.row(keys);
    const e = r.current === undefined ? undefined : r.elements[r.current.index];
    // TR-181: no element active (an LED whose state cannot be read) is an empty reference.
    if (!e || !r.current) return { CycleElementReference: '', Color: undefined, Duration: undefined } as unknown as Record<string, Value>;
    const color = r.current.color ?? e.color;
    return { CycleElementReference: `Device.LEDs.LED.${keys[0]}.CycleElement.${r.current.index + 1}`, Color: color, Duration: r.current.remainingMs } as Record<string, Value>;
  }
}

/** Registers Device.LEDs.LED.{i}. and its sub-objects over `source`, read-only (LEDBasic:1). */
export function registerLEDs(model: DataModel, source: LedSource): void {
  registerLedBindings(model, new LedRows(source));
}

/** Registers the LEDs' bindings (led-cycle-bindings.ts gives its writable ones). */
export function registerLedBindings(
  model: DataModel,
  rows: LedRows,
  bindings: { led: ObjectBinding; element: ObjectBinding; current: ObjectBinding } = {
    led: new LedBinding(rows),
    element: new CycleElementBinding(rows),
    current: new CurrentCycleElementBinding(rows),
  },
): void {
  model.register('Device.LEDs.', LEDS_OBJECT);
  model.register(LED_ROW, bindings.led);
  model.register(`${LED_ROW}CycleElement.{i}.`, bindings.element);
  model.register(`${LED_ROW}CurrentCycleElement.`, bindings.current);
}

/**
 * LEDAdv:1 over the read-only LED bindings (led-bindings.ts): LED.{i}.Name is a label the agent
 * keeps (the LED keeps its device name as its identity), and CycleElement.{i}. is a table a
 * Controller adds to, changes and deletes from (led-program.ts has what a program means). Each
 * change is put into effect by the platform's LedCycleControl before it is kept, so a cycle the
 * device refuses (a colour it cannot show) leaves nothing behind (7012).
 *
 * While an LED is not programmed its table shows the elements its own driver plays (instance
 * numbers 1..n); the first Set or Delete of one of them copies them into a program first, an Add
 * starts an empty program (numbered after them).
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalid, type BadParam } from '../stored-table.js';
import { CurrentCycleElementBinding, CycleElementBinding, ELEMENT_PARAMS, LedBinding, LedRows, registerLedBindings, type LedRow, type LedSource } from './led-bindings.js';
import { copyProgram, currentElement, isPlaying, type LedPrograms, MAX_CYCLE_ELEMENTS, MAX_ELEMENT_MS, MAX_LABEL, type LedProgram, type ProgramElement } from './led-program.js';

/** How a platform plays a program on one LED. */
export interface LedCycleControl {
  readonly programs: LedPrograms;
  now(): number;
  /** Why this LED cannot show `color` (hex RGB, upper case); undefined when it can. */
  colorProblem?(row: LedRow, color: string): string | undefined;
  /**
   * Puts `after` into effect on the LED (`before` is what plays now): its enabled elements in
   * Order, or, with none, the LED's own driver again. It may note what it needs to go back
   * (previousTrigger) in `after`. Throws a UspError (7012) when the device refuses.
   */
  play(row: LedRow, before: LedProgram | undefined, after: LedProgram): Promise<void>;
  /**
   * False when something else took the LED over since (another trigger written to sysfs), seen
   * from the row's Reason: Status and CurrentCycleElement then say what the LED does, while the
   * table keeps the Controller's rows. Absent: a program is always in effect.
   */
  inEffect?(row: Pick<LedRow, 'reason'>): boolean;
}

const LED_PARAMS_WRITABLE = ['Name'] as const;
/** Shown as Reason while the LED plays a Controller's cycle. */
export const PROGRAMMED_REASON = 'Controller Cycle';

export class ProgrammableLedBinding extends LedBinding {
  override readonly writable = LED_PARAMS_WRITABLE;
  constructor(
    rows: LedRows,
    private readonly control: LedCycleControl,
  ) {
    super(rows);
  }
  override async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const out = await super.get(keys);
    const p = this.control.programs.get(String(out.Name));
    if (p?.label !== undefined) out.Name = p.label;
    if (isPlaying(p) && (this.control.inEffect?.({ reason: String(out.Reason) }) ?? true)) Object.assign(out, { Status: 'InUse', Reason: PROGRAMMED_REASON, CyclePeriodRepetitions: -1 });
    return out;
  }
  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    if (!('Name' in changes)) return;
    const row = await this.rows.row(keys);
    const label = String(changes.Name);
    if (label === '' || label.length > MAX_LABEL) throw invalid([{ param: 'Name', message: `1 to ${MAX_LABEL} characters` }]);
    const p = copyProgram(this.control.programs.get(row.name)) ?? {};
    // The device name again: no label kept.
    p.label = label === row.name ? undefined : label;
    this.control.programs.put(row.name, p);
  }
}

/** The program of `row`'s LED with its table, copied from what the LED shows when it has none. */
function takeOver(row: LedRow, p: LedProgram): ProgramElement[] {
  if (p.elements) return p.elements;
  // An LED of unknown colour lights white in its program: the only colour it can be asked for.
  p.elements = row.elements.map((e, i) => ({ n: i + 1, enable: true, order: i + 1, color: e.color ?? 'FFFFFF', durationMs: e.durationMs, fadeMs: 0 }));
  p.next = row.elements.length + 1;
  return p.elements;
}

export class ProgrammableCycleElementBinding extends CycleElementBinding {
  override readonly writable = ELEMENT_PARAMS;
  constructor(
    rows: LedRows,
    private readonly control: LedCycleControl,
  ) {
    super(rows);
  }
  private program(keys: InstanceKeys): LedProgram | undefined {
    const name = this.rows.identity(keys);
    return name === undefined ? undefined : this.control.programs.get(name);
  }
  override async list(parentKeys: InstanceKeys): Promise<number[]> {
    const els = this.program(parentKeys)?.elements;
    return els ? els.map((e) => e.n).sort((a, b) => a - b) : super.list(parentKeys);
  }
  override async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const els = this.program(keys)?.elements;
    if (!els) return super.get(keys);
    const e = els.find((x) => x.n === keys[1]);
    if (!e) throw new UspError(ErrorCode.ObjectDoesNotExist, `no cycle element ${keys[1]} of LED ${keys[0]}`);
    return { Enable: e.enable, Order: e.order, Color: e.color, Duration: e.durationMs, FadeInterval: e.fadeMs };
  }
  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    // Only the element's own parameters change the cycle (an Alias the Add generated does not).
    if (!ELEMENT_PARAMS.some((k) => k in changes)) return;
    await this.change(keys, (p, row) => {
      const e = takeOver(row, p).find((x) => x.n === keys[1]);
      if (!e) throw new UspError(ErrorCode.ObjectDoesNotExist, `no cycle element ${keys[1]} of LED ${keys[0]}`);
      Object.assign(e, this.checked(row, changes));
    });
  }
  async add(parentKeys: InstanceKeys, params: Record<string, Value>): Promise<number> {
    let n = 0;
    await this.change(parentKeys, (p, row) => {
      if (!p.elements) {
        p.elements = [];
        p.next = row.elements.length + 1;
      }
      if (p.elements.length >= MAX_CYCLE_ELEMENTS) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_CYCLE_ELEMENTS} cycle elements per LED`);
      n = p.next ?? p.elements.length + 1;
      p.next = n + 1;
      const order = Math.max(0, ...p.elements.map((e) => e.order)) + 1;
      p.elements.push({ n, enable: false, order, color: '000000', durationMs: 0, fadeMs: 0, ...this.checked(row, params) });
    });
    return n;
  }
  async delete(keys: InstanceKeys): Promise<void> {
    await this.change(keys, (p, row) => {
      const els = takeOver(row, p);
      const at = els.findIndex((x) => x.n === keys[1]);
      if (at < 0) throw new UspError(ErrorCode.ObjectDoesNotExist, `no cycle element ${keys[1]} of LED ${keys[0]}`);
      els.splice(at, 1);
      // The last row gone: the LED is its driver's again.
      if (els.length === 0) p.elements = undefined;
    });
  }
  snapshot(keys: InstanceKeys): unknown {
    return copyProgram(this.program(keys)) ?? null;
  }
  async restore(keys: InstanceKeys, snap: unknown): Promise<void> {
    await this.change(keys, (p) => {
      const was = (snap as LedProgram | null) ?? {};
      p.elements = was.elements?.map((e) => ({ ...e }));
      p.next = Math.max(p.next ?? 0, was.next ?? 0);
    });
  }

  /** The element fields in `v` (Add params or Set changes), 7012 naming the bad ones. */
  private checked(row: LedRow, v: Record<string, Value>): Partial<ProgramElement> {
    const out: Partial<ProgramElement> = {};
    const bad: BadParam[] = [];
    if (v.Enable !== undefined) out.enable = v.Enable === true;
    if (v.Order !== undefined) out.order = Number(v.Order);
    for (const [param, key] of [
      ['Duration', 'durationMs'],
      ['FadeInterval', 'fadeMs'],
    ] as const) {
      if (v[param] === undefined) continue;
      const ms = Number(v[param]);
      if (ms > MAX_ELEMENT_MS) bad.push({ param, message: `at most ${MAX_ELEMENT_MS} ms` });
      else out[key] = ms;
    }
    if (v.Color !== undefined) {
      const color = String(v.Color).toUpperCase();
      const problem = /^[0-9A-F]{6}$/.test(color) ? this.control.colorProblem?.(row, color) : 'six hex digits (RGB)';
      if (problem) bad.push({ param: 'Color', message: problem });
      else out.color = color;
    }
    if (bad.length > 0) throw invalid(bad);
    return out;
  }

  /** Edits a copy of the LED's program, plays it, and keeps it only once it plays. */
  private async change(keys: InstanceKeys, edit: (p: LedProgram, row: LedRow) => void): Promise<void> {
    const row = await this.rows.row(keys);
    const before = this.control.programs.get(row.name);
    const after = copyProgram(before) ?? {};
    edit(after, row);
    after.startedAt = this.control.now();
    try {
      await this.control.play(row, before, after);
    } finally {
      // Even a refused write may have changed a file before the one refused.
      this.rows.invalidate();
    }
    this.control.programs.put(row.name, after);
  }
}

export class ProgrammableCurrentCycleElementBinding extends CurrentCycleElementBinding {
  constructor(
    rows: LedRows,
    private readonly control: LedCycleControl,
  ) {
    super(rows);
  }
  override async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const name = this.rows.identity(keys);
    const p = name === undefined ? undefined : this.control.programs.get(name);
    const playing = p !== undefined && isPlaying(p) && (this.control.inEffect?.(await this.rows.row(keys)) ?? true);
    const now = playing ? currentElement(p, this.control.now()) : undefined;
    if (!now) return super.get(keys);
    return { CycleElementReference: `Device.LEDs.LED.${keys[0]}.CycleElement.${now.element.n}`, Color: now.element.color, Duration: now.remainingMs };
  }
}

/** Registers Device.LEDs. over `source` with Name and the CycleElement table writable through `control`. */
export function registerProgrammableLEDs(model: DataModel, source: LedSource, control: LedCycleControl): void {
  const rows = new LedRows(source);
  registerLedBindings(model, rows, {
    led: new ProgrammableLedBinding(rows, control),
    element: new ProgrammableCycleElementBinding(rows, control),
    current: new ProgrammableCurrentCycleElementBinding(rows, control),
  });
}

/** One reported figure: a value with its unit, and the target and whether it is met where one exists. */

export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  note?: string;
}

export function figure(value: number, unit: string, target?: Target, note?: string): Figure {
  const f: Figure = { value, unit };
  if (target) {
    f.target = `${target.op} ${target.value}`;
    f.met = target.op === '>=' ? value >= target.value : value <= target.value;
  }
  if (note) f.note = note;
  return f;
}

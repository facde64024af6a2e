/**
 * Reference-parameter values (TR-181 parameters whose syntax has pathRef: LowerLayers,
 * SSIDReference, Interface, ...). TR-106 and TR-369 write them as object instance paths
 * *without* the trailing "." (TR-369 "Path Names": `Device.IP.Interface.1`), lists comma-separated.
 * Platforms build them that way; a Controller may still write the trailing ".", which is taken
 * and stored without it.
 */
import type { Value } from '../datamodel/value/Value.js';

/** One reference, or each item of a reference list, without its trailing "." ("" stays ""). */
export function canonicalReference(value: string): string {
  return value
    .split(',')
    .map((item) => item.trim().replace(/\.$/, ''))
    .filter((item) => item !== '')
    .join(',');
}

/**
 * Rewrites the reference parameters among `names` that `changes` holds into canonical form, in
 * place: the object a binding's set or validate hook receives is the one stored and the one the
 * transaction reports in ValueChange, so both carry the canonical value.
 */
export function canonicalizeReferences(changes: Record<string, Value>, names: readonly string[]): void {
  for (const name of names) {
    const v = changes[name];
    if (typeof v === 'string') changes[name] = canonicalReference(v);
  }
}

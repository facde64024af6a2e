/**
 * The in-memory representation of a TR-181 parameter value (TR-106 §3.2, "Data Types").
 *
 * Values are typed by the schema inside the agent and become TR-106 strings only at the USP
 * edge (see format-value.ts), so providers and the instance tree never juggle lexical forms.
 *
 * | TR-106 base type                     | JS representation                                  |
 * |--------------------------------------|----------------------------------------------------|
 * | boolean                              | `boolean`                                          |
 * | int, unsignedInt                     | `number` (always a safe integer)                   |
 * | long, unsignedLong, decimal          | canonical decimal `string` (exact beyond 2^53)     |
 * | string, dateTime, base64, hexBinary  | canonical `string`                                 |
 * | any list-valued parameter            | canonical comma-joined `string` (items canonical)  |
 *
 * Lists stay strings because a list is one TR-106 value on the wire, and keeping it joined
 * means Get never allocates an array per parameter.
 */
export type Value = string | number | boolean;

/**
 * TR-106 "Unknown Time": the dateTime a device reports when it has no absolute time. Also the
 * epoch of "time since boot" dateTimes (0001-01-01T00:01:20Z = 80 s after boot).
 */
export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

/** TR-106's "infinite" dateTime: a time that never comes (a lease or an address lifetime that never ends). */
export const INFINITE_TIME = '9999-12-31T23:59:59Z';

/** TR-106 dateTime of a wall-clock instant (ms since the epoch), whole seconds, UTC, canonical form. */
export function dateTimeOf(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * TR-181 ControllerTrust.Role.{i}.Permission.{i}.Param / Obj / InstantiatedObj / CommandEvent:
 * four characters in the fixed order "rwxn", '-' where a right is missing (as their TR-181
 * descriptions define them).
 */
import { PERM_N, PERM_R, PERM_W, PERM_X } from '../../datamodel/access/AccessView.js';

const LETTERS: ReadonlyArray<[string, number]> = [
  ['r', PERM_R],
  ['w', PERM_W],
  ['x', PERM_X],
  ['n', PERM_N],
];

/** "r-xn" → R|X|N. A character other than the expected letter (including '-') grants nothing. */
export function parsePermissionString(s: string): number {
  let bits = 0;
  for (let i = 0; i < LETTERS.length; i++) if (s[i] === LETTERS[i][0]) bits |= LETTERS[i][1];
  return bits;
}

/** R|X|N → "r-xn" (logs and tests). */
export function formatPermissionBits(bits: number): string {
  return LETTERS.map(([c, b]) => ((bits & b) !== 0 ? c : '-')).join('');
}

/**
 * The checks every platform's Device.DHCPv4.Client.{i}.SentOption.{i} and ReqOption.{i} share
 * (TR-181 DHCPv4Client:1): Tag is a DHCP option tag (1-254), unique in its client (the table's
 * unique key: 7025), and a SentOption cannot carry an option the client sets in every message
 * itself (requested address, message type, server identifier, parameter request list, maximum
 * message size: RFC 2131/2132).
 */
import { ErrorCode, UspError } from '../datamodel/UspError.js';
import type { InstanceKeys } from '../datamodel/tree/binding.js';
import type { Value } from '../datamodel/value/Value.js';
import type { BadParam, Row } from './stored-table.js';

/** Options a DHCP client puts into every message itself: a SentOption cannot replace them. */
export const OWN_OPTIONS: ReadonlySet<number> = new Set([50, 53, 54, 55, 57]);

/** 7025 for a second row with the same unique key (Tag, Interface), naming the parameter. */
export function duplicateKey(param: string, message: string): UspError {
  return new UspError(ErrorCode.DuplicateUniqueKey, `${param}: ${message}`, { paramErrors: [{ param, message, code: ErrorCode.DuplicateUniqueKey }] });
}

/** What is wrong with a SentOption or ReqOption row: its Tag (1-254, not one the client sets itself, unique in the client). */
export function optionProblems(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>, siblings: Array<[number, Row]>, requested: boolean): BadParam[] {
  const bad: BadParam[] = [];
  const tag = Number(merged.Tag);
  if (changes.Tag !== undefined) {
    if (!Number.isInteger(tag) || tag < 1 || tag > 254) bad.push({ param: 'Tag', message: `${String(changes.Tag)} is not a DHCP option tag (1-254)` });
    else if (!requested && OWN_OPTIONS.has(tag)) bad.push({ param: 'Tag', message: `option ${tag} is set by the DHCP client itself` });
  }
  const self = keys[keys.length - 1];
  // Tag is the table's unique key (TR-181): a second row with it is 7025, as any unique key.
  if (bad.length === 0 && changes.Tag !== undefined && siblings.some(([m, r]) => m !== self && Number(r.Tag) === tag)) throw duplicateKey('Tag', `another row of this client has Tag ${tag}`);
  return bad;
}

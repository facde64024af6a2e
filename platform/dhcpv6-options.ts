/**
 * The checks every platform's Device.DHCPv6 option tables share (TR-181 DHCPv6Client:1,
 * DHCPv6Server:1): a Tag is a DHCPv6 option code (1-65535, RFC 8415 §21), unique in its table
 * (the table's unique key: 7025), and not one of the options the protocol engine itself puts in
 * every message (client and server identifiers, the IA options, the option request list,
 * elapsed time, rapid commit, status code: RFC 8415 §21.2-21.14): a row cannot replace those.
 */
import type { InstanceKeys } from '../datamodel/tree/binding.js';
import type { Value } from '../datamodel/value/Value.js';
import { duplicateKey } from './dhcpv4-client-options.js';
import type { BadParam, Row } from './stored-table.js';

/** RFC 8415 option codes the client or server engine sets itself. */
export const DHCPV6_OWN_OPTIONS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 8, 13, 14, 25, 26]);

/** The option codes the gateway's DHCPv6 clients can ask for with RequestedOptions (RFC 8415, RFC 3646). */
export const DHCPV6_REQUESTABLE = [23, 24, 31, 82] as const;

/** What is wrong with an option row's Tag; throws 7025 for a Tag another row of the table has. */
export function dhcpv6OptionProblems(keys: InstanceKeys, changes: Record<string, Value>, siblings: ReadonlyArray<readonly [number, Row]>): BadParam[] {
  if (changes.Tag === undefined) return [];
  const tag = Number(changes.Tag);
  if (!Number.isInteger(tag) || tag < 1 || tag > 65_535) return [{ param: 'Tag', message: `${String(changes.Tag)} is not a DHCPv6 option code (1-65535)` }];
  if (DHCPV6_OWN_OPTIONS.has(tag)) return [{ param: 'Tag', message: `option ${tag} is set by the DHCPv6 protocol itself` }];
  const self = keys[keys.length - 1];
  if (siblings.some(([m, r]) => m !== self && Number(r.Tag) === tag)) throw duplicateKey('Tag', `another row of this table has Tag ${tag}`);
  return [];
}

/** The items of an unsignedInt list value; undefined when one is not an option code. */
export function optionCodeList(v: Value | undefined): number[] | undefined {
  if (v === undefined || v === '') return [];
  const out = String(v)
    .split(',')
    .map((s) => Number(s.trim()));
  return out.every((n) => Number.isInteger(n) && n >= 1 && n <= 65_535) ? out : undefined;
}

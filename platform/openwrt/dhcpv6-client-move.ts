/**
 * A new Device.DHCPv6.Client.{i}.Interface on OpenWrt. The client is its interface section's
 * `proto 'dhcpv6'` (netifd runs odhcp6c for it), so moving it means: the target section, an
 * interface without addressing (`proto 'none'`), becomes `proto 'dhcpv6'` with the client's
 * options (dhcpv6.sh's `reqaddress`, `reqprefix`, `reqopts`, `clientid`, `sendopts` and the
 * agent's `usp_disabled_sendopts`) and its Enable; the old section goes back to `proto 'none'`
 * without them. All in one commit, so netifd reloads once and never runs two clients for one row.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { sectionEnabled } from './ip-config.js';
import type { UciSection } from './uci-show.js';

/** The options of an interface section that belong to its DHCPv6 client (they move with it; Delete drops them). */
export const DHCPV6_CLIENT_OPTIONS = ['reqaddress', 'reqprefix', 'reqopts', 'clientid', 'sendopts', 'usp_disabled_sendopts'] as const;

/** Deletes of the client's options present in `s`. */
export function dropClientOptions(s: UciSection): UciChange[] {
  return DHCPV6_CLIENT_OPTIONS.filter((o) => s.options[o] !== undefined).map((option) => ({ section: s.name, option, value: '', remove: true }));
}

/**
 * The UCI changes of the move of `s`'s client to `target`, and the section `target` becomes
 * (for the rest of the Set: `changes` without Interface, planned on it by the caller).
 */
export function clientMoveChanges(s: UciSection, target: UciSection, enable: Value | undefined): { changes: UciChange[]; moved: UciSection } {
  const changes: UciChange[] = [{ section: target.name, option: 'proto', value: 'dhcpv6' }];
  // Left-overs of an earlier client on the target would mix with the moved ones.
  changes.push(...dropClientOptions(target).filter((c) => s.options[c.option] === undefined));
  const options: UciSection['options'] = { ...target.options, proto: 'dhcpv6' };
  for (const option of DHCPV6_CLIENT_OPTIONS) {
    const v = s.options[option];
    delete options[option];
    if (v === undefined) continue;
    options[option] = v;
    if (Array.isArray(v)) {
      if (target.options[option] !== undefined) changes.push({ section: target.name, option, value: '', remove: true });
      for (const item of v) changes.push({ section: target.name, option, value: item, append: true });
    } else changes.push({ section: target.name, option, value: v });
  }
  // The row keeps its Enable unless this Set changes it.
  const enabled = enable === undefined ? sectionEnabled(s) : enable === true;
  if (!enabled && sectionEnabled(target)) {
    changes.push({ section: target.name, option: 'disabled', value: '1' });
    options.disabled = '1';
  } else if (enabled) {
    for (const option of ['disabled', 'auto'] as const) {
      if (target.options[option] === undefined) continue;
      changes.push({ section: target.name, option, value: '', remove: true });
      delete options[option];
    }
  }
  changes.push({ section: s.name, option: 'proto', value: 'none' }, ...dropClientOptions(s));
  return { changes, moved: { ...target, options } };
}

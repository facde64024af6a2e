/**
 * What a Device.DHCPv4.Relay.Forwarding.{i}. row (TR-181 DHCPv4Relay:1) may say where the relay
 * is dnsmasq's (`dhcp-relay`, on OpenWrt and on generic Linux): dnsmasq relays every DHCP request
 * arriving on an interface, so it cannot classify requests. The classification criteria
 * (VendorClassID, ClientID, UserClassID, Chaddr, ChaddrMask, their Exclude flags,
 * VendorClassIDMode) read their TR-181 defaults (no criterion) and any other value is refused
 * with 7012. For the same reason one enabled row per Interface: with two, dnsmasq would relay each
 * request to both servers, where TR-181 applies only the first by Order. The one copy of these
 * rules for both platforms.
 */
import type { Value } from '../datamodel/value/Value.js';
import type { BadParam } from './stored-table.js';
import { POOL_CRITERIA } from './dhcpv4-pool-criteria.js';

/**
 * The classification criteria and their TR-181 defaults (no criterion): all dnsmasq's relay can
 * do. A Forwarding row's criteria are a Pool's (same names, same defaults).
 */
export const RELAY_CRITERIA: Readonly<Record<string, Value>> = POOL_CRITERIA;

/** The Forwarding parameters a dnsmasq relay serves. */
export const RELAY_FORWARDING_PARAMS: readonly string[] = ['Enable', 'Status', 'Alias', 'Order', 'Interface', 'LocallyServed', 'DHCPServerIPAddress', ...Object.keys(RELAY_CRITERIA)];

/** What a Set of a Forwarding row changes: the criteria keep their defaults (relayCriteriaProblems), so they are served read-only. */
export const RELAY_FORWARDING_WRITABLE: readonly string[] = ['Enable', 'Alias', 'Order', 'Interface', 'LocallyServed', 'DHCPServerIPAddress'];

const NO_CLASSIFICATION = "dnsmasq's relay forwards every request of the Interface: it cannot classify requests, so only the default (no criterion) is taken";

/** Each criterion `changes` sets to other than its default. */
export function relayCriteriaProblems(changes: Readonly<Record<string, Value>>): BadParam[] {
  const bad: BadParam[] = [];
  for (const [param, dflt] of Object.entries(RELAY_CRITERIA)) if (changes[param] !== undefined && changes[param] !== dflt) bad.push({ param, message: NO_CLASSIFICATION });
  return bad;
}

/** The refusal of a second enabled row on `iface`, whose requests Forwarding.`other` already takes. */
export function relayConflict(other: number, iface: Value): BadParam {
  return {
    param: 'Enable',
    message: `Forwarding.${other} already takes the requests of ${String(iface)}; dnsmasq would relay each of them to both servers (it cannot classify them), so one enabled row per Interface`,
  };
}

/**
 * How a Linux kernel route is named: its row key (IPv4Forwarding/IPv6Forwarding rows are known by
 * it, route-table.ts) and the `ip route` arguments that name it again.
 */
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { IpRoute } from './routing.js';

/** Routes an administrator (or this agent) added: TR-181 StaticRoute, deletable here. */
export const STATIC_PROTOCOLS: ReadonlySet<string> = new Set(['boot', 'static']);

/**
 * Moves instance number of `from` to `to` (a row whose route changed): a number `to` had from an
 * earlier sighting is retired first, so it cannot name this row twice.
 */
export function moveNumber(numbers: InstanceMap, from: string, to: string): void {
  if (from === to) return;
  if (numbers.peek(to) !== undefined) numbers.retire(to);
  numbers.rekey([[from, to]]);
}

/** The row key of a route: what `ip route del` needs to name it again. */
export function routeKey(r: IpRoute): string {
  const key = [r.dst, r.gateway ?? '', r.dev ?? '', r.metric ?? 0, r.type ?? 'unicast'].join('|');
  // A main-table route keeps the key it always had; a policy table's route is told apart by its table.
  return r.table === undefined || r.table === 'main' ? key : `${key}|${r.table}`;
}

/** `ip route` arguments naming route `r`. */
export function routeArgs(r: IpRoute): string[] {
  return [
    ...(r.type && r.type !== 'unicast' ? [r.type] : []),
    r.dst,
    ...(r.gateway ? ['via', r.gateway] : []),
    ...(r.dev ? ['dev', r.dev] : []),
    ...(r.metric ? ['metric', String(r.metric)] : []),
    ...(r.table !== undefined && r.table !== 'main' ? ['table', String(r.table)] : []),
  ];
}

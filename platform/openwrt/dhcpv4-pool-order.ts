/**
 * Pool.{i}.Order and Pool.{i}.ReservedAddresses on OpenWrt (TR-181 DHCPv4Server:1), as far as
 * dnsmasq and its init script can express them:
 *
 * - Order: the pool's place among the `config dhcp` sections of the dhcp config (1 = first).
 *   dnsmasq.init writes one --dhcp-range per section in that order; a Set moves the section with
 *   `uci reorder dhcp.<section>=<position>`. dnsmasq picks the pool by the network a request
 *   arrives on, so the order only matters between pools of one network. A value above the number
 *   of pools puts the pool last.
 * - ReservedAddresses: addresses of the pool's range dnsmasq must not hand out. dnsmasq keeps an
 *   address that a --dhcp-host names out of its dynamic allocation (checked with dnsmasq 2.90:
 *   with a one-address range so reserved, no client gets an offer). dnsmasq.init turns a `config
 *   host` section with `ip` and `name` but no `mac` into --dhcp-host=<name>,<ip>, so each
 *   reserved address is such a section named "usp-reserved-a-b-c-d". Caveat: a client that sends
 *   that very host name in its request is given the address. Sections of that form are read as
 *   reserved addresses, the pool's those inside its network; other name-only hosts are not.
 */
import { ipv4ToNumber, numberToIpv4 } from '../dnsmasq-leases.js';
import type { PoolView } from './dhcpv4-server.js';
import { stringOption, type UciConfig, type UciSection } from './uci-show.js';

/** The `name` prefix of the host sections the agent writes for ReservedAddresses. */
export const RESERVED_PREFIX = 'usp-reserved-';
/** TR-181 Pool.{i}.ReservedAddresses holds at most 32 addresses. */
export const MAX_RESERVED = 32;

/** The host sections reserving addresses of the pool's network. */
export function reservedHosts(config: UciConfig, view: PoolView): UciSection[] {
  return config.filter((s) => {
    if (s.type !== 'host' || s.options.mac !== undefined || s.options.duid !== undefined) return false;
    const ip = stringOption(s.options.ip) ?? '';
    if (stringOption(s.options.name) !== reservedName(ip)) return false;
    const n = ipv4ToNumber(ip);
    return n !== undefined && view.net !== undefined && n > view.net.base && n < view.net.broadcast;
  });
}

/** "192.168.1.5" → "usp-reserved-192-168-1-5" (a valid host name for dnsmasq). */
export function reservedName(ip: string): string {
  return `${RESERVED_PREFIX}${ip.replaceAll('.', '-')}`;
}

/** The pool's ReservedAddresses value, in section order. */
export function reservedAddresses(config: UciConfig, view: PoolView): string {
  return reservedHosts(config, view)
    .map((s) => stringOption(s.options.ip))
    .join(',');
}

export interface ReservedPlan {
  add: string[];
  remove: UciSection[];
}

/**
 * The host sections to add and delete for ReservedAddresses `value`, or why it cannot be: every
 * item an IPv4 address within MinAddress..MaxAddress of the (new) range, at most MAX_RESERVED.
 */
export function planReserved(config: UciConfig, view: PoolView, value: string, range: readonly [number, number] | undefined): ReservedPlan | string {
  const wanted = [
    ...new Set(
      value
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ];
  if (wanted.length > MAX_RESERVED) return `at most ${MAX_RESERVED} addresses`;
  if (!range) return 'the pool has no address range to reserve from';
  for (const a of wanted) {
    const n = ipv4ToNumber(a);
    if (n === undefined || n < range[0] || n > range[1]) return `${a} is not an address of the range ${numberToIpv4(range[0])}-${numberToIpv4(range[1])}`;
  }
  const canonical = wanted.map((a) => numberToIpv4(ipv4ToNumber(a)!));
  const have = reservedHosts(config, view);
  const haveIps = have.map((s) => stringOption(s.options.ip));
  return { add: canonical.filter((a) => !haveIps.includes(a)), remove: have.filter((s) => !canonical.includes(stringOption(s.options.ip) ?? '')) };
}

/** The pool's Order: its 1-based place among the `dhcp` sections. */
export function poolOrder(config: UciConfig, section: string): number {
  return (
    config
      .filter((s) => s.type === 'dhcp')
      .map((s) => s.name)
      .indexOf(section) + 1
  );
}

/**
 * The `uci reorder` position (0-based among all sections) that makes `section` the `order`-th
 * dhcp section, or undefined when it already is. Orders past the last pool put it last.
 */
export function reorderPosition(config: UciConfig, section: string, order: number): number | undefined {
  const pools = config.filter((s) => s.type === 'dhcp' && s.name !== section).map((s) => s.name);
  const k = Math.max(1, Math.min(order, pools.length + 1));
  if (poolOrder(config, section) === k) return undefined;
  const others = config.filter((s) => s.name !== section).map((s) => s.name);
  // Just before the pool now at that place, or just after the last pool.
  const at = k <= pools.length ? others.indexOf(pools[k - 1]) : others.indexOf(pools[pools.length - 1]) + 1;
  return at;
}

/**
 * Device.IP.Interface.{i}.IPv4Enable on OpenWrt (TR-181 IPInterface:2). netifd has no IPv4
 * switch: an interface's IPv4 is its `proto`. Two of them carry IPv4 alone, their IPv6 being
 * another mechanism of the same section or another section:
 * - `static`: `ipaddr` (IPv4) beside `ip6assign` (prefix assignment, read by netifd for every
 *   proto) and `ip6addr`/`ip6gw`/`ip6prefix` (the static proto's own IPv6);
 * - `dhcp`: udhcpc; IPv6 upstream is a `dhcpv6` interface of its own (wan6).
 * IPv4Enable false makes such an interface `proto 'none'` (netifd brings the device up with no
 * addresses and no DHCP client; `ip6assign` still assigns prefixes) and keeps the proto in the
 * agent's option `usp_ipv4_proto`, which netifd does not read; true puts it back. The section's
 * other options (ipaddr, hostname, ...) stay as they are, unread by `none`.
 *
 * Refused (7012), nothing written: a static interface with static IPv6 (`none` would drop it),
 * a proto that carries IPv6 too (PPP, cellular: `none` would end both), a DHCPv6 interface
 * (IPv4 is another section's), true on a static interface without an address (add an
 * IPv4Address instead), and false on the interface holding the IPv4 default route: that is the
 * uplink, and a Controller reaching the device through it would lose it.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

/** The agent's option on an interface section: the proto IPv4Enable false replaced with `none`. */
export const KEPT_PROTO_OPTION = 'usp_ipv4_proto';

/** Protos whose IPv4 can stop without their IPv6. */
const IPV4_ONLY = new Set(['static', 'dhcp', 'none']);
const STATIC_V6 = ['ip6addr', 'ip6gw', 'ip6prefix'];

/** Set on the interfaces Device.IP.IPv4Enable false switched off (not those off on their own). */
export const GLOBAL_SWITCHED_OPTION = 'usp_ipv4_by_global';
/** The globals option: Device.IP.IPv4Enable is false. */
export const GLOBAL_IPV4_OFF = 'usp_ipv4_disabled';

/**
 * IPv4Enable of a section: not switched off by the agent, and a proto carrying IPv4 (an address
 * when static). One the global switch turned off reads its own value, true.
 */
export function ipv4Enabled(s: UciSection): boolean {
  if (uciBool(s.options[GLOBAL_SWITCHED_OPTION], false)) return true;
  if (s.options[KEPT_PROTO_OPTION] !== undefined) return false;
  const proto = stringOption(s.options.proto) ?? '';
  return proto !== 'dhcpv6' && !(proto === 'static' && s.options.ipaddr === undefined);
}

/**
 * The UCI changes of a Set of IPv4Enable on section `s` (nothing for its current value), or why
 * it cannot be made. `uplink`: the interface holds the IPv4 default route now.
 */
export function ipv4EnableChanges(s: UciSection, enable: Value, uplink: boolean): UciChange[] | string {
  if (enable === ipv4Enabled(s)) return [];
  if (uciBool(s.options[GLOBAL_SWITCHED_OPTION], false)) return 'Device.IP.IPv4Enable is false: it holds every interface’s IPv4 off';
  const proto = stringOption(s.options.proto) ?? '';
  const kept = stringOption(s.options[KEPT_PROTO_OPTION]);
  if (enable === true) {
    if (kept !== undefined)
      return [
        { section: s.name, option: 'proto', value: kept },
        { section: s.name, option: KEPT_PROTO_OPTION, value: '', remove: true },
      ];
    if (proto === 'static') return `interface ${s.name} has no IPv4 address: add a Device.IP.Interface.{i}.IPv4Address`;
    return `interface ${s.name} is proto ${proto}: its IPv4 is another interface's`;
  }
  if (!IPV4_ONLY.has(proto)) return `interface ${s.name} is proto ${proto || 'unset'}, which carries IPv6 too: switching its IPv4 off would end both`;
  const v6 = STATIC_V6.filter((o) => s.options[o] !== undefined);
  if (proto === 'static' && v6.length > 0) return `interface ${s.name} has static IPv6 (${v6.join(', ')}), which proto none would drop`;
  if (uplink) return `interface ${s.name} holds the IPv4 default route: the device's uplink, and maybe its Controller's path`;
  return [
    { section: s.name, option: KEPT_PROTO_OPTION, value: proto },
    { section: s.name, option: 'proto', value: 'none' },
  ];
}

export function ipv4GloballyOff(config: UciConfig): boolean {
  return uciBool(config.find((g) => g.type === 'globals')?.options[GLOBAL_IPV4_OFF], false);
}

/**
 * The UCI changes of a Set of Device.IP.IPv4Enable (nothing for its current value), or why it
 * cannot be made. False switches off every interface whose IPv4 is on, as IPv4Enable false on
 * each would (any refusal refuses all), and marks them; true switches back only those marked.
 * `uplinks`: the interfaces holding the IPv4 default route now.
 */
export function globalIPv4Changes(config: UciConfig, enable: Value, uplinks: ReadonlySet<string>): UciChange[] | string {
  const off = ipv4GloballyOff(config);
  if (enable === !off) return [];
  const globals = config.find((g) => g.type === 'globals')?.name ?? 'globals';
  const interfaces = config.filter((s) => s.type === 'interface' && s.name !== 'loopback');
  const out: UciChange[] = [];
  if (enable === false) {
    out.push({ section: globals, option: GLOBAL_IPV4_OFF, value: '1' });
    for (const s of interfaces) {
      if (!ipv4Enabled(s)) continue;
      const r = ipv4EnableChanges(s, false, uplinks.has(s.name));
      if (typeof r === 'string') return r;
      out.push(...r, { section: s.name, option: GLOBAL_SWITCHED_OPTION, value: '1' });
    }
    return out;
  }
  out.push({ section: globals, option: GLOBAL_IPV4_OFF, value: '', remove: true });
  for (const s of interfaces) {
    if (!uciBool(s.options[GLOBAL_SWITCHED_OPTION], false)) continue;
    const kept = stringOption(s.options[KEPT_PROTO_OPTION]);
    out.push({ section: s.name, option: GLOBAL_SWITCHED_OPTION, value: '', remove: true });
    if (kept !== undefined) out.push({ section: s.name, option: 'proto', value: kept }, { section: s.name, option: KEPT_PROTO_OPTION, value: '', remove: true });
  }
  return out;
}

/**
 * Device.IP.Interface.{i}.ULAEnable on OpenWrt (TR-181 IPv6Interface:1). netifd hands each
 * downstream interface with `ip6assign` a part of every IPv6 prefix it knows, and tags each
 * prefix with a class: the ULA prefix of `network.globals.ula_prefix` is class "local", a
 * prefix an interface received (DHCPv6-PD, a static `ip6prefix`) is class <that interface's
 * name>. An interface's `ip6class` list, when present, names the only classes it takes; without
 * it, it takes every class.
 *
 * - false, `ip6class` listing "local": `uci del_list` of that item.
 * - false without `ip6class`: the list becomes every `config interface` name (every class
 *   netifd names after an interface), without "local", and the agent's option `usp_ula_off '1'`
 *   (netifd does not read it) says there was no list, so true deletes the list again. A prefix
 *   from an interface added to the config later has a class this list does not name: that
 *   interface takes none of it until ULAEnable is true again (or its name is added to ip6class).
 * - true: the list deleted (after the agent's own), or "local" added to an operator's list.
 *   Refused (7012) without `ip6assign` (the interface takes no prefix at all) or without a ULA
 *   prefix (set Device.IP.ULAPrefix first).
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { listOption, stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

/** The agent's option on an interface section: it wrote `ip6class` where there was none. */
export const ULA_OFF_OPTION = 'usp_ula_off';
/** netifd's class of the ULA prefix. */
const ULA_CLASS = 'local';

/** The UCI changes of a Set of ULAEnable on interface section `s`, or why it cannot be made. */
export function ulaEnableChanges(s: UciSection, config: UciConfig, enable: Value): UciChange[] | string {
  const classes = listOption(s.options.ip6class);
  const ours = uciBool(s.options[ULA_OFF_OPTION], false);
  const item = (value: string, how: 'append' | 'removeItem'): UciChange => ({ section: s.name, option: 'ip6class', value, [how]: true });
  const remove = (option: string): UciChange => ({ section: s.name, option, value: '', remove: true });
  if (enable === true) {
    if (s.options.ip6assign === undefined) return `interface ${s.name} takes no IPv6 prefix (no ip6assign)`;
    const ula = stringOption(config.find((g) => g.type === 'globals')?.options.ula_prefix) ?? '';
    if (ula === '') return 'no ULA prefix is configured: set Device.IP.ULAPrefix first';
    if (ours) return [remove(ULA_OFF_OPTION), ...(s.options.ip6class === undefined ? [] : [remove('ip6class')])];
    return classes.length === 0 || classes.includes(ULA_CLASS) ? [] : [item(ULA_CLASS, 'append')];
  }
  if (classes.length > 0) return classes.includes(ULA_CLASS) ? [item(ULA_CLASS, 'removeItem')] : [];
  const names = config.filter((c) => c.type === 'interface' && c.name !== ULA_CLASS).map((c) => c.name);
  return [...names.map((n) => item(n, 'append')), { section: s.name, option: ULA_OFF_OPTION, value: '1' }];
}

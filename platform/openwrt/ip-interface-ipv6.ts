/**
 * Device.IP.Interface.{i}.IPv6Enable on OpenWrt: netifd's only IPv6 switch is the `ipv6` option
 * of a `config device` section (the device's disable_ipv6 sysctl, applied by `network reload`,
 * live or by restarting the device). It is the device's, not the interface's: so it is written
 * only for an interface that is alone on a device which has a `config device` section (lan on
 * br-lan in OpenWrt's default config). Where other interfaces share the device (wan and wan6 on
 * one port) the switch would turn IPv6 off for them too, and where the device has no section of
 * its own the Set is refused (7012), with nothing written.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { stringOption, type UciConfig, type UciSection } from './uci-show.js';

/** The UCI change of a Set of IPv6Enable on interface section `s`, or why it cannot be made. */
export function ipv6EnableChanges(s: UciSection, config: UciConfig, enable: Value, changes: Record<string, Value>, current: Record<string, Value>): UciChange[] | string {
  if (changes.LowerLayers !== undefined && changes.LowerLayers !== current.LowerLayers) return 'set IPv6Enable apart from LowerLayers: it is an option of the device';
  const device = stringOption(s.options.device);
  if (!device || device.startsWith('@')) return `interface ${s.name} has no device of its own`;
  const sharing = config.filter((o) => o.type === 'interface' && o.name !== s.name && stringOption(o.options.device) === device).map((o) => o.name);
  if (sharing.length > 0) return `IPv6 is an option of device ${device}, which also carries ${sharing.join(', ')}`;
  const section = config.find((d) => d.type === 'device' && stringOption(d.options.name) === device);
  if (enable === true) return section?.options.ipv6 === undefined ? [] : [{ section: section.name, option: 'ipv6', value: '', remove: true }];
  if (!section) return `device ${device} has no config device section to hold its ipv6 option`;
  return [{ section: section.name, option: 'ipv6', value: '0' }];
}

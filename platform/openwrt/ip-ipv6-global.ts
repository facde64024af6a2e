/**
 * Device.IP.IPv6Enable on OpenWrt (TR-181 IPv6Interface:1): the whole IPv6 stack. netifd has no
 * global switch; its IPv6 switch is the `ipv6` option of a `config device` section (the device's
 * disable_ipv6, applied by `network reload`), the same one Interface.{i}.IPv6Enable writes
 * (ip-interface-ipv6.ts). So false turns it off on every device an interface sits on:
 * - a device with a section: `ipv6 '0'`, what it held kept in the agent's `usp_ipv6` (the
 *   value, or 'unset');
 * - a device without one (eth1.2 under wan and wan6, lo): a new section `usp_port_<device>`
 *   holding `name` and `ipv6 '0'` (netifd applies an untyped device section to the device of
 *   that name, config_device_add), `usp_ipv6 'created'`: the name Ethernet port writes look for;
 * - a ModemManager uplink (its `device` is a sysfs path, no netdev): `iptype 'ipv4'` (the bearer
 *   asks for IPv4 only), what it held kept in `usp_iptype`; one that is IPv6 only is refused,
 *   as are other modem protos, which have no such option here (7012, nothing written);
 * - the agent's `usp_ipv6_disabled '1'` on `config globals`: what IPv6Enable reads.
 * netifd reads none of the `usp_` options. True puts each back as kept and removes a section
 * the agent created (unless something else has since written options in it). While false,
 * each Interface.{i}.IPv6Enable reads its kept value and a Set of it is refused (7012): TR-181
 * makes an interface's IPv6 depend on both switches, and the global one holds them all off. An
 * interface added (or moved to another device) while it is false is not switched.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

export const GLOBAL_IPV6_OFF = 'usp_ipv6_disabled';
export const KEPT_IPV6 = 'usp_ipv6';
export const KEPT_IPTYPE = 'usp_iptype';
const UNSET = 'unset';
const CREATED = 'created';
/** Modem protos whose device is no netdev (a sysfs path, a /dev node). */
const MODEM_PROTOS = new Set(['modemmanager', 'qmi', 'mbim', 'ncm', '3g', 'wwan']);

/** What a Set of Device.IP.IPv6Enable does in one network transaction, in this order. */
export interface GlobalIPv6Plan {
  /** `config device` sections to create (name → the device they configure). */
  create: Array<{ section: string; device: string }>;
  changes: UciChange[];
  /** Sections the agent created to delete. */
  remove: string[];
}

export function ipv6GloballyOff(config: UciConfig): boolean {
  return uciBool(config.find((g) => g.type === 'globals')?.options[GLOBAL_IPV6_OFF], false);
}

/** An interface's IPv6Enable from its device's section: its `ipv6`, or while the global switch is off the value kept. */
export function deviceIPv6Enabled(section: UciSection | undefined): boolean {
  const kept = stringOption(section?.options[KEPT_IPV6]);
  if (kept !== undefined) return kept === UNSET || kept === CREATED || uciBool(kept, true);
  return uciBool(section?.options.ipv6, true);
}

/** The section name the agent gives a device's new section (UCI names hold [A-Za-z0-9_] only). */
export function deviceSectionName(device: string): string {
  return `usp_port_${device.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The plan of a Set of Device.IP.IPv6Enable (empty for its current value), or why it cannot be made. */
export function globalIPv6Changes(config: UciConfig, enable: Value): GlobalIPv6Plan | string {
  const plan: GlobalIPv6Plan = { create: [], changes: [], remove: [] };
  const off = ipv6GloballyOff(config);
  if (enable === !off) return plan;
  const set = (section: string, option: string, value: string): void => void plan.changes.push({ section, option, value });
  const del = (section: string, option: string): void => void plan.changes.push({ section, option, value: '', remove: true });
  const globals = config.find((g) => g.type === 'globals')?.name ?? 'globals';
  const interfaces = config.filter((s) => s.type === 'interface');
  if (enable === false) {
    set(globals, GLOBAL_IPV6_OFF, '1');
    const devices = new Set<string>();
    for (const s of interfaces) {
      const proto = stringOption(s.options.proto) ?? '';
      if (proto === 'modemmanager') {
        const iptype = stringOption(s.options.iptype);
        if (iptype === 'ipv6') return `interface ${s.name} asks its bearer for IPv6 only: switching IPv6 off would leave it no IP`;
        if (iptype !== 'ipv4') {
          set(s.name, KEPT_IPTYPE, iptype ?? UNSET);
          set(s.name, 'iptype', 'ipv4');
        }
        continue;
      }
      if (MODEM_PROTOS.has(proto)) return `interface ${s.name} (proto ${proto}) has no IPv6 switch here`;
      const device = stringOption(s.options.device);
      if (device && !device.startsWith('@') && !device.startsWith('/')) devices.add(device);
    }
    for (const device of devices) {
      const section = config.find((d) => d.type === 'device' && stringOption(d.options.name) === device);
      if (section) {
        const ipv6 = stringOption(section.options.ipv6);
        set(section.name, KEPT_IPV6, ipv6 ?? UNSET);
        if (ipv6 !== '0') set(section.name, 'ipv6', '0');
        continue;
      }
      const name = deviceSectionName(device);
      if (config.some((c) => c.name === name)) return `section ${name} exists but configures no device ${device}`;
      plan.create.push({ section: name, device });
      set(name, 'name', device);
      set(name, 'ipv6', '0');
      set(name, KEPT_IPV6, CREATED);
    }
    return plan;
  }
  del(globals, GLOBAL_IPV6_OFF);
  for (const s of config) {
    const kept = stringOption(s.options[KEPT_IPV6]);
    if (s.type === 'device' && kept !== undefined) {
      const others = Object.keys(s.options).filter((o) => !['name', 'ipv6', KEPT_IPV6].includes(o));
      if (kept === CREATED && others.length === 0) {
        plan.remove.push(s.name);
        continue;
      }
      del(s.name, KEPT_IPV6);
      if (kept === UNSET || kept === CREATED) {
        if (s.options.ipv6 !== undefined) del(s.name, 'ipv6');
      } else if (kept !== stringOption(s.options.ipv6)) set(s.name, 'ipv6', kept);
    }
    const iptype = stringOption(s.options[KEPT_IPTYPE]);
    if (s.type === 'interface' && iptype !== undefined) {
      del(s.name, KEPT_IPTYPE);
      if (iptype === UNSET) {
        if (s.options.iptype !== undefined) del(s.name, 'iptype');
      } else if (iptype !== stringOption(s.options.iptype)) set(s.name, 'iptype', iptype);
    }
  }
  return plan;
}

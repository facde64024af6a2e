/**
 * Static IPv4 addresses of an OpenWrt interface as Device.IP.Interface.{i}.IPv4Address.{i} rows
 * (TR-181 IPInterface:1 createDelete). netifd's static proto reads the `ipaddr` option of the
 * `config interface` section: one address with the `netmask` option (OpenWrt's default config
 * writes lan that way), or a list of items, each "a.b.c.d/len" or an address taking `netmask`
 * (32 without one). A disabled row keeps its item in the agent's own list option
 * `usp_disabled_ipaddr`, which netifd does not read.
 *
 * A write rewrites the lists whose items change, every item as "a.b.c.d/len" (`uci delete` of the
 * option, and of `netmask` once no item needs it, then one `uci add_list` per item): libuci's
 * del_list does nothing to an option written as a single value, and add_list turns it into a
 * list. netifd's static proto fails without an address (NO_ADDRESS), so the first enabled
 * address turns an interface of `proto 'none'` static and removing the last turns it back.
 */
import net from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { listOption, stringOption, type UciSection } from './uci-show.js';
import { KEPT_PROTO_OPTION } from './ip-interface-ipv4.js';

export const DISABLED_IPADDR = 'usp_disabled_ipaddr';

/** The configured addresses of a section, each "a.b.c.d/len", enabled and disabled. */
export interface ConfiguredV4 {
  enabled: string[];
  disabled: string[];
}

/** Dotted mask or prefix length → prefix length, undefined when it is neither. */
export function prefixLength(mask: string): number | undefined {
  if (/^\d{1,2}$/.test(mask)) return Number(mask) <= 32 ? Number(mask) : undefined;
  if (!net.isIPv4(mask)) return undefined;
  const n = mask.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const len = 32 - Math.log2(2 ** 32 - n);
  return Number.isInteger(len) ? len : undefined;
}

/** "10.0.0.1/24", "10.0.0.1/255.255.255.0" or "10.0.0.1" (with `netmask`) → "10.0.0.1/24". */
function normalize(item: string, netmask: string | undefined): string | undefined {
  const [address, mask] = item.split('/');
  if (!net.isIPv4(address)) return undefined;
  const len = prefixLength(mask ?? netmask ?? '32');
  return len === undefined ? undefined : `${address}/${len}`;
}

export function configuredV4(s: UciSection): ConfiguredV4 {
  const netmask = stringOption(s.options.netmask);
  const items = (option: string): string[] => listOption(s.options[option]).flatMap((i) => normalize(i, netmask) ?? []);
  // Only the static proto reads ipaddr; with another one the option is a leftover, not an address.
  const proto = stringOption(s.options[protoOption(s)]);
  return { enabled: proto === 'static' ? items('ipaddr') : [], disabled: items(DISABLED_IPADDR) };
}

/** A row's values from its "a.b.c.d/len" key. */
export function v4Values(key: string, enabled: boolean): Record<string, Value> {
  const [address, len] = key.split('/');
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return {
    Enable: enabled,
    Status: enabled ? 'Enabled' : 'Disabled',
    IPAddress: address,
    SubnetMask: [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.'),
    AddressingType: 'Static',
  };
}

/**
 * Where the section's proto is: `proto`, or while IPv4Enable is false (proto `none`) the agent's
 * option keeping it (ip-interface-ipv4.ts), so the addresses stay rows and their writes land there.
 */
function protoOption(s: UciSection): string {
  return s.options[KEPT_PROTO_OPTION] !== undefined ? KEPT_PROTO_OPTION : 'proto';
}

/** The key of an address and mask a Controller gave, or why they are no host address. */
export function keyOf(address: Value | undefined, mask: Value | undefined): string | { param: string; message: string } {
  if (typeof address !== 'string' || !net.isIPv4(address) || address === '0.0.0.0') return { param: 'IPAddress', message: 'an IPv4 host address is needed' };
  const len = typeof mask === 'string' ? prefixLength(mask) : undefined;
  if (len === undefined || len === 0) return { param: 'SubnetMask', message: 'a contiguous IPv4 subnet mask is needed' };
  return `${address}/${len}`;
}

/** Whether section `s` can hold static addresses: the static proto, or none (which becomes static). */
export function takesStatic(s: UciSection): boolean {
  const proto = stringOption(s.options[protoOption(s)]);
  return proto === 'static' || proto === 'none';
}

/** The UCI changes that leave section `s` with exactly `next` (see the top of this file). */
export function planV4(s: UciSection, next: ConfiguredV4): UciChange[] {
  const out: UciChange[] = [];
  const current = configuredV4(s);
  const rewrite = (option: string, items: string[], now: string[]): void => {
    if (items.join(' ') === now.join(' ')) return;
    if (s.options[option] !== undefined) out.push({ section: s.name, option, value: '', remove: true });
    for (const value of items) out.push({ section: s.name, option, value, append: true });
  };
  // With another proto, ipaddr holds no address (configuredV4): a leftover item goes in the rewrite.
  const option = protoOption(s);
  const proto = stringOption(s.options[option]);
  rewrite('ipaddr', next.enabled, proto === 'static' ? current.enabled : listOption(s.options.ipaddr));
  if (s.options.netmask !== undefined && out.some((c) => c.option === 'ipaddr')) out.push({ section: s.name, option: 'netmask', value: '', remove: true });
  rewrite(DISABLED_IPADDR, next.disabled, current.disabled);
  const v6 = s.options.ip6addr !== undefined;
  if (proto === 'none' && next.enabled.length > 0) out.push({ section: s.name, option, value: 'static' });
  if (proto === 'static' && next.enabled.length === 0 && !v6) out.push({ section: s.name, option, value: 'none' });
  return out;
}

/**
 * Device.IP.Interface.{i}.IPv6Prefix.{i}. on Linux (TR-181 IPv6Interface:1), read-only, from the
 * same `ip -j addr` snapshot as the addresses: one row per distinct on-link prefix of the
 * interface's global and unique-local addresses (address masked to its prefix length; /128s,
 * link-local and loopback addresses have none). Linux keeps no prefix table of its own that a
 * tool shows, but every address it holds was configured with its prefix.
 *
 * Origin: RouterAdvertisement for SLAAC prefixes (protocol kernel_ra, or the privacy flags),
 * AutoConfigured for other addresses with lifetimes (a DHCPv6 client's), Static otherwise (the
 * ULA the agent adds is Static too). Lifetimes: the longest of the prefix's addresses.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { FOREVER, type IpAddrInfo, type IpLink } from './ip-addr.js';
import { prefixOf } from './ipv6-text.js';
import type { LinuxContext } from './LinuxContext.js';
import { dateTime, INFINITE_TIME } from './net-status.js';

/** The prefixes of `link`, each with its addresses. */
export function linkPrefixes(link: IpLink): Map<string, IpAddrInfo[]> {
  const out = new Map<string, IpAddrInfo[]>();
  for (const a of link.addr_info ?? []) {
    if (a.family !== 'inet6' || a.scope === 'link' || a.scope === 'host' || a.prefixlen >= 128) continue;
    const p = prefixOf(a.local, a.prefixlen);
    if (p !== undefined) out.set(p, [...(out.get(p) ?? []), a]);
  }
  return out;
}

/** Serves IPv6Prefix.{i} of each IP.Interface; `linkOf` reads the interface's link from the shared snapshot. */
export function registerIpv6Prefixes(ctx: LinuxContext, linkOf: (keys: InstanceKeys) => Promise<{ snap: { at: number }; link: IpLink }>): void {
  const numbers = new Map<string, InstanceMap>();
  const numbersOf = (ifname: string): InstanceMap => {
    let m = numbers.get(ifname);
    if (!m) numbers.set(ifname, (m = new InstanceMap()));
    return m;
  };
  ctx.model.register('Device.IP.Interface.{i}.IPv6Prefix.{i}.', {
    params: ['Enable', 'Status', 'PrefixStatus', 'Prefix', 'Origin', 'OnLink', 'Autonomous', 'PreferredLifetime', 'ValidLifetime'],
    list: async (parentKeys) => {
      const { link } = await linkOf(parentKeys);
      return numbersOf(link.ifname).list(linkPrefixes(link).keys());
    },
    get: async (keys) => {
      const { snap, link } = await linkOf(keys);
      const prefix = numbersOf(link.ifname).requireKey(keys[1]);
      const addrs = linkPrefixes(link).get(prefix);
      if (!addrs) throw new UspError(ErrorCode.ObjectDoesNotExist, `${prefix} is no longer a prefix of ${link.ifname}`);
      const slaac = addrs.some((a) => a.protocol === 'kernel_ra' || a.mngtmpaddr === true || a.temporary === true);
      const finite = addrs.some((a) => a.dynamic === true || (a.valid_life_time !== undefined && a.valid_life_time < FOREVER));
      const longest = (pick: (a: IpAddrInfo) => number | undefined): string => {
        const s = Math.max(...addrs.map((a) => pick(a) ?? FOREVER));
        return s >= FOREVER ? INFINITE_TIME : dateTime(snap.at + s * 1000);
      };
      return {
        Enable: true,
        Status: 'Enabled',
        PrefixStatus: addrs.every((a) => a.deprecated === true) ? 'Deprecated' : 'Preferred',
        Prefix: prefix,
        Origin: slaac ? 'RouterAdvertisement' : finite ? 'AutoConfigured' : 'Static',
        OnLink: true,
        Autonomous: slaac,
        PreferredLifetime: longest((a) => a.preferred_life_time),
        ValidLifetime: longest((a) => a.valid_life_time),
      };
    },
  });
}

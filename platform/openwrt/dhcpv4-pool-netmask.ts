/**
 * A DHCPv4 pool's `netmask` on OpenWrt (Device.DHCPv4.Server.Pool.{i}.SubnetMask). dnsmasq.init
 * takes it over the interface's own prefix (the default of its `config_get netmask`) and computes the range with it (`ipcalc.sh <interface address> <netmask> <start> <limit>`), so
 * the pool's network, and MinAddress/MaxAddress, follow the mask; the mask goes out as option 1
 * in `--dhcp-range=...,<start>,<end>,<netmask>,<leasetime>`.
 */
import { ipv4ToNumber } from '../dnsmasq-leases.js';
import type { Network } from './DhcpState.js';
import { stringOption, type UciSection } from './uci-show.js';

/** The prefix length of a dotted subnet mask with contiguous ones (255.255.255.0 → 24), else undefined. */
export function maskPrefix(mask: string): number | undefined {
  const n = ipv4ToNumber(mask);
  if (n === undefined) return undefined;
  const ones = 32 - Math.clz32(~n >>> 0 === 0 ? 0 : ~n >>> 0);
  const prefix = 32 - ones;
  const expect = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return expect === n ? prefix : undefined;
}

/** The network of the same address under another prefix (what ipcalc.sh computes). */
export function withPrefix(net: Network, prefix: number): Network {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (net.address & mask) >>> 0;
  return { ...net, prefix, base, broadcast: (base | (~mask >>> 0)) >>> 0 };
}

/** The pool's network: the interface's, under the pool's `netmask` when it sets a valid one. */
export function poolNetwork(s: UciSection, ifaceNet: Network | undefined): Network | undefined {
  const prefix = maskPrefix(stringOption(s.options.netmask) ?? '');
  return ifaceNet && prefix !== undefined ? withPrefix(ifaceNet, prefix) : ifaceNet;
}

/** Masks a pool can serve: at least two host addresses besides the router's (/8 to /30). */
export const MIN_POOL_PREFIX = 8;
export const MAX_POOL_PREFIX = 30;

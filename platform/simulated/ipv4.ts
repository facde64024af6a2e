/**
 * Dotted-quad IPv4 arithmetic for the simulated LAN and WAN (subnets, DHCP pools, routes).
 * Addresses are unsigned 32-bit numbers; the TR-181 form is the dotted string.
 */

const DOTTED = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The number of a dotted-quad address, or undefined for anything else (including ""). */
export function parseIPv4(text: string): number | undefined {
  if (!DOTTED.test(text)) return undefined;
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Whether `mask` is a contiguous netmask (255.255.255.0, not 255.0.255.0). */
export function isNetmask(mask: number): boolean {
  const inverted = 0xffffffff - mask;
  return (inverted & (inverted + 1)) === 0;
}

/** The network address of `address` under `mask`. */
export function networkOf(address: number, mask: number): number {
  return (address & mask) >>> 0;
}

/** Whether `address` is a host of the subnet of `own`/`mask` (not its network or broadcast address). */
export function inSubnet(address: number, own: number, mask: number): boolean {
  const net = networkOf(own, mask);
  const broadcast = (net | (~mask >>> 0)) >>> 0;
  return networkOf(address, mask) === net && address !== net && address !== broadcast;
}

/**
 * The IPv4 address and netmask of each kernel interface the mDNS browser is to use, as the
 * agent's own network namespace has them (node:os, no tool to run): the same on Linux and
 * OpenWrt once the platform has turned IP.Interface rows into device names.
 */
import os from 'node:os';
import type { MdnsInterface } from './mdns-browser.js';

/**
 * The first IPv4 address of each device named (a device without one is left out); with
 * `names` undefined, of every non-loopback device.
 */
export function ipv4Interfaces(names: readonly string[] | undefined, table: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): MdnsInterface[] {
  const out: MdnsInterface[] = [];
  for (const [name, addresses] of Object.entries(table)) {
    if (names !== undefined && !names.includes(name)) continue;
    const v4 = addresses?.find((a) => a.family === 'IPv4' && (names !== undefined || !a.internal));
    if (v4) out.push({ name, address: v4.address, netmask: v4.netmask });
  }
  return out;
}

/** The browser's interfaces for the IP.Interface references given, through the platform's reference → device lookup. */
export async function interfacesOfReferences(references: readonly string[], deviceOf: (reference: string) => Promise<string | undefined>): Promise<MdnsInterface[]> {
  if (references.length === 0) return ipv4Interfaces(undefined);
  const names = await Promise.all(references.map((r) => deviceOf(r).catch(() => undefined)));
  return ipv4Interfaces(names.filter((n): n is string => n !== undefined));
}

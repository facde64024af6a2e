/**
 * Which members of an OpenWrt bridge a switch chip forwards between by itself. A DSA switch
 * (lan1..lan4 on OpenWrt 21.02+) joins the Linux bridge's offload: frames from one of its ports
 * to another of the same bridge are forwarded in the switch and never reach the CPU, so the
 * bridge's nftables hooks (the agent's Bridging.Filter table) never see them. Frames a port sends
 * to the CPU, to a Wi-Fi interface or to a port of another switch do pass the hooks.
 *
 * A port's switch is its `phys_switch_id` in /sys/class/net (the kernel's switchdev parent ID:
 * for DSA the switch tree's index, shared by every port of the tree, printed in hex). A port
 * netifd reports as DSA (devtype "dsa") whose ID cannot be read is taken to share a switch with
 * every other such port of its conduit: assuming hardware forwarding is the safe mistake.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DeviceStatusMap } from './ubus-types.js';

/** A bridge member and the switch that forwards its frames in hardware, if any. */
export interface SwitchMember {
  name: string;
  /** undefined: no switch (a Wi-Fi interface, a plain Ethernet port, a VLAN or tunnel device). */
  switchId?: string;
}

/** The members of one bridge that share `dev`'s switch: the ports it forwards to without the CPU. */
export function hardwarePeers(dev: string, members: readonly SwitchMember[]): string[] {
  const own = members.find((m) => m.name === dev)?.switchId;
  if (own === undefined) return [];
  return members.filter((m) => m.name !== dev && m.switchId === own).map((m) => m.name);
}

/** Port `name`'s switch: its phys_switch_id, else for a DSA port its conduit; undefined for a port of no switch. */
export async function switchIdOf(sysNetDir: string, name: string, devices: DeviceStatusMap): Promise<string | undefined> {
  if (name.includes('/') || name === '.' || name === '..') return undefined;
  // Devices of no switch answer EOPNOTSUPP to the read (or have no such file): no switch.
  const id = await fs.readFile(path.join(sysNetDir, name, 'phys_switch_id'), 'utf8').then(
    (t) => t.trim(),
    () => '',
  );
  if (id !== '') return `switch ${id}`;
  const d = devices[name];
  return d?.devtype === 'dsa' ? `DSA switch behind ${d.conduit ?? 'the conduit'}` : undefined;
}

/**
 * Why member `dev` of a bridge cannot be filtered: the members that share its switch, or
 * undefined when every frame it bridges passes the CPU.
 */
export async function switchForwarded(sysNetDir: string, dev: string, members: readonly string[], devices: DeviceStatusMap): Promise<string | undefined> {
  const rows = await Promise.all(members.map(async (name) => ({ name, switchId: await switchIdOf(sysNetDir, name, devices) })));
  const peers = hardwarePeers(dev, rows);
  if (peers.length === 0) return undefined;
  return (
    `${dev} shares a switch with ${peers.join(', ')} on this bridge (${rows.find((r) => r.name === dev)!.switchId}): ` +
    'the switch forwards frames between them in hardware, past the bridge nftables hooks, so a Filter would classify only what the CPU bridges; ' +
    'filter a port the CPU bridges (Wi-Fi, a port of another switch) or put the port in a bridge of its own switch alone'
  );
}

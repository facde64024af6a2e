/**
 * Which network devices are Ethernet interfaces (TR-181 Device.Ethernet.Interface: a physical
 * port, or the virtual NIC of a VM or container). sysfs type 1 (ARPHRD_ETHER) is shared by many
 * software devices, so those sysfs marks as something else are left out: bridges, bonds,
 * Wi-Fi, VLANs and other DEVTYPEs, and NOARP pseudo-devices (ifb, dummy).
 */
import type { HostFiles } from './HostFiles.js';
import { IFF_NOARP } from './net-status.js';

const ARPHRD_ETHER = '1';
/** Sub-directories that mark a bridge, a bond, a bridge/bond member's master, or a Wi-Fi device. */
const NOT_ETHERNET_DIRS = ['bridge', 'bonding', 'wireless', 'phy80211'] as const;

export interface NetDevice {
  name: string;
  ifindex: number;
}

/** Ethernet devices under /sys/class/net, by ifindex. `only` names them explicitly instead. */
export async function ethernetDevices(files: HostFiles, only?: readonly string[]): Promise<NetDevice[]> {
  const names = only ?? (await files.list(files.sys('class', 'net')));
  const found = await Promise.all(
    names.map(async (name): Promise<NetDevice | undefined> => {
      const at = (a: string) => files.attr(files.sys('class', 'net', name, a));
      const [type, ifindex, flags, uevent] = await Promise.all([at('type'), at('ifindex'), at('flags'), at('uevent')]);
      if (ifindex === undefined) return undefined; // gone, or not a net device
      const device = { name, ifindex: Number(ifindex) };
      if (only) return device;
      if (type !== ARPHRD_ETHER || parseInt(flags ?? '0', 16) & IFF_NOARP) return undefined;
      if (uevent && /^DEVTYPE=/m.test(uevent)) return undefined; // vlan, bridge, wlan, bond, ...
      const marked = await Promise.all(NOT_ETHERNET_DIRS.map((d) => files.exists(files.sys('class', 'net', name, d))));
      return marked.some(Boolean) ? undefined : device;
    }),
  );
  return found.filter((d): d is NetDevice => d !== undefined).sort((a, b) => a.ifindex - b.ifindex);
}

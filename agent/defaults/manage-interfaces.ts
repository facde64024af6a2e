/**
 * The network interfaces controllers may reconfigure on the Linux platform, from wherever a
 * start-up option is given: `--manage-interfaces NAME[,NAME...]` on the command line,
 * `"$manageInterfaces": ["eth1", ...]` in the factory-defaults file, or UCI's
 * `list manage_interface` on OpenWrt (which the init script passes as `--manage-interfaces`).
 * A name Linux could never give an interface stops the start with a message naming where it came
 * from and what a good value looks like: a typo must not leave the network unmanaged unnoticed.
 * `--manage-dns FILE` (`$manageDns`, UCI `option manage_dns`) likewise names the resolv.conf whose
 * name servers controllers may change. `--packet-counters on|off` (`$packetCounters`, UCI
 * `option packet_counters`) lets the agent count packets by class with nftables, or not.
 * `--nat nftables|off` (`$nat`) lets the Linux platform keep Device.NAT. as its own nftables table.
 * `--dnsmasq on|off` (`$dnsmasq`) lets it run its own dnsmasq for Device.DNS.Relay. and Device.DHCPv4.Server.
 */
import { isAbsolute } from 'node:path';

/** The key of the defaults file that holds them (no TR-181 path, like `$plugins`). */
export const MANAGE_INTERFACES_KEY = '$manageInterfaces';

/**
 * A name the kernel takes for an interface (dev_valid_name: 1-15 bytes, no `/`, `:` or white
 * space, not `.` or `..`), without `,` (the option's separator).
 */
const IFNAME_RE = /^(?!\.\.?$)[^\s/:,]{1,15}$/;

/**
 * The names in `names`, checked; `source` names the setting in the message (`--manage-interfaces`
 * or the defaults file's key). Throws an Error saying which name is wrong and how to fix it.
 */
export function checkManagedInterfaces(names: readonly string[], source: string): string[] {
  for (const n of names) {
    if (n !== '*' && !IFNAME_RE.test(n)) {
      throw new Error(`${source}: ${JSON.stringify(n)} is not a network interface name (1-15 characters, no '/', ':', ',' or spaces; '*' for every interface), e.g. eth1,wan0`);
    }
  }
  return [...names];
}

/** `--manage-interfaces` text (comma-separated, spaces around names ignored), checked. */
export function parseManageInterfacesOption(text: string): string[] {
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) throw new Error(`--manage-interfaces ${JSON.stringify(text)}: names no interface; give NAME[,NAME...] (e.g. eth1,wan0) or '*'`);
  return checkManagedInterfaces(names, '--manage-interfaces');
}

/** The defaults file's `$manageInterfaces` value (an array of names), checked; undefined when absent. */
export function manageInterfacesFromFile(value: unknown, file: string): string[] | undefined {
  if (value === undefined) return undefined;
  const where = `factory defaults: ${MANAGE_INTERFACES_KEY}`;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new Error(`${where} (${file}): must be an array of interface names, e.g. ["eth1", "wan0"] or ["*"]`);
  }
  return checkManagedInterfaces(value as string[], where);
}

/** The key of the defaults file naming the resolv.conf controllers may rewrite (`--manage-dns`). */
export const MANAGE_DNS_KEY = '$manageDns';

/**
 * `--manage-dns FILE` (or `$manageDns`): an absolute path, since the agent's working directory is
 * no place a resolver reads. `source` names the setting in the message.
 */
export function checkManageDns(file: string, source: string): string {
  if (!isAbsolute(file) || file.endsWith('/')) {
    throw new Error(`${source}: ${JSON.stringify(file)} is not an absolute file path; give the resolv.conf the agent may rewrite, e.g. /etc/resolv.conf`);
  }
  return file;
}

/** The defaults file's `$manageDns` value, checked; undefined when absent. */
export function manageDnsFromFile(value: unknown, file: string): string | undefined {
  if (value === undefined) return undefined;
  const where = `factory defaults: ${MANAGE_DNS_KEY} (${file})`;
  if (typeof value !== 'string') throw new Error(`${where}: must be a file path, e.g. "/etc/resolv.conf"`);
  return checkManageDns(value, where);
}

/** The key of the defaults file switching the nftables packet counters (`--packet-counters`). */
export const PACKET_COUNTERS_KEY = '$packetCounters';

/** `--packet-counters` text: on or off (also true/false, 1/0, as UCI writes booleans). */
export function parsePacketCountersOption(text: string, source = '--packet-counters'): boolean {
  const t = text.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give on (count unicast/broadcast/multicast packets with nftables) or off (leave netfilter alone)`);
}

/** The defaults file's `$packetCounters` value (true or false), checked; undefined when absent. */
export function packetCountersFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new Error(`factory defaults: ${PACKET_COUNTERS_KEY} (${file}): must be true or false`);
  return value;
}

/** The key of the defaults file switching the Linux NAT table (`--nat`). */
export const NAT_KEY = '$nat';

/** `--nat` text: nftables (also on/true/1) or off (also false/0). */
export function parseNatOption(text: string, source = '--nat'): boolean {
  const t = text.trim().toLowerCase();
  if (['nftables', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give nftables (serve Device.NAT. as the agent's own nftables table) or off (leave netfilter alone)`);
}

/** The key of the defaults file switching the Linux access control table (`--access-control`). */
export const ACCESS_CONTROL_KEY = '$accessControl';

/** `--access-control` text: nftables (also on/true/1) or off (also false/0). */
export function parseAccessControlOption(text: string, source = '--access-control'): boolean {
  const t = text.trim().toLowerCase();
  if (['nftables', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give nftables (serve Device.Hosts.AccessControl. as the agent's own nftables table) or off (leave netfilter alone)`);
}

/** The key of the defaults file switching the Linux firewall table (`--firewall`). */
export const FIREWALL_KEY = '$firewall';

/** The defaults file's `$firewall` value ("nftables"/"off" or true/false), checked; undefined when absent. */
export function firewallFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseFirewallOption(value, `factory defaults: ${FIREWALL_KEY} (${file})`);
  throw new Error(`factory defaults: ${FIREWALL_KEY} (${file}): must be "nftables" or "off"`);
}

/** `--firewall` text: nftables (also on/true/1) or off (also false/0). */
export function parseFirewallOption(text: string, source = '--firewall'): boolean {
  const t = text.trim().toLowerCase();
  if (['nftables', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give nftables (serve Device.Firewall. as the agent's own nftables table) or off (leave netfilter alone)`);
}

/** The defaults file's `$nat` value ("nftables"/"off" or true/false), checked; undefined when absent. */
export function natFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseNatOption(value, `factory defaults: ${NAT_KEY} (${file})`);
  throw new Error(`factory defaults: ${NAT_KEY} (${file}): must be "nftables" or "off"`);
}

/** The key of the defaults file switching the Linux platform's own dnsmasq (`--dnsmasq`). */
export const DNSMASQ_KEY = '$dnsmasq';

/** `--dnsmasq` text: on (also dnsmasq/true/1) or off (also false/0). */
export function parseDnsmasqOption(text: string, source = '--dnsmasq'): boolean {
  const t = text.trim().toLowerCase();
  if (['on', 'dnsmasq', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give on (serve Device.DNS.Relay. and Device.DHCPv4.Server. through the agent's own dnsmasq) or off (run no dnsmasq)`);
}

/** The defaults file's `$dnsmasq` value ("on"/"off" or true/false), checked; undefined when absent. */
export function dnsmasqFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseDnsmasqOption(value, `factory defaults: ${DNSMASQ_KEY} (${file})`);
  throw new Error(`factory defaults: ${DNSMASQ_KEY} (${file}): must be "on" or "off"`);
}

/** The defaults file's `$accessControl` value ("nftables"/"off" or true/false), checked; undefined when absent. */
export function accessControlFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseAccessControlOption(value, `factory defaults: ${ACCESS_CONTROL_KEY} (${file})`);
  throw new Error(`factory defaults: ${ACCESS_CONTROL_KEY} (${file}): must be "nftables" or "off"`);
}

/** The key of the defaults file switching the Linux platform's own DHCPv4 clients (`--dhcp-client`). */
export const DHCP_CLIENT_KEY = '$dhcpClient';

/** `--dhcp-client` text: udhcpc (also on/true/1) or off (also false/0). */
export function parseDhcpClientOption(text: string, source = '--dhcp-client'): boolean {
  const t = text.trim().toLowerCase();
  if (['udhcpc', 'on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${source} ${JSON.stringify(text)}: give udhcpc (serve Device.DHCPv4.Client.{i}. through busybox udhcpc children of the agent) or off (run no DHCP client)`);
}

/** The defaults file's `$dhcpClient` value ("udhcpc"/"off" or true/false), checked; undefined when absent. */
export function dhcpClientFromFile(value: unknown, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return parseDhcpClientOption(value, `factory defaults: ${DHCP_CLIENT_KEY} (${file})`);
  throw new Error(`factory defaults: ${DHCP_CLIENT_KEY} (${file}): must be "udhcpc" or "off"`);
}

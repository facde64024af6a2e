/**
 * The configuration file of the miniupnpd the agent runs for Device.UPnP.Device. on Linux
 * (upnp-device.ts), made from the data model and the host's interfaces; nothing of the machine's
 * own /etc/miniupnpd is read or written.
 *
 * - ext_ifname: the WAN side, the interface carrying the IPv4 default route (as the captive
 *   portal and the firewall read it); listening_ip: every other interface with an IPv4 address
 *   (the LAN side). miniupnpd needs both, so without them nothing runs.
 * - IGD v2 descriptions (force_igd_desc_v1=no): Capabilities.UPnPIGD reads 2.
 * - Safe by default: secure_mode (a LAN host maps ports to itself only), mappings of ports
 *   1024-65535 allowed, everything else denied; NAT-PMP off (not UPnP, and TR-181 has no switch
 *   for it); its nftables rules in a table of its own, never the host's `filter`: the agent makes
 *   that table (upnpTableScript) fresh before each start, as Debian's nft_init.sh would (miniupnpd
 *   only adds rules to chains that exist), and removes it when UPnP is turned off.
 * - port=0: the kernel picks the HTTP port of the description (SSDP's LOCATION says it), so an
 *   agent never fails to start it because a port is taken.
 */
import { existsSync } from 'node:fs';

export const MINIUPNPD_BIN = '/usr/sbin/miniupnpd';
/** The nftables table (family inet) of the port mappings. */
export const DEFAULT_UPNP_TABLE = 'usp_agent_upnp';

/** The chains miniupnpd writes its mappings to, each jumped to from a base chain of the table. */
const CHAINS = { forward: 'miniupnpd', prerouting: 'prerouting_miniupnpd', postrouting: 'postrouting_miniupnpd' } as const;

/**
 * The `nft -f -` script replacing table `inet <table>`: created (if missing) and deleted first,
 * then, unless `present` is false, made with its base chains (forward filter, accept: the host's
 * own firewall still decides what is forwarded; prerouting and postrouting nat) jumping to
 * miniupnpd's empty chains. Atomic: one transaction.
 */
export function upnpTableScript(table: string, present: boolean): string {
  const out = [`table inet ${table} {}`, `delete table inet ${table}`];
  if (present) {
    out.push(
      `table inet ${table} {`,
      `  chain forward { type filter hook forward priority 0; policy accept; jump ${CHAINS.forward}; }`,
      `  chain ${CHAINS.forward} {}`,
      `  chain prerouting { type nat hook prerouting priority -100; policy accept; jump ${CHAINS.prerouting}; }`,
      `  chain postrouting { type nat hook postrouting priority 100; policy accept; jump ${CHAINS.postrouting}; }`,
      `  chain ${CHAINS.prerouting} {}`,
      `  chain ${CHAINS.postrouting} {}`,
      '}',
    );
  }
  return `${out.join('\n')}\n`;
}

export interface MiniupnpdConf {
  /** The WAN device (ext_ifname). */
  wan: string;
  /** The LAN devices miniupnpd answers on (listening_ip), at least one. */
  lan: readonly string[];
  /** The root device's UUID, the same at every start. */
  uuid: string;
  /** miniupnpd's own pid file (it refuses to start while the pid in it runs). */
  pidFile: string;
  /** The port mappings, kept across restarts of miniupnpd. */
  leaseFile: string;
  table?: string;
}

/** The whole file for `c`. */
export function miniupnpdConfText(c: MiniupnpdConf): string {
  const table = c.table ?? DEFAULT_UPNP_TABLE;
  return [
    '# Written by usp-agent from Device.UPnP.Device.; replaced at each change.',
    `ext_ifname=${c.wan}`,
    ...c.lan.map((d) => `listening_ip=${d}`),
    'port=0',
    'enable_upnp=yes',
    'enable_natpmp=no',
    'force_igd_desc_v1=no',
    'secure_mode=yes',
    'system_uptime=yes',
    'notify_interval=60',
    'clean_ruleset_interval=600',
    `uuid=${c.uuid}`,
    `lease_file=${c.leaseFile}`,
    `upnp_table_name=${table}`,
    `upnp_nat_table_name=${table}`,
    `upnp_forward_chain=${CHAINS.forward}`,
    `upnp_nat_chain=${CHAINS.prerouting}`,
    `upnp_nat_postrouting_chain=${CHAINS.postrouting}`,
    'allow 1024-65535 0.0.0.0/0 1024-65535',
    'deny 0-65535 0.0.0.0/0 0-65535',
    '',
  ].join('\n');
}

/** The arguments of the child: foreground (-d, its log on stderr), this file, its own pid file. */
export function miniupnpdArgs(confFile: string, pidFile: string): string[] {
  return ['-d', '-f', confFile, '-P', pidFile];
}

/** The WAN and LAN sides from the default-route devices and the devices with an IPv4 address; why not when miniupnpd cannot run. */
export function igdSides(defaultRoute: ReadonlySet<string>, ipv4Devices: readonly string[]): { wan: string; lan: string[] } | { why: string } {
  const candidates = ipv4Devices.filter((d) => d !== 'lo');
  const wan = candidates.filter((d) => defaultRoute.has(d)).sort()[0];
  if (wan === undefined) return { why: 'no WAN interface (no device with an IPv4 address carries the default route)' };
  const lan = candidates.filter((d) => !defaultRoute.has(d)).sort();
  if (lan.length === 0) return { why: 'no LAN interface (every device with an IPv4 address carries a default route)' };
  return { wan, lan };
}

/** Whether the agent runs miniupnpd: asked for (`--upnp-igd miniupnpd`), installed, and the agent is root (port 1900, nftables). */
export function miniupnpdUsable(setting: boolean | undefined, binary = MINIUPNPD_BIN, uid = process.getuid?.() ?? -1): { usable: boolean; why?: string } {
  if (setting !== true) return { usable: false, why: 'not asked for (--upnp-igd miniupnpd)' };
  if (!existsSync(binary)) return { usable: false, why: `${binary} is not installed` };
  if (uid !== 0) return { usable: false, why: 'the agent does not run as root (miniupnpd needs port 1900 and nftables)' };
  return { usable: true };
}

/**
 * What OpenWrt's own dnsmasq (UCI `dhcp`) learnt of each LAN client's DHCPv4 options, for the
 * Bridging.Filter criteria that name devices by them (platform/bridge-filter-dhcp.ts).
 *
 * The package installs a dhcp hotplug handler (openwrt/files/usp-agent.dhcp-hotplug as
 * /etc/hotplug.d/dhcp/50-usp-agent). Its presence makes dnsmasq.init start dnsmasq with
 * `--dhcp-script=/usr/lib/dnsmasq/dhcp-script.sh`, which hands each lease change to procd's
 * `hotplug.dhcp` with ACTION, MACADDR, IPADDR and the lease's non-empty DNSMASQ_* variables;
 * the handler keeps one record per client in DHCP_CLASS_DIR, in the format the Linux lease
 * script writes (platform/linux/dhcp-class-record.ts), and the Linux DhcpClassLearning reads
 * and watches that directory.
 *
 * - RAM, not flash: the records are in /var/run. A reboot forgets them until each client's next
 *   lease acquisition (dnsmasq replays its lease file at start without the options).
 * - dnsmasq.init does not pass `--script-on-renewal`: a renewal that changes nothing of the
 *   lease runs no handler, and the record of the client's last acquisition stays.
 * - DHCPv6: OpenWrt serves it with odhcpd, which runs no such handler (and dnsmasq, where it
 *   serves DHCPv6, hands over options 16 and 15 mangled): under DHCPType DHCPv6 every criterion
 *   naming clients is refused (7012), with the reason.
 * - Served only where the handler is installed: otherwise nothing writes the records, and the
 *   DHCP-derived parameters stay read-only.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { Value } from '../../datamodel/value/Value.js';
import { dhcpFamily } from '../bridge-filter-dhcp.js';
import { DhcpClassLearning, type DhcpClassSource } from '../linux/dhcp-class-learning.js';
import type { BadParam } from '../stored-table.js';

/** Where the package installs the handler (procd runs every file of /etc/hotplug.d/dhcp). */
export const DHCP_CLASS_HOOK = '/etc/hotplug.d/dhcp/50-usp-agent';
/** Where the handler keeps its records (the handler's USP_AGENT_DHCP_CLASSES overrides it). */
export const DHCP_CLASS_DIR = '/var/run/usp-agent-dhcp-classes';

/** Where to look for the handler and its records; inside commandPath (a stand-in router userland) when that is given. */
export interface DhcpClassPaths {
  commandPath?: string;
  dhcpClassHook?: string;
  dhcpClassDir?: string;
}

const within = (root: string | undefined, abs: string): string => (root ? path.join(root, abs) : abs);

/**
 * The DHCP-derived criteria of Filter row `r` OpenWrt cannot learn: under DHCPType DHCPv6, any
 * vendor class, client ID (DUID) or user class. Each named with why (7012).
 */
export function openWrtDhcpCriteriaUnlearnt(r: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>): BadParam[] {
  if (dhcpFamily(r) !== 6) return [];
  const why =
    'OpenWrt serves DHCPv6 with odhcpd, which tells the agent nothing of the options its clients send (and dnsmasq, where it serves DHCPv6, does not hand them over intact); the DHCPv4 options can be used';
  const bad: BadParam[] = [];
  for (const side of ['Source', 'Dest'] as const) {
    for (const param of [`${side}MACFromVendorClassIDFilterv6`, `${side}MACFromClientIDFilter`, `${side}MACFromUserClassIDFilter`]) {
      if (String(r[param] ?? '') !== '') bad.push({ param: changes[param] !== undefined ? param : 'DHCPType', message: `${param}: ${why}` });
    }
  }
  return bad;
}

/** The learnt clients with OpenWrt's refusals, and its start and stop; undefined where the handler is not installed. */
export function openWrtDhcpClasses(paths: DhcpClassPaths, log?: Logger): { source: DhcpClassSource; start(): Promise<void>; stop(): void } | undefined {
  const hook = paths.dhcpClassHook ?? within(paths.commandPath, DHCP_CLASS_HOOK);
  if (!existsSync(hook)) {
    log?.info('DHCP options of LAN clients not learnt (Bridging.Filter Source/DestMACFrom*)', { why: `${hook} is not installed` });
    return undefined;
  }
  const dir = paths.dhcpClassDir ?? within(paths.commandPath, DHCP_CLASS_DIR);
  const learning = new DhcpClassLearning(dir, log);
  return {
    source: {
      clients: () => learning.clients(),
      onChange: (listener) => learning.onChange(listener),
      unlearnt: openWrtDhcpCriteriaUnlearnt,
    },
    start: async () => {
      try {
        // Made here too, so it is watched before the handler's first record.
        mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch (e) {
        log?.warn('DHCP lease records directory not made', { dir, error: e instanceof Error ? e.message : String(e) });
      }
      await learning.start();
    },
    stop: () => learning.stop(),
  };
}

/**
 * The dnsmasq the agent owns on generic Linux: one configuration file in the agent's data
 * directory (replaced atomically: written beside it, then renamed) and one supervised child,
 * `dnsmasq --keep-in-foreground --conf-file=FILE`.
 *
 * - The supervision is the generic one (platform/exec/ConfiguredDaemon.ts).
 * - A new configuration restarts the child. SIGHUP is not enough: on SIGHUP dnsmasq re-reads
 *   /etc/hosts, --addn-hosts, --dhcp-hostsfile, --dhcp-optsfile, --servers-file and the resolv
 *   file, but not its main configuration, where the `server=`, `dhcp-range` and `port` lines are.
 *   Before the switch the new file is checked with `dnsmasq --test`: a file dnsmasq refuses is
 *   not installed, and the running child keeps the old one.
 * - A restart is a gap of a few tens of milliseconds for DNS (queries in flight are retried by
 *   the stub resolvers) and DHCP; leases live in the lease file, so clients keep their
 *   addresses and renew as before.
 * - A child that exits on its own is started again after a back-off: 1 s, doubling up to 60 s,
 *   back to 1 s once a child has run for a minute. `status()` reads Error meanwhile.
 * - `stop()` (the agent's SIGTERM) ends the child with SIGTERM: the LAN has no DNS relay and
 *   no DHCP server until the agent is back. Clients keep their leases meanwhile; only a client
 *   that asks then (a new one, or one renewing) waits for the agent's start.
 * - A child left by an agent that was killed (SIGKILL, no stop) is found at the next start by
 *   its pid file and ended, so the new one can bind its ports.
 */
import { existsSync } from 'node:fs';
import type { Logger } from '../../datamodel/Logger.js';
import { ConfiguredDaemon } from '../exec/ConfiguredDaemon.js';

/** Where Debian, Yocto and Buildroot install it. */
export const DNSMASQ_BIN = '/usr/sbin/dnsmasq';

export interface DnsmasqProcessOptions {
  binary: string;
  confFile: string;
  pidFile: string;
  log?: Logger;
}

/** Supervises the one dnsmasq child; `apply` installs a configuration (undefined: none runs). */
export class DnsmasqProcess extends ConfiguredDaemon {
  constructor(opts: DnsmasqProcessOptions) {
    super({
      name: 'dnsmasq',
      binary: opts.binary,
      confFile: opts.confFile,
      pidFile: opts.pidFile,
      args: ['--keep-in-foreground', '--log-facility=-', `--conf-file=${opts.confFile}`],
      checkArgs: (candidate) => ['--test', `--conf-file=${candidate}`],
      // The file names its pid-file (dnsmasq-conf.ts).
      pidFileWrittenByDaemon: true,
      // dnsmasq says so once it has its sockets.
      ready: /started, version/,
      offMessage: 'no DNS relay and no DHCPv4 pool to serve',
      log: opts.log,
    });
  }
}

/** Whether the agent may run its dnsmasq: the setting, the binary, and root (ports 53 and 67, raw DHCP sockets). */
export function dnsmasqUsable(setting: boolean | undefined, binary = DNSMASQ_BIN, uid = process.getuid?.() ?? -1): { usable: boolean; why?: string } {
  if (setting === false) return { usable: false, why: 'switched off (--dnsmasq off)' };
  if (!existsSync(binary)) return { usable: false, why: `${binary} is not installed` };
  if (uid !== 0) return { usable: false, why: 'the agent does not run as root (dnsmasq needs ports 53 and 67)' };
  return { usable: true };
}

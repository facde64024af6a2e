/**
 * The radvd the agent owns on generic Linux: one configuration file in the agent's data
 * directory and one supervised child, `radvd --nodaemon --config=FILE` (the supervision, the
 * atomic file replacement and the back-off are platform/exec/ConfiguredDaemon.ts). A new file
 * is first checked with `radvd --configtest`, then the child is restarted on it: on its way out
 * radvd sends its final advertisements, and the new one advertises at once, so hosts keep their
 * default route and addresses through a change.
 */
import { existsSync } from 'node:fs';
import type { Logger } from '../../datamodel/Logger.js';
import { ConfiguredDaemon } from '../exec/ConfiguredDaemon.js';

/** Where Debian (package radvd), Yocto and Buildroot install it. */
export const RADVD_BIN = '/usr/sbin/radvd';

export class RadvdProcess extends ConfiguredDaemon {
  constructor(opts: { binary: string; confFile: string; pidFile: string; log?: Logger }) {
    super({
      name: 'radvd',
      binary: opts.binary,
      confFile: opts.confFile,
      pidFile: opts.pidFile,
      args: ['--nodaemon', '--logmethod=stderr', `--config=${opts.confFile}`, `--pidfile=${opts.pidFile}`],
      checkArgs: (candidate) => ['--configtest', `--config=${candidate}`],
      pidFileWrittenByDaemon: true,
      ready: /version \S+ started/,
      offMessage: 'no interface advertises',
      log: opts.log,
    });
  }
}

/** Whether the agent may run its radvd: the binary, and root (raw ICMPv6 sockets). */
export function radvdUsable(binary = RADVD_BIN, uid = process.getuid?.() ?? -1): { usable: boolean; why?: string } {
  if (!existsSync(binary)) return { usable: false, why: `${binary} is not installed (Debian package radvd)` };
  if (uid !== 0) return { usable: false, why: 'the agent does not run as root (radvd needs raw ICMPv6 sockets)' };
  return { usable: true };
}

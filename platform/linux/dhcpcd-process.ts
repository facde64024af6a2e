/**
 * One dhcpcd the agent owns for an enabled Device.DHCPv6.Client.{i}. on generic Linux:
 * `dhcpcd -6 -B -f CONF DEV` in the foreground (dhcpcd keeps its DUID, lease and control socket
 * in its own directories, /var/lib/dhcpcd and /run/dhcpcd).
 *
 * - Signals (dhcpcd's signal handler): SIGUSR1 renews now (Renew()); SIGALRM releases the lease
 *   (DHCPv6 Release), removes the address and exits (Delete, Enable false); SIGTERM exits keeping
 *   the address (`persistent`: the agent stops, the next one's dhcpcd takes over).
 * - Each child records into a state file of its own (`stateFile`): dhcpcd's privilege-separated
 *   helper may run the hook of a stopping child's last events after the child has exited, and
 *   must not overwrite what its successor recorded.
 * - dhcpcd forks privilege-separation helpers (one listens on the leased address's port 546):
 *   the child runs in a process group of its own, and ending it waits for the whole group to
 *   go (SIGKILL after 3 s), or the next dhcpcd on the device cannot bind its port.
 * - A child that exits on its own is started again after 1 s, doubling up to 60 s.
 * - The source address of the server's last Reply is taken from dhcpcd's own log line
 *   ("REPLY6 received from ADDR"): its hook variables do not carry it.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { DhcpClientChild, type DhcpClientCommand } from './dhcp-client-child.js';

const RELEASE_WAIT_MS = 3000;

export class DhcpcdProcess extends DhcpClientChild {
  /** The link-local address the last Reply came from. */
  serverAddress?: string;

  constructor(
    device: string,
    /** The settings it runs with (compared to restart it on a change). */
    readonly conf: string,
    readonly stateFile: string,
    private readonly confFile: string,
    binary: string,
    log?: Logger,
  ) {
    super('dhcpcd', device, binary, log);
  }

  start(): void {
    this.launch();
  }

  protected command(): DhcpClientCommand {
    return { args: ['-6', '-B', '-d', '-f', this.confFile, this.device], options: { detached: true, env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } } };
  }

  protected override onLine(line: string): void {
    const from = /REPLY6 received from (\S+)/.exec(line);
    if (from) this.serverAddress = from[1];
  }

  /** Releases the lease (SIGALRM) and waits for dhcpcd to exit; then ends it in any case. */
  async release(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      this.ended = true;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGALRM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, RELEASE_WAIT_MS))]);
    }
    await this.end();
  }

  /** Ends the child (SIGTERM, SIGKILL after 5 s), its helpers and any pending restart; the address is kept. */
  async end(): Promise<void> {
    const child = await this.endChild();
    if (child?.pid !== undefined) await endGroup(child.pid);
  }
}

/** Waits for the process group `pgid` (dhcpcd's helpers) to be gone; SIGKILL after 3 s. */
async function endGroup(pgid: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + RELEASE_WAIT_MS;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

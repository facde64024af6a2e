/**
 * lldpd as the source of Device.LLDP. on Linux and OpenWrt: `lldpcli -f json0 show neighbors
 * details` through the platform's CommandRunner, one call per Get (cached for cacheMs).
 *
 * The binding is registered where `lldpcli` is installed. A daemon that does not answer (not
 * started, another control socket) is no error of the Controller's Get: the table is empty and
 * the log says why, once, until lldpd answers again.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { CommandError } from '../exec/CommandError.js';
import { type CommandRunner, findOnPath } from '../exec/CommandRunner.js';
import { type LldpNeighbour, parseLldpNeighbours } from './lldpcli-neighbours.js';

/** lldpcli's default control socket is lldpd's (/run/lldpd.socket on Debian and OpenWrt). */
export interface LldpcliOptions {
  /** lldpd's control socket (`lldpcli -u`); default lldpcli's own. */
  socket?: string;
  /** How long one answer serves further reads, ms. */
  cacheMs: number;
  log?: Logger;
}

export class LldpcliNeighbours {
  /** Whether the last call failed (the failure was logged; the next one is not). */
  private failing = false;

  constructor(
    private readonly runner: CommandRunner,
    private readonly opts: LldpcliOptions,
  ) {}

  /** The arguments of the one lldpcli call. */
  get args(): string[] {
    return [...(this.opts.socket ? ['-u', this.opts.socket] : []), '-f', 'json0', 'show', 'neighbors', 'details'];
  }

  async neighbours(): Promise<readonly LldpNeighbour[]> {
    try {
      const found = await this.runner.cached('lldpcli', this.args, this.opts.cacheMs, parseLldpNeighbours);
      if (this.failing) this.opts.log?.info('lldpd answers again; Device.LLDP.Discovery. serves its neighbours', { socket: this.opts.socket ?? 'default' });
      this.failing = false;
      return found;
    } catch (e) {
      if (!this.failing) {
        const why = e instanceof CommandError ? e.message : e instanceof Error ? e.message : String(e);
        this.opts.log?.warn('lldpd does not answer; Device.LLDP.Discovery.Device. has no rows until it does', { why, socket: this.opts.socket ?? 'default' });
      }
      this.failing = true;
      return [];
    }
  }
}

/** Whether `lldpcli` is installed: on PATH, or in `commandPath` when the runner uses one. */
export function lldpcliInstalled(commandPath?: string): boolean {
  return findOnPath('lldpcli', commandPath) !== undefined;
}

/**
 * hostapd's global control interface (`hostapd -g <path>`), the only way to add a BSS to a
 * running hostapd or remove one: `ADD bss_config=<phy>:<file>` starts the BSS a configuration
 * file describes on the radio `phy`, `REMOVE <ifname>` stops it, `INTERFACES` lists the first BSS
 * of each radio that hostapd runs. Reached with hostapd_cli, whose `-p` is the socket's directory
 * and `-i` its name, and `raw` (recorded: test/fixtures/linux/wifi-hostapd-add).
 *
 * Debian's hostapd service starts hostapd without -g: there is then no such socket, and an Add
 * answers 7012 naming the fix.
 */
import path from 'node:path';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';

/** Where the agent looks for the global control interface by default (`--hostapd-global`). */
export const DEFAULT_HOSTAPD_GLOBAL = '/var/run/hostapd-global';

export class HostapdGlobal {
  constructor(
    private readonly runner: CommandRunner,
    /** The global control socket's path. */
    readonly socket: string,
  ) {}

  /** Why an Add cannot go through hostapd here, and how to change that. */
  missing(detail: string): UspError {
    return new UspError(
      ErrorCode.InvalidValue,
      `hostapd has no global control interface at ${this.socket} (${detail}): start hostapd with -g ${this.socket}, or name its socket with --hostapd-global`,
    );
  }

  /** The interfaces hostapd's `INTERFACES` lists (the first BSS of each radio it runs); throws `missing` when nothing answers. */
  async interfaces(): Promise<string[]> {
    const r = await this.raw(['INTERFACES']);
    if (r.exitCode !== 0) throw this.missing((r.stderr.trim() || r.stdout.trim() || `exit code ${r.exitCode}`).slice(0, 200));
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^[\w.-]+$/.test(l));
  }

  /** ADD bss_config=<phy>:<file>; 7002 with hostapd's answer when it refuses. */
  async add(phy: string, file: string): Promise<void> {
    await this.expectOk(['ADD', `bss_config=${phy}:${file}`]);
  }

  /** REMOVE <ifname>; 7002 with hostapd's answer when it refuses. */
  async remove(ifname: string): Promise<void> {
    await this.expectOk(['REMOVE', ifname]);
  }

  private async expectOk(args: string[]): Promise<void> {
    const r = await this.raw(args);
    if (r.exitCode !== 0) throw this.missing((r.stderr.trim() || `exit code ${r.exitCode}`).slice(0, 200));
    if (r.stdout.trim() !== 'OK') throw new UspError(ErrorCode.RequestDenied, `hostapd refused ${args.join(' ')}: ${(r.stdout.trim() || r.stderr.trim()).slice(0, 200)}`);
  }

  private raw(args: string[]): ReturnType<CommandRunner['capture']> {
    return this.runner.capture('hostapd_cli', ['-p', path.dirname(this.socket), '-i', path.basename(this.socket), 'raw', ...args]);
  }
}

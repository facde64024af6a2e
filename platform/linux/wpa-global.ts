/**
 * wpa_supplicant's global control interface (`wpa_supplicant -g <path>`), the only way to make a
 * running wpa_supplicant take a new station interface or let one go: `interface_add <ifname>
 * <conf> <driver> <ctrl_interface>` starts a station on the netdev from a configuration file,
 * `interface_remove <ifname>` stops it. Reached with `wpa_cli -g <path>`, which prints
 * "Selected interface '<if>'" before the answer (recorded: test/fixtures/linux/wifi-wpa-supplicant-global).
 * Which interfaces run is read from the control directory (`wpa_cli -p DIR interface`): the global
 * `interface_list` names the netdevs a driver offers, and nl80211 offers none (recorded: empty).
 *
 * Debian's wpa_supplicant service starts without -g: the agent then offers no EndPoint Add or
 * Delete (`--wpa-supplicant-global` names the socket).
 */
import { promises as fs } from 'node:fs';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';

/** The nl80211 driver, as Debian's and OpenWrt's wpa_supplicant name it. */
const DRIVER = 'nl80211';

export class WpaSupplicantGlobal {
  constructor(
    private readonly runner: CommandRunner,
    /** The global control socket's path. */
    readonly socket: string,
  ) {}

  /** Why nothing answers at the socket, and how to change that. */
  private missing(detail: string): UspError {
    return new UspError(
      ErrorCode.RequestDenied,
      `wpa_supplicant has no global control interface at ${this.socket} (${detail}): start wpa_supplicant with -g ${this.socket}, or name its socket with --wpa-supplicant-global`,
    );
  }

  /** Whether a socket is at the global interface's path (a look at the file, no command). */
  async listening(): Promise<boolean> {
    return fs.stat(this.socket).then(
      (st) => st.isSocket(),
      () => false,
    );
  }

  /** interface_add: a station on `ifname` from `conf`, its control socket in `ctrlDir`; 7002 with wpa_supplicant's answer when refused. */
  async add(ifname: string, conf: string, ctrlDir: string): Promise<void> {
    await this.expectOk(['interface_add', ifname, conf, DRIVER, ctrlDir]);
  }

  /** interface_remove; 7002 with wpa_supplicant's answer when refused. */
  async remove(ifname: string): Promise<void> {
    await this.expectOk(['interface_remove', ifname]);
  }

  private async expectOk(args: string[]): Promise<void> {
    const r = await this.cli(args);
    this.runner.invalidate('wpa_cli');
    if (r.exitCode !== 0) throw this.missing((r.stderr.trim() || `exit code ${r.exitCode}`).slice(0, 200));
    const answer = r.stdout.trim().split('\n').at(-1)?.trim() ?? '';
    if (answer !== 'OK') throw new UspError(ErrorCode.RequestDenied, `wpa_supplicant refused ${args.join(' ')}: ${(answer || r.stderr.trim()).slice(0, 200)}`);
  }

  private cli(args: string[]): ReturnType<CommandRunner['capture']> {
    return this.runner.capture('wpa_cli', ['-g', this.socket, ...args]);
  }
}

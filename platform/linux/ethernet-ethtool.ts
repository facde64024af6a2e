/**
 * Device.Ethernet.Interface.{i}.MaxBitRate and DuplexMode on Linux (TR-181 EthernetInterface:1):
 * the link settings the PHY is told to use, which only the ethtool API holds. sysfs `speed` and
 * `duplex` are what the link runs at now (CurrentBitRate, CurrentDuplexMode), not what it may
 * use, and nothing in /sys or /proc says whether autonegotiation is on; Node.js has no netlink
 * socket to ask the kernel's ethtool interface itself. So:
 *
 * - with `ethtool` installed: read from `ethtool IF` ("Auto-negotiation: on" is MaxBitRate -1
 *   and DuplexMode Auto, TR-181's automatic selection; off is the forced Speed and Duplex), and
 *   written with `ethtool -s IF autoneg on` (both automatic) or `ethtool -s IF speed N duplex
 *   half|full autoneg off` (both fixed), on managed interfaces. One automatic and one fixed is
 *   refused (7012), the rule of platform/ethernet-link-settings.ts.
 *   A device that cannot change its link settings (veth) answers 7002 with ethtool's reason.
 *   A reading serves 30 s (SETTINGS_MAX_AGE_MS): a change made with ethtool outside the agent
 *   shows within that.
 * - without it: both read as the kernel's default, automatic (-1, Auto), and a write is refused
 *   (7002, naming ethtool).
 */
import fs from 'node:fs';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { AUTOMATIC, linkChoice, type LinkSettings, mergeLinkSettings } from '../ethernet-link-settings.js';
import { findOnPath, type CommandRunner } from '../exec/CommandRunner.js';
import { ipWriteError } from './ip-write.js';
import type { LinuxContext } from './LinuxContext.js';

/**
 * How long one `ethtool IF` answers, ms. Link settings change only when someone runs ethtool (the
 * agent's own writes forget it at once), and each read is a process start (about 30 ms on a
 * loaded 2-core host, measured): a whole-tree Get should not pay it per port every second.
 */
const SETTINGS_MAX_AGE_MS = 30_000;

/** The link settings `ethtool IF` prints; automatic when it names no forced speed. */
export function parseEthtool(out: string): LinkSettings {
  const field = (name: string): string | undefined => new RegExp(`^\\s*${name}:\\s*(.+?)\\s*$`, 'm').exec(out)?.[1];
  if (field('Auto-negotiation') !== 'off') return { ...AUTOMATIC };
  const speed = /^(\d+)Mb\/s$/.exec(field('Speed') ?? '');
  const duplex = field('Duplex');
  return { MaxBitRate: speed ? Number(speed[1]) : -1, DuplexMode: duplex === 'Half' ? 'Half' : duplex === 'Full' ? 'Full' : 'Auto' };
}

/** The `ethtool -s` arguments that make `want` so; 7012 for one automatic and one fixed setting (the shared rule). */
export function ethtoolArgs(name: string, want: LinkSettings, path: string): string[] {
  const choice = linkChoice(want, path);
  if (choice.auto) return ['-s', name, 'autoneg', 'on'];
  return ['-s', name, 'speed', String(choice.mbps), 'duplex', choice.duplex.toLowerCase(), 'autoneg', 'off'];
}

/** Reads and writes the link settings of Ethernet devices, through `ethtool` when installed. */
export class EthtoolSettings {
  /** Whether `ethtool` can run here (looked up once: installing it needs a restart of the agent). */
  readonly available: boolean;

  constructor(private readonly ctx: LinuxContext) {
    this.available = toolExists(ctx.runner, 'ethtool');
  }

  /** The settings of device `name`; automatic without ethtool or when it cannot tell. */
  async read(name: string): Promise<LinkSettings> {
    if (!this.available) return { ...AUTOMATIC };
    try {
      return await this.ctx.runner.cached('ethtool', [name], Math.max(this.ctx.cacheMs, SETTINGS_MAX_AGE_MS), parseEthtool);
    } catch (e) {
      this.ctx.log?.debug('ethtool could not read the link settings', { device: name, why: e instanceof Error ? e.message : String(e) });
      return { ...AUTOMATIC };
    }
  }

  /** Applies `changes` (MaxBitRate, DuplexMode) over the current settings of `name`. */
  async write(name: string, changes: Record<string, Value>, path: string): Promise<void> {
    if (!this.available) {
      throw new UspError(ErrorCode.RequestDenied, `${path}MaxBitRate/DuplexMode: link settings are written with ethtool, which is not installed on this device`, { path });
    }
    const now = await this.read(name);
    const args = ethtoolArgs(name, mergeLinkSettings(now, changes), path);
    try {
      await this.ctx.runner.run('ethtool', args);
      this.ctx.log?.info('network configuration changed', { command: ['ethtool', ...args].join(' ') });
    } catch (e) {
      throw ipWriteError(e, path);
    } finally {
      this.ctx.runner.invalidate('ethtool ');
    }
  }
}

function toolExists(runner: CommandRunner, cmd: string): boolean {
  const exe = runner.executable(cmd);
  if (exe === cmd) return findOnPath(cmd) !== undefined;
  try {
    fs.accessSync(exe, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

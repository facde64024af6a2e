/**
 * OpenWrt's firmware installer (TR-181 FirmwareImage.{i} over `sysupgrade`; see
 * platform/linux/firmware-staged.ts for the rest). OpenWrt runs one image and keeps no second
 * bank: `sysupgrade` flashes over the running firmware and reboots. A Controller still sees two
 * banks (TP-469 9.3): one FirmwareImage.{i} is the running image (from `ubus call system board`,
 * the same release string as SoftwareVersion; FirmwareImage.1 at first), the other the staged
 * image file, downloaded to /tmp (RAM; the flash has no room for a second image) and flashed by
 * Activate(). After the reboot the instance downloaded into is the Active one and the other is
 * empty (NoImage: its image was flashed over), so the next upgrade goes into it and flips back.
 *
 * - validate: `sysupgrade -T IMAGE` (exit 0: the image passes the platform check and, for images
 *   with fwtool metadata, the supported-devices check; otherwise it prints why on stderr and
 *   exits 1), then the metadata's version from `fwtool -q -i /dev/stdout IMAGE` when the image
 *   carries it (it is JSON; images without metadata keep the URL's file name and no version).
 * - activate: `sysupgrade -T IMAGE` again: the file in /tmp must still be the one validated.
 * - boot: `sysupgrade IMAGE`, keeping the configuration (no `-n`: the agent's data directory and
 *   its pending-boot marker must survive, listed in /lib/upgrade/keep.d by the package).
 * - A Set of BootFirmwareImage to the staged image runs `activate` (the `-T` check) and is kept
 *   until the next Device.Reboot(), which then runs `boot` (platform/linux/firmware-boot-choice.ts).
 */
import type { Logger } from '../../datamodel/Logger.js';
import { CommandError } from '../exec/CommandError.js';
import { CommandRunner } from '../exec/CommandRunner.js';
import { type BankReport, type FirmwareInstaller, type ImageIdentity, InstallerRefusal } from '../linux/firmware-installer.js';

/** `sysupgrade IMAGE` returns only when it failed; the real one takes the system down first. */
const FLASH_MS = 10 * 60_000;
const CHECK_MS = 60_000;

interface Board {
  release?: { distribution?: string; version?: string; revision?: string; target?: string };
}
interface FwtoolMetadata {
  version?: { dist?: string; version?: string; revision?: string; board?: string };
}

export class SysupgradeInstaller implements FirmwareInstaller {
  readonly stagedBank = true;
  readonly what = 'sysupgrade';
  private readonly runner: CommandRunner;

  constructor(log: Logger, commandPath?: string) {
    this.runner = new CommandRunner({ log, commandPath, timeoutMs: CHECK_MS });
  }

  async status(): Promise<BankReport[]> {
    const board = JSON.parse(await this.runner.run('ubus', ['call', 'system', 'board'])) as Board;
    const r = board.release ?? {};
    return [{ name: [r.distribution, r.target].filter(Boolean).join(' ') || 'OpenWrt', version: [r.version, r.revision].filter(Boolean).join(' '), active: true, boot: true, valid: true }];
  }

  async validate(image: string): Promise<ImageIdentity> {
    await this.check(image);
    let meta: FwtoolMetadata | undefined;
    try {
      meta = JSON.parse(await this.runner.run('fwtool', ['-q', '-i', '/dev/stdout', image])) as FwtoolMetadata;
    } catch {
      // No fwtool, or an image without metadata (x86 images have none): sysupgrade -T was the check.
    }
    const v = meta?.version;
    return v ? { name: [v.dist, v.board].filter(Boolean).join(' ') || undefined, version: [v.version, v.revision].filter(Boolean).join(' ') || undefined } : {};
  }

  async activate(_bank: BankReport, image: string | undefined): Promise<void> {
    if (image) await this.check(image);
  }

  async boot(_bank: BankReport, image: string | undefined): Promise<void> {
    // No staged image: the running one is what is activated, a plain restart.
    if (!image) return;
    try {
      await this.runner.run('sysupgrade', [image], { timeoutMs: FLASH_MS });
    } catch (e) {
      throw refusal(e);
    }
  }

  private async check(image: string): Promise<void> {
    try {
      await this.runner.run('sysupgrade', ['-T', image]);
    } catch (e) {
      throw refusal(e);
    }
  }
}

/** sysupgrade's own words: its stderr, the lines joined (it says what failed, then "Image check failed."). */
function refusal(e: unknown): InstallerRefusal {
  if (e instanceof CommandError && e.failure === 'exit' && e.stderr.trim() !== '') {
    return new InstallerRefusal(
      e.stderr
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(0, 4)
        .join(' '),
    );
  }
  return new InstallerRefusal(e instanceof Error ? e.message : String(e));
}

/**
 * The device-specific half of firmware on a live platform (TR-181 Device.DeviceInfo.FirmwareImage.{i}):
 * what reports the banks, checks an image, writes it and boots it. firmware-staged.ts does the
 * rest (staging, free space, statuses, the pending-boot marker). Two installers exist: OpenWrt's
 * `sysupgrade` (platform/openwrt/firmware-sysupgrade.ts) and the firmware hook of a generic
 * Linux device (firmware-hook.ts, for RAUC, SWUpdate, Mender).
 */

/** One bank as the device reports it (FirmwareImage.{i}; bank numbers are 1-based positions). */
export interface BankReport {
  /** The device's name for it (RAUC slot "rootfs.1", OpenWrt's running image): passed back to install/activate. */
  name: string;
  /** Version of the image in it, "" when none or unknown. */
  version: string;
  /** The running bank (ActiveFirmwareImage). */
  active: boolean;
  /** The bank the next boot starts (BootFirmwareImage). */
  boot: boolean;
  /** Holds an image that may be booted. */
  valid: boolean;
}

/** What validation learnt about an image. */
export interface ImageIdentity {
  name?: string;
  version?: string;
}

/** A refusal by the device's tool (invalid image, failed write): the message is the FaultString. */
export class InstallerRefusal extends Error {
  override readonly name = 'InstallerRefusal';
}

export interface FirmwareInstaller {
  /** For logs and FaultStrings: "sysupgrade", "firmware hook /usr/libexec/fw-hook". */
  readonly what: string;
  /**
   * True when the device runs one image and keeps no second bank (OpenWrt): status() reports the
   * running image only; firmware-staged.ts shows it as one of two FirmwareImage rows and the staged
   * image file as the other, flashed over the running image at activation.
   */
  readonly stagedBank: boolean;
  status(): Promise<BankReport[]>;
  /** Checks an image file; rejects with InstallerRefusal when it is not one this device takes. */
  validate(image: string): Promise<ImageIdentity>;
  /** Writes a valid image file into `bank` (A/B devices); absent for stagedBank installers. */
  install?(image: string, bank: BankReport): Promise<void>;
  /** Makes `bank` (or, stagedBank, the staged `image`) the next boot's; rejects when the device refuses. */
  activate(bank: BankReport, image: string | undefined): Promise<void>;
  /** Boots into it, after the agent's notifications are out (sysupgrade: flash and reboot). */
  boot(bank: BankReport, image: string | undefined): Promise<void>;
}

/** What Device.DeviceInfo. serves from a live firmware backend (its binding merges these in). */
export interface FirmwareReferences {
  /** SoftwareVersion, when present, is the running image's version and replaces the OS release's. */
  references(): Promise<{ ActiveFirmwareImage: string; BootFirmwareImage: string; SoftwareVersion?: string }>;
  /** Set of BootFirmwareImage (firmware-boot-choice.ts); rejects with 7012 when the reference cannot be booted. */
  setBootImage(ref: string): Promise<void>;
}
export const FIRMWARE_DEVICE_INFO_PARAMS = ['ActiveFirmwareImage', 'BootFirmwareImage'] as const;

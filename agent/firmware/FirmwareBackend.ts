/**
 * What the agent's Firmware:1 commands (Download(), Activate(); TR-181
 * Device.DeviceInfo.FirmwareImage.{i}) need from a platform: banks to write an image into and a
 * boot loader to point at one. The platform serves FirmwareImage.{i} and the DeviceInfo
 * references itself; the agent fetches the image, checks its size and checksum, reports
 * TransferComplete! and restarts. platform/simulated/firmware.ts, platform/linux/firmware-staged.ts
 * (OpenWrt sysupgrade, the Linux firmware hook) implement it (structurally: the platform layer
 * cannot import the agent).
 */
import type { Awaitable } from '../../datamodel/tree/binding.js';

/** Name and Version of an installed image (FirmwareImage.{i}.Name/Version). */
export interface ImageInfo {
  name: string;
  version: string;
}

/**
 * One image on its way into a bank. FirmwareImage.{i}.Status follows the calls: beginDownload
 * sets Downloading; `validating` Validating; `install` Available (or rejects); `fail` the
 * failure status; `cancel` puts the bank back as it was before the download.
 */
export interface ImageWriter {
  /** The server announced the image's size (Content-Length) or Download() gave a FileSize: reject (UspError) when it cannot fit. */
  expect?(bytes: number): Awaitable<void>;
  /** The next bytes of the image, in order. */
  write(chunk: Uint8Array): Awaitable<void>;
  /** Every byte is in; the agent now checks size and checksum. */
  validating(): void;
  /** Checks the image itself (format, version) and writes it to its bank; rejects with a UspError when invalid. */
  install(hint: { fileName: string }): Promise<ImageInfo>;
  fail(status: 'DownloadFailed' | 'ValidationFailed', reason: string): void;
  cancel(): void;
}

export interface FirmwareBackend {
  /** Starts an image into bank `bank` (its FirmwareImage instance number); throws UspError when it cannot take one now. */
  beginDownload(bank: number): Awaitable<ImageWriter>;
  /** Throws UspError (7022) when bank `bank` holds no image that can be activated. */
  checkBootable(bank: number): Awaitable<void>;
  /** Makes bank `bank` the next boot's (BootFirmwareImage); rejects (UspError 7022) when the device refuses; the agent restarts afterwards. */
  setBootBank(bank: number): Awaitable<void>;
  /**
   * Live platforms: boots into bank `bank` once the OperationComplete and TransferComplete! are
   * out (OpenWrt: `sysupgrade`, which flashes and reboots; a hook: its reboot). Rejects when the
   * device could not: the running image is untouched and the agent keeps running. Without it,
   * the agent only restarts (the simulated boot loader then picks the bank).
   */
  bootInto?(bank: number): Promise<void>;
  /**
   * An activation that could not happen (every TimeWindow ended while the agent was down):
   * FirmwareImage.{i}.Status ActivationFailed and `reason` in its BootFailureLog (TR-181
   * Activate(): a failed activation updates BootFailureLog). The running image is untouched.
   */
  activationFailed?(bank: number, reason: string): void;
  /**
   * Live platforms: Device.Reboot() calls it before the agent restarts. When BootFirmwareImage
   * names another image than the running one (a Set chose it), boots it as Activate() would
   * (TR-181: an image "can also be activated by setting BootFirmwareImage and causing the Agent
   * to reboot"); otherwise does nothing. Never rejects. Without it (the simulated gateway) the
   * restart's boot loader reads BootFirmwareImage itself.
   */
  rebootIntoBootImage?(): Promise<void>;
  /** True once after a boot that runs a different image than the boot before (Device.Boot! FirmwareUpdated). */
  takeFirmwareUpdated(): boolean;
}

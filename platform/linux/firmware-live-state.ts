/**
 * What live firmware (firmware-staged.ts) keeps in `DATA-DIR/firmware-live.json`, written
 * atomically (write, fsync, rename: a power cut leaves the old file or the new, never half of
 * one). It is the device's state, not its configuration: FactoryReset() keeps it, and on OpenWrt
 * it survives sysupgrade with the rest of the data directory.
 */

export const FIRMWARE_LIVE_STATE_FILE = 'firmware-live.json';

export interface StagedImage {
  file: string;
  name: string;
  version: string;
}
export interface PendingBoot {
  bank: number;
  name: string;
  version: string;
  requested: string;
}
export interface LiveState {
  /** The running version at the previous start (Boot! FirmwareUpdated when it changed). */
  lastRunVersion?: string;
  /** The staged image (stagedBank installers: the FirmwareImage.{i} that is not running). */
  staged?: StagedImage;
  /**
   * stagedBank installers: which FirmwareImage.{i} (1 or 2) the running image is; absent, 1. An
   * upgrade flashes over the running image, but a Controller sees a two-bank device (TP-469 9.3
   * metric 4): the instance Download() was called on becomes the Active one, kept here because
   * this file survives sysupgrade with the pending-boot marker.
   */
  runningBank?: number;
  /** Set by Activate(), read by the next start. */
  pending?: PendingBoot;
  /**
   * FirmwareImage.{i} a Controller set Available false (TR-181: the Agent boots none of them);
   * one goes when an image is installed into it (TR-181: a new image is Available).
   */
  unavailable?: number[];
  /** stagedBank installers: BootFirmwareImage set to the staged image, flashed at the next Device.Reboot(). */
  bootRequested?: number;
}

/** Marks FirmwareImage.{i} `n` Available (dropped from `unavailable`) or not; true when that changed anything. */
export function markAvailable(state: LiveState, n: number, available: boolean): boolean {
  const was = state.unavailable?.includes(n) ?? false;
  if (was === !available) return false;
  const rest = (state.unavailable ?? []).filter((i) => i !== n);
  if (available) {
    if (rest.length) state.unavailable = rest;
    else delete state.unavailable;
  } else state.unavailable = [...rest, n].sort((x, y) => x - y);
  return true;
}

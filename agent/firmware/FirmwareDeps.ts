/**
 * What Download() and Activate() share: the model (for TransferComplete!), the platform's
 * backend, the transfer limits, and the two ways the commands act after they have returned.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { FetchLimits, FetchOptions } from './fetch-image.js';
import type { FirmwareBackend } from './FirmwareBackend.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';

export interface FirmwareDeps {
  model: DataModel;
  backend: FirmwareBackend;
  log: Logger;
  limits: FetchLimits;
  ca?: FetchOptions['ca'];
  /** Where Download() may fetch from; none: anywhere. */
  downloadPolicy?: DownloadPolicy;
  now(): Date;
  /**
   * Runs `fn` once the command's OperationComplete is queued: the runner reports a command's
   * end in the microtasks after it returns, so anything scheduled later comes after it.
   */
  afterCompletion(fn: () => void): void;
  /** Reboots into BootFirmwareImage (cause RemoteReboot) once the queued notifications are out. */
  reboot(commandKey: string): void;
}

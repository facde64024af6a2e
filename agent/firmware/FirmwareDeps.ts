/**
 * What Download() and Activate() share: the model (for TransferComplete!), the platform's
 * backend, the transfer limits, and the two ways the commands act after they have returned.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { FetchLimits, FetchOptions } from './fetch-image.js';
import type { FirmwareBackend } from './FirmwareBackend.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import type { ActivationJournal } from './activation-journal.js';
import type { TransferJournal } from './transfer-journal.js';
import type { TrustStore } from './trust-store.js';

export interface FirmwareDeps {
  model: DataModel;
  backend: FirmwareBackend;
  log: Logger;
  limits: FetchLimits;
  ca?: FetchOptions['ca'];
  /** Where Download() may fetch from; none: anywhere. */
  downloadPolicy?: DownloadPolicy;
  /** When set, images must carry a detached signature by one of its keys (image-signature.ts). */
  trust?: TrustStore;
  /** Downloads in flight, so the next start reports one a restart cut short. */
  journal: TransferJournal;
  /** Activate() calls waiting for their window, so the next start still activates (or reports) them. */
  activations: ActivationJournal;
  /** Aborted when the agent stops: ends the waits of activations resumed after a restart. */
  stopped: AbortSignal;
  now(): Date;
  /**
   * Runs `fn` once the command's OperationComplete is queued: the runner reports a command's
   * end in the microtasks after it returns, so anything scheduled later comes after it.
   */
  afterCompletion(fn: () => void): void;
  /** Reboots into bank `bank` (BootFirmwareImage; cause RemoteReboot) once the queued notifications are out. */
  reboot(commandKey: string, bank: number): void;
}

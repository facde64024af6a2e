/**
 * Firmware:1 on the agent side (TR-181 Device.DeviceInfo.FirmwareImage.{i}.Download()/Activate()
 * and Device.LocalAgent.TransferComplete!): registers the commands over a platform's
 * FirmwareBackend. The platform registers FirmwareImage.{i} itself and serves
 * ActiveFirmwareImage/BootFirmwareImage; call this only when it has a backend.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { BoundCommand } from '../../datamodel/tree/bound-command.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { GatewayActions } from '../builtin-commands.js';
import { resumeActivations, runActivate } from './activate-command.js';
import { ActivationJournal } from './activation-journal.js';
import { runDownload } from './download-command.js';
import { DEFAULT_FETCH_LIMITS, type FetchLimits, type FetchOptions } from './fetch-image.js';
import type { FirmwareBackend } from './FirmwareBackend.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import type { FirmwareDeps } from './FirmwareDeps.js';
import { emitTransferComplete, LOCAL_AGENT_PATH, TRANSFER_COMPLETE } from './transfer-complete.js';
import { TransferJournal } from './transfer-journal.js';
import type { TrustStore } from './trust-store.js';

export const FIRMWARE_IMAGE_PATH = 'Device.DeviceInfo.FirmwareImage.{i}.';

/** After the notifications are matched, a moment for the MTPs to put them on the wire. */
const REBOOT_GRACE_MS = 200;

export interface FirmwareCommandOptions {
  /** What Device.Reboot() does (restart), and a wait until the notifications queued so far are matched and sent (settle: the subscription engine's idle()). */
  actions: GatewayActions;
  log: Logger;
  limits?: Partial<FetchLimits>;
  /** HTTPS trust anchors for image servers instead of Node's bundled CAs. */
  ca?: FetchOptions['ca'];
  /** Where Download() may fetch from (transfer/download-policy.ts); none: anywhere. */
  downloadPolicy?: DownloadPolicy;
  now?: () => Date;
  /** Images must be signed by a key of this store (`--firmware-trust`); none: checksums only. */
  trust?: TrustStore;
  /** The data directory: downloads in flight are journaled there (transfer-journal.ts). */
  dataDir?: string;
}

/** What the composition root does with the firmware commands after the start. */
export interface FirmwareCommands {
  /**
   * Sends the TransferComplete! (with a fault) of each download a previous run never finished,
   * and resumes (or records as failed) each Activate() it left waiting for its TimeWindow; call after Boot!.
   */
  reportInterrupted(): void;
  /**
   * Device.Reboot(), before the agent restarts: once the notifications queued so far are out, the
   * platform boots the image a Set of BootFirmwareImage chose, if any (FirmwareBackend.rebootIntoBootImage).
   */
  beforeReboot(): Promise<void>;
  /** The agent stops: resumed activations wait no longer. */
  stop(): void;
}

export function registerFirmwareCommands(model: DataModel, backend: FirmwareBackend, opts: FirmwareCommandOptions): FirmwareCommands {
  const firmware = new GatewayFirmware(model, backend, opts);
  // The gateway's state beside functions the fleet shares (issue 14).
  model.registerCommand(FIRMWARE_IMAGE_PATH, 'Download()', new BoundCommand<FirmwareDeps>(firmware, runDownload));
  model.registerCommand(FIRMWARE_IMAGE_PATH, 'Activate()', new BoundCommand<FirmwareDeps>(firmware, runActivate));
  model.registerEvent(LOCAL_AGENT_PATH, TRANSFER_COMPLETE);
  return firmware;
}

/**
 * One gateway's firmware commands and what they share: a class, so a fleet's gateways share its
 * methods instead of a closure each per gateway (issue 14).
 */
class GatewayFirmware implements FirmwareDeps, FirmwareCommands {
  readonly log: Logger;
  readonly limits: FetchLimits;
  readonly journal: TransferJournal;
  readonly activations: ActivationJournal;
  /** Made at the first wait that needs it: an AbortController costs an EventTarget and its two Maps. */
  private stopper?: AbortController;
  private halted = false;

  constructor(
    readonly model: DataModel,
    readonly backend: FirmwareBackend,
    private readonly opts: FirmwareCommandOptions,
  ) {
    this.log = opts.log;
    this.limits = opts.limits ? { ...DEFAULT_FETCH_LIMITS, ...opts.limits } : DEFAULT_FETCH_LIMITS;
    this.journal = new TransferJournal(opts.dataDir);
    this.activations = new ActivationJournal(opts.dataDir);
  }

  get ca(): FetchOptions['ca'] {
    return this.opts.ca;
  }

  get downloadPolicy(): DownloadPolicy | undefined {
    return this.opts.downloadPolicy;
  }

  get trust(): TrustStore | undefined {
    return this.opts.trust;
  }

  get stopped(): AbortSignal {
    if (!this.stopper) {
      this.stopper = new AbortController();
      if (this.halted) this.stopper.abort();
    }
    return this.stopper.signal;
  }

  now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  afterCompletion(fn: () => void): void {
    setImmediate(fn);
  }

  reboot(commandKey: string, bank: number): void {
    const { opts, backend, log } = this;
    void (async () => {
      await opts.actions.settle();
      await new Promise((r) => setTimeout(r, REBOOT_GRACE_MS));
      if (backend.bootInto) {
        try {
          await backend.bootInto(bank);
        } catch (e) {
          // The running image is untouched (the platform says so in FirmwareImage.{i}.Status): keep serving.
          log.error('firmware activation failed; still running the current image', { bank, error: e instanceof Error ? e.message : String(e) });
          return;
        }
      }
      opts.actions.restart('RemoteReboot', commandKey);
    })().catch((e: unknown) => log.error('firmware activation reboot failed', { error: String(e) }));
  }

  async beforeReboot(): Promise<void> {
    if (!this.backend.rebootIntoBootImage) return;
    await this.opts.actions.settle();
    await this.backend.rebootIntoBootImage();
  }

  reportInterrupted(): void {
    for (const r of this.journal.takeInterrupted()) {
      this.log.warn('a firmware download was cut short by a restart; reporting it failed', { image: r.affected, url: r.url });
      emitTransferComplete(this.model, r);
    }
    resumeActivations(this);
  }

  stop(): void {
    this.halted = true;
    this.stopper?.abort();
  }
}

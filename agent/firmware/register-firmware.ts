/**
 * Firmware:1 on the agent side (TR-181 Device.DeviceInfo.FirmwareImage.{i}.Download()/Activate()
 * and Device.LocalAgent.TransferComplete!): registers the commands over a platform's
 * FirmwareBackend. The platform registers FirmwareImage.{i} itself and serves
 * ActiveFirmwareImage/BootFirmwareImage; call this only when it has a backend.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { RestartCause } from '../builtin-commands.js';
import { runActivate } from './activate-command.js';
import { runDownload } from './download-command.js';
import { DEFAULT_FETCH_LIMITS, type FetchLimits, type FetchOptions } from './fetch-image.js';
import type { FirmwareBackend } from './FirmwareBackend.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import type { FirmwareDeps } from './FirmwareDeps.js';
import { LOCAL_AGENT_PATH, TRANSFER_COMPLETE } from './transfer-complete.js';

export const FIRMWARE_IMAGE_PATH = 'Device.DeviceInfo.FirmwareImage.{i}.';

/** After the notifications are matched, a moment for the MTPs to put them on the wire. */
const REBOOT_GRACE_MS = 200;

export interface FirmwareCommandOptions {
  /** What Device.Reboot() does (the agent's BuiltinActions.restart). */
  restart(cause: RestartCause, commandKey: string): void;
  /** Resolves once the notifications queued so far are matched and sent (the subscription engine's idle()). */
  settle?: () => Promise<void>;
  log: Logger;
  limits?: Partial<FetchLimits>;
  /** HTTPS trust anchors for image servers instead of Node's bundled CAs. */
  ca?: FetchOptions['ca'];
  /** Where Download() may fetch from (transfer/download-policy.ts); none: anywhere. */
  downloadPolicy?: DownloadPolicy;
  now?: () => Date;
}

export function registerFirmwareCommands(model: DataModel, backend: FirmwareBackend, opts: FirmwareCommandOptions): void {
  const { log } = opts;
  const deps: FirmwareDeps = {
    model, backend, log, ca: opts.ca, downloadPolicy: opts.downloadPolicy,
    limits: { ...DEFAULT_FETCH_LIMITS, ...opts.limits },
    now: opts.now ?? (() => new Date()),
    afterCompletion: (fn) => { setImmediate(fn); },
    reboot: (commandKey) => {
      void (async () => {
        await opts.settle?.();
        await new Promise((r) => setTimeout(r, REBOOT_GRACE_MS));
        opts.restart('RemoteReboot', commandKey);
      })().catch((e: unknown) => log.error('firmware activation reboot failed', { error: String(e) }));
    },
  };
  model.registerCommand(FIRMWARE_IMAGE_PATH, 'Download()', { run: (call) => runDownload(deps, call) });
  model.registerCommand(FIRMWARE_IMAGE_PATH, 'Activate()', { run: (call) => runActivate(deps, call) });
  model.registerEvent(LOCAL_AGENT_PATH, TRANSFER_COMPLETE);
}

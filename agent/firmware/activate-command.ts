/**
 * FirmwareImage.{i}.Activate() (TR-181 Firmware:1; async): in the first usable TimeWindow (see
 * time-windows.ts) the image becomes BootFirmwareImage and the device reboots into it; the
 * OperationComplete goes out before the reboot (async commands do not survive one). After the
 * reboot ActiveFirmwareImage names it, or, when it fails to boot, the platform rolls back and
 * writes its BootFailureLog. An image that is not installed and Available fails at once (7022);
 * Request.{i}.Cancel() while waiting for the window gives 7023 and changes nothing. A call
 * waiting for its window is journaled (activation-journal.ts) so a restart does not forget it.
 */
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { FirmwareDeps } from './FirmwareDeps.js';
import { absoluteWindows, nextActivation } from './activation-journal.js';
import { chooseWindow, parseTimeWindows, usableWindows } from './time-windows.js';

export async function runActivate(d: FirmwareDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  const bank = call.keys[call.keys.length - 1];
  const invokedAt = d.now();
  const windows = parseTimeWindows(call.input);
  const window = chooseWindow(windows);
  if (!window) throw new UspError(ErrorCode.CommandFailure, 'no TimeWindow has a Mode this device supports (Immediately, AnyTime)');
  await d.backend.checkBootable(bank);
  if (window.start > 0) {
    d.log.info('firmware activation scheduled', { image: call.objectPath, inSeconds: window.start });
    const key = d.activations.begin({
      bank,
      image: call.objectPath,
      commandKey: call.commandKey,
      requested: invokedAt.toISOString(),
      windows: absoluteWindows(usableWindows(windows), invokedAt),
    });
    try {
      await waitSeconds(window.start, call.signal);
    } finally {
      d.activations.end(key);
    }
  }
  await d.backend.setBootBank(bank);
  d.log.info('firmware activation: rebooting', { image: call.objectPath });
  d.afterCompletion(() => d.reboot(call.commandKey, bank));
  return {};
}

/** Node fires timers longer than 2^31-1 ms at once; Start goes up to 2^32-1 s, so wait in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function waitSeconds(s: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout;
    const arm = (left: number): void => {
      timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : done()), Math.min(left, MAX_TIMER_MS));
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new UspError(ErrorCode.CommandCanceled, 'Activate() canceled'));
    };
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    arm(s * 1000);
  });
}

/**
 * At the start: each Activate() a previous run left waiting (activation-journal.ts) activates in
 * its window (at once when the Start passed while the agent was down), or, when every window
 * has ended, is recorded as a failed activation in the image's BootFailureLog. The Boot! that
 * follows the reboot carries the call's CommandKey, as after an uninterrupted activation.
 */
export function resumeActivations(d: FirmwareDeps): void {
  for (const { key, pending: p } of d.activations.takeLeftover()) {
    const at = nextActivation(p, d.now());
    if (at === undefined) {
      const last = p.windows.at(-1);
      const reason = `${iso(d.now())} activation requested at ${p.requested} not done: the agent was restarted and its last TimeWindow ended at ${last ? iso(new Date(last.endAt)) : p.requested}`;
      d.log.warn('a firmware activation waiting for its TimeWindow missed it across a restart', { image: p.image, commandKey: p.commandKey });
      d.backend.activationFailed?.(p.bank, reason);
      d.activations.end(key);
      continue;
    }
    const delay = Math.max(0, at - d.now().getTime());
    d.log.info('firmware activation resumed after a restart', { image: p.image, inSeconds: Math.round(delay / 1000) });
    const activate = async (): Promise<void> => {
      d.activations.end(key);
      await d.backend.checkBootable(p.bank);
      await d.backend.setBootBank(p.bank);
      d.log.info('firmware activation: rebooting', { image: p.image });
      d.reboot(p.commandKey, p.bank);
    };
    waitSeconds(delay / 1000, d.stopped)
      .then(activate)
      .catch((e: unknown) => {
        if (d.stopped.aborted) return;
        const why = e instanceof Error ? e.message : String(e);
        d.log.error('a resumed firmware activation failed', { image: p.image, error: why });
        d.backend.activationFailed?.(p.bank, `${iso(d.now())} activation requested at ${p.requested} failed: ${why}`);
      });
  }
}

function iso(t: Date): string {
  return t.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * FirmwareImage.{i}.Activate() (TR-181 Firmware:1; async): in the first usable TimeWindow (see
 * time-windows.ts) the image becomes BootFirmwareImage and the device reboots into it; the
 * OperationComplete goes out before the reboot (async commands do not survive one). After the
 * reboot ActiveFirmwareImage names it, or, when it fails to boot, the platform rolls back and
 * writes its BootFailureLog. An image that is not installed and Available fails at once (7022);
 * Request.{i}.Cancel() while waiting for the window gives 7023 and changes nothing.
 */
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { FirmwareDeps } from './FirmwareDeps.js';
import { chooseWindow, parseTimeWindows } from './time-windows.js';

export async function runActivate(d: FirmwareDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  const bank = call.keys[call.keys.length - 1];
  const window = chooseWindow(parseTimeWindows(call.input));
  if (!window) throw new UspError(ErrorCode.CommandFailure, 'no TimeWindow has a Mode this device supports (Immediately, AnyTime)');
  await d.backend.checkBootable(bank);
  if (window.start > 0) {
    d.log.info('firmware activation scheduled', { image: call.objectPath, inSeconds: window.start });
    await waitSeconds(window.start, call.signal);
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
    const onAbort = (): void => { clearTimeout(timer); reject(new UspError(ErrorCode.CommandCanceled, 'Activate() canceled')); };
    const done = (): void => { signal.removeEventListener('abort', onAbort); resolve(); };
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    arm(s * 1000);
  });
}

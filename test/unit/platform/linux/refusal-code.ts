/**
 * The TR-369 error code a synchronous check (the Linux Wi-Fi settings planners: hostapd keys, iw
 * bitrates, access lists) refuses a value with: undefined when it accepts, -1 when it throws
 * something other than a UspError (a bug, not a refusal), so one `toBe(7012)` tells them apart.
 */
import { UspError } from '../../../../datamodel/UspError.js';

export function refusalCode(check: () => unknown): number | undefined {
  try {
    check();
  } catch (e) {
    return e instanceof UspError ? e.code : -1;
  }
  return undefined;
}

/** The TR-369 code an asynchronous call (a binding's get/set/add/delete) rejects with: 0 when it succeeds, -1 when the rejection carries none. */
export async function settledCode(p: unknown): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

/** How live firmware (firmware-staged.ts, firmware-boot-choice.ts) words its failures. */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { InstallerRefusal } from './firmware-installer.js';

/** 7012 for one parameter of a Set, with its parameter error. */
export function invalidValue(param: string, message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, `${param}: ${message}`, { paramErrors: [{ param, code: ErrorCode.InvalidValue, message }] });
}

/** The device tool's own words when it refused; the error's message otherwise. */
export function reason(e: unknown): string {
  if (e instanceof InstallerRefusal || e instanceof UspError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/**
 * The TR-181 Alias data type (TR-106 _AliasUSP): "The value MUST NOT be empty" and "MUST start
 * with a letter" (TP-469 1.88). One rule for every way an Alias arrives: Set and Add parameter
 * settings, the factory-defaults file and command arguments that name a new row's Alias
 * (Device.LocalAgent.AddCertificate(), Controller.{i}.AddMyCertificate()), all through
 * parseValue.
 */
import { ErrorCode, UspError } from '../UspError.js';
import type { Value } from './Value.js';

/** The dataType name the schema gives Alias parameters and arguments. */
export const ALIAS_DATA_TYPE = 'Alias';

/** @throws UspError 7012 (a string of the type that the Alias rules reject). */
export function checkAlias(value: Value): void {
  if (typeof value !== 'string' || !/^[A-Za-z]/.test(value)) {
    throw new UspError(ErrorCode.InvalidValue, 'an Alias must not be empty and must start with a letter');
  }
}

/**
 * What the Linux DHCPv4 (udhcpc) and DHCPv6 (dhcpcd) Client rows share about their Interface:
 * the device a row runs on is kept beside it in the store (`$device`), checked on a Set, and
 * read back into Interface and Status. Kept in one place so both protocols refuse the same
 * Interfaces with the same reasons.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { duplicateKey } from '../dhcpv4-client-options.js';
import { invalid, publicValues, type Row } from '../stored-table.js';
import type { ManagedInterfaces } from './ip-write.js';
import type { IpInterfaceNames } from './nat.js';

/** The stored column with the Linux device a Client row runs on (not a TR-181 parameter). */
export const DEVICE_KEY = '$device';

/** The device client row `row` runs on, if its Interface names one. */
export function deviceOf(row: Row): string | undefined {
  const d = row[DEVICE_KEY];
  return typeof d === 'string' && d !== '' ? d : undefined;
}

export interface DhcpClientInterfaceRules {
  interfaces: IpInterfaceNames;
  managed: ManagedInterfaces;
  /** The protocol as the messages name it: "DHCP" (v4) or "DHCPv6". */
  label: string;
  /** The Client table's path prefix, e.g. `Device.DHCPv6.Client.` (for the duplicate message). */
  table: string;
}

/**
 * The check of a Set of client `n`'s Interface (7012 unless it names an IP.Interface whose
 * device the agent manages, is no loopback and runs no other client): `merged` with the device
 * kept beside it. `rows` are the table's stored rows.
 */
export async function checkClientInterface(
  rules: DhcpClientInterfaceRules,
  n: number,
  merged: Record<string, Value>,
  changes: Record<string, Value>,
  rows: Array<[number, Row]>,
): Promise<Record<string, Value>> {
  if (changes.Interface === undefined) return merged;
  const out = { ...merged };
  delete out[DEVICE_KEY];
  const reference = String(changes.Interface);
  if (reference === '') return out;
  const device = await rules.interfaces.nameOf(reference);
  const bad = (message: string): UspError => invalid([{ param: 'Interface', message }]);
  if (device === undefined) throw bad(`${reference} is no Device.IP.Interface row of this device`);
  if (device === 'lo') throw bad(`the loopback interface has no ${rules.label} server to ask`);
  if (!rules.managed.has(device)) throw bad(`the agent does not manage device ${device} (--manage-interfaces): a ${rules.label} client would change its addresses`);
  const other = rows.find(([m, r]) => m !== n && deviceOf(r) === device);
  if (other) throw duplicateKey('Interface', `${rules.table}${other[0]}. already runs on ${device}`);
  out[DEVICE_KEY] = device;
  return out;
}

/**
 * A client row's stored values with Interface (the IP.Interface its device is now, if any) and
 * Status (Disabled; Error_Misconfigured when the device is gone; Error when its child does not run).
 */
export async function readClientInterface(interfaces: IpInterfaceNames, row: Row, childRunning: boolean): Promise<Record<string, Value>> {
  const values = publicValues(row);
  const device = deviceOf(row);
  const present = device === undefined ? undefined : await interfaces.pathOf(device);
  if (present !== undefined) values.Interface = present;
  values.Status = row.Enable !== true ? 'Disabled' : present === undefined ? 'Error_Misconfigured' : childRunning ? 'Enabled' : 'Error';
  return values;
}

/** Renew() on a client with no child running: a command failure, in the same words for both protocols. */
export function noClientRunning(rules: DhcpClientInterfaceRules, n: number): UspError {
  return new UspError(ErrorCode.CommandFailure, `${rules.table}${n}. runs no ${rules.label} client now (Enable false, or no Interface)`);
}

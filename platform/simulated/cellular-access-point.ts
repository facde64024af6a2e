/**
 * Device.Cellular.AccessPoint.{i}. of the simulated gateway (TR-181 CellularInterface:1): the
 * one APN the modem's data session uses. Changing the APN takes effect as on a real modem: the
 * data session is torn down and set up again, and the simulated operator only accepts its own
 * APNs, so a wrong one leaves the modem attached but the WAN without a data session.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';

/** APNs the simulated operator (SimNet) provisions for this SIM. */
export const OPERATOR_APNS = ['internet', 'fwa.simnet'] as const;
/** The one modem, as the access point's Interface reference. */
const MODEM = 'Device.Cellular.Interface.1';
/** Seconds a PDU session takes to come up after the APN or the access point changed. */
const SESSION_SETUP_S = 3;

// 3GPP TS 23.003 §9.1: an APN Network Identifier is dot-separated labels of letters, digits and
// inner hyphens, and must not end in ".gprs" (that suffix belongs to the Operator Identifier).
const APN_RE = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;

export interface DataSession {
  /** A data session is up: attached, access point enabled, APN accepted and set up. */
  up(): boolean;
  /** The session carries IPv6: it is up and IPVersion does not restrict it to IPv4 (PDN type IPv4). */
  ipv6(): boolean;
}

/** Serves Device.Cellular.AccessPoint.{i}. (one row); `attached` says whether the modem is registered. */
export function registerCellularAccessPoint(ctx: SimContext, attached: () => boolean): DataSession {
  const rows = new WritableRows(ctx, 'Device.Cellular.AccessPoint.{i}.', () => ({
    Enable: true, Alias: 'cpe-apn-internet', APN: OPERATOR_APNS[0], Username: '', Password: '',
    Interface: MODEM, IPVersion: -1, Type: 'default',
  }));
  /** Wall-clock ms of the last change that restarted the data session (boot: none). */
  let restartedAt = -Infinity;
  const one = (keys: readonly number[]): readonly number[] => { nth([1], keys[0]); return keys; };

  ctx.model.register('Device.Cellular.AccessPoint.{i}.', {
    params: ['Enable', 'Alias', 'APN', 'Username', 'Password', 'Interface', 'IPVersion', 'Type'],
    list: () => [1],
    get: (keys) => rows.row(one(keys)),
    set: (keys, changes) => {
      one(keys);
      canonicalizeReferences(changes, ['Interface']);
      validate(changes);
      const before = rows.row(keys);
      rows.apply(keys, changes);
      const restart = ['Enable', 'APN', 'Username', 'Password', 'IPVersion'].some((p) => changes[p] !== undefined && changes[p] !== before[p]);
      if (restart) restartedAt = ctx.now();
    },
  });

  const up = (): boolean => {
    const row = rows.row([1]);
    return attached() && row.Enable === true && (OPERATOR_APNS as readonly string[]).includes(String(row.APN).toLowerCase())
      && ctx.now() >= restartedAt + SESSION_SETUP_S * 1000;
  };
  return { up, ipv6: () => up() && rows.row([1]).IPVersion !== 4 };
}

function validate(changes: Record<string, Value>): void {
  const bad: Array<{ param: string; message: string }> = [];
  const { APN, Interface } = changes;
  if (APN !== undefined && (!APN_RE.test(String(APN)) || /\.gprs$/i.test(String(APN)))) {
    bad.push({ param: 'APN', message: `${JSON.stringify(APN)} is not an APN network identifier (3GPP TS 23.003 §9.1)` });
  }
  if (Interface !== undefined && Interface !== MODEM) {
    bad.push({ param: 'Interface', message: `the gateway has one modem: ${MODEM}` });
  }
  if (bad.length > 0) throw invalidParams(bad);
}

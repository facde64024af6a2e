/**
 * Device.Time. of the simulated gateway (TR-181 Time:2): the injected clock is the device's
 * NTP-disciplined clock, synchronized once the simulated NTP client has had a few seconds.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { isPosixTz, posixTzProblem } from '../posix-tz.js';
import { dateTime, invalidParams, type SimContext, WritableRows } from './SimContext.js';

/** Seconds after boot before the simulated NTP client reports Synchronized. */
const NTP_SYNC_DELAY_S = 8;

const TIME_PARAMS = ['Enable', 'Status', 'CurrentLocalTime', 'LocalTimeZone'] as const;
const TIME_DEFAULTS = {
  Enable: true,
  // POSIX TZ string, as OpenWrt stores it: Central European Time with EU summer-time rules.
  LocalTimeZone: 'CET-1CEST,M3.5.0,M10.5.0/3',
} as const;

/**
 * Device.Time.: a class, so a fleet's gateways share its methods and served names (issue 14);
 * it holds only the gateway's context and rows.
 */
class TimeBinding implements ObjectBinding {
  readonly params = TIME_PARAMS;

  constructor(
    private readonly ctx: SimContext,
    private readonly rows: WritableRows,
  ) {}

  get(): Record<string, Value> {
    const row = this.rows.row([]);
    const status = !row.Enable ? 'Disabled' : this.ctx.elapsed() < NTP_SYNC_DELAY_S ? 'Unsynchronized' : 'Synchronized';
    // dateTime values are canonical UTC in this agent; the zone is reported in LocalTimeZone.
    return { ...row, Status: status, CurrentLocalTime: dateTime(this.ctx.now()) };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const tz = changes.LocalTimeZone;
    if (tz !== undefined && tz !== '' && !isPosixTz(String(tz))) {
      throw invalidParams([{ param: 'LocalTimeZone', message: posixTzProblem(String(tz)) }]);
    }
    this.rows.apply(keys, changes);
  }
}

/** Serves Device.Time. (Enable, Status, CurrentLocalTime, LocalTimeZone; no NTP client table yet). */
export function registerTime(ctx: SimContext): void {
  ctx.model.register('Device.Time.', new TimeBinding(ctx, new WritableRows(ctx, 'Device.Time.', TIME_DEFAULTS)));
}

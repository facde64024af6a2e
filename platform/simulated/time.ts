/**
 * Device.Time. of the simulated gateway (TR-181 Time:1): the injected clock is the device's
 * NTP-disciplined clock, synchronized once the simulated NTP client has had a few seconds.
 */
import { dateTime, type SimContext, WritableRows } from './SimContext.js';

/** Seconds after boot before the simulated NTP client reports Synchronized. */
const NTP_SYNC_DELAY_S = 8;

/** Serves Device.Time. (Enable, Status, CurrentLocalTime, LocalTimeZone; no NTP client table yet). */
export function registerTime(ctx: SimContext): void {
  const rows = new WritableRows(ctx, 'Device.Time.', () => ({
    Enable: true,
    // POSIX TZ string, as OpenWrt stores it: Central European Time with EU summer-time rules.
    LocalTimeZone: 'CET-1CEST,M3.5.0,M10.5.0/3',
  }));
  ctx.model.register('Device.Time.', {
    params: ['Enable', 'Status', 'CurrentLocalTime', 'LocalTimeZone'],
    get: () => {
      const row = rows.row([]);
      const status = !row.Enable ? 'Disabled' : ctx.elapsed() < NTP_SYNC_DELAY_S ? 'Unsynchronized' : 'Synchronized';
      // dateTime values are canonical UTC in this agent; the zone is reported in LocalTimeZone.
      return { ...row, Status: status, CurrentLocalTime: dateTime(ctx.now()) };
    },
    set: (keys, changes) => rows.apply(keys, changes),
  });
}

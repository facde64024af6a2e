/**
 * Microsecond wall-clock timestamps for the TR-143 diagnostics: TR-181 wants ROMTime, BOMTime,
 * EOMTime, TCPOpen*Time, PacketSendTime, TimeFirstPacketReceived ... "specified to microsecond
 * precision" (e.g. 2008-04-09T15:01:05.123456Z). Date has milliseconds only, so the wall clock is
 * read once and the monotonic high-resolution clock gives the microseconds after it: timestamps
 * of one test are then ordered as they happened even if the wall clock is stepped meanwhile.
 */

/** A point in time as microseconds since the Unix epoch (safe integers until the year 2255). */
export type Micros = number;

const anchorWallUs = Date.now() * 1000;
const anchorMonoNs = process.hrtime.bigint();

/** Now, in microseconds since the Unix epoch, monotonic within this process. */
export function nowMicros(): Micros {
  return anchorWallUs + Number((process.hrtime.bigint() - anchorMonoNs) / 1000n);
}

/** A TR-106 dateTime with six fractional digits: 2026-12-05T01:37:25.123456Z. */
export function isoMicros(us: Micros): string {
  const ms = Math.floor(us / 1000);
  const frac = String(us - ms * 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace(/Z$/, `${frac}Z`);
}

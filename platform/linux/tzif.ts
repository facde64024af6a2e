/**
 * TR-181 Device.Time.LocalTimeZone is a POSIX TZ string; Linux keeps the host's zone as a TZif
 * file (RFC 8536), /etc/localtime, that glibc and musl read. A TZif file of version 2 or later
 * ends with the POSIX TZ string for times after its last transition: that footer is the host's
 * LocalTimeZone, and a file whose footer is the string written is how a written zone takes effect.
 */
import { readFile } from 'node:fs/promises';
import { isPosixTz } from '../posix-tz.js';

/** The POSIX TZ string ending a TZif v2+ file, or undefined (no file, version 1, no footer). */
export function tzifFooter(data: Uint8Array): string | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < 46 || b.toString('latin1', 0, 4) !== 'TZif' || b[4] === 0 || b[b.length - 1] !== 0x0a) return undefined;
  const start = b.lastIndexOf(0x0a, b.length - 2);
  if (start < 0) return undefined;
  const tz = b.toString('latin1', start + 1, b.length - 1);
  return isPosixTz(tz) ? tz : undefined;
}

/** The host's zone as a POSIX TZ string, from its /etc/localtime; undefined when it gives none. */
export async function hostTimeZone(file: string): Promise<string | undefined> {
  const data = await readFile(file).catch(() => undefined);
  return data === undefined ? undefined : tzifFooter(data);
}

/** The standard time's designation and UT offset (seconds east) of a POSIX TZ string ("CET-1CEST,..." → CET, 3600). */
export function standardTime(tz: string): { name: string; utoff: number } {
  const m = /^(<[^>]+>|[A-Za-z]+)([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?/.exec(tz);
  if (!m) throw new Error(`${JSON.stringify(tz)} is not a POSIX TZ string`);
  const seconds = Number(m[3]) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0);
  // POSIX offsets count hours west of Greenwich; TZif counts seconds east.
  return { name: m[1]!.replace(/^<|>$/g, ''), utoff: m[2] === '-' ? seconds : -seconds };
}

/** One data block: one transition at the epoch to type 0 (the standard time), its designation. */
function dataBlock(timeBytes: 4 | 8, utoff: number, name: string): Buffer {
  const time = Buffer.alloc(timeBytes);
  const type = Buffer.from([0]);
  const ttinfo = Buffer.alloc(6);
  ttinfo.writeInt32BE(utoff, 0);
  ttinfo[4] = 0;
  ttinfo[5] = 0;
  return Buffer.concat([time, type, ttinfo, Buffer.from(`${name}\0`, 'latin1')]);
}

function header(charcnt: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('TZif2', 0, 'latin1');
  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  [0, 0, 0, 1, 1, charcnt].forEach((v, i) => h.writeUInt32BE(v, 20 + 4 * i));
  return h;
}

/**
 * A TZif version 2 file whose local time is `tz`: one transition, at the epoch, to the zone's
 * standard time, and `tz` as the footer. glibc applies the footer only after the last
 * transition (with none it would use the standard time all year), hence the one at the epoch.
 */
export function tzifOf(tz: string): Buffer {
  const { name, utoff } = standardTime(tz);
  const charcnt = name.length + 1;
  return Buffer.concat([header(charcnt), dataBlock(4, utoff, name), header(charcnt), dataBlock(8, utoff, name), Buffer.from(`\n${tz}\n`, 'latin1')]);
}

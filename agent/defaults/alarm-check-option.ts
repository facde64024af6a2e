/**
 * `--alarm-check-period` and the defaults file's `$alarmCheckPeriod`: how often the agent reads
 * its own alarm conditions (Device.FaultMgmt., agent/faultmgmt/condition-watch.ts). Seconds, or
 * a number with s, m or h. Bounded: below 5 s the checks (every TemperatureSensor, MemoryStatus,
 * a statfs) would cost a small router's CPU for nothing, and above 1 h a full data directory or
 * an overheating board would go unreported for too long. Refused at start, naming the setting.
 */

/** The key of the defaults file setting the alarm check period (`--alarm-check-period`). */
export const ALARM_CHECK_PERIOD_KEY = '$alarmCheckPeriod';
/** Shortest and longest period, seconds. */
export const ALARM_CHECK_MIN_S = 5;
export const ALARM_CHECK_MAX_S = 3600;

const UNIT_S: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** `--alarm-check-period` text (`30`, `30s`, `5m`, `1h`), checked against the bounds; the period in ms. */
export function parseAlarmCheckPeriod(text: string, source = '--alarm-check-period'): number {
  const m = /^(\d+)\s*([smh]?)$/i.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNIT_S[m[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < ALARM_CHECK_MIN_S || seconds > ALARM_CHECK_MAX_S) {
    throw new Error(
      `${source} ${JSON.stringify(text)}: give the alarm check period in seconds from ${ALARM_CHECK_MIN_S} to ${ALARM_CHECK_MAX_S} (or with s, m, h: 30s, 5m, 1h), e.g. ${source.startsWith('--') ? `${source} 30` : '30 or "5m"'}`,
    );
  }
  return seconds * 1000;
}

/** The defaults file's `$alarmCheckPeriod` (seconds as a number, or text as on the command line), in ms; undefined when absent. */
export function alarmCheckPeriodFromFile(value: unknown, file: string): number | undefined {
  if (value === undefined) return undefined;
  const source = `factory defaults: ${ALARM_CHECK_PERIOD_KEY} (${file})`;
  if (typeof value === 'number' || typeof value === 'string') return parseAlarmCheckPeriod(String(value), source);
  throw new Error(`${source}: must be seconds from ${ALARM_CHECK_MIN_S} to ${ALARM_CHECK_MAX_S}, e.g. 30 or "5m"`);
}

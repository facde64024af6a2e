// Example plugin (INTEGRATING.md, "Raising alarms"): a Device.FaultMgmt. alarm of the board's
// own, a cooling fan that stopped. It registers one SupportedAlarm row in register() and reads
// Linux's hwmon fans (/sys/class/hwmon/hwmonN/fanK_input, RPM) every FAN_ALARM_POLL_MS (default
// 5000): a fan reading 0 RPM raises "Equipment Alarm / Cooling System Problem" (SpecificProblem:
// the chip and fan, e.g. "nct6775 fan2"), a fan turning again clears it. Load it with
//
//   usp-agent run --defaults ... --plugin examples/plugins/fan-alarm.mjs
//
// FAN_ALARM_SYSFS_ROOT (default /sys) names the sysfs root, so a test can give a tree of its own.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** @typedef {import('usp-agent/plugin').PluginApi} PluginApi */

const ALARM = { eventType: 'Equipment Alarm', probableCause: 'Cooling System Problem' };

/**
 * Every fan input: its name and RPM (undefined when unreadable).
 * @param {string} root
 * @returns {Promise<Array<{ name: string, rpm: number | undefined }>>}
 */
async function fans(root) {
  const dir = join(root, 'class', 'hwmon');
  const out = [];
  for (const hwmon of await readdir(dir).catch(() => [])) {
    const base = join(dir, hwmon);
    const chip = (await readFile(join(base, 'name'), 'utf8').catch(() => hwmon)).trim();
    for (const input of (await readdir(base).catch(() => [])).filter((e) => /^fan\d+_input$/.test(e))) {
      const text = await readFile(join(base, input), 'utf8').catch(() => undefined);
      const rpm = text === undefined || !/^\d+$/.test(text.trim()) ? undefined : Number(text.trim());
      out.push({ name: `${chip} ${input.replace(/_input$/, '')}`, rpm });
    }
  }
  return out;
}

export default {
  name: 'fan-alarm',
  /** @param {PluginApi} api */
  register(api) {
    const root = process.env.FAN_ALARM_SYSFS_ROOT || '/sys';
    const pollMs = Number(process.env.FAN_ALARM_POLL_MS) || 5000;
    api.alarms.supportAlarm({ ...ALARM, specificProblem: '*', perceivedSeverity: 'Major', reportingMechanism: '0 Expedited' });
    let busy = false;
    const check = async () => {
      if (busy) return;
      busy = true;
      try {
        for (const fan of await fans(root)) {
          const alarm = { ...ALARM, specificProblem: fan.name };
          // An unreadable input says nothing: the alarm stays as it is.
          if (fan.rpm === 0) api.alarms.raise({ ...alarm, perceivedSeverity: 'Major', additionalText: 'fan reads 0 RPM' });
          else if (fan.rpm !== undefined) api.alarms.clear(alarm);
        }
      } catch (e) {
        api.log.warn('fan check failed', { error: String(e) });
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void check(), pollMs);
    timer.unref();
    api.onStop(() => clearInterval(timer));
  },
};

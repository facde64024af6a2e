/**
 * An alarm a plugin raises through PluginApi.alarms (examples/plugins/fan-alarm.mjs, the worked
 * example of INTEGRATING.md), seen by a Controller over WebSocket: its SupportedAlarm row comes
 * after the agent's own, a hwmon fan input in a sysfs tree of the test's own written to 0 RPM
 * raises it, a turning fan clears it. A plugin's bad alarm type stops the start, naming the plugin.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_ALARM_TYPES } from '../../agent/faultmgmt/builtin-alarms.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { createdPaths, deletedPaths, FM, historyOf, rowsOf, subscribeFaultMgmt, WAIT } from '../peers/faultmgmt-steps.js';

const PLUGIN = join(import.meta.dirname, '..', '..', 'examples', 'plugins', 'fan-alarm.mjs');
const root = mkdtempSync(join(tmpdir(), 'usp-agent-fan-alarm-'));
const hwmon = join(root, 'class', 'hwmon', 'hwmon0');
let f: AgentFixture | undefined;

afterAll(async () => {
  await f?.close();
  delete process.env.FAN_ALARM_SYSFS_ROOT;
  delete process.env.FAN_ALARM_POLL_MS;
  rmSync(root, { recursive: true, force: true });
});

describe('a plugin raises its own alarm', () => {
  it('a fan reading 0 RPM is a CurrentAlarm until it turns again', async () => {
    mkdirSync(hwmon, { recursive: true });
    writeFileSync(join(hwmon, 'name'), 'nct6775\n');
    writeFileSync(join(hwmon, 'fan2_input'), '1450\n');
    process.env.FAN_ALARM_SYSFS_ROOT = root;
    process.env.FAN_ALARM_POLL_MS = '200';
    f = await startAgent({ agent: { plugins: [PLUGIN] } });
    const c = f.controller;
    const n = BUILTIN_ALARM_TYPES.length + 1;
    expect((await rowsOf(c, 'SupportedAlarm'))[`${FM}SupportedAlarm.${n}.`]).toEqual({
      EventType: 'Equipment Alarm',
      ProbableCause: 'Cooling System Problem',
      SpecificProblem: '*',
      PerceivedSeverity: 'Major',
      ReportingMechanism: '0 Expedited',
    });
    await subscribeFaultMgmt(c);

    writeFileSync(join(hwmon, 'fan2_input'), '0\n');
    await expect.poll(() => createdPaths(c, 'CurrentAlarm'), WAIT).toHaveLength(1);
    const row = createdPaths(c, 'CurrentAlarm')[0];
    const alarm = (await rowsOf(c, 'CurrentAlarm'))[row];
    expect(alarm).toMatchObject({ EventType: 'Equipment Alarm', SpecificProblem: 'nct6775 fan2', PerceivedSeverity: 'Major', AdditionalText: 'fan reads 0 RPM' });

    writeFileSync(join(hwmon, 'fan2_input'), '1380\n');
    await expect.poll(() => deletedPaths(c, 'CurrentAlarm'), WAIT).toEqual([row]);
    expect((await historyOf(c, alarm.AlarmIdentifier, 'ExpeditedEvent')).map((h) => h.NotificationType)).toEqual(['ClearedAlarm']);
  });

  it('a bad alarm type stops the start with a message naming the plugin', async () => {
    const file = join(root, 'bad-alarm.mjs');
    writeFileSync(
      file,
      `export default { name: 'bad-alarm', register(api) { api.alarms.supportAlarm({ eventType: 'Equipment Alarm', probableCause: 'X', specificProblem: '', perceivedSeverity: 'Loud', reportingMechanism: '0 Expedited' }); } };`,
    );
    await expect(startAgent({ agent: { plugins: [file] } })).rejects.toThrow(/bad-alarm.*perceivedSeverity Loud/);
  });
});

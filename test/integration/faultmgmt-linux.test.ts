/**
 * Device.FaultMgmt. on the Linux platform, with real files: a thermal zone in a sysfs tree of
 * the test's own (USP_AGENT_SYSFS_ROOT, the kernel's layout: `type`, `temp` in millidegrees, a
 * critical trip point) and the agent's data directory on a real tmpfs of 4 MiB. A Controller
 * over WebSocket sets the zone's HighAlarmValue and PollingInterval; the test writes readings
 * above it (Major), far above it (Critical), below it (cleared), and fills the tmpfs (the
 * storage alarm, Queued) and empties it again.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { set } from '../peers/controller-steps.js';
import { createdPaths, deletedPaths, historyOf, rowsOf, severityChanges, subscribeFaultMgmt, WAIT } from '../peers/faultmgmt-steps.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.';
const root = mkdtempSync(join(tmpdir(), 'usp-agent-faultmgmt-linux-'));
const sys = join(root, 'sys');
const zone = join(sys, 'class', 'thermal', 'thermal_zone0');
const dataDir = join(root, 'data');
let mounted = false;
let f: AgentFixture | undefined;
const savedRoot = process.env.USP_AGENT_SYSFS_ROOT;

function writeTemp(celsius: number): void {
  writeFileSync(join(zone, 'temp'), `${celsius * 1000}\n`);
}

beforeAll(async () => {
  mkdirSync(zone, { recursive: true });
  mkdirSync(join(sys, 'class', 'hwmon'), { recursive: true });
  writeFileSync(join(zone, 'type'), 'cpu-thermal\n');
  writeFileSync(join(zone, 'trip_point_0_type'), 'critical\n');
  writeFileSync(join(zone, 'trip_point_0_temp'), '105000\n');
  writeTemp(40);
  mkdirSync(dataDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dataDir]);
  mounted = true;
  process.env.USP_AGENT_SYSFS_ROOT = sys;
  f = await startAgent({ platform: 'linux', dataDir, agent: { alarmCheckMs: 250 } });
  await subscribeFaultMgmt(f.controller);
});

afterAll(async () => {
  await f?.close();
  if (savedRoot === undefined) delete process.env.USP_AGENT_SYSFS_ROOT;
  else process.env.USP_AGENT_SYSFS_ROOT = savedRoot;
  if (mounted) execFileSync('umount', [dataDir]);
  rmSync(root, { recursive: true, force: true });
});

describe('FaultMgmt on Linux', () => {
  it("raises the thermal zone's alarm from its sysfs readings against the HighAlarmValue a Controller set", async () => {
    const c = f!.controller;
    await set(c, SENSOR, { HighAlarmValue: '50', PollingInterval: '1' });
    writeTemp(55);
    await expect.poll(() => createdPaths(c, 'CurrentAlarm'), WAIT).toHaveLength(1);
    const row = createdPaths(c, 'CurrentAlarm')[0];
    const alarm = (await rowsOf(c, 'CurrentAlarm'))[row];
    expect(alarm).toMatchObject({ EventType: 'Environmental Alarm', SpecificProblem: 'cpu-thermal', PerceivedSeverity: 'Major', ManagedObjectInstance: SENSOR.slice(0, -1) });

    writeTemp(61);
    await expect.poll(() => severityChanges(c), WAIT).toContainEqual({ path: `${row}PerceivedSeverity`, value: 'Critical' });
    writeTemp(30);
    await expect.poll(() => deletedPaths(c, 'CurrentAlarm'), WAIT).toEqual([row]);
    expect((await historyOf(c, alarm.AlarmIdentifier)).map((h) => h.NotificationType)).toEqual(['NewAlarm', 'ChangedAlarm', 'ClearedAlarm']);
    expect((await historyOf(c, alarm.AlarmIdentifier, 'ExpeditedEvent')).map((h) => h.PerceivedSeverity)).toEqual(['Cleared']);
  });

  it("raises the storage alarm when the data directory's filesystem fills, Queued, and clears it when emptied", async () => {
    const c = f!.controller;
    const filler = join(dataDir, 'filler');
    // 3.8 of 4 MiB: under 10 % free (and over 2 %: Major).
    writeFileSync(filler, Buffer.alloc(3.8 * 1024 * 1024 - 64 * 1024));
    await expect.poll(async () => Object.values(await rowsOf(c, 'CurrentAlarm')).map((r) => r.ProbableCause), WAIT).toContain('Storage Capacity Problem');
    const [path, alarm] = Object.entries(await rowsOf(c, 'CurrentAlarm')).find(([, r]) => r.ProbableCause === 'Storage Capacity Problem')!;
    expect(alarm).toMatchObject({ EventType: 'Processing Error Alarm', AdditionalInformation: dataDir });
    await expect.poll(async () => (await historyOf(c, alarm.AlarmIdentifier, 'QueuedEvent')).map((h) => h.NotificationType), WAIT).toContain('NewAlarm');
    expect(await historyOf(c, alarm.AlarmIdentifier, 'ExpeditedEvent')).toEqual([]);
    rmSync(filler);
    await expect.poll(() => deletedPaths(c, 'CurrentAlarm'), WAIT).toContain(path);
    expect((await historyOf(c, alarm.AlarmIdentifier)).at(-1)).toMatchObject({ NotificationType: 'ClearedAlarm', PerceivedSeverity: 'Cleared' });
  });
});

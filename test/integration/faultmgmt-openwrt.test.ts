/**
 * Device.FaultMgmt. on the OpenWrt platform behind a real agent, driven by a Controller over
 * WebSocket. ubus and uci are the recorded stand-ins of test/unit/platform/openwrt/fake-openwrt.ts
 * first on PATH; the test changes one recorded answer, `ubus call system info`, to memory
 * nearly exhausted (its `available` set to 3 % of the recorded `total`: written by the test, not
 * recorded) and back, and writes a thermal zone of a sysfs tree of its own
 * (USP_AGENT_SYSFS_ROOT) above the HighAlarmValue the Controller set.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set } from '../peers/controller-steps.js';
import { createdPaths, deletedPaths, historyOf, rowsOf, subscribeFaultMgmt, WAIT } from '../peers/faultmgmt-steps.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.';
const root = mkdtempSync(join(tmpdir(), 'usp-agent-faultmgmt-openwrt-'));
const zone = join(root, 'class', 'thermal', 'thermal_zone0');
const savedRoot = process.env.USP_AGENT_SYSFS_ROOT;
const systemInfo = JSON.parse(readFileSync(join(FIXTURES, 'ubus-system-info.json'), 'utf8')) as { memory: { total: number; available: number } };
let fake: FakeOpenWrt;
let f: AgentFixture | undefined;

function writeTemp(celsius: number): void {
  writeFileSync(join(zone, 'temp'), `${celsius * 1000}\n`);
}

beforeAll(async () => {
  mkdirSync(zone, { recursive: true });
  mkdirSync(join(root, 'class', 'hwmon'), { recursive: true });
  writeFileSync(join(zone, 'type'), 'cpu-thermal\n');
  writeTemp(45);
  process.env.USP_AGENT_SYSFS_ROOT = root;
  fake = fakeOpenWrt();
  f = await startOpenWrtAgent(fake, { alarmCheckMs: 250 });
  await subscribeFaultMgmt(f.controller);
});

afterAll(async () => {
  await f?.close();
  if (savedRoot === undefined) delete process.env.USP_AGENT_SYSFS_ROOT;
  else process.env.USP_AGENT_SYSFS_ROOT = savedRoot;
  rmSync(root, { recursive: true, force: true });
});

describe('FaultMgmt on OpenWrt (recorded ubus)', () => {
  it('raises and clears the memory alarm from `ubus call system info`', async () => {
    const c = f!.controller;
    const { total } = systemInfo.memory;
    fake.respond('system info', { json: { ...systemInfo, memory: { ...systemInfo.memory, available: Math.round(total * 0.03) } } });
    await expect.poll(async () => Object.values(await rowsOf(c, 'CurrentAlarm')).map((r) => r.ProbableCause), WAIT).toContain('Out Of Memory');
    const [path, alarm] = Object.entries(await rowsOf(c, 'CurrentAlarm')).find(([, r]) => r.ProbableCause === 'Out Of Memory')!;
    expect(alarm).toMatchObject({ EventType: 'Processing Error Alarm', PerceivedSeverity: 'Major', ManagedObjectInstance: 'Device.DeviceInfo.MemoryStatus' });
    fake.respond('system info', { file: 'ubus-system-info.json' });
    await expect.poll(() => deletedPaths(c, 'CurrentAlarm'), WAIT).toContain(path);
    expect((await historyOf(c, alarm.AlarmIdentifier, 'QueuedEvent')).map((h) => h.NotificationType)).toEqual(['ClearedAlarm']);
  });

  it("raises and clears the thermal zone's alarm", async () => {
    const c = f!.controller;
    const before = createdPaths(c, 'CurrentAlarm').length;
    await set(c, SENSOR, { HighAlarmValue: '60', PollingInterval: '1' });
    writeTemp(63);
    await expect.poll(() => createdPaths(c, 'CurrentAlarm').length, WAIT).toBe(before + 1);
    const row = createdPaths(c, 'CurrentAlarm').at(-1)!;
    const alarm = (await rowsOf(c, 'CurrentAlarm'))[row];
    expect(alarm).toMatchObject({ EventType: 'Environmental Alarm', SpecificProblem: 'cpu-thermal', PerceivedSeverity: 'Major' });
    writeTemp(40);
    await expect.poll(() => deletedPaths(c, 'CurrentAlarm'), WAIT).toContain(row);
    expect((await historyOf(c, alarm.AlarmIdentifier)).map((h) => h.NotificationType)).toEqual(['NewAlarm', 'ClearedAlarm']);
  });
});

/**
 * Device.FaultMgmt. on the simulated gateway, seen by a real Controller over WebSocket: the
 * Controller sets a TemperatureSensor's HighAlarmValue below what the gateway's thermal model
 * reads, the agent's condition watch raises the alarm (ObjectCreation of CurrentAlarm and
 * ExpeditedEvent rows), a lower threshold makes it Critical (ValueChange of PerceivedSeverity),
 * a threshold above the reading clears it (ObjectDeletion), and HistoryEvent holds NewAlarm,
 * ChangedAlarm, ClearedAlarm. ReportingMechanism "1 Queued" sends the next alarm's events to
 * QueuedEvent instead, survives a restart, and bad inputs get their TR-369 errors (7012 for a
 * ReportingMechanism outside the enumeration, 7013 for a read-only parameter, 7019 for Add, 7024
 * for Delete).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { asError } from '../peers/TestController.js';
import { get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { createdPaths, deletedPaths, FM, historyOf, rowsOf, severityChanges, subscribeFaultMgmt, WAIT } from '../peers/faultmgmt-steps.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-faultmgmt-'));
let f: AgentFixture | undefined;

afterAll(async () => {
  await f?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The simulated sensor's reading, once it has one (the first comes a few seconds after boot). */
async function reading(): Promise<number> {
  let v = -274;
  await expect.poll(async () => (v = Number(await get(f!.controller, `${SENSOR}Value`))), WAIT).toBeGreaterThan(-274);
  return v;
}

describe('FaultMgmt on the simulated gateway', () => {
  it("serves the agent's alarm types with their ReportingMechanism and MaxCurrentAlarmEntries", async () => {
    f = await startAgent({ dataDir, agent: { alarmCheckMs: 250 } });
    const supported = await rowsOf(f.controller, 'SupportedAlarm');
    expect(supported[`${FM}SupportedAlarm.1.`]).toMatchObject({ EventType: 'Environmental Alarm', ProbableCause: 'Temperature Unacceptable', ReportingMechanism: '0 Expedited' });
    expect(Object.keys(supported).length).toBeGreaterThanOrEqual(3);
    expect(await get(f.controller, `${FM}MaxCurrentAlarmEntries`)).toBe('32');
    expect(await get(f.controller, `${FM}CurrentAlarmNumberOfEntries`)).toBe('0');
  });

  it("raises, changes and clears a temperature alarm from the sensor's readings, reported Expedited", async () => {
    const c = f!.controller;
    await subscribeFaultMgmt(c);
    // LowAlarmValue unset (-274), so any HighAlarmValue is allowed.
    await set(c, SENSOR, { PollingInterval: '5', LowAlarmValue: '-274' });
    const v = await reading();
    // 5 °C under the reading: Major (the model's air temperature moves far less than that in a minute).
    await set(c, SENSOR, { HighAlarmValue: String(v - 5) });
    await expect.poll(() => createdPaths(c, 'CurrentAlarm'), WAIT).toHaveLength(1);
    const row = createdPaths(c, 'CurrentAlarm')[0];
    const alarm = (await rowsOf(c, 'CurrentAlarm'))[row];
    expect(alarm).toMatchObject({ EventType: 'Environmental Alarm', ProbableCause: 'Temperature Unacceptable', PerceivedSeverity: 'Major', ManagedObjectInstance: SENSOR.slice(0, -1) });
    expect(alarm.AlarmRaisedTime).toBe(alarm.AlarmChangedTime);
    expect(await get(c, `${FM}CurrentAlarmNumberOfEntries`)).toBe('1');

    // 20 °C under the reading: 10 °C or more above the threshold is Critical, a change of the same row.
    await set(c, SENSOR, { HighAlarmValue: String(v - 20) });
    await expect.poll(() => severityChanges(c), WAIT).toContainEqual({ path: `${row}PerceivedSeverity`, value: 'Critical' });
    const changed = (await rowsOf(c, 'CurrentAlarm'))[row];
    expect(changed.AlarmIdentifier).toBe(alarm.AlarmIdentifier);
    expect(changed.AlarmChangedTime > alarm.AlarmRaisedTime).toBe(true);

    // Far above the reading: cleared.
    await set(c, SENSOR, { HighAlarmValue: String(v + 20) });
    await expect.poll(() => deletedPaths(c, 'CurrentAlarm'), WAIT).toEqual([row]);
    expect(await rowsOf(c, 'CurrentAlarm')).toEqual({});

    const history = await historyOf(c, alarm.AlarmIdentifier);
    expect(history.map((h) => [h.NotificationType, h.PerceivedSeverity])).toEqual([
      ['NewAlarm', 'Major'],
      ['ChangedAlarm', 'Critical'],
      ['ClearedAlarm', 'Cleared'],
    ]);
    // Expedited: the alarm's latest event replaces its earlier ones (ExpeditedEvent is keyed by AlarmIdentifier).
    expect((await historyOf(c, alarm.AlarmIdentifier, 'ExpeditedEvent')).map((h) => h.NotificationType)).toEqual(['ClearedAlarm']);
    expect(createdPaths(c, 'ExpeditedEvent')).toHaveLength(3);
    expect(await rowsOf(c, 'QueuedEvent')).toEqual({});
  });

  it("ReportingMechanism 1 Queued sends the next alarm's events to QueuedEvent, not ExpeditedEvent", async () => {
    const c = f!.controller;
    await set(c, `${FM}SupportedAlarm.1.`, { ReportingMechanism: '1 Queued' });
    const expedited = await rowsOf(c, 'ExpeditedEvent');
    const before = createdPaths(c, 'CurrentAlarm').length;
    const v = await reading();
    await set(c, SENSOR, { HighAlarmValue: String(v - 5) });
    await expect.poll(() => createdPaths(c, 'CurrentAlarm').length, WAIT).toBe(before + 1);
    await expect.poll(() => createdPaths(c, 'QueuedEvent').length, WAIT).toBe(1);
    const queued = Object.values(await rowsOf(c, 'QueuedEvent'));
    expect(queued).toMatchObject([{ NotificationType: 'NewAlarm', EventType: 'Environmental Alarm', PerceivedSeverity: 'Major' }]);
    expect(await rowsOf(c, 'ExpeditedEvent')).toEqual(expedited);
    await set(c, SENSOR, { HighAlarmValue: String(v + 20) });
    await expect.poll(() => deletedPaths(c, 'CurrentAlarm').length, WAIT).toBe(2);
  });

  it('answers bad input with TR-369 errors and stays up', async () => {
    const c = f!.controller;
    const bad = await trySet(c, `${FM}SupportedAlarm.1.`, { ReportingMechanism: '9 Foo' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.paramErrCode).toBe(7012);
    expect(await get(c, `${FM}SupportedAlarm.1.ReportingMechanism`)).toBe('1 Queued');
    const ro = await trySet(c, `${FM}SupportedAlarm.1.`, { EventType: 'Mine' });
    expect(ro.ok).toBe(false);
    if (!ro.ok) expect(ro.paramErrCode ?? ro.errCode).toBe(7013);
    const added = await tryAdd(c, `${FM}CurrentAlarm.`, {});
    expect(added.ok).toBe(false);
    if (!added.ok) expect(added.errCode).toBe(7019);
    const addedHistory = await tryAdd(c, `${FM}HistoryEvent.`, {});
    expect(addedHistory.ok).toBe(false);
    const history = Object.keys(await rowsOf(c, 'HistoryEvent'));
    const refused = asError(await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [history[0]] } }));
    expect(refused.errCode).toBe(7024);
    expect(Object.keys(await rowsOf(c, 'HistoryEvent'))).toEqual(history);
    expect(await get(c, `${FM}CurrentAlarmNumberOfEntries`)).toBe('0');
  });

  it('keeps ReportingMechanism across a restart', async () => {
    const port = f!.port;
    await f!.close();
    f = await startAgent({ dataDir, port, agent: { alarmCheckMs: 250 } });
    expect(await get(f.controller, `${FM}SupportedAlarm.1.ReportingMechanism`)).toBe('1 Queued');
    expect(await get(f.controller, `${FM}SupportedAlarm.2.ReportingMechanism`)).toBe('1 Queued');
  });
});

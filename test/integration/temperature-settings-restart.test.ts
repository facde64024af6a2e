/**
 * Temperature sensor settings across a restart of the real `usp-agent run` process (simulated
 * gateway; the kernel sensors of Linux and OpenWrt: test/unit/platform/linux/temperature-settings.test.ts):
 * what a Controller set before a SIGTERM reads the same after the start, and acts. The alarm
 * threshold set below the room's temperature fires at the first reading after the start, the
 * sensor disabled before it is not read at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UNKNOWN_TIME } from '../../datamodel/value/Value.js';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { get, set } from '../peers/controller-steps.js';
import { TestController, freePort } from '../peers/TestController.js';

const SENSOR = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.';
const tmpDirs: string[] = [];
const controllers: TestController[] = [];

afterEach(async () => {
  await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
  await AgentProcess.killAll();
});
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

async function start(defaultsFile: string, dataDir: string, url: string): Promise<{ agent: AgentProcess; c: TestController }> {
  const agent = AgentProcess.start(defaultsFile, dataDir);
  await agent.waitForLine(/msg="agent started"/);
  const c = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
  controllers.push(c);
  return { agent, c };
}

/** Reads `path` until `ok` holds for its value (the event the test waits for), at most `timeoutMs`. */
async function until(c: TestController, path: string, ok: (v: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get(c, path);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${path} is still ${v} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('TemperatureSensor settings across agent restarts', () => {
  it('Enable, the alarm values and PollingInterval set before a SIGTERM read back after the start and act', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-agent-temp-restart-'));
    tmpDirs.push(dir);
    const port = await freePort();
    const defaultsFile = join(dir, 'defaults.json');
    writeDefaultsFile(defaultsFile, port);
    const dataDir = join(dir, 'data');
    const url = `ws://127.0.0.1:${port}/usp`;

    const first = await start(defaultsFile, dataDir, url);
    await set(first.c, `${SENSOR}1.`, { LowAlarmValue: '-40', HighAlarmValue: '10', PollingInterval: '5' });
    await set(first.c, `${SENSOR}2.`, { Enable: 'false' });
    expect((await first.agent.terminate()).code).toBe(0);

    const { c } = await start(defaultsFile, dataDir, url);
    expect(await get(c, `${SENSOR}1.LowAlarmValue`)).toBe('-40');
    expect(await get(c, `${SENSOR}1.HighAlarmValue`)).toBe('10');
    expect(await get(c, `${SENSOR}1.PollingInterval`)).toBe('5');
    expect(await get(c, `${SENSOR}2.Enable`)).toBe('false');
    expect(await get(c, `${SENSOR}2.Status`)).toBe('Disabled');
    // The indoor air alone is above 10 °C: the first reading after the start meets the new threshold (the factory one is 95).
    await until(c, `${SENSOR}1.HighAlarmTime`, (v) => v !== UNKNOWN_TIME);
    expect(Number(await get(c, `${SENSOR}1.Value`))).toBeGreaterThanOrEqual(10);
    // Disabled before the restart: not read since.
    expect(await get(c, `${SENSOR}2.Value`)).toBe('-274');
    expect(await get(c, `${SENSOR}2.LastUpdate`)).toBe(UNKNOWN_TIME);
  });
});

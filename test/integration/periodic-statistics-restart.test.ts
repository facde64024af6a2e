/**
 * Device.PeriodicStatistics across a restart of the real `usp-agent run` process, on `--platform
 * none` (only the agent's own objects: the sampled parameter is the agent's
 * Device.LocalAgent.UpTime) and on `--platform linux` (Device.DeviceInfo.UpTime from this
 * machine's /proc/uptime). A Controller over WebSocket makes the SampleSet; after a SIGTERM and a
 * new start the configuration reads back the same and sampling begins afresh (the collected
 * lists are not kept: TR-181 discards stored samples whenever collection starts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { add, get, set } from '../peers/controller-steps.js';
import { TestController, freePort } from '../peers/TestController.js';

const tmpDirs: string[] = [];
const controllers: TestController[] = [];
const POLL = { timeout: 20_000, interval: 100 };

afterEach(async () => {
  await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
  await AgentProcess.killAll();
});
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

async function start(platform: string, defaultsFile: string, dataDir: string, url: string): Promise<{ agent: AgentProcess; c: TestController }> {
  const agent = AgentProcess.start(defaultsFile, dataDir, { platform });
  await agent.waitForLine(/msg="agent started"/, { timeoutMs: 20_000 });
  const c = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
  controllers.push(c);
  return { agent, c };
}

const count = async (c: TestController, path: string): Promise<number> => {
  const v = await get(c, path);
  return v === '' ? 0 : v.split(',').length;
};

describe('SampleSet configuration across agent restarts', () => {
  for (const [platform, reference] of [
    ['none', 'Device.LocalAgent.UpTime'],
    ['linux', 'Device.DeviceInfo.UpTime'],
  ] as const) {
    it(`--platform ${platform}: the set and its Parameter read back after a SIGTERM and sample again (${reference})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'usp-agent-periodicstats-'));
      tmpDirs.push(dir);
      const port = await freePort();
      const defaultsFile = join(dir, 'defaults.json');
      writeDefaultsFile(defaultsFile, port);
      const dataDir = join(dir, 'data');
      const url = `ws://127.0.0.1:${port}/usp`;

      const first = await start(platform, defaultsFile, dataDir, url);
      const s = await add(first.c, 'Device.PeriodicStatistics.SampleSet.', { Name: 'kept', SampleInterval: '1', ReportSamples: '5', FetchSamples: '3' });
      const p = await add(first.c, `${s}Parameter.`, { Enable: 'true', Reference: reference, CalculationMode: 'Maximum', LowThreshold: '-1', HighThreshold: '1000000000' });
      await set(first.c, s, { Enable: 'true' });
      await expect.poll(async () => count(first.c, `${p}Values`), POLL).toBeGreaterThanOrEqual(2);
      expect((await first.agent.terminate()).code).toBe(0);

      const { c } = await start(platform, defaultsFile, dataDir, url);
      expect(await get(c, 'Device.PeriodicStatistics.SampleSetNumberOfEntries')).toBe('1');
      expect(await get(c, `${s}Name`)).toBe('kept');
      expect(await get(c, `${s}Enable`)).toBe('true');
      expect(await get(c, `${s}SampleInterval`)).toBe('1');
      expect(await get(c, `${s}ReportSamples`)).toBe('5');
      expect(await get(c, `${s}FetchSamples`)).toBe('3');
      expect(await get(c, `${s}Controller`)).toBe('Device.LocalAgent.Controller.1');
      expect(await get(c, `${p}Reference`)).toBe(reference);
      expect(await get(c, `${p}CalculationMode`)).toBe('Maximum');
      expect(await get(c, `${p}HighThreshold`)).toBe('1000000000');
      // Sampling starts afresh and grows again to ReportSamples at most.
      await expect.poll(async () => count(c, `${p}Values`), POLL).toBeGreaterThanOrEqual(2);
      expect(await count(c, `${p}Values`)).toBeLessThanOrEqual(5);
      for (const v of (await get(c, `${p}Values`)).split(',')) expect(Number(v)).toBeGreaterThanOrEqual(0);
      expect(await get(c, `${p}Failures`)).toBe('0');
    });
  }
});

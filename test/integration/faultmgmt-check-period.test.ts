/**
 * `--alarm-check-period` (and `$alarmCheckPeriod`) on a real agent process: started with a 5 s
 * period, the agent raises the storage alarm of its data directory (a real 4 MiB tmpfs the
 * test fills) well before the default 30 s would have come round, and clears it as quickly once
 * the tmpfs is emptied. A period out of its bounds (5 s .. 1 h), from the command line or from
 * the defaults file, stops the start with exit code 2 and a message naming the setting and the
 * accepted values. Needs root (mount).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { createdPaths, deletedPaths, rowsOf, subscribeFaultMgmt } from '../peers/faultmgmt-steps.js';
import { TestController, freePort } from '../peers/TestController.js';

const root = mkdtempSync(join(tmpdir(), 'usp-agent-alarm-period-'));
const dataDir = join(root, 'data');
const defaults = join(root, 'defaults.json');
let mounted = false;
let agent: AgentProcess | undefined;
let c: TestController | undefined;
/** Well inside the 30 s default: an alarm this soon after the fill came from the 5 s period. */
const SOON = { timeout: 20_000, interval: 100 } as const;

beforeAll(async () => {
  mkdirSync(dataDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dataDir]);
  mounted = true;
  const port = await freePort();
  writeDefaultsFile(defaults, port);
  agent = AgentProcess.start(defaults, dataDir, { platform: 'linux', args: ['--alarm-check-period', '5'] });
  await agent.waitForLine(/msg="agent started"/, { timeoutMs: 30_000 });
  c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID);
  await subscribeFaultMgmt(c);
}, 60_000);

afterAll(async () => {
  await c?.close();
  await agent?.terminate();
  await AgentProcess.killAll();
  if (mounted) execFileSync('umount', [dataDir]);
  rmSync(root, { recursive: true, force: true });
});

describe('the alarm check period', () => {
  it('with --alarm-check-period 5 the storage alarm is raised and cleared within seconds of the data directory filling and emptying', async () => {
    const filler = join(dataDir, 'filler');
    // 3.8 of 4 MiB: under 10 % free.
    writeFileSync(filler, Buffer.alloc(3.8 * 1024 * 1024 - 64 * 1024));
    await expect.poll(() => createdPaths(c!, 'CurrentAlarm'), SOON).toHaveLength(1);
    const [row] = createdPaths(c!, 'CurrentAlarm');
    expect((await rowsOf(c!, 'CurrentAlarm'))[row]).toMatchObject({ ProbableCause: 'Storage Capacity Problem', AdditionalInformation: dataDir });
    unlinkSync(filler);
    await expect.poll(() => deletedPaths(c!, 'CurrentAlarm'), SOON).toEqual([row]);
  }, 60_000);

  it.each([
    ['--alarm-check-period 2 (below 5 s)', ['--alarm-check-period', '2'], {}, /--alarm-check-period \\"2\\": give the alarm check period in seconds from 5 to 3600 .*e\.g\. --alarm-check-period 30/],
    ['--alarm-check-period 2h (above 1 h)', ['--alarm-check-period', '2h'], {}, /--alarm-check-period \\"2h\\": give the alarm check period/],
    ['--alarm-check-period soon', ['--alarm-check-period', 'soon'], {}, /--alarm-check-period \\"soon\\": give the alarm check period/],
    ['$alarmCheckPeriod 7200', [], { $alarmCheckPeriod: 7200 }, /factory defaults: \$alarmCheckPeriod \(.*\) \\"7200\\": give the alarm check period in seconds from 5 to 3600/],
  ])(
    'refuses to start with %s, naming the setting and the fix',
    async (_name, args, fileSettings, message) => {
      const file = join(root, 'bad-defaults.json');
      writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(defaults, 'utf8')) as object), ...fileSettings }));
      const bad = AgentProcess.start(file, join(root, 'bad-data'), { platform: 'none', args });
      expect(await bad.exit(30_000)).toBe(2);
      expect(bad.text).toMatch(message);
    },
    60_000,
  );
});

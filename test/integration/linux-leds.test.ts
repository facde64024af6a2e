/**
 * Device.LEDs. of a real `usp-agent run --platform linux` process serving a router's sysfs (the
 * recorded layout of test/fixtures/iot-sysfs/router copied to a temp dir, plus a timer LED with
 * delay_on/delay_off, named by USP_AGENT_SYSFS_ROOT), read by a real Controller over WebSocket:
 * the rows and their cycle elements, the timer's lit half following the kernel's brightness, and
 * a Set of the read-only LEDs refused with the agent still answering.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { get, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { TestController, freePort } from '../peers/TestController.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/iot-sysfs/router', import.meta.url));
const L = 'Device.LEDs.LED.';
const dir = mkdtempSync(join(tmpdir(), 'usp-linux-leds-'));
const sysRoot = join(dir, 'sys');
const timer = join(sysRoot, 'class', 'leds', 'amber:status');

let agent: AgentProcess;
let c: TestController;

beforeAll(async () => {
  cpSync(FIXTURE, sysRoot, { recursive: true });
  mkdirSync(timer, { recursive: true });
  for (const [f, v] of Object.entries({ brightness: '1', max_brightness: '1', trigger: 'none [timer] heartbeat', delay_on: '200', delay_off: '800' })) writeFileSync(join(timer, f), `${v}\n`);
  const port = await freePort();
  const defaults = join(dir, 'defaults.json');
  writeDefaultsFile(defaults, port);
  agent = AgentProcess.start(defaults, join(dir, 'data'), { platform: 'linux', env: { USP_AGENT_SYSFS_ROOT: sysRoot } });
  await agent.waitForLine(/msg="agent started"/, { timeoutMs: 30_000 });
  c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID);
}, 60_000);

afterAll(async () => {
  await c?.close();
  await agent?.terminate();
  await AgentProcess.killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('Linux Device.LEDs from sysfs, through a Controller', () => {
  it('serves every LED with its trigger and cycle elements', async () => {
    expect(await get(c, 'Device.LEDs.LEDNumberOfEntries')).toBe('5');
    const v = await getObjects(c, ['Device.LEDs.']);
    expect(v[`${L}1.`]).toMatchObject({ Name: 'amber:status', Status: 'InUse', Reason: 'timer', CyclePeriodRepetitions: '-1', Location: 'Front', CycleElementNumberOfEntries: '2' });
    expect(v[`${L}1.CycleElement.1.`]).toMatchObject({ Order: '1', Color: 'FFBF00', Duration: '200', FadeInterval: '0' });
    expect(v[`${L}1.CycleElement.2.`]).toMatchObject({ Order: '2', Color: '000000', Duration: '800', FadeInterval: '0' });
    expect(v[`${L}1.CurrentCycleElement.`]).toEqual({ CycleElementReference: 'Device.LEDs.LED.1.CycleElement.1', Color: 'FFBF00', Duration: '200' });
    expect(v[`${L}3.`]).toMatchObject({ Name: 'green:power', Reason: 'default-on', CycleElementNumberOfEntries: '1' });
    expect(v[`${L}4.`]).toMatchObject({ Name: 'green:wan', Reason: 'netdev' });
    expect(v[`${L}5.`]).toMatchObject({ Name: 'white:signal', Status: 'InUse', Reason: '', MaxBrightness: '255' });
  });

  it('the current element follows the kernel turning the timer LED dark', async () => {
    writeFileSync(join(timer, 'brightness'), '0\n');
    await expect.poll(() => get(c, `${L}1.CurrentCycleElement.CycleElementReference`), { timeout: 15_000 }).toBe('Device.LEDs.LED.1.CycleElement.2');
    expect(await get(c, `${L}1.CurrentCycleElement.Color`)).toBe('000000');
  });

  it('refuses a Set of the read-only LEDs and keeps answering', async () => {
    const r = await trySet(c, `${L}1.`, { Name: 'renamed' });
    // Name is writable in TR-181 (LEDAdv:1) but not on sysfs: 7013, the parameter is read-only here.
    expect(r).toMatchObject({ ok: false, paramErrCode: 7013 });
    expect(await get(c, `${L}1.Name`)).toBe('amber:status');
  });
});

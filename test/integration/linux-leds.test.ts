/**
 * Device.LEDs. of a real `usp-agent run --platform linux` process serving a router's sysfs (the
 * recorded layout of test/fixtures/iot-sysfs/router copied to a temp dir, plus a timer LED with
 * delay_on/delay_off, named by USP_AGENT_SYSFS_ROOT), read by a real Controller over WebSocket:
 * the rows and their cycle elements, the timer's lit half following the kernel's brightness, and
 * a Set of the read-only LEDs refused with the agent still answering.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { get, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { sysfsAgent } from '../peers/sysfs-agent.js';

const L = 'Device.LEDs.LED.';
const timerOf = (sysRoot: string): string => join(sysRoot, 'class', 'leds', 'amber:status');
const dev = sysfsAgent('usp-linux-leds-', (sysRoot) => {
  const timer = timerOf(sysRoot);
  mkdirSync(timer, { recursive: true });
  for (const [f, v] of Object.entries({ brightness: '1', max_brightness: '1', trigger: 'none [timer] heartbeat', delay_on: '200', delay_off: '800' })) writeFileSync(join(timer, f), `${v}\n`);
});
const timer = timerOf(dev.sysRoot);

describe('Linux Device.LEDs from sysfs, through a Controller', () => {
  it('serves every LED with its trigger and cycle elements', async () => {
    expect(await get(dev.c, 'Device.LEDs.LEDNumberOfEntries')).toBe('5');
    const v = await getObjects(dev.c, ['Device.LEDs.']);
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
    await expect.poll(() => get(dev.c, `${L}1.CurrentCycleElement.CycleElementReference`), { timeout: 15_000 }).toBe('Device.LEDs.LED.1.CycleElement.2');
    expect(await get(dev.c, `${L}1.CurrentCycleElement.Color`)).toBe('000000');
  });

  it('refuses a Set of the read-only LEDs and keeps answering', async () => {
    const r = await trySet(dev.c, `${L}1.`, { Name: 'renamed' });
    // Name is writable in TR-181 (LEDAdv:1) but not on sysfs: 7013, the parameter is read-only here.
    expect(r).toMatchObject({ ok: false, paramErrCode: 7013 });
    expect(await get(dev.c, `${L}1.Name`)).toBe('amber:status');
  });
});

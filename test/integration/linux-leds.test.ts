/**
 * Device.LEDs. of a real `usp-agent run --platform linux` process serving a router's sysfs (the
 * recorded layout of test/fixtures/iot-sysfs/router copied to a temp dir, plus a timer LED with
 * delay_on/delay_off, named by USP_AGENT_SYSFS_ROOT), read by a real Controller over WebSocket:
 * the rows and their cycle elements, the timer's lit half following the kernel's brightness, and
 * a Controller renaming the timer LED and programming its cycle (LEDAdv:1): the pattern trigger's
 * files written, a colour the LED cannot show refused with the agent still answering, and the
 * timer trigger back once the programmed row is deleted. The `pattern` and `repeat` files are
 * made up front (the kernel makes them when the trigger becomes `pattern`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { add, del, get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { sysfsAgent } from '../peers/sysfs-agent.js';

const L = 'Device.LEDs.LED.';
const timerOf = (sysRoot: string): string => join(sysRoot, 'class', 'leds', 'amber:status');
const dev = sysfsAgent('usp-linux-leds-', (sysRoot) => {
  const timer = timerOf(sysRoot);
  mkdirSync(timer, { recursive: true });
  for (const [f, v] of Object.entries({ brightness: '1', max_brightness: '1', trigger: 'none [timer] heartbeat pattern', delay_on: '200', delay_off: '800', pattern: '', repeat: '1' }))
    writeFileSync(join(timer, f), `${v}\n`);
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

  it('a Controller renames the LED and programs its cycle through the pattern trigger', async () => {
    const attr = (f: string): string => readFileSync(join(timer, f), 'utf8').trim();
    await set(dev.c, `${L}1.`, { Name: 'Status' });
    expect(await get(dev.c, `${L}1.Name`)).toBe('Status');
    // The shown elements are 1 and 2: the new row is 3.
    const row = await add(dev.c, `${L}1.CycleElement.`, { Enable: 'true', Color: 'FFBF00', Duration: '300', FadeInterval: '100' });
    expect(row).toBe(`${L}1.CycleElement.3.`);
    expect([attr('trigger'), attr('repeat'), attr('pattern')]).toEqual(['pattern', '-1', '1 100 1 200 1 0']);
    expect(await get(dev.c, `${L}1.Reason`)).toBe('Controller Cycle');
    // Green on an amber LED: the CPE must not show another colour.
    expect(await trySet(dev.c, row, { Color: '00FF00' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(attr('pattern')).toBe('1 100 1 200 1 0');
    await del(dev.c, row);
    expect(attr('trigger')).toBe('timer');
    // As the kernel lists it once the trigger is back (this plain file holds only what was written).
    writeFileSync(join(timer, 'trigger'), 'none [timer] heartbeat pattern\n');
    await expect.poll(() => get(dev.c, `${L}1.CycleElementNumberOfEntries`), { timeout: 15_000 }).toBe('2');
  });
});

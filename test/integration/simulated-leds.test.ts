/**
 * The simulated gateway's Device.LEDs. through a real Controller over WebSocket: the four front
 * LEDs, the signal LED blinking while the modem searches after boot and steady once attached,
 * and a Controller renaming the WLAN LED and programming its cycle (LEDAdv:1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

const L = 'Device.LEDs.LED.';
let f: AgentFixture;

beforeAll(async () => {
  f = await startAgent({ platform: 'simulated' });
});
afterAll(async () => {
  await f?.close();
});

describe('simulated LEDs, through a Controller', () => {
  it('reads the four front LEDs', async () => {
    expect(await get(f.controller, 'Device.LEDs.LEDNumberOfEntries')).toBe('4');
    const v = await getObjects(f.controller, ['Device.LEDs.']);
    expect([1, 2, 3, 4].map((n) => v[`${L}${n}.`]?.Name)).toEqual(['green:power', 'green:internet', 'white:signal', 'blue:wlan']);
    expect(v[`${L}1.`]).toMatchObject({ Status: 'InUse', Reason: 'Power On', Location: 'Front', RelativeXPosition: '1' });
    expect(v[`${L}1.CycleElement.1.`]).toMatchObject({ Order: '1', Color: '00FF00', Duration: '0', FadeInterval: '0' });
    expect(v[`${L}3.CurrentCycleElement.`]?.CycleElementReference).toMatch(/^Device\.LEDs\.LED\.3\.CycleElement\.[12]$/);
  });

  it('the signal LED is steady once the modem attached', async () => {
    await expect.poll(() => get(f.controller, `${L}3.Reason`), { timeout: 90_000, interval: 1000 }).toBe('Cellular Attached');
    expect(await get(f.controller, `${L}3.CycleElementNumberOfEntries`)).toBe('1');
  }, 120_000);

  it('a Controller renames an LED and programs its cycle; deleting it gives the LED back', async () => {
    await set(f.controller, `${L}4.`, { Name: 'Wi-Fi' });
    const row = await add(f.controller, `${L}4.CycleElement.`, { Enable: 'true', Color: 'FF00FF', Duration: '60000' });
    expect(row).toBe(`${L}4.CycleElement.2.`);
    const v = await getObjects(f.controller, [`${L}4.`]);
    expect(v[`${L}4.`]).toMatchObject({ Name: 'Wi-Fi', Reason: 'Controller Cycle', CycleElementNumberOfEntries: '1' });
    expect(v[`${L}4.CurrentCycleElement.`]).toMatchObject({ CycleElementReference: row.slice(0, -1), Color: 'FF00FF' });
    expect(await trySet(f.controller, row, { Duration: '999999999' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    await del(f.controller, row);
    expect(await get(f.controller, `${L}4.Reason`)).toBe('WiFi On');
  });
});

/**
 * The simulated gateway's Device.LEDs.: four front-panel LEDs whose state follows the cellular
 * link (the signal LED blinks while the modem searches, the internet LED is red without a data
 * session), and a fleet gateway that builds them only when something reads them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import { type SimFixture, simulated } from './fixture.js';

const schema = Schema.load();
const L = 'Device.LEDs.LED.';
const running: SimFixture[] = [];
const gateway = (model?: DataModel): SimFixture => {
  const gw = simulated(7, { model });
  running.push(gw);
  return gw;
};
afterEach(() => {
  for (const gw of running.splice(0)) gw.stop();
});

describe('simulated LEDs', () => {
  it('at boot the signal LED blinks while the modem searches and the internet LED is red', async () => {
    const gw = gateway();
    expect(await gw.values('Device.LEDs.')).toEqual({ LEDNumberOfEntries: 4 });
    expect(await gw.instances(L)).toEqual([1, 2, 3, 4]);
    expect(await gw.values(`${L}1.`)).toMatchObject({
      Name: 'green:power',
      Status: 'InUse',
      Reason: 'Power On',
      Location: 'Front',
      RelativeXPosition: 1,
      RelativeYPosition: 1,
      CycleElementNumberOfEntries: 1,
    });
    expect(await gw.values(`${L}2.`)).toMatchObject({ Name: 'green:internet', Reason: 'Broadband Down' });
    expect(await gw.values(`${L}2.CycleElement.1.`)).toMatchObject({ Color: 'FF0000', Duration: 0, FadeInterval: 0 });
    expect(await gw.values(`${L}3.`)).toMatchObject({ Name: 'white:signal', Reason: 'Cellular Searching', CyclePeriodRepetitions: -1, CycleElementNumberOfEntries: 2 });
    expect(await gw.values(`${L}3.CycleElement.1.`)).toMatchObject({ Order: 1, Color: 'FFFFFF', Duration: 500 });
    expect(await gw.values(`${L}3.CycleElement.2.`)).toMatchObject({ Order: 2, Color: '000000', Duration: 500 });
    // Boot is on a whole second: the lit half has just begun.
    expect(await gw.values(`${L}3.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.3.CycleElement.1', Color: 'FFFFFF', Duration: 500 });
    gw.advance(0.7);
    expect(await gw.values(`${L}3.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.3.CycleElement.2', Color: '000000', Duration: 300 });
  });

  it('once attached with a data session, the signal LED is steady and the internet LED green', async () => {
    const gw = gateway();
    gw.advance(120);
    expect(await gw.values(`${L}3.`)).toMatchObject({ Reason: 'Cellular Attached', CycleElementNumberOfEntries: 1 });
    expect(await gw.values(`${L}3.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.3.CycleElement.1', Color: 'FFFFFF', Duration: 0 });
    expect(await gw.values(`${L}2.`)).toMatchObject({ Reason: 'Broadband Up' });
    expect(await gw.values(`${L}2.CycleElement.1.`)).toMatchObject({ Color: '00FF00' });
  });

  it('a Controller renames an LED and programs its cycle; the lit element follows the clock', async () => {
    const gw = gateway();
    await gw.set(`${L}4.`, { Name: 'wifi' });
    expect(await gw.values(`${L}4.`)).toMatchObject({ Name: 'wifi', Reason: 'WiFi On' });
    // A Set of a shown element takes the LED over: its one element becomes a programmed row.
    await gw.set(`${L}4.CycleElement.1.`, { Duration: 300 });
    const n = await gw.add(`${L}4.CycleElement.`, { Enable: true, Color: 'ff0000', Duration: 700, FadeInterval: 100 });
    expect(n).toBe(2);
    expect(await gw.values(`${L}4.CycleElement.2.`)).toEqual({ Enable: true, Order: 2, Color: 'FF0000', Duration: 700, FadeInterval: 100 });
    expect(await gw.values(`${L}4.`)).toMatchObject({ Status: 'InUse', Reason: 'Controller Cycle', CyclePeriodRepetitions: -1, CycleElementNumberOfEntries: 2 });
    expect(await gw.values(`${L}4.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.4.CycleElement.1', Color: '0000FF', Duration: 300 });
    gw.advance(0.5);
    expect(await gw.values(`${L}4.CurrentCycleElement.`)).toEqual({ CycleElementReference: 'Device.LEDs.LED.4.CycleElement.2', Color: 'FF0000', Duration: 500 });
    // Order puts element 2 first; a disabled element is skipped.
    await gw.set(`${L}4.CycleElement.1.`, { Order: 5 });
    await gw.set(`${L}4.CycleElement.1.`, { Enable: false });
    expect(await gw.values(`${L}4.CurrentCycleElement.`)).toMatchObject({ CycleElementReference: 'Device.LEDs.LED.4.CycleElement.2' });
    // The last row deleted: the LED is its firmware's again.
    await gw.del(`${L}4.CycleElement.1.`);
    await gw.del(`${L}4.CycleElement.2.`);
    expect(await gw.values(`${L}4.`)).toMatchObject({ Name: 'wifi', Reason: 'WiFi On', CycleElementNumberOfEntries: 1 });
  });

  it('refuses what a cycle cannot be (7012, 7025) and keeps the LED as it was', async () => {
    const gw = gateway();
    await expect(gw.add(`${L}1.CycleElement.`, { Duration: 90_000_000 })).rejects.toMatchObject({ code: 7012 });
    await expect(gw.set(`${L}1.`, { Name: '' })).rejects.toMatchObject({ code: 7012 });
    await expect(gw.set(`${L}1.`, { Name: 'blue:wlan' })).rejects.toMatchObject({ code: 7025 });
    const n = await gw.add(`${L}1.CycleElement.`, { Order: 3 });
    await expect(gw.add(`${L}1.CycleElement.`, { Order: 3 })).rejects.toMatchObject({ code: 7025 });
    expect(await gw.instances(`${L}1.CycleElement.`)).toEqual([n]);
    expect(await gw.values(`${L}1.`)).toMatchObject({ Name: 'green:power', Reason: 'Power On' });
  });

  it('a fleet gateway builds its LEDs only when something reads them', async () => {
    const share = new SharedSupportedModel();
    const builder = gateway(new DataModel(schema, { share }));
    builder.model.seal();
    const idle = gateway(new DataModel(schema, { share }));
    idle.model.seal();
    expect(idle.model.pendingGroups()).toContain('simulated LEDs');
    await idle.values('Device.DeviceInfo.');
    expect(idle.model.pendingGroups()).toContain('simulated LEDs');
    expect(await idle.values(`${L}4.`)).toMatchObject({ Name: 'blue:wlan', RelativeXPosition: 4 });
    expect(idle.model.pendingGroups()).not.toContain('simulated LEDs');
  });
});

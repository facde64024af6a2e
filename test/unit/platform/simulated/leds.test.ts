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

  it('the LEDs are read-only: a Set is refused (no object of them is updatable)', async () => {
    const gw = gateway();
    await expect(gw.set(`${L}1.`, { Name: 'x' })).rejects.toMatchObject({ code: 7020 });
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

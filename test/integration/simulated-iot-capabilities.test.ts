/**
 * The simulated gateway's Device.IoTCapability.{i}. through a real Controller over WebSocket:
 * it reads every Class, sets the relay, the dimmer and the mode (which drives the fan), sees the
 * room temperature move, and gets the TR-369 errors for bad values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { operateOne } from '../peers/operate.js';

const T = 'Device.IoTCapability.';
let f: AgentFixture;

beforeAll(async () => {
  f = await startAgent({ platform: 'simulated' });
});
afterAll(async () => {
  await f?.close();
});

describe('simulated IoTCapability, through a Controller', () => {
  it('reads one row per Class', async () => {
    expect(await get(f.controller, 'Device.IoTCapabilityNumberOfEntries')).toBe('8');
    const v = await getObjects(f.controller, [T]);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => v[`${T}${n}.`]?.Class)).toEqual([
      'BinaryControl',
      'LevelControl',
      'EnumControl',
      'BinarySensor',
      'LevelSensor',
      'MultiLevelSensor',
      'EnumSensor',
      'BlobSensor',
    ]);
    expect(v[`${T}1.BinaryControl.`]).toEqual({ Type: 'Switch', Description: 'Smart plug relay', Value: 'true' });
    expect(v[`${T}6.MultiLevelSensor.`]).toMatchObject({ Type: 'RGB', ValueNames: 'Red,Green,Blue', Unit: 'RGB' });
    expect(v[`${T}4.BinarySensor.`]!.Value).toMatch(/^(true|false)$/);
  });

  it('sets take effect: relay, dimmer, StepDown(), mode Boost runs the fan High while the plug is on', async () => {
    await set(f.controller, `${T}1.BinaryControl.`, { Value: 'false' });
    expect(await get(f.controller, `${T}1.BinaryControl.Value`)).toBe('false');
    await set(f.controller, `${T}2.LevelControl.`, { Value: '35', StepValue: '5' });
    expect((await operateOne(f.controller, `${T}2.LevelControl.StepDown()`)).operationResp).not.toBe('cmdFailure');
    await expect.poll(() => get(f.controller, `${T}2.LevelControl.Value`), { timeout: 10_000 }).toBe('30');
    await set(f.controller, `${T}3.EnumControl.`, { Value: 'Boost' });
    // The fan hangs on the smart plug, which is off: it runs once the plug is on again.
    expect(await get(f.controller, `${T}7.EnumSensor.Value`)).toBe('Off');
    await set(f.controller, `${T}1.BinaryControl.`, { Value: 'true' });
    expect(await get(f.controller, `${T}7.EnumSensor.Value`)).toBe('High');
  });

  it('the room temperature moves', async () => {
    const first = await get(f.controller, `${T}5.LevelSensor.Value`);
    await expect.poll(() => get(f.controller, `${T}5.LevelSensor.Value`), { timeout: 60_000, interval: 1000 }).not.toBe(first);
  }, 70_000);

  it('bad values get TR-369 errors: out-of-range level, unknown mode, a read-only sensor', async () => {
    expect(await trySet(f.controller, `${T}2.LevelControl.`, { Value: '150' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(f.controller, `${T}3.EnumControl.`, { Value: 'Turbo' })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await trySet(f.controller, `${T}5.LevelSensor.`, { Value: '5' })).toMatchObject({ ok: false, paramErrCode: 7013 });
    expect(await trySet(f.controller, `${T}2.LevelControl.`, { Value: 'bright' })).toMatchObject({ ok: false });
    expect(await get(f.controller, `${T}2.LevelControl.Value`)).toBe('30');
  });
});

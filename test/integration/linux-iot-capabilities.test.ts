/**
 * Device.IoTCapability.{i}. of a real `usp-agent run --platform linux` process serving a router's
 * sysfs (the recorded layout of test/fixtures/iot-sysfs/router, copied to a temp dir and named
 * by USP_AGENT_SYSFS_ROOT), with a real Controller over WebSocket: Get, Set that reaches the
 * LED's files, StepUp(), bad values refused with the TR-369 codes and nothing written, and a
 * ValueChange Subscription that sees a brightness the kernel changed behind the agent's back.
 * The kernel's other sensors (GPIO inputs, the IIO colour sensor, the charger's status and
 * uevent) follow the LEDs and the thermal zone: read, refused a Set, a tamper switch the
 * kernel flips seen by a ValueChange Subscription, and a removed colour sensor gone.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { add, get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { operateOne } from '../peers/operate.js';
import { sysfsAgent } from '../peers/sysfs-agent.js';
import { asResponse, notifications } from '../peers/TestController.js';

const dev = sysfsAgent('usp-linux-iot-');
const sysRoot = dev.sysRoot;
const T = 'Device.IoTCapability.';
const led = (name: string, attr: string): string => join(sysRoot, 'class', 'leds', name, attr);
const read = (name: string, attr: string): string => readFileSync(led(name, attr), 'utf8').trim();

describe('Linux IoTCapability from sysfs, through a Controller', () => {
  it('serves the LEDs and the thermal zone as capabilities', async () => {
    expect(await get(dev.c, 'Device.IoTCapabilityNumberOfEntries')).toBe('14');
    const v = await getObjects(dev.c, [T]);
    expect(v[`${T}7.`]).toMatchObject({ Class: 'LevelControl' });
    expect(v[`${T}7.LevelControl.`]).toEqual({ Type: 'Brightness', Description: 'LED white:signal', Value: '128', Unit: '-', MinValue: '0', MaxValue: '255', StepValue: '26' });
    expect(v[`${T}6.EnumControl.`]).toMatchObject({ Description: 'LED green:wan trigger', Value: 'netdev' });
    expect(v[`${T}9.LevelSensor.`]).toMatchObject({ Type: 'Temperature', Unit: 'degC', Value: '47.5', HighLevelThreshold: '110', HighLevel: 'false' });
  });

  it('a Set reaches the LED files; StepUp() steps by StepValue', async () => {
    await set(dev.c, `${T}7.LevelControl.`, { Value: '200', StepValue: '40' });
    expect(read('white:signal', 'brightness')).toBe('200');
    await set(dev.c, `${T}5.BinaryControl.`, { Value: 'true' });
    expect(read('green:wan', 'brightness')).toBe('1');
    await set(dev.c, `${T}6.EnumControl.`, { Value: 'heartbeat' });
    expect(read('green:wan', 'trigger')).toBe('heartbeat');
    const r = await operateOne(dev.c, `${T}7.LevelControl.StepUp()`);
    expect(r.operationResp).not.toBe('cmdFailure');
    await expect.poll(() => read('white:signal', 'brightness'), { timeout: 10_000 }).toBe('240');
  });

  it('refuses an out-of-range level, an unknown trigger and a Set of a read-only sensor value, writing nothing', async () => {
    const level = await trySet(dev.c, `${T}7.LevelControl.`, { Value: '256' });
    expect(level).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(read('white:signal', 'brightness')).toBe('240');
    writeFileSync(led('blue:wlan', 'trigger'), 'none timer [phy1tpt]\n');
    const trigger = await trySet(dev.c, `${T}2.EnumControl.`, { Value: 'disco' });
    expect(trigger).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(read('blue:wlan', 'trigger')).toBe('none timer [phy1tpt]');
    const sensor = await trySet(dev.c, `${T}9.LevelSensor.`, { Value: '20' });
    expect(sensor.ok).toBe(false);
    expect(sensor.ok ? 0 : sensor.paramErrCode).toBe(7013);
    const threshold = await trySet(dev.c, `${T}9.LevelSensor.`, { HighLevelThreshold: 'hot' });
    expect(threshold).toMatchObject({ ok: false });
    expect(dev.agent.alive).toBe(true);
  });

  it('thresholds flip LowLevel/HighLevel; a ValueChange Subscription sees the kernel change a brightness', async () => {
    await set(dev.c, `${T}9.LevelSensor.`, { HighLevelThreshold: '45.5' });
    expect((await getObjects(dev.c, [`${T}9.LevelSensor.`]))[`${T}9.LevelSensor.`]).toMatchObject({ HighLevelThreshold: '45.5', HighLevel: 'true' });
    const add = asResponse(
      await dev.c.send({
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: 'Device.LocalAgent.Subscription.',
              paramSettings: Object.entries({ Enable: 'true', ID: 'iot-vc', NotifType: 'ValueChange', ReferenceList: `${T}7.LevelControl.Value` }).map(([param, value]) => ({
                param,
                value,
                required: true,
              })),
            },
          ],
        },
      }),
    );
    expect(add.respType).toBe('addResp');
    // The kernel moves the LED (a script, a trigger) between 17 and 18 until a poll after the
    // baseline pass sees it: no sleep guessing when the poller's first pass ran.
    let flip = 0;
    const seen = (): unknown => {
      writeFileSync(led('white:signal', 'brightness'), `${17 + (flip++ % 2)}\n`);
      return notifications(dev.c).find((x) => x.notify.subscriptionId === 'iot-vc')?.notify;
    };
    await expect.poll(seen, { timeout: 40_000, interval: 1000 }).toBeDefined();
    const n = notifications(dev.c).find((x) => x.notify.subscriptionId === 'iot-vc')!;
    expect(n.notify).toMatchObject({ notification: 'valueChange', valueChange: { paramPath: `${T}7.LevelControl.Value` } });
    expect(['17', '18']).toContain(n.notify.notification === 'valueChange' ? n.notify.valueChange.paramValue : '');
  }, 60_000);

  it('serves the GPIO inputs, colour sensor and charger after them, read-only', async () => {
    const v = await getObjects(dev.c, [T]);
    expect(v[`${T}10.`]).toMatchObject({ Class: 'BinarySensor' });
    expect(v[`${T}10.BinarySensor.`]).toEqual({ Type: 'DoorOpen', Description: 'GPIO input tamper (active low)', Value: 'false' });
    expect(v[`${T}11.BinarySensor.`]).toMatchObject({ Type: 'WaterDetected', Value: 'false' });
    expect(v[`${T}12.MultiLevelSensor.`]).toEqual({ Type: 'RGB', Description: 'Colour sensor tcs3472 (iio:device0)', Values: '412,530,298', ValueNames: 'Red,Green,Blue', Unit: '-' });
    expect(v[`${T}13.EnumSensor.`]).toMatchObject({ Type: 'OperatingState', Value: 'Charging', ValidValues: 'Unknown,Charging,Discharging,Not charging,Full' });
    expect(v[`${T}14.BlobSensor.`]?.Type).toBe('text');
    expect(Buffer.from(v[`${T}14.BlobSensor.`]?.Value ?? '', 'base64').toString('utf8')).toContain('POWER_SUPPLY_STATUS=Charging');
    const refused = await trySet(dev.c, `${T}10.BinarySensor.`, { Value: 'true' });
    expect(refused.ok ? 0 : refused.paramErrCode).toBe(7013);
    expect(readFileSync(join(sysRoot, 'class', 'gpio', 'tamper', 'value'), 'utf8').trim()).toBe('0');
    expect(dev.agent.alive).toBe(true);
  });

  it('a ValueChange Subscription sees the tamper switch the kernel flips; a removed colour sensor is gone', async () => {
    await add(dev.c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID: 'iot-tamper', NotifType: 'ValueChange', ReferenceList: `${T}10.BinarySensor.Value` });
    // The lid opens and closes until a poll after the baseline pass sees it (the kernel's value file, active_low applied).
    let flip = 0;
    const seen = (): unknown => {
      writeFileSync(join(sysRoot, 'class', 'gpio', 'tamper', 'value'), `${flip++ % 2 === 0 ? 1 : 0}\n`);
      return notifications(dev.c).find((x) => x.notify.subscriptionId === 'iot-tamper')?.notify;
    };
    await expect.poll(seen, { timeout: 40_000, interval: 1000 }).toBeDefined();
    const n = notifications(dev.c).find((x) => x.notify.subscriptionId === 'iot-tamper')!;
    expect(n.notify).toMatchObject({ notification: 'valueChange', valueChange: { paramPath: `${T}10.BinarySensor.Value` } });
    // The colour sensor's driver is unbound: its row goes, the others keep their numbers. The count is
    // compared with its own earlier reading: the green:wan trigger row left when the Set above wrote a
    // trigger name into the plain file standing in for sysfs (the kernel would keep listing them all).
    const before = Number(await get(dev.c, 'Device.IoTCapabilityNumberOfEntries'));
    rmSync(join(sysRoot, 'bus', 'iio', 'devices', 'iio:device0'), { recursive: true });
    // A Get of the removed row answers 7026 once every read in flight has ended (one sysfs scan serves reads for a second).
    const getRemoved = async (): Promise<number | undefined> => {
      const m = await dev.c.send({ reqType: 'get', get: { paramPaths: [`${T}12.MultiLevelSensor.Values`], maxDepth: 0 } });
      return m.body.msgBody === 'response' && m.body.response.respType === 'getResp' ? m.body.response.getResp.reqPathResults[0].errCode : undefined;
    };
    await expect.poll(getRemoved, { timeout: 20_000 }).toBe(7026);
    expect(Number(await get(dev.c, 'Device.IoTCapabilityNumberOfEntries'))).toBe(before - 1);
    expect(await get(dev.c, `${T}13.EnumSensor.Value`)).toBe('Charging');
    expect(dev.agent.alive).toBe(true);
  }, 60_000);
});

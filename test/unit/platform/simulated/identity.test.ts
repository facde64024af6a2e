import { afterEach, describe, expect, it } from 'vitest';
import { luhn } from '../../../../platform/simulated/SimContext.js';
import { type SimFixture, simulated } from './fixture.js';

/** Serial number, every MAC address and the modem identities of one simulated device. */
async function identity(sim: SimFixture): Promise<Record<string, unknown>> {
  const info = await sim.binding('Device.DeviceInfo.').get([], {});
  const eth = sim.binding('Device.Ethernet.Interface.{i}.');
  const ssid = sim.binding('Device.WiFi.SSID.{i}.');
  const cell = await sim.binding('Device.Cellular.Interface.{i}.').get([1], {});
  const usim = await sim.binding('Device.Cellular.Interface.{i}.USIM.').get([1], {});
  return {
    serial: info.SerialNumber,
    ethernet: await Promise.all((await eth.list!([], {})).map(async (n) => (await eth.get([n], {})).MACAddress)),
    bssids: await Promise.all((await ssid.list!([], {})).map(async (n) => (await ssid.get([n], {})).BSSID)),
    imei: cell.IMEI,
    imsi: usim.IMSI,
    iccid: usim.ICCID,
  };
}

describe('simulated platform: identity from the seed', () => {
  const sims: SimFixture[] = [];
  const make = (seed: number) => {
    const s = simulated(seed);
    sims.push(s);
    return s;
  };
  afterEach(() => {
    for (const s of sims.splice(0)) s.stop();
  });

  it('gives the same serial number and MAC addresses for the same seed', async () => {
    expect(await identity(make(1234))).toEqual(await identity(make(1234)));
  });

  it('gives another device for another seed', async () => {
    const a = await identity(make(1));
    const b = await identity(make(2));
    expect(a.serial).not.toBe(b.serial);
    expect(a.ethernet).not.toEqual(b.ethernet);
    expect(a.imei).not.toBe(b.imei);
  });

  it('hands out distinct, locally administered MACs from one block', async () => {
    const { ethernet, bssids } = await identity(make(99));
    const macs = [...(ethernet as string[]), ...(bssids as string[])];
    expect(new Set(macs).size).toBe(macs.length);
    for (const mac of macs) {
      expect(mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(parseInt(mac.slice(0, 2), 16) & 0x03).toBe(0x02); // unicast, locally administered
    }
  });

  it('makes IMEI and ICCID with valid Luhn check digits', async () => {
    const { imei, iccid } = await identity(make(5));
    expect(imei).toMatch(/^\d{15}$/);
    expect(luhn((imei as string).slice(0, -1))).toBe((imei as string).slice(-1));
    expect(luhn((iccid as string).slice(0, -1))).toBe((iccid as string).slice(-1));
    expect(luhn('49015420323751')).toBe('8'); // the IMEI example of 3GPP TS 23.003 Annex B
  });
});

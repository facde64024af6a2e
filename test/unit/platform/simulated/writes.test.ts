import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { type SimFixture, simulated } from './fixture.js';
import { refusal } from '../refusal.js';

describe('simulated platform: writable parameters', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('round-trips an SSID through set and get', async () => {
    sim = simulated();
    const ssid = sim.binding('Device.WiFi.SSID.{i}.');
    await ssid.set!([2], { SSID: 'Kitchen 5G' }, {});
    expect((await ssid.get([2], {})).SSID).toBe('Kitchen 5G');
    expect((await ssid.get([1], {})).SSID).not.toBe('Kitchen 5G'); // per instance
  });

  it('keeps FriendlyName, HostName and the Wi-Fi passphrase in memory', async () => {
    sim = simulated();
    const info = sim.binding('Device.DeviceInfo.');
    await info.set!([], { FriendlyName: 'Living room', HostName: 'gw.home.arpa' }, {});
    expect(await info.get([], {})).toMatchObject({ FriendlyName: 'Living room', HostName: 'gw.home.arpa' });
    const sec = sim.binding('Device.WiFi.AccessPoint.{i}.Security.');
    await sec.set!([1], { KeyPassphrase: 'correct horse battery', ModeEnabled: 'WPA2-Personal' }, {});
    expect(await sec.get([1], {})).toMatchObject({ KeyPassphrase: 'correct horse battery', ModeEnabled: 'WPA2-Personal' });
  });

  it('refuses a HostName that is not a DNS name (7012)', async () => {
    sim = simulated();
    const e = await refusal(() => sim.binding('Device.DeviceInfo.').set!([], { HostName: 'bad_host name' }, {}));
    expect(e.code).toBe(ErrorCode.InvalidValue);
  });

  it("accepts a channel from the radio's PossibleChannels and records a manual selection", async () => {
    sim = simulated();
    const radio = sim.binding('Device.WiFi.Radio.{i}.');
    sim.advance(100);
    await radio.set!([2], { Channel: 100 }, {});
    sim.advance(5);
    expect(await radio.get([2], {})).toMatchObject({
      Channel: 100,
      ChannelLastSelectionReason: 'Manual',
      ChannelLastChange: 5,
      ChannelsInUse: '100,104,108,112',
    });
  });

  it('refuses a channel the radio cannot use with 7012, and keeps the old one', async () => {
    sim = simulated();
    const radio = sim.binding('Device.WiFi.Radio.{i}.');
    const before = (await radio.get([1], {})).Channel;
    // 14 is Japan-only 2.4 GHz; 36 is a 5 GHz channel; 165 is outside the EU 5 GHz plan.
    for (const [n, channel] of [
      [1, 14],
      [1, 36],
      [2, 165],
      [3, 2],
    ] as const) {
      const e = await refusal(() => radio.set!([n], { Channel: channel }, {}));
      expect(e.code).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors).toEqual([expect.objectContaining({ param: 'Channel', code: ErrorCode.InvalidValue })]);
    }
    expect((await radio.get([1], {})).Channel).toBe(before);
  });

  it('refuses a security mode the band does not offer, applying nothing and echoing no secret', async () => {
    sim = simulated();
    const sec = sim.binding('Device.WiFi.AccessPoint.{i}.Security.');
    const before = await sec.get([3], {});
    // 6 GHz is WPA3-only (Wi-Fi 6E).
    const e = await refusal(() => sec.set!([3], { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 's3cret-pass' }, {}));
    expect(e.paramErrors[0]?.param).toBe('ModeEnabled');
    expect(e.message).not.toContain('s3cret-pass');
    expect(await sec.get([3], {})).toEqual(before);
  });

  it('refuses changing a network-assigned WAN address but not the LAN one', async () => {
    sim = simulated();
    const addr = sim.binding('Device.IP.Interface.{i}.IPv4Address.{i}.');
    await addr.set!([1, 1], { IPAddress: '10.0.0.1' }, {});
    expect((await addr.get([1, 1], {})).IPAddress).toBe('10.0.0.1');
    const e = await refusal(() => addr.set!([2, 1], { IPAddress: '10.0.0.2' }, {}));
    expect(e.paramErrors[0]?.param).toBe('IPAddress');
  });

  it('reports 7016 for an instance the table never listed', async () => {
    sim = simulated();
    const e = await refusal(() => sim.binding('Device.WiFi.Radio.{i}.').get([9], {}));
    expect(e.code).toBe(ErrorCode.ObjectDoesNotExist);
  });

  it('takes a POSIX TZ LocalTimeZone (Time:2) and refuses anything else (7012)', async () => {
    sim = simulated();
    for (const tz of ['UTC0', 'EST5EDT,M3.2.0,M11.1.0', '<+0530>-5:30', 'NZST-12NZDT,M9.5.0,M4.1.0/3']) {
      await sim.set('Device.Time.', { LocalTimeZone: tz });
      expect((await sim.values('Device.Time.')).LocalTimeZone).toBe(tz);
    }
    for (const tz of ['Europe/Paris', 'CET', 'CET-1CEST,M3.5.0']) {
      expect((await refusal(() => sim.set('Device.Time.', { LocalTimeZone: tz }))).paramErrors[0]?.param, tz).toBe('LocalTimeZone');
    }
  });
});

/**
 * Device.WiFi.Radio.{i}.OperatingStandards and RegulatoryDomain on OpenWrt, written to UCI
 * wireless (htmode; country and country3) against the fake uci/ubus replaying the recorded
 * device (radio0: 2.4 GHz HE20, down; radio1: 5 GHz HE80, up, iwinfo hwmodes a/n/ac/ax).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';
import { refusal } from '../refusal.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const RADIO = 'Device.WiFi.Radio.{i}.';

/** netifd's wireless status after a reload, with these options in radio `name`'s config (what the write makes it report). */
function statusWith(name: string, options: Record<string, string>): unknown {
  const status = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-wireless-status.json'), 'utf8')) as Record<string, { config: Record<string, unknown> }>;
  Object.assign(status[name]!.config, options);
  return status;
}

describe('openwrt: Radio OperatingStandards (htmode) and RegulatoryDomain (country, country3)', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  it('reads the standards up to the htmode generation, from iwinfo while up and board.json while down', async () => {
    fx = openWrt();
    await fx.platform.ready;
    const radio = fx.binding(RADIO);
    expect(await radio.get([2], {})).toMatchObject({ SupportedStandards: 'a,n,ac,ax', OperatingStandards: 'a,n,ac,ax', RegulatoryDomain: 'US ' });
    expect(await radio.get([1], {})).toMatchObject({ SupportedStandards: 'b,g,n,ax', OperatingStandards: 'b,g,n,ax' });
  });

  it('sets one generation as its htmode, keeping the width, and reads it back', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    const radio = fx.binding(RADIO);
    await radio.set!([2], { OperatingStandards: 'a,n,ac' }, {});
    await radio.set!([2], { OperatingStandards: 'n,a', OperatingChannelBandwidth: '40MHz' }, {});
    await radio.set!([1], { OperatingStandards: 'b,g,n' }, {});
    await radio.set!([1], { OperatingStandards: 'g,b' }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.radio1.htmode=VHT80'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
      ['uci', 'set', 'wireless.radio1.htmode=HT40'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
      ['uci', 'set', 'wireless.radio0.htmode=HT20'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
      ['uci', 'set', 'wireless.radio0.htmode=NOHT'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
    fx.fake.respond('network.wireless status', { json: statusWith('radio1', { htmode: 'VHT80' }) });
    expect(await radio.get([2], {})).toMatchObject({ OperatingStandards: 'a,n,ac', OperatingChannelBandwidth: '80MHz' });
  });

  it('refuses 7012 a list no generation runs, a width the generation cannot run', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    const radio = fx.binding(RADIO);
    const cases: Array<[number, string, RegExp]> = [
      [2, 'n,ax', /runs one of "a", "a,n", "a,n,ac", "a,n,ac,ax"/],
      [2, 'a,n', /at most 40 MHz/],
      [2, 'a,n,ac,ax,be', /runs one of/],
      [1, 'b,g,n,ac,ax', /runs one of "b,g", "b,g,n", "b,g,n,ax"/],
      [2, 'a', /at most 20 MHz/],
    ];
    for (const [n, value, why] of cases) {
      const e = await refusal(() => radio.set!([n], { OperatingStandards: value }, {}));
      expect(e.code, value).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors[0]?.message, value).toMatch(why);
    }
    expect(writes()).toEqual([]);
  });

  it('writes RegulatoryDomain as country and country3, deleting country3 for all environments', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    const radio = fx.binding(RADIO);
    await radio.set!([2], { RegulatoryDomain: 'DEI' }, {});
    fx.fake.respond('network.wireless status', { json: statusWith('radio0', { country: 'DE', country3: 'I' }) });
    expect(await radio.get([1], {})).toMatchObject({ RegulatoryDomain: 'DEI' });
    await radio.set!([1], { RegulatoryDomain: 'JP ' }, {});
    expect(writes()).toEqual([
      ['uci', 'set', 'wireless.radio1.country=DE'],
      ['uci', 'set', 'wireless.radio1.country3=I'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
      ['uci', 'set', 'wireless.radio0.country=JP'],
      ['uci', 'delete', 'wireless.radio0.country3'],
      ['uci', 'commit', 'wireless'],
      RELOAD,
    ]);
  });

  it('refuses 7012 a code that is no country, before touching UCI', async () => {
    fx = openWrt();
    await fx.platform.ready;
    fx.fake.clearLog();
    for (const value of ['QQ ', 'ZZI', 'EUO']) {
      const e = await refusal(() => fx.binding(RADIO).set!([2], { RegulatoryDomain: value }, {}));
      expect(e.code, value).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors[0]?.message).toMatch(/not an ISO 3166-1 country code/);
    }
    expect(writes()).toEqual([]);
  });
});

/**
 * The hostapd keys a Set of a Radio's band, automatic channel, country or extension channel
 * becomes on generic Linux (platform/linux/wifi-radio-restart.ts), in the spelling hostapd 2.10
 * was recorded taking (test/fixtures/linux/wifi-hostapd-radio-writes), and what is refused (7012)
 * before hostapd is asked; and the writer setting them back when hostapd refuses the start.
 */
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import type { IwBand, IwChannel } from '../../../../platform/linux/wifi-iw.js';
import { heldRadioRestart, type RadioNow, radioRestartSettings } from '../../../../platform/linux/wifi-radio-restart.js';
import { HostapdWriter } from '../../../../platform/linux/wifi-write.js';
import type { WiFiBss } from '../../../../platform/linux/WiFiSource.js';
import { refusalCode } from './refusal-code.js';

const band = (b: string): IwBand => ({ band: b, ht: true, vht: b === '5GHz', he: false, eht: false, ht40: true, vht160: false });
const ch = (channel: number, b: string, more: Partial<IwChannel> = {}): IwChannel => ({
  channel,
  freq: b === '5GHz' ? 5000 + 5 * channel : 2407 + 5 * channel,
  band: b,
  disabled: false,
  noIr: false,
  radar: false,
  ...more,
});
const CHANNELS = [...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((c) => ch(c, '2.4GHz')), ch(14, '2.4GHz', { disabled: true }), ...[36, 40, 44, 48].map((c) => ch(c, '5GHz'))];
const bss = (more: Partial<WiFiBss> = {}): WiFiBss => ({
  ifname: 'wlan0',
  channel: 6,
  ieee80211n: true,
  ieee80211ac: false,
  ieee80211ax: false,
  keyMgmt: [],
  pairwise: [],
  secondaryChannel: 0,
  ...more,
});
const now = (more: Partial<RadioNow> = {}): RadioNow => ({
  bss: bss(),
  band: '2.4GHz',
  bands: [band('2.4GHz'), band('5GHz')],
  channels: CHANNELS,
  country: 'DE',
  auto: false,
  domain: undefined,
  ...more,
});
const keys = (changes: Record<string, string | boolean>, n = now()): string[] => radioRestartSettings(changes, n).map((s) => `${s.key}=${s.value}<${s.undo ?? ''}`);

describe('Radio settings that restart hostapd', () => {
  it("a band change: hw_mode and the band's first usable channel (or the one given); 802.11ac off for 2.4 GHz", () => {
    expect(keys({ OperatingFrequencyBand: '5GHz' })).toEqual(['hw_mode=a<g', 'channel=36<6']);
    expect(keys({ OperatingFrequencyBand: '5GHz', Channel: '44' })).toEqual(['hw_mode=a<g', 'channel=44<6']);
    expect(keys({ OperatingFrequencyBand: '2.4GHz', Channel: '6' }, now({ band: '5GHz', bss: bss({ channel: 36, ieee80211ac: true }) }))).toEqual(['hw_mode=g<a', 'ieee80211ac=0<1', 'channel=6<36']);
    expect(keys({ OperatingFrequencyBand: '2.4GHz' })).toEqual([]);
    // A Channel alone is a channel switch, not a restart.
    expect(keys({ Channel: '11' })).toEqual([]);
  });

  it('refuses 6 GHz, a band the phy lacks, a channel of another band, Channel while hostapd chooses it', () => {
    expect(refusalCode(() => keys({ OperatingFrequencyBand: '6GHz' }))).toBe(7012);
    expect(refusalCode(() => keys({ OperatingFrequencyBand: '5GHz' }, now({ bands: [band('2.4GHz')] })))).toBe(7012);
    expect(refusalCode(() => keys({ OperatingFrequencyBand: '5GHz', Channel: '6' }))).toBe(7012);
    expect(refusalCode(() => keys({ Channel: '11' }, now({ auto: true })))).toBe(7012);
    expect(refusalCode(() => keys({ AutoChannelEnable: true, Channel: '11' }))).toBe(7012);
  });

  it('automatic channel selection: channel 0; off again keeps the channel hostapd chose, or the one given', () => {
    expect(keys({ AutoChannelEnable: true })).toEqual(['channel=0<6']);
    expect(keys({ AutoChannelEnable: true }, now({ auto: true }))).toEqual([]);
    expect(keys({ AutoChannelEnable: false }, now({ auto: true, bss: bss({ channel: 11 }) }))).toEqual(['channel=11<0']);
    expect(keys({ AutoChannelEnable: false, Channel: '1' }, now({ auto: true }))).toEqual(['channel=1<0']);
  });

  it('the country and its environment (country3), set back to what ran', () => {
    expect(keys({ RegulatoryDomain: 'FRI' })).toEqual(['country_code=FR<DE', 'country3=0x49<0x20']);
    expect(keys({ RegulatoryDomain: 'DE ' }, now({ domain: 'FRO', country: 'FR' }))).toEqual(['country_code=DE<FR', 'country3=0x20<0x4f']);
    expect(keys({ RegulatoryDomain: 'DE ' }, now({ domain: 'DE ' }))).toEqual([]);
    // What runs already (nothing written: the kernel's country, all environments) restarts nothing.
    expect(keys({ RegulatoryDomain: 'DE ' })).toEqual([]);
    // A radio without a band yet still takes its country, not a band or channel setting.
    expect(keys({ RegulatoryDomain: 'FR ' }, now({ band: undefined }))).toEqual(['country_code=FR<DE', 'country3=0x20<0x20']);
    expect(refusalCode(() => keys({ AutoChannelEnable: true }, now({ band: undefined })))).toBe(7012);
    expect(refusalCode(() => keys({ RegulatoryDomain: 'de ' }))).toBe(7012);
  });

  it('the extension channel: HT40+ or HT40- where the 40 MHz pair is usable; Auto only while 20 MHz', () => {
    const five = now({ band: '5GHz', bss: bss({ ifname: 'wlan1', channel: 36 }) });
    expect(keys({ ExtensionChannel: 'AboveControlChannel' }, five)).toEqual(['ht_capab=[HT40+]<']);
    expect(refusalCode(() => keys({ ExtensionChannel: 'BelowControlChannel' }, five))).toBe(7012);
    expect(keys({ ExtensionChannel: 'BelowControlChannel' }, now({ bss: bss({ channel: 6 }) }))).toEqual(['ht_capab=[HT40-]<']);
    // Channel 13 + 4 is past the band; channel 14 is disabled.
    expect(refusalCode(() => keys({ ExtensionChannel: 'AboveControlChannel' }, now({ bss: bss({ channel: 13 }) })))).toBe(7012);
    expect(keys({ ExtensionChannel: 'Auto' })).toEqual([]);
    expect(refusalCode(() => keys({ ExtensionChannel: 'Auto' }, now({ bss: bss({ secondaryChannel: 1 }) })))).toBe(7012);
    expect(refusalCode(() => keys({ ExtensionChannel: 'AboveControlChannel' }, now({ bss: bss({ ieee80211n: false }) })))).toBe(7012);
    // With a Channel of the same Set, the channel goes in the restart too.
    expect(keys({ ExtensionChannel: 'AboveControlChannel', Channel: '44' }, five)).toEqual(['ht_capab=[HT40+]<', 'channel=44<36']);
  });

  it('what is held is sent again at a restart of hostapd', () => {
    expect(heldRadioRestart({ AutoChannelEnable: true, RegulatoryDomain: 'FRI' }).map((s) => `${s.key}=${s.value}`)).toEqual(['channel=0', 'country_code=FR', 'country3=0x49']);
    expect(heldRadioRestart({ AutoChannelEnable: false, RegulatoryDomain: '' })).toEqual([]);
  });
});

describe('HostapdWriter.restartRadio', () => {
  /** A hostapd_cli that answers FAIL to the commands `refuse` names. */
  const writer = (refuse: string[]): { w: HostapdWriter; sent: string[] } => {
    const sent: string[] = [];
    const runner = {
      executable: (c: string) => c,
      capture: async (_cmd: string, args: string[]) => {
        const line = args.slice(4).join(' ');
        sent.push(line);
        return { exitCode: 0, stdout: refuse.includes(line) ? 'FAIL\n' : 'OK\n', stderr: '' };
      },
    } as unknown as CommandRunner;
    return { w: new HostapdWriter(runner, '/run/hostapd'), sent };
  };

  it('sets, disables, enables; when the start is refused, sets back and starts again (7002)', async () => {
    const ok = writer([]);
    await ok.w.restartRadio('wlan0', [{ key: 'channel', value: '0', undo: '6' }]);
    expect(ok.sent).toEqual(['set channel 0', 'disable', 'enable']);
    const refused = writer(['enable']);
    await expect(refused.w.restartRadio('wlan0', [{ key: 'channel', value: '0', undo: '6' }])).rejects.toMatchObject({ code: 7002 });
    expect(refused.sent).toEqual(['set channel 0', 'disable', 'enable', 'set channel 6', 'enable']);
    const key = writer(['set country_code XX']);
    await expect(
      key.w.restartRadio('wlan0', [
        { key: 'hw_mode', value: 'a', undo: 'g' },
        { key: 'country_code', value: 'XX', undo: 'DE' },
      ]),
    ).rejects.toMatchObject({ code: 7002 });
    expect(key.sent).toEqual(['set hw_mode a', 'set country_code XX', 'set hw_mode g']);
  });
});

/**
 * Radio.MCS and GuardInterval on generic Linux as `iw dev <if> set bitrates` arguments
 * (platform/linux/wifi-bitrates.ts), as iw 5.19 was recorded taking them
 * (test/fixtures/linux/wifi-hostapd-radio-writes), and the values refused before iw is asked.
 */
import { describe, expect, it } from 'vitest';
import { bitrateArgs, bitrateValues } from '../../../../platform/linux/wifi-bitrates.js';
import { refusalCode } from './refusal-code.js';

const AUTO = { MCS: -1, GuardInterval: 'Auto' };

describe('bitrate mask', () => {
  it('one HT MCS (no VHT rate on 5 GHz), the guard interval forced, both free again', () => {
    expect(bitrateArgs({ MCS: 7, GuardInterval: '400nsec' }, '5GHz')).toEqual(['ht-mcs-5', '7', 'vht-mcs-5', 'sgi-5']);
    expect(bitrateArgs({ MCS: 7, GuardInterval: 'Auto' }, '2.4GHz')).toEqual(['ht-mcs-2.4', '7']);
    expect(bitrateArgs({ MCS: -1, GuardInterval: '800nsec' }, '5GHz')).toEqual(['lgi-5']);
    expect(bitrateArgs(AUTO, '5GHz')).toEqual([]);
  });

  it('a Set keeps what it does not name; refuses what iw cannot set (7012)', () => {
    expect(bitrateValues({ GuardInterval: '800nsec' }, { MCS: 7, GuardInterval: 'Auto' }, '5GHz')).toEqual({ MCS: 7, GuardInterval: '800nsec' });
    expect(refusalCode(() => bitrateValues({ MCS: 32 }, AUTO, '5GHz'))).toBe(7012);
    expect(refusalCode(() => bitrateValues({ MCS: -2 }, AUTO, '5GHz'))).toBe(7012);
    expect(refusalCode(() => bitrateValues({ GuardInterval: '1xLTF_0.8us' }, AUTO, '5GHz'))).toBe(7012);
    expect(refusalCode(() => bitrateValues({ MCS: 3 }, AUTO, '6GHz'))).toBe(7012);
    expect(bitrateValues({ MCS: -1 }, AUTO, '6GHz')).toEqual(AUTO);
  });
});

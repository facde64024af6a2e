/** The simulated gateway's Wi-Fi neighbours: fixed per seed, moving signal, only enabled radios hear. */
import { describe, expect, it } from 'vitest';
import { RADIOS, type RadioState } from '../../../../platform/simulated/wifi-radio.js';
import { simulatedNeighbours } from '../../../../platform/simulated/wifi-neighbours.js';
import type { Value } from '../../../../datamodel/value/Value.js';

const radios = (enabled = [true, true, true]): Array<Pick<RadioState, 'def' | 'row'>> => RADIOS.map((def, i) => ({ def, row: (): Record<string, Value> => ({ Enable: enabled[i] }) }));
/** Seed 1's first two networks, as drawn since the simulation has had neighbours. */
const GOLDEN = [
  ['50:c7:bf:73:40:30', 'FRITZ!Box 7590 KL', 1],
  ['a0:40:a0:46:f4:45', 'Wohnung 3OG', 11],
];
const scan = (seed: number, at: number, enabled?: boolean[]) => simulatedNeighbours(seed, radios(enabled), () => at)(new AbortController().signal);

describe('simulated Wi-Fi neighbours', () => {
  it('the same seed hears the same networks; another seed other ones', async () => {
    const a = await scan(1, 0);
    expect((await scan(1, 0)).map((r) => r.BSSID)).toEqual(a.map((r) => r.BSSID));
    expect((await scan(2, 0)).map((r) => r.BSSID)).not.toEqual(a.map((r) => r.BSSID));
    expect(a.filter((r) => r.OperatingFrequencyBand === '2.4GHz').length).toBeGreaterThan(a.filter((r) => r.OperatingFrequencyBand === '5GHz').length);
  });

  it("signal strengths move a few dB between scans minutes apart, channels stay on the radio's band", async () => {
    const now = await scan(1, 0);
    const later = await scan(1, 10 * 60_000);
    expect(later.map((r) => r.BSSID)).toEqual(now.map((r) => r.BSSID));
    now.forEach((r, i) => expect(Math.abs(Number(r.SignalStrength) - Number(later[i].SignalStrength))).toBeLessThanOrEqual(6));
    expect(now.some((r, i) => r.SignalStrength !== later[i].SignalStrength)).toBe(true);
    for (const r of now) {
      const def = RADIOS[Number(String(r.Radio).slice(-1)) - 1];
      expect(def.band).toBe(r.OperatingFrequencyBand);
      expect(def.channels).toContain(r.Channel);
    }
  });

  it('a disabled radio hears nothing; a canceled scan rejects', async () => {
    expect((await scan(1, 0, [false, true, true])).some((r) => r.Radio === 'Device.WiFi.Radio.1')).toBe(false);
    const ac = new AbortController();
    ac.abort();
    await expect(simulatedNeighbours(1, radios())(ac.signal)).rejects.toBeDefined();
  });

  it('draws the networks at the first scan, the same ones a scanner drew at start before (issue 14: nothing held until scanned)', async () => {
    const scanner = simulatedNeighbours(1, radios(), () => 0);
    const first = await scanner(new AbortController().signal);
    expect((await scanner(new AbortController().signal)).map((r) => r.BSSID)).toEqual(first.map((r) => r.BSSID));
    expect(first.slice(0, 2).map((r) => [r.BSSID, r.SSID, r.Channel])).toEqual(GOLDEN);
  });
});

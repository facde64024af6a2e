/**
 * The simulated Wi-Fi statistics (TR-181 WiFiRadio:1, WiFiSSID:1, WiFiAccessPoint:1 Stats):
 * counters that grow with the traffic, never go back, stand still while a BSS is down, and
 * add up (an SSID over its stations, a radio over its SSIDs) through visitors leaving, BSS
 * restarts and an SSID moving to another radio.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Value } from '../../../../datamodel/value/Value.js';
import { type SimFixture, simulated } from './fixture.js';

const SUMMED = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived'] as const;

describe('simulated platform: Wi-Fi statistics', () => {
  let sim: SimFixture;
  afterEach(() => {
    sim.stop();
    previous = undefined;
  });

  const stats = async (path: string): Promise<Record<string, number>> => {
    const v = await sim.values(path);
    return Object.fromEntries(Object.entries(v).map(([k, x]: [string, Value]) => [k, Number(x)]));
  };
  const stations = async (ap: number) =>
    Promise.all((await sim.instances(`Device.WiFi.AccessPoint.${ap}.AssociatedDevice.`)).map((n) => stats(`Device.WiFi.AccessPoint.${ap}.AssociatedDevice.${n}.Stats.`)));
  const sum = (rows: Array<Record<string, number>>, name: string): number => rows.reduce((s, r) => s + r[name], 0);
  const radioOf = async (ssid: number): Promise<number> => Number(/(\d+)$/.exec(String((await sim.values(`Device.WiFi.SSID.${ssid}.`)).LowerLayers))![1]);

  /**
   * Every radio's counters are the sum of its SSIDs' (`perRadio`, while no SSID has moved); once
   * one has, each radio holds its share and together they still hold all of the SSIDs' traffic.
   */
  let previous: { radios: Array<Record<string, number>>; ssids: Array<Record<string, number>> } | undefined;
  const expectRadiosAddUp = async (perRadio: boolean | 'moved-now' = true): Promise<void> => {
    const radios = await Promise.all([1, 2, 3].map((r) => stats(`Device.WiFi.Radio.${r}.Stats.`)));
    const ssids = await Promise.all([1, 2, 3, 4].map((s) => stats(`Device.WiFi.SSID.${s}.Stats.`)));
    for (const name of SUMMED) expect(sum(radios, name), `Radio.*.Stats.${name}`).toBe(sum(ssids, name));
    // Over a step without a move, each radio grew by what the SSIDs on it carried.
    if (previous && perRadio !== 'moved-now') {
      for (const r of [1, 2, 3]) {
        let grew = 0;
        for (const s of [1, 2, 3, 4]) if ((await radioOf(s)) === r) grew += ssids[s - 1].BytesSent - previous.ssids[s - 1].BytesSent;
        expect(radios[r - 1].BytesSent - previous.radios[r - 1].BytesSent, `Radio.${r} growth`).toBe(grew);
      }
    }
    previous = { radios, ssids };
    if (perRadio !== true) return;
    for (const r of [1, 2, 3]) {
      const on: Array<Record<string, number>> = [];
      for (const s of [1, 2, 3, 4]) if ((await radioOf(s)) === r) on.push(ssids[s - 1]);
      for (const name of SUMMED) expect(radios[r - 1][name], `Radio.${r}.Stats.${name}`).toBe(sum(on, name));
    }
  };

  it('an SSID counts what its stations carried; a radio what its SSIDs carried', async () => {
    sim = simulated();
    sim.advance(3600);
    // SSID 1 has only residents, associated since boot: its unicast traffic is theirs.
    const ssid = await stats('Device.WiFi.SSID.1.Stats.');
    const sta = await stations(1);
    expect(sta.length).toBe(2);
    expect(ssid.UnicastPacketsSent).toBe(sum(sta, 'PacketsSent'));
    expect(ssid.PacketsReceived).toBe(sum(sta, 'PacketsReceived'));
    expect(ssid.BytesReceived).toBe(sum(sta, 'BytesReceived'));
    expect(ssid.BytesSent).toBeGreaterThan(sum(sta, 'BytesSent')); // plus the AP's own group-addressed frames
    expect(ssid.PacketsSent).toBe(ssid.UnicastPacketsSent + ssid.MulticastPacketsSent + ssid.BroadcastPacketsSent);
    for (const name of ['ErrorsSent', 'ErrorsReceived', 'RetransCount', 'RetryCount'] as const) expect(ssid[name]).toBe(sum(sta, name));
    // Errors are rare; retries a few percent.
    expect(ssid.ErrorsSent).toBeLessThan(ssid.PacketsSent * 0.001);
    expect(ssid.RetransCount).toBeLessThan(ssid.UnicastPacketsSent * 0.2);
    expect(ssid.MultipleRetryCount).toBeLessThanOrEqual(ssid.RetryCount);
    await expectRadiosAddUp();
  });

  it('never goes back and keeps adding up while visitors come and go, BSSes restart and an SSID moves', async () => {
    sim = simulated();
    const names = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsReceived', 'RetransCount'];
    const last = new Map<string, number>();
    let moved: boolean | 'moved-now' = false;
    const check = async (): Promise<void> => {
      for (const p of [1, 2, 3, 4].map((s) => `Device.WiFi.SSID.${s}.Stats.`).concat([1, 2, 3].map((r) => `Device.WiFi.Radio.${r}.Stats.`))) {
        const v = await stats(p);
        for (const n of names) {
          if (v[n] === undefined) continue;
          expect(v[n], `${p}${n}`).toBeGreaterThanOrEqual(last.get(p + n) ?? 0);
          last.set(p + n, v[n]);
        }
      }
      await expectRadiosAddUp(moved === false ? true : moved === 'moved-now' ? 'moved-now' : false);
    };
    await sim.set('Device.WiFi.SSID.4.', { Enable: true }); // the guest network, with its visitors
    for (let step = 0; step < 8 * 12; step++) {
      // eight hours in 5-minute steps
      sim.advance(300);
      if (moved === 'moved-now') moved = true;
      if (step === 20) {
        await sim.set('Device.WiFi.SSID.2.', { LowerLayers: 'Device.WiFi.Radio.1' });
        moved = 'moved-now';
      }
      if (step === 30) await sim.set('Device.WiFi.AccessPoint.3.', { Enable: false });
      if (step === 40) await sim.set('Device.WiFi.AccessPoint.3.', { Enable: true });
      if (step === 50) await sim.set('Device.WiFi.Radio.1.', { Enable: false });
      if (step === 55) await sim.set('Device.WiFi.Radio.1.', { Enable: true });
      if (step === 60) {
        await sim.set('Device.WiFi.SSID.2.', { LowerLayers: 'Device.WiFi.Radio.2' });
        moved = 'moved-now';
      }
      if (step === 70) await sim.set('Device.WiFi.SSID.1.', { SSID: 'Renamed' });
      await check();
    }
  });

  it("stands still while the BSS is down, and a station's counters start at its association", async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set('Device.WiFi.AccessPoint.3.', { Enable: false });
    const before = await stats('Device.WiFi.SSID.3.Stats.');
    sim.advance(600);
    expect(await stats('Device.WiFi.SSID.3.Stats.')).toEqual(before);
    await sim.set('Device.WiFi.AccessPoint.3.', { Enable: true });
    sim.advance(600);
    const after = await stats('Device.WiFi.SSID.3.Stats.');
    expect(after.BytesSent).toBeGreaterThan(before.BytesSent);
    // The phone re-associated after the restart: its own counters cover only the new session.
    const [phone] = await stations(3);
    expect(phone.BytesSent).toBeLessThan(after.BytesSent - before.BytesSent);
    expect(phone.BytesSent).toBeGreaterThan(0);
  });

  it('is the same for the same seed and clock', async () => {
    sim = simulated(7);
    sim.advance(5000);
    const a = await sim.values('Device.WiFi.Radio.2.Stats.');
    sim.stop();
    sim = simulated(7);
    sim.advance(5000);
    expect(await sim.values('Device.WiFi.Radio.2.Stats.')).toEqual(a);
  });
});

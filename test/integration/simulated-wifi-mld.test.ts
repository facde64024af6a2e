/**
 * Device.WiFi.SSID.{i}.MLDUnit of the simulated gateway through a real Controller over
 * WebSocket (the rules: test/unit/platform/simulated/wifi-mld.test.ts): the values TR-181
 * allows (-1, 0-24) are taken, others refused (7012 out of range, 7011 not a number), and two BSSes of
 * one MLD on a radio are refused with the reason; the agent keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { get, set, trySet } from '../peers/controller-steps.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgent();
});
afterAll(async () => {
  await f.close();
});

describe('Wi-Fi SSID MLDUnit over USP', () => {
  it('reads -1, takes 0-24 and -1, refuses 25 and -2 (7012) and text (7011)', async () => {
    const c = f.controller;
    expect(await get(c, 'Device.WiFi.SSID.1.MLDUnit')).toBe('-1');
    for (const [bad, code] of [
      ['25', 7012],
      ['-2', 7012],
      ['one', 7011],
    ] as const) {
      const r = await trySet(c, 'Device.WiFi.SSID.1.', { MLDUnit: bad });
      expect(r.ok, bad).toBe(false);
      expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode), bad).toBe(code);
    }
    expect(await get(c, 'Device.WiFi.SSID.1.MLDUnit')).toBe('-1');
    await set(c, 'Device.WiFi.SSID.1.', { MLDUnit: '24' });
    await set(c, 'Device.WiFi.SSID.2.', { MLDUnit: '24' });
    expect(await get(c, 'Device.WiFi.SSID.2.MLDUnit')).toBe('24');
  });

  it('refuses a second BSS of one MLD on a radio, saying why', async () => {
    const c = f.controller;
    // SSID.4 (guest) is on Radio.1, where SSID.1 of MLD 24 is.
    const r = await trySet(c, 'Device.WiFi.SSID.4.', { MLDUnit: '24' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.paramErrCode ?? r.errCode).toBe(7012);
      expect(JSON.stringify(r)).toContain('an MLD has one BSS per radio');
    }
    expect(await get(c, 'Device.WiFi.SSID.4.MLDUnit')).toBe('-1');
    await set(c, 'Device.WiFi.SSID.1.', { MLDUnit: '-1' });
    await set(c, 'Device.WiFi.SSID.4.', { MLDUnit: '24' });
    expect(await get(c, 'Device.WiFi.SSID.4.MLDUnit')).toBe('24');
  });
});

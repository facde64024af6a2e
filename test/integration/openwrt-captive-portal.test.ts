/**
 * Device.CaptivePortal. on OpenWrt, through a Controller over WebSocket: the agent runs on the
 * recorded ubus/uci stand-ins (test/unit/platform/openwrt/fake-openwrt.ts) with the stand-in nft,
 * which records its argv and succeeds. What the table does in a kernel is the Linux test's
 * (linux-captive-portal.test.ts: the same table and responder, with real nft, curl and an HTTP
 * server in namespaces); here: OpenWrt serves the object, writes its own table with one
 * `nft -f -` at Enable and again at Enable false, and refuses bad values before any write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const PORTAL = 'http://portal.example.net/';

describe('OpenWrt Device.CaptivePortal (stand-in nft)', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const nftWrites = (): string[][] => fake.invocations().filter((a) => a[0] === 'nft' && a[1] === '-f');
  const portal = async (): Promise<Record<string, string>> => (await getObjects(f.controller, ['Device.CaptivePortal.']))['Device.CaptivePortal.'] ?? {};

  beforeAll(async () => {
    fake = fakeOpenWrt({ nft: true });
    f = await startOpenWrtAgent(fake);
  }, 60_000);
  afterAll(async () => {
    await f?.close();
  });

  it('starts disabled without touching nft, and refuses bad values before any write', async () => {
    expect(await portal()).toEqual({ Enable: 'false', Status: 'Disabled', AllowedList: '', URL: '' });
    expect(nftWrites()).toEqual([]);
    const bad: Array<Record<string, string>> = [{ URL: 'https://portal.example.net/' }, { AllowedList: 'nonsense!' }];
    for (const params of bad) {
      const r = await trySet(f.controller, 'Device.CaptivePortal.', params);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    }
    expect(nftWrites()).toEqual([]);
  });

  it('Enable with a URL writes the table; Enable false writes it away', async () => {
    await set(f.controller, 'Device.CaptivePortal.', { URL: PORTAL, AllowedList: '192.0.2.0/24', Enable: 'true' });
    expect(await portal()).toEqual({ Enable: 'true', Status: 'Enabled', AllowedList: '192.0.2.0/24', URL: PORTAL });
    expect(nftWrites()).toEqual([['nft', '-f', '-']]);
    await set(f.controller, 'Device.CaptivePortal.', { Enable: 'false' });
    expect((await portal()).Status).toBe('Disabled');
    expect(nftWrites()).toEqual([
      ['nft', '-f', '-'],
      ['nft', '-f', '-'],
    ]);
  });
});

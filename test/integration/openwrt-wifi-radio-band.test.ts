/**
 * Device.WiFi.Radio.{i}.OperatingFrequencyBand on OpenWrt behind a real agent, driven by our
 * TestController over a real loopback WebSocket. ubus and uci are the stand-ins of
 * test/unit/platform/openwrt/fake-openwrt.ts, first on PATH, answering the fixtures of
 * test/fixtures/openwrt. One change to them, made here: radio0's phy (phy0 in /etc/board.json)
 * gets a 5 GHz band beside its 2.4 GHz one, as board.json lists a dual-band phy (a copy of phy1's
 * 5G entry), so that the radio has a band to move to. radio0 is disabled, so the agent reads its
 * band from its configuration as netifd reports it; after the Set the stand-ins show the band and
 * channel `uci set` wrote (in `uci show wireless` and in netifd's `network.wireless status`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../datamodel/UspError.js';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt, type FakeOpenWrt, FIXTURES } from '../unit/platform/openwrt/fake-openwrt.js';

const RELOAD = ['ubus', 'call', 'network', 'reload'];
const COMMIT = ['uci', 'commit', 'wireless'];
const RADIO = 'Device.WiFi.Radio.1.';

interface Board {
  wlan: Record<string, { info: { bands: Record<string, unknown> } }>;
}

describe('OpenWrt radio band (UCI wireless band) over WebSocket', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  const writes = (): string[][] => fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a.join(' ') === RELOAD.join(' '));

  beforeAll(async () => {
    fake = fakeOpenWrt();
    const boardFile = path.join(fake.bin, 'etc', 'board.json');
    const board = JSON.parse(fs.readFileSync(boardFile, 'utf8')) as Board;
    board.wlan.phy0.info.bands['5G'] = board.wlan.phy1.info.bands['5G'];
    fs.writeFileSync(boardFile, JSON.stringify(board));
    f = await startOpenWrtAgent(fake);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('reads the phy’s bands as SupportedFrequencyBands; a single-band phy has its one', async () => {
    const v = await getObjects(f.controller, [RADIO, 'Device.WiFi.Radio.2.']);
    expect(v[RADIO]).toMatchObject({ SupportedFrequencyBands: '2.4GHz,5GHz', OperatingFrequencyBand: '2.4GHz', Channel: '1' });
    expect(v['Device.WiFi.Radio.2.']).toMatchObject({ SupportedFrequencyBands: '5GHz', OperatingFrequencyBand: '5GHz' });
  });

  it('refuses a band the phy lacks, and a band its fixed channel does not fit, writing nothing', async () => {
    fake.clearLog();
    expect(await trySet(f.controller, RADIO, { OperatingFrequencyBand: '6GHz' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    // Channel 1 is no 5 GHz channel: the Set must bring one.
    expect(await trySet(f.controller, RADIO, { OperatingFrequencyBand: '5GHz' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(await trySet(f.controller, 'Device.WiFi.Radio.2.', { OperatingFrequencyBand: '2.4GHz' })).toMatchObject({ ok: false, paramErrCode: ErrorCode.InvalidValue });
    expect(writes()).toEqual([]);
  });

  it('moves the radio to 5 GHz with a 5 GHz channel: uci set band and channel, commit, network reload', async () => {
    const after = fs
      .readFileSync(path.join(FIXTURES, 'uci-show-wireless.txt'), 'utf8')
      .replace("wireless.radio0.band='2g'", "wireless.radio0.band='5g'")
      .replace("wireless.radio0.channel='1'", "wireless.radio0.channel='36'");
    fake.respondUciAfterCommit('wireless', { text: after });
    fake.clearLog();
    await set(f.controller, RADIO, { OperatingFrequencyBand: '5GHz', Channel: '36' });
    expect(writes()).toEqual([['uci', 'set', 'wireless.radio0.band=5g'], ['uci', 'set', 'wireless.radio0.channel=36'], COMMIT, RELOAD]);
    // What netifd reports once the reload read the new configuration (the radio stays disabled).
    const status = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ubus-network-wireless-status.json'), 'utf8')) as { radio0: { config: Record<string, unknown> } };
    Object.assign(status.radio0.config, { band: '5g', channel: '36' });
    fake.respond('network.wireless status', { json: status });
    const v = await getObjects(f.controller, [RADIO]);
    expect(v[RADIO]).toMatchObject({ OperatingFrequencyBand: '5GHz', Channel: '36', SupportedFrequencyBands: '2.4GHz,5GHz' });
  });
});

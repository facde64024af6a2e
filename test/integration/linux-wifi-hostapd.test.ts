/**
 * Device.WiFi. on generic Linux from hostapd and iw, read by a real Controller over WebSocket from
 * a real agent process (`usp-agent run --platform linux`). This machine has no radio, so `iw` and
 * `hostapd_cli` are stand-ins on PATH that replay what the real programs answered in a VM with
 * mac80211_hwsim (test/fixtures/linux/wifi-hostapd: session.json, README.md, wifi-standin.mjs):
 * the read phase, steps 09-29, two access points `usp-lab` (phy0, 2.4 GHz, WPA2-Personal) and
 * `usp-lab-5g` (phy1, 5 GHz, WPA3-Personal), one station each. Also: a hostapd that does not
 * answer (no control sockets) serves empty tables and the agent stays up; `--wifi off` serves no
 * Radio at all. Writes replay the recorded write phase (steps 30-42): SSID.SSID (`set ssid` +
 * `reload`), Radio.Channel (`chan_switch 5 2462`), SSID.Enable (`disable`, `enable`); bad values
 * are refused before hostapd is asked, and a write hostapd does not take fails the Set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { trySet } from '../peers/controller-steps.js';
import { freePort } from '../peers/TestController.js';
import { type StandinAgent, WifiStandinAgents } from '../peers/wifi-standin-agent.js';

const agents = new WifiStandinAgents('wifi-hostapd', 'usp-linux-wifi-');
const work = agents.work;

/** An agent process on the Linux platform with the stand-ins first on PATH; its Controller. */
async function start(args: string[], env: Record<string, string> = {}): Promise<StandinAgent> {
  const port = await freePort();
  return agents.start({ data: join(work, `data-${port}`), port, args, env });
}

describe('Device.WiFi. from hostapd_cli and iw (recorded answers)', () => {
  it('Get Device.WiFi.: two radios, SSIDs usp-lab and usp-lab-5g, WPA2/WPA3-Personal, one station each with its counters', async () => {
    const log = join(work, 'calls.log');
    const { c } = await start(['--hostapd-dir', '/run/hostapd'], { USP_WIFI_STANDIN_LOG: log });
    const o = await getObjects(c, ['Device.WiFi.']);
    expect(o['Device.WiFi.']).toMatchObject({ RadioNumberOfEntries: '2', SSIDNumberOfEntries: '2', AccessPointNumberOfEntries: '2' });
    expect(o['Device.WiFi.Radio.1.']).toMatchObject({
      Name: 'phy0',
      Status: 'Up',
      Enable: 'true',
      OperatingFrequencyBand: '2.4GHz',
      SupportedFrequencyBands: '2.4GHz,5GHz,6GHz',
      OperatingStandards: 'b,g,n',
      SupportedStandards: 'b,g,n,ax,be',
      Channel: '6',
      ChannelsInUse: '6',
      CurrentOperatingChannelBandwidth: '20MHz',
      PossibleChannels: '1,2,3,4,5,6,7,8,9,10,11,12,13',
      RegulatoryDomain: 'DE ',
      TransmitPower: '100',
    });
    expect(o['Device.WiFi.Radio.2.']).toMatchObject({ Name: 'phy1', OperatingFrequencyBand: '5GHz', OperatingStandards: 'a,n,ac', Channel: '36', IEEE80211hSupported: 'true' });
    expect(o['Device.WiFi.SSID.1.']).toMatchObject({ Name: 'wlan0', SSID: 'usp-lab', BSSID: '02:00:00:00:00:00', LowerLayers: 'Device.WiFi.Radio.1', Status: 'Up', Enable: 'true' });
    expect(o['Device.WiFi.SSID.2.']).toMatchObject({ Name: 'wlan1', SSID: 'usp-lab-5g', BSSID: '02:00:00:00:01:00', LowerLayers: 'Device.WiFi.Radio.2' });
    expect(o['Device.WiFi.AccessPoint.1.']).toMatchObject({ SSIDReference: 'Device.WiFi.SSID.1', Status: 'Enabled', AssociatedDeviceNumberOfEntries: '1', UAPSDCapability: 'true' });
    expect(o['Device.WiFi.AccessPoint.1.Security.']).toMatchObject({ ModeEnabled: 'WPA2-Personal', EncryptionMode: 'AES' });
    expect(o['Device.WiFi.AccessPoint.2.Security.']).toMatchObject({ ModeEnabled: 'WPA3-Personal', EncryptionMode: 'AES' });
    // Step 12 (iw station dump on wlan0) with hostapd's flags of step 25.
    expect(o['Device.WiFi.AccessPoint.1.AssociatedDevice.1.']).toMatchObject({
      MACAddress: '02:00:00:00:02:00',
      AuthenticationState: 'true',
      OperatingStandard: 'n',
      SignalStrength: '-30',
      LastDataDownlinkRate: '13000',
      LastDataUplinkRate: '13000',
      Active: 'true',
    });
    expect(o['Device.WiFi.AccessPoint.1.AssociatedDevice.1.Stats.']).toMatchObject({
      BytesSent: '11239',
      BytesReceived: '12305',
      PacketsSent: '17',
      PacketsReceived: '27',
      RetransCount: '0',
      FailedRetransCount: '0',
    });
    // Step 13 on wlan1: a VHT station.
    expect(o['Device.WiFi.AccessPoint.2.AssociatedDevice.1.']).toMatchObject({ MACAddress: '02:00:00:00:03:00', OperatingStandard: 'ac', SignalStrength: '-27', LastDataDownlinkRate: '26000' });
    expect(o['Device.WiFi.AccessPoint.2.AssociatedDevice.1.Stats.']).toMatchObject({ BytesSent: '1440', BytesReceived: '2320' });
    // The agent asked hostapd in the directory it was given.
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    expect(calls.filter((a) => a[0] === 'hostapd_cli').every((a) => a[1] === '-p' && a[2] === '/run/hostapd')).toBe(true);
    // A BSS of hostapd's own file stays on its radio (7012, not faked); only an SSID a Controller added moves.
    const r = await trySet(c, 'Device.WiFi.SSID.1.', { LowerLayers: 'Device.WiFi.Radio.2' });
    expect(r).toMatchObject({ ok: false, errCode: 7021, paramErrCode: 7012 });
  }, 60_000);

  it('writes: SSID, Channel and Enable go to hostapd; bad values refused with 7012 before it is asked', async () => {
    const log = join(work, 'write-calls.log');
    const { p, c } = await start(['--hostapd-dir', '/run/hostapd'], { USP_WIFI_STANDIN_LOG: log, USP_WIFI_STANDIN_STATE: join(work, 'write-phase') });
    const writes = (): string[] =>
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as string[]).slice(3).join(' '))
        .filter((a) => /^-i wlan0 (set|reload|chan_switch|disable|enable)/.test(a));
    const ssid1 = async (): Promise<Record<string, string>> => (await getObjects(c, ['Device.WiFi.SSID.1.']))['Device.WiFi.SSID.1.']!;
    // Bad values: refused before any hostapd call.
    expect(await trySet(c, 'Device.WiFi.SSID.1.', { SSID: '' })).toMatchObject({ ok: false, errCode: 7021, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.SSID.1.', { SSID: 'x'.repeat(33) })).toMatchObject({ ok: false, errCode: 7021, paramErrCode: 7012 });
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { Channel: '14' })).toMatchObject({ ok: false, errCode: 7021, paramErrCode: 7012 }); // disabled in DE
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { Channel: '36' })).toMatchObject({ ok: false, errCode: 7021, paramErrCode: 7012 }); // not the radio's band
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { TransmitPower: '60' })).toMatchObject({ ok: false, errCode: 7021, paramErrCode: 7012 });
    expect(writes()).toEqual([]);

    expect(await trySet(c, 'Device.WiFi.SSID.1.', { SSID: 'usp-lab-renamed' })).toMatchObject({ ok: true });
    expect(await ssid1()).toMatchObject({ SSID: 'usp-lab-renamed', Status: 'Up' });
    expect(await trySet(c, 'Device.WiFi.Radio.1.', { Channel: '11' })).toMatchObject({ ok: true });
    expect((await getObjects(c, ['Device.WiFi.Radio.1.']))['Device.WiFi.Radio.1.']).toMatchObject({ Channel: '11', ChannelsInUse: '11' });
    expect(await trySet(c, 'Device.WiFi.SSID.1.', { Enable: 'false' })).toMatchObject({ ok: true });
    expect(await ssid1()).toMatchObject({ Enable: 'false', Status: 'Down' });
    expect((await getObjects(c, ['Device.WiFi.AccessPoint.1.']))['Device.WiFi.AccessPoint.1.']).toMatchObject({ Status: 'Disabled', AssociatedDeviceNumberOfEntries: '0' });
    expect(await trySet(c, 'Device.WiFi.SSID.1.', { Enable: 'true' })).toMatchObject({ ok: true });
    expect(await ssid1()).toMatchObject({ Enable: 'true', Status: 'Up' });
    expect(writes()).toEqual(['-i wlan0 set ssid usp-lab-renamed', '-i wlan0 reload', '-i wlan0 chan_switch 5 2462', '-i wlan0 disable', '-i wlan0 enable']);

    // A write hostapd does not take (here: none was recorded) fails the Set; the agent stays up.
    const refused = await trySet(c, 'Device.WiFi.SSID.1.', { SSID: 'another' });
    expect(refused.ok).toBe(false);
    expect(await ssid1()).toMatchObject({ SSID: 'usp-lab-renamed' });
    expect(p.alive).toBe(true);
  }, 60_000);

  it('a hostapd that does not answer: empty tables, one logged reason, the agent stays up', async () => {
    const { p, c } = await start(['--hostapd-dir', join(work, 'no-such-dir')], {});
    const o = await getObjects(c, ['Device.WiFi.']);
    expect(o['Device.WiFi.']).toMatchObject({ RadioNumberOfEntries: '0', SSIDNumberOfEntries: '0', AccessPointNumberOfEntries: '0' });
    expect(p.text).toMatch(/Wi-Fi source does not answer/);
    expect(p.alive).toBe(true);
  }, 60_000);

  it('--wifi off: no Radio, one info line', async () => {
    const { p, c } = await start(['--wifi', 'off']);
    const r = await c.send({ reqType: 'get', get: { paramPaths: ['Device.WiFi.Radio.'], maxDepth: 0 } });
    expect(JSON.stringify(r.body)).toMatch(/"errCode":7026/);
    expect(p.text).toMatch(/Device\.WiFi\. not served/);
  }, 60_000);
});

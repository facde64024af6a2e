/** Device.WiFi.EndPoint (WiFiEndPoint:1) on the simulated gateway: a station joining a neighbour network. */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { join, linkStats, NEIGHBOUR_PASSPHRASE } from '../../../../platform/simulated/wifi-endpoint-link.js';
import { drawNeighbours, type Neighbour } from '../../../../platform/simulated/wifi-neighbours.js';
import { RADIOS } from '../../../../platform/simulated/wifi-radio.js';
import { wpaPsk } from '../../../../platform/wifi-psk.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const EP = 'Device.WiFi.EndPoint.';
const SEED = 42;

/** A protected 2.4 GHz neighbour of seed 42 a WPA2 station can join, and an open one if any. */
function neighbours(): Neighbour[] {
  return drawNeighbours(
    SEED,
    RADIOS.map((def) => ({ def })),
  ).filter((n) => n.radio === 1 && n.ssid !== '');
}
const wpa2 = (): Neighbour => neighbours().find((n) => n.security === 'WPA2' || n.security === 'WPA2-PSK-WPA3-SAE' || n.security === 'WPA-WPA2')!;

describe('station link rules (wifi-endpoint-link.ts)', () => {
  const bss: Neighbour = { radio: 1, ssid: 'Net', bssid: '00:00:00:00:00:01', channel: 6, security: 'WPA2-PSK-WPA3-SAE', meanDbm: -60, width: '20MHz', dtim: 1 };

  it('joins with the passphrase or the PSK it makes; a wrong key, a mode the network does not offer or an unheard name do not', () => {
    const pass = NEIGHBOUR_PASSPHRASE('Net');
    expect(join('Net', { ModeEnabled: 'WPA2-Personal', KeyPassphrase: pass }, [bss]).result).toBe('ok');
    expect(join('Net', { ModeEnabled: 'WPA3-Personal', SAEPassphrase: pass, KeyPassphrase: '' }, [bss]).result).toBe('ok');
    expect(join('Net', { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'x', PreSharedKey: wpaPsk(pass, 'Net').toUpperCase() }, [bss]).result).toBe('ok');
    expect(join('Net', { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'wrong-passphrase' }, [bss]).result).toBe('wrong-key');
    expect(join('Net', { ModeEnabled: 'None' }, [bss]).result).toBe('mode-mismatch');
    expect(join('Other', { ModeEnabled: 'None' }, [bss]).result).toBe('not-found');
    expect(join('', { ModeEnabled: 'None' }, [{ ...bss, ssid: '', security: 'None' }]).result).toBe('not-found');
    expect(join('Net', { ModeEnabled: 'OWE' }, [{ ...bss, security: 'OWE' }]).result).toBe('ok');
  });

  it('rates fall with the signal within TR-181 ranges; a weak link retransmits more', () => {
    const strong = linkStats('5GHz', -45);
    const weak = linkStats('5GHz', -85);
    expect(strong).toMatchObject({ LastDataDownlinkRate: 600_000, SignalStrength: -45, Retransmissions: 0 });
    expect(Number(weak.LastDataDownlinkRate)).toBeLessThan(Number(strong.LastDataDownlinkRate));
    expect(Number(weak.LastDataDownlinkRate)).toBeGreaterThanOrEqual(1000);
    expect(Number(weak.Retransmissions)).toBeGreaterThan(0);
    expect(Number(linkStats('2.4GHz', -100).LastDataUplinkRate)).toBe(1000);
  });
});

describe('simulated platform: Device.WiFi.EndPoint (WiFiEndPoint:1)', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  /** A station SSID on radio 1, an EndPoint on it with one Profile for `ssid`; returns the numbers. */
  async function station(ssid: string, security: Record<string, string>): Promise<{ e: number; p: number; s: number }> {
    const s = await sim.add('Device.WiFi.SSID.', { Enable: true, LowerLayers: 'Device.WiFi.Radio.1', SSID: 'backhaul' });
    const e = await sim.add(EP, { Enable: true });
    const p = await sim.add(`${EP}${e}.Profile.`, { Enable: true, SSID: ssid });
    await sim.set(`${EP}${e}.Profile.${p}.Security.`, security);
    await sim.set(`${EP}${e}.`, { ProfileReference: `${EP}${e}.Profile.${p}` });
    return { e, p, s };
  }

  it('ships none; an EndPoint joins a neighbour with its passphrase: Status, Profile Status and Stats follow', async () => {
    sim = simulated(SEED);
    expect(await sim.values('Device.WiFi.')).toMatchObject({ EndPointNumberOfEntries: 0 });
    const n = wpa2();
    const { e, p, s } = await station(n.ssid, { ModeEnabled: 'WPA2-Personal', KeyPassphrase: NEIGHBOUR_PASSPHRASE(n.ssid) });
    expect(await sim.values(`${EP}${e}.`)).toMatchObject({ Enable: true, Status: 'Enabled', SSIDReference: `Device.WiFi.SSID.${s}`, ProfileNumberOfEntries: 1, Alias: `cpe-${e}` });
    expect((await sim.values(`${EP}${e}.Profile.${p}.`)).Status).toBe('Active');
    const stats = await sim.values(`${EP}${e}.Stats.`);
    expect(Number(stats.SignalStrength)).toBeLessThan(0);
    expect(Number(stats.LastDataDownlinkRate)).toBeGreaterThanOrEqual(1000);
    expect((await sim.values(`${EP}${e}.Security.`)).ModesSupported).toContain('WPA2-Personal');
    expectSchemaTyped((await sim.readAll()).filter((o) => o.path.startsWith(EP)));
    // Radio off: nothing heard, the link is down.
    await sim.set('Device.WiFi.Radio.1.', { Enable: false });
    expect((await sim.values(`${EP}${e}.`)).Status).toBe('Error');
    expect((await sim.values(`${EP}${e}.Profile.${p}.`)).Status).toBe('Available');
    await sim.set('Device.WiFi.Radio.1.', { Enable: true });
    // Disabled: Disabled, the Profile no longer active.
    await sim.set(`${EP}${e}.`, { Enable: false });
    expect((await sim.values(`${EP}${e}.`)).Status).toBe('Disabled');
    expect((await sim.values(`${EP}${e}.Profile.${p}.`)).Status).toBe('Available');
    expectSchemaTyped((await sim.readAll()).filter((o) => o.path.startsWith(EP)));
  });

  it('a wrong passphrase stays in Error (Profile Error); the right one joins', async () => {
    sim = simulated(SEED);
    const n = wpa2();
    const { e, p } = await station(n.ssid, { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'not-the-passphrase' });
    expect((await sim.values(`${EP}${e}.`)).Status).toBe('Error');
    expect((await sim.values(`${EP}${e}.Profile.${p}.`)).Status).toBe('Error');
    expect((await sim.values(`${EP}${e}.Stats.`)).SignalStrength).toBe(0);
    await sim.set(`${EP}${e}.Profile.${p}.Security.`, { KeyPassphrase: NEIGHBOUR_PASSPHRASE(n.ssid) });
    expect((await sim.values(`${EP}${e}.`)).Status).toBe('Enabled');
  });

  it('Error_Misconfigured without a Profile; deleting the Profile or the SSID clears the reference', async () => {
    sim = simulated(SEED);
    const n = wpa2();
    const { e, p, s } = await station(n.ssid, { ModeEnabled: 'WPA2-Personal', KeyPassphrase: NEIGHBOUR_PASSPHRASE(n.ssid) });
    await sim.del(`${EP}${e}.Profile.${p}.`);
    expect(await sim.values(`${EP}${e}.`)).toMatchObject({ Status: 'Error_Misconfigured', ProfileReference: '', ProfileNumberOfEntries: 0 });
    await sim.del(`Device.WiFi.SSID.${s}.`);
    expect((await sim.values(`${EP}${e}.`)).SSIDReference).toBe('');
    await sim.del(`${EP}${e}.`);
    expect(await sim.instances(EP)).toEqual([]);
  });

  it('refuses an EndPoint without a free station SSID (7017), a Profile of another EndPoint, an unoffered mode, a bad PSK', async () => {
    sim = simulated(SEED);
    expect((await refusal(() => sim.add(EP, { Enable: true }))).code).toBe(ErrorCode.ObjectCouldNotBeCreated);
    // An SSID an AccessPoint serves is a BSS, not a station.
    const bssSsid = await sim.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2' });
    await sim.add('Device.WiFi.AccessPoint.', { SSIDReference: `Device.WiFi.SSID.${bssSsid}` });
    expect((await refusal(() => sim.add(EP, {}))).code).toBe(ErrorCode.ObjectCouldNotBeCreated);
    const { e } = await station('x', { ModeEnabled: 'None' });
    expect((await refusal(() => sim.add(EP, {}))).code).toBe(ErrorCode.ObjectCouldNotBeCreated);
    await sim.add('Device.WiFi.SSID.', { LowerLayers: 'Device.WiFi.Radio.2' });
    const e2 = await sim.add(EP, {});
    const p2 = await sim.add(`${EP}${e2}.Profile.`, { SSID: 'y' });
    expect((await refusal(() => sim.set(`${EP}${e}.`, { ProfileReference: `${EP}${e2}.Profile.${p2}` }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${EP}${e}.`, { ProfileReference: 'Device.WiFi.SSID.1' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${EP}${e2}.Profile.${p2}.Security.`, { ModeEnabled: 'WEP-64' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${EP}${e2}.Profile.${p2}.Security.`, { PreSharedKey: 'abcd' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await refusal(() => sim.set(`${EP}${e2}.WPS.`, { ConfigMethodsEnabled: 'NFCInterface' }))).code).toBe(ErrorCode.InvalidValue);
    // Not found: an enabled EndPoint whose network nobody hears is in Error, its Profile Available.
    await sim.set(`${EP}${e}.`, { Enable: true });
    expect((await sim.values(`${EP}${e}.`)).Status).toBe('Error');
  });
});

/**
 * EndPoint.Enable and EndPoint.WPS on generic Linux (platform/linux/wifi-endpoint-station.ts)
 * against what Debian's wpa_supplicant 2.10 answered in a VM (test/fixtures/linux/wifi-wpa-supplicant-global,
 * replayed by its stand-in `wpa_cli` through the real CommandRunner): disconnect/reconnect kept by
 * the agent and sent again after a restart; config_methods written, read back, "none" while WPS is
 * off, sent again when wpa_supplicant reports others; a method not supported refused (7012) before
 * anything is sent.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UspError } from '../../../../datamodel/UspError.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { EndPointHeld } from '../../../../platform/linux/wifi-endpoint-held.js';
import { StationSettings } from '../../../../platform/linux/wifi-endpoint-station.js';
import { WpaSupplicantSource } from '../../../../platform/linux/WpaSupplicantSource.js';

const FIXTURE = join(__dirname, '../../../fixtures/linux/wifi-wpa-supplicant-global');
const work = mkdtempSync(join(tmpdir(), 'usp-wpa-station-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const position = join(work, 'position');
const calls = join(work, 'calls');
const stepOf = (label: string): number => {
  const s = (JSON.parse(readFileSync(join(FIXTURE, 'session.json'), 'utf8')) as Array<{ step: string }>).find((x) => x.step.endsWith(`-${label}`));
  return Number(s!.step.split('-')[0]);
};
process.env.USP_WIFI_STANDIN_STATE = position;
process.env.USP_WIFI_STANDIN_LOG = calls;
// The stand-ins first on PATH, as the agent finds the real programs (this worker's environment only).
process.env.PATH = `${join(FIXTURE, 'bin')}:${process.env.PATH}`;

/** The wpa_supplicant commands sent since the last call, without `wpa_cli -p DIR -i IF`. */
function sent(): string[] {
  const lines = readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean);
  writeFileSync(calls, '');
  return lines.map((l) => (JSON.parse(l) as string[]).slice(5).join(' '));
}

function settings(held: EndPointHeld): { s: StationSettings; saved: string[] } {
  const source = new WpaSupplicantSource({ runner: new CommandRunner(), dir: '/run/wpa_supplicant', cacheMs: 0 });
  const saved: string[] = [];
  return {
    s: new StationSettings(
      source,
      held,
      async (i) => void saved.push(i),
      () => 0,
    ),
    saved,
  };
}

describe('EndPoint.Enable', () => {
  it('disconnect and reconnect, kept; a restarted wpa_supplicant that joins while disabled is disconnected again', async () => {
    writeFileSync(position, '0');
    writeFileSync(calls, '');
    const held = new EndPointHeld(undefined);
    const { s } = settings(held);
    await s.setEnable('wlan2', false);
    expect([s.enabled('wlan2'), sent()]).toEqual([false, ['disconnect']]);
    // Off already: nothing sent again.
    await s.reconcile('wlan2', 'DISCONNECTED');
    expect(sent()).toEqual([]);
    writeFileSync(position, String(stepOf('wpas-start-again')));
    await s.reconcile('wlan2', 'COMPLETED');
    expect(sent()).toEqual(['disconnect']);
    expect(Number(readFileSync(position, 'utf8'))).toBe(stepOf('wpa-wlan2-disconnect-again'));
    await s.setEnable('wlan2', true);
    expect([s.enabled('wlan2'), sent()]).toEqual([true, ['reconnect']]);
  });
});

describe('EndPoint.WPS', () => {
  it('reads wpa_supplicant defaults while config_methods is unset', async () => {
    writeFileSync(position, '0');
    expect(await settings(new EndPointHeld(undefined)).s.wps('wlan2')).toMatchObject({ Enable: true, ConfigMethodsEnabled: 'PIN,Display,VirtualDisplay' });
  });

  it('writes config_methods and saves; off is "none" with the methods kept; on again gives them back', async () => {
    writeFileSync(position, '0');
    writeFileSync(calls, '');
    const held = new EndPointHeld(undefined);
    const { s, saved } = settings(held);
    await s.setWps('wlan2', { ConfigMethodsEnabled: 'PushButton' });
    expect(sent()).toEqual(['set config_methods push_button']);
    expect(await s.wps('wlan2')).toMatchObject({ Enable: true, ConfigMethodsEnabled: 'PushButton' });
    await s.setWps('wlan2', { Enable: false });
    expect(sent().filter((l) => l.startsWith('set'))).toEqual(['set config_methods none']);
    expect(await s.wps('wlan2')).toMatchObject({ Enable: false, ConfigMethodsEnabled: 'PushButton' });
    await s.setWps('wlan2', { Enable: true, ConfigMethodsEnabled: 'PushButton,PIN' });
    expect(sent().filter((l) => l.startsWith('set'))).toEqual(['set config_methods push_button keypad']);
    expect(await s.wps('wlan2')).toMatchObject({ Enable: true, ConfigMethodsEnabled: 'PushButton,PIN' });
    expect(saved).toEqual(['wlan2', 'wlan2', 'wlan2']);
  });

  it('sends config_methods again when wpa_supplicant reports others (it restarted without saving)', async () => {
    writeFileSync(position, '0');
    writeFileSync(calls, '');
    const held = new EndPointHeld(undefined);
    held.setWps('wlan2', { enable: true, methods: 'push_button keypad display' });
    const { s, saved } = settings(held);
    await s.reconcile('wlan2', 'COMPLETED');
    expect(sent()).toEqual(['get config_methods', 'set config_methods push_button keypad display']);
    expect(saved).toEqual(['wlan2']);
    // Now it reports them: nothing sent.
    await s.reconcile('wlan2', 'COMPLETED');
    expect(sent()).toEqual(['get config_methods']);
  });

  it('refuses a method this station cannot carry out before sending anything (7012)', async () => {
    writeFileSync(calls, '');
    const { s } = settings(new EndPointHeld(undefined));
    const err = await s.setWps('wlan2', { ConfigMethodsEnabled: 'USBFlashDrive' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UspError);
    expect((err as UspError).code).toBe(7012);
    expect(sent()).toEqual([]);
  });
});

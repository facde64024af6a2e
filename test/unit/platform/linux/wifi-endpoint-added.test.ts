/**
 * EndPoint Add/Delete on generic Linux (platform/linux/wifi-endpoint-added.ts) against the answers
 * Debian's wpa_supplicant 2.10 and iw gave in a VM (test/fixtures/linux/wifi-wpa-supplicant-global,
 * replayed by its stand-in `wpa_cli` and `iw` through the real CommandRunner): the free netdev, the
 * agent's file, interface_add; the refusals (7024 for a station wpa_supplicant was started with,
 * 7005 past the limit, 7017 with no free netdev, 7002 with wpa_supplicant's FAIL); the re-add after
 * a wpa_supplicant restart, and none while it is down.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UspError } from '../../../../datamodel/UspError.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { AddedStations, stationConf } from '../../../../platform/linux/wifi-endpoint-added.js';
import { EndPointHeld, MAX_ADDED_STATIONS } from '../../../../platform/linux/wifi-endpoint-held.js';
import { WpaSupplicantGlobal } from '../../../../platform/linux/wpa-global.js';
import { WpaSupplicantSource } from '../../../../platform/linux/WpaSupplicantSource.js';

const FIXTURE = join(__dirname, '../../../fixtures/linux/wifi-wpa-supplicant-global');
const work = mkdtempSync(join(tmpdir(), 'usp-wpa-added-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const position = join(work, 'position');
const stepOf = (label: string): number => {
  const s = (JSON.parse(readFileSync(join(FIXTURE, 'session.json'), 'utf8')) as Array<{ step: string }>).find((x) => x.step.endsWith(`-${label}`));
  return Number(s!.step.split('-')[0]);
};
process.env.USP_WIFI_STANDIN_STATE = position;
// The stand-ins first on PATH, as the agent finds the real programs (this worker's environment only).
process.env.PATH = `${join(FIXTURE, 'bin')}:${process.env.PATH}`;

function stations(
  held = new EndPointHeld(undefined),
  now = () => 0,
  opts: { socket?: string; running?: () => Promise<string[]> } = {},
): { added: AddedStations; global: WpaSupplicantGlobal; confDir: string; source: WpaSupplicantSource } {
  const runner = new CommandRunner();
  const source = new WpaSupplicantSource({ runner, dir: '/run/wpa_supplicant', cacheMs: 0 });
  const global = new WpaSupplicantGlobal(runner, opts.socket ?? '/run/wpa_supplicant-global');
  const confDir = join(work, `conf-${Math.random().toString(36).slice(2)}`);
  const running = opts.running ?? (() => source.interfaces());
  return { added: new AddedStations({ global, running, held, confDir, ctrlDir: '/run/wpa_supplicant', runner, cacheMs: 0, now }), global, confDir, source };
}

async function refusal(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UspError) return e.code;
    throw e;
  }
  throw new Error('not refused');
}

describe('EndPoint Add/Delete through the global control interface', () => {
  it('adds the free station netdev (wlan3) from its own file; refuses wlan2 and a netdev wpa_supplicant refuses', async () => {
    writeFileSync(position, '0');
    const held = new EndPointHeld(undefined);
    const { added, global, confDir } = stations(held);
    expect(await refusal(added.remove('wlan2'))).toBe(7024);
    expect(await refusal(global.add('wlan9', join(confDir, 'wlan3.conf'), '/run/wpa_supplicant'))).toBe(7002);
    expect(await added.add()).toBe('wlan3');
    expect(readFileSync(join(confDir, 'wlan3.conf'), 'utf8')).toBe(stationConf('wlan3', '/run/wpa_supplicant'));
    expect(Number(readFileSync(position, 'utf8'))).toBe(stepOf('wpa-global-interface-add'));
    expect(held.added()).toEqual(['wlan3']);
    // wlan3 now runs: nothing free is left.
    expect(await refusal(added.add())).toBe(7017);
  });

  it('refuses past MAX_ADDED_STATIONS (7005) before asking anything', async () => {
    const held = new EndPointHeld(undefined);
    for (let i = 10; i < 10 + MAX_ADDED_STATIONS; i++) held.setAdded(`wlan${i}`, true);
    expect(await refusal(stations(held).added.add())).toBe(7005);
  });

  it('adds wlan3 again after wpa_supplicant restarted, not while it is down; Delete removes it and its file', async () => {
    const held = new EndPointHeld(undefined);
    held.setAdded('wlan3', true);
    const { added, confDir, source } = stations(held);
    writeFileSync(position, String(stepOf('wpas-stop')));
    expect(await added.reconcile()).toBe(false);
    // The runner keeps a failed answer for its cache age (0 ms here, but within the same millisecond): wpa_supplicant started again.
    source.forget();
    writeFileSync(position, String(stepOf('wpas-start-again')));
    expect(await added.reconcile()).toBe(true);
    expect(Number(readFileSync(position, 'utf8'))).toBe(stepOf('wpa-global-interface-add-again'));
    writeFileSync(position, String(stepOf('wpa-wlan2-reconnect-again')));
    // The re-add wrote the file again (it was missing): wpa_supplicant reads its networks from it.
    expect(readFileSync(join(confDir, 'wlan3.conf'), 'utf8')).toBe(stationConf('wlan3', '/run/wpa_supplicant'));
    await added.remove('wlan3');
    expect(Number(readFileSync(position, 'utf8'))).toBe(stepOf('wpa-global-interface-remove'));
    expect(existsSync(join(confDir, 'wlan3.conf'))).toBe(false);
    expect(held.added()).toEqual([]);
  });

  it('adds wlan3 again to a wpa_supplicant that runs only its global socket (no station of its own), none while that socket is gone', async () => {
    const held = new EndPointHeld(undefined);
    held.setAdded('wlan3', true);
    const socket = join(work, 'wpas-global');
    const { added } = stations(held, () => 0, { socket, running: async () => [] });
    writeFileSync(position, String(stepOf('wpas-start-again')));
    expect(await added.reconcile()).toBe(false);
    expect(Number(readFileSync(position, 'utf8'))).toBe(stepOf('wpas-start-again'));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(await added.reconcile()).toBe(true);
      expect(Number(readFileSync(position, 'utf8'))).toBe(stepOf('wpa-global-interface-add-again'));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

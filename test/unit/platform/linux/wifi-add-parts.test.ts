/**
 * The pure parts of Device.WiFi. SSID/AccessPoint Add on generic Linux: what hostapd_cli's
 * interactive mode does to a line before `raw` sends it (hostapd-cli-stdin.ts), how its answers
 * are read, how many BSSes a radio runs from `iw phy` (wifi-iw-combinations.ts), and the BSS file
 * the agent writes (wifi-bss-file.ts).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliLineKeeps, cliWords, interactiveAnswers, rawCommandSent } from '../../../../platform/linux/hostapd-cli-stdin.js';
import { parseApLimits } from '../../../../platform/linux/wifi-iw-combinations.js';
import { missingKey, readBssKeys, renderBssFile, writeBssFile } from '../../../../platform/linux/wifi-bss-file.js';
import { REPO } from '../../../peers/agent-process.js';

const session = JSON.parse(readFileSync(join(REPO, 'test/fixtures/linux/wifi-hostapd-add/session.json'), 'utf8')) as Array<{ step: string; stdout: string }>;
const step = (label: string): string => session.find((s) => s.step.endsWith(`-${label}`))!.stdout;

describe('hostapd_cli interactive mode', () => {
  it('splits at spaces, keeps a word opened by a quote up to the last quote, and leaves the tenth word whole', () => {
    expect(cliWords('raw SET wpa_passphrase guest pass two')).toEqual(['raw', 'SET', 'wpa_passphrase', 'guest', 'pass', 'two']);
    expect(cliWords('  a   b ')).toEqual(['a', 'b']);
    expect(cliWords('a "b  c" d')).toEqual(['a', '"b  c"', 'd']);
    expect(cliWords('1 2 3 4 5 6 7 8 9 10  11  ')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10  11  ']);
    expect(rawCommandSent('SET wpa_passphrase guest pass two')).toBe('SET wpa_passphrase guest pass two');
  });

  it('keeps a passphrase with single spaces; not one with two in a row, or spaces at its ends', () => {
    expect(cliLineKeeps('wpa_passphrase', 'guest pass two')).toBe(true);
    expect(cliLineKeeps('wpa_passphrase', 'a b c d e f g h i j k')).toBe(true);
    expect(cliLineKeeps('wpa_passphrase', 'two  spaces')).toBe(false);
    expect(cliLineKeeps('wpa_passphrase', ' leading')).toBe(false);
    expect(cliLineKeeps('wpa_passphrase', 'trailing ')).toBe(false);
    expect(cliLineKeeps('sae_password', 'tab\there')).toBe(false);
  });

  it("reads hostapd's answer after the banner (recorded)", () => {
    expect(interactiveAnswers(step('hapd-wlan0_1-stdin-passphrase'))).toEqual(['OK']);
    expect(interactiveAnswers('OK\n')).toEqual([]);
  });
});

describe('iw phy interface combinations', () => {
  it('hwsim allows 2048 AP interfaces (recorded); a driver stating fewer limits the radio', () => {
    const limits = parseApLimits(step('iw-phy'));
    expect(limits.get('phy0')).toBe(2048);
    expect(limits.get('phy1')).toBe(2048);
    // The same output with a combination of six APs, as many SoC radios state it (written, not recorded).
    const six = step('iw-phy').replace(/#\{ managed, AP, mesh point, P2P-client, P2P-GO \} <= 2048/g, '#{ managed } <= 1, #{ AP } <= 6');
    expect(parseApLimits(six).get('phy0')).toBe(6);
    expect(parseApLimits('Wiphy phy9\n\tmax # scan SSIDs: 4\n').get('phy9')).toBe(1);
  });
});

describe('BSS file', () => {
  it('writes hostapd keys for the mode, 0600 in a 0700 directory, and reads its keys back', async () => {
    const text = renderBssFile({
      ifname: 'wlan0_1',
      ctrlInterface: '/run/hostapd',
      hwMode: 'g',
      channel: 6,
      ssid: 'usp-guest',
      mode: 'WPA3-Personal-Transition',
      keys: { wpa_passphrase: 'guest pass one' },
    });
    expect(text).toContain('wpa_key_mgmt=WPA-PSK SAE\n');
    expect(text).toContain('ieee80211w=1\n');
    expect(text).toContain('wpa_passphrase=guest pass one\n');
    expect(renderBssFile({ ifname: 'w', ctrlInterface: '/r', hwMode: 'a', channel: 36, ssid: 's', mode: 'None', keys: { wpa_passphrase: 'x' } })).not.toContain('wpa_passphrase');
    const dir = mkdtempSync(join(tmpdir(), 'usp-bss-file-'));
    try {
      const file = join(dir, 'bss', 'wlan0_1.conf');
      await writeBssFile(file, text);
      expect(statSync(join(dir, 'bss')).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await readBssKeys(file)).toEqual({ wpa_passphrase: 'guest pass one' });
      expect(await readBssKeys(join(dir, 'none'))).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the key a mode still needs', () => {
    expect(missingKey('WPA2-Personal', {})).toBe('KeyPassphrase or PreSharedKey');
    expect(missingKey('WPA2-Personal', { wpa_psk: 'ab'.repeat(32) })).toBeUndefined();
    expect(missingKey('WPA3-Personal', {})).toBe('SAEPassphrase');
    expect(missingKey('None', {})).toBeUndefined();
  });
});

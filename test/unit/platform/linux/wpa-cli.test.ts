/**
 * Parsers of wpa_supplicant's control interface (platform/linux/wpa-cli.ts) on what wpa_cli 2.10
 * printed in the recording of test/fixtures/linux/wifi-wpa-supplicant (session.json), and
 * WpaSupplicantSource's writes (a key on stdin, FAIL as 7002 without the key) with a written
 * shell stand-in that keeps its argv and stdin.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UspError } from '../../../../datamodel/UspError.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import {
  endpointStatus,
  networkString,
  parseListNetworks,
  parseNetworkNumber,
  parseNetworkString,
  parseNetworkWords,
  parseWpaInterfaces,
  wpaInteractiveAnswer,
  wpaSecurityMode,
} from '../../../../platform/linux/wpa-cli.js';
import { WpaSupplicantSource } from '../../../../platform/linux/WpaSupplicantSource.js';

const SESSION = JSON.parse(readFileSync(new URL('../../../fixtures/linux/wifi-wpa-supplicant/session.json', import.meta.url), 'utf8')) as Array<{ step: string; stdout: string }>;
const out = (label: string): string => SESSION.find((s) => s.step.endsWith(`-${label}`))!.stdout;

describe('wpa_cli answers', () => {
  it('interface: the station sockets, without the P2P device', () => {
    expect(parseWpaInterfaces(out('wpa-interface-1'))).toEqual(['wlan2']);
  });

  it('list_networks: ids, SSIDs and flags', () => {
    const nets = parseListNetworks(out('wpa-wlan2-list-networks-3'));
    expect(nets.map((n) => [n.id, n.ssid, [...n.flags]])).toEqual([
      [0, 'usp-lab', ['DISABLED']],
      [1, 'usp-lab-5g', ['CURRENT']],
    ]);
    expect(parseListNetworks(out('wpa-wlan2-list-networks-2')).map((n) => n.flags.size)).toEqual([1, 0]);
  });

  it('get_network: quoted or hex strings, numbers, word lists; FAIL and the hidden key read as nothing', () => {
    expect(parseNetworkString(out('wpa-wlan2-get-network-1-ssid-3'))).toBe('usp-lab-5g');
    expect(parseNetworkString('636166c3a9')).toBe('café');
    expect(parseNetworkString(out('wpa-wlan2-get-network-9-ssid'))).toBeUndefined();
    expect(parseNetworkString(out('wpa-wlan2-get-network-0-psk-1'))).toBeUndefined();
    expect(parseNetworkNumber(out('wpa-wlan2-get-network-1-priority-3'))).toBe(2);
    expect(parseNetworkWords(out('wpa-wlan2-get-network-1-key-mgmt-3'))).toEqual(['SAE']);
    expect(parseNetworkWords('FAIL\n')).toEqual([]);
  });

  it('interactive mode: the answer after the echoed line, also when the echo wrapped', () => {
    expect(wpaInteractiveAnswer(out('wpa-wlan2-stdin-1-psk-raw'))).toBe('OK');
    expect(wpaInteractiveAnswer(out('wpa-wlan2-stdin-1-psk-short'))).toBe('FAIL');
    expect(wpaInteractiveAnswer(out('wpa-wlan2-stdin-0-psk'))).toBe('OK');
    expect(wpaInteractiveAnswer('wpa_cli v2.10\n\nInteractive mode\n\n> ')).toBeUndefined();
  });

  it('security modes, status and set_network strings', () => {
    expect([['WPA-PSK'], ['SAE'], ['WPA-PSK', 'SAE'], ['OWE'], ['NONE'], ['WPA-EAP']].map(wpaSecurityMode)).toEqual([
      'WPA2-Personal',
      'WPA3-Personal',
      'WPA3-Personal-Transition',
      'OWE',
      'None',
      'WPA2-Enterprise',
    ]);
    expect(['COMPLETED', 'SCANNING', 'INTERFACE_DISABLED', undefined].map(endpointStatus)).toEqual(['Enabled', 'Error', 'Disabled', 'Error']);
    expect(networkString('say "hi"')).toBe('"say "hi""');
  });
});

describe('WpaSupplicantSource writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'usp-wpa-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A source whose wpa_cli is a shell script running `body`. */
  const source = (body: string): WpaSupplicantSource => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(bin, 'wpa_cli'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, 'wpa_cli'), 0o755);
    const runner = new CommandRunner({ commandPath: bin });
    return new WpaSupplicantSource({ runner, dir: '/run/wpa_supplicant', cacheMs: 1000 });
  };

  it('a key goes on stdin with HOME unset, never in argv', async () => {
    const seen = join(dir, 'seen');
    await source(`echo "$@" > ${seen}; echo "HOME=\${HOME:-unset}" >> ${seen}; cat >> ${seen}; printf 'Interactive mode\\n\\n> set_network 1 sae_password "a b c"\\nOK\\n> '`).secret(
      'wlan2',
      1,
      'sae_password',
      '"a b c"',
    );
    expect(readFileSync(seen, 'utf8')).toBe('-p /run/wpa_supplicant -i wlan2\nHOME=unset\nset_network 1 sae_password "a b c"\n');
  });

  it('FAIL is 7002, the key in no message', async () => {
    const e = await source(`cat > /dev/null; printf 'Interactive mode\\n\\n> x\\nFAIL\\n> '`)
      .secret('wlan2', 1, 'psk', '"secret words"')
      .catch((x: unknown) => x);
    expect((e as UspError).code).toBe(7002);
    expect((e as UspError).message).not.toContain('secret words');
    const f = await source(`echo FAIL`)
      .command('wlan2', ['set_network', '9', 'ssid', '"x"'])
      .catch((x: unknown) => x);
    expect(f).toBeInstanceOf(UspError);
    expect((f as UspError).code).toBe(7002);
  });

  it('add_network answers the new id; a dead wpa_supplicant gives no interfaces', async () => {
    expect(await source('echo 3').command('wlan2', ['add_network'])).toBe('3');
    expect(await source(`echo "Failed to connect to non-global ctrl_ifname: (nil)  error: No such file or directory" >&2; exit 255`).interfaces()).toEqual([]);
  });
});

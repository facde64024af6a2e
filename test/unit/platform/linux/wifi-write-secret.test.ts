/**
 * HostapdWriter.secret (wifi-write.ts): a key goes to hostapd_cli's stdin, never its argv, with
 * HOME unset; hostapd's answer is read from interactive mode's output; a hostapd_cli that never
 * answers (interactive mode waits for a missing socket) fails the Set with 7002 in bounded time.
 * hostapd_cli here is a written shell stand-in that keeps its argv, stdin and HOME.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { HostapdWriter } from '../../../../platform/linux/wifi-write.js';
import { UspError } from '../../../../datamodel/UspError.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-wifi-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
});

/** A runner whose hostapd_cli (first on PATH, as the agent finds it) runs `body`. */
function standIn(body: string): CommandRunner {
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, 'hostapd_cli'), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, 'hostapd_cli'), 0o755);
  process.env.PATH = `${bin}:${PATH}`;
  return new CommandRunner();
}

describe('HostapdWriter.secret', () => {
  it('sends raw SET on stdin, HOME unset, and reads OK after the banner', async () => {
    const out = join(dir, 'seen');
    const runner = standIn(`echo "$@" > ${out}; echo "HOME=\${HOME:-unset}" >> ${out}; cat >> ${out}; printf 'hostapd_cli v2.10\\n\\nInteractive mode\\n\\n> OK\\n> '`);
    await new HostapdWriter(runner, '/run/hostapd').secret('wlan0', 'wpa_passphrase', 'guest pass two');
    expect(readFileSync(out, 'utf8')).toBe('-p /run/hostapd -i wlan0\nHOME=unset\nraw SET wpa_passphrase guest pass two\n');
  });

  it('FAIL from hostapd is 7002 without the key in its message', async () => {
    const runner = standIn(`cat > /dev/null; printf 'Interactive mode\\n\\n> FAIL\\n> '`);
    const e = await new HostapdWriter(runner, '/run/hostapd').secret('wlan0', 'sae_password', 'secret words').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UspError);
    expect((e as UspError).code).toBe(7002);
    expect((e as UspError).message).not.toContain('secret words');
  });

  it('a hostapd_cli that keeps waiting is 7002 after a few seconds', async () => {
    const runner = standIn('sleep 60');
    const e = await new HostapdWriter(runner, '/run/hostapd').secret('wlan9', 'wpa_passphrase', 'guest pass two').catch((x: unknown) => x);
    expect((e as UspError).code).toBe(7002);
    expect((e as UspError).message).toMatch(/did not answer/);
  }, 30_000);
});

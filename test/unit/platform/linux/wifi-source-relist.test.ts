/**
 * How often one read of Device.WiFi. on generic Linux lists hostapd's BSSes (platform/linux/WiFiSource.ts):
 * once, and again (uncached) each time the check before the read answers "relist" (a stale list, a
 * BSS added again), at most twice. `hostapd_cli` and `iw` here are small shell scripts (written):
 * the listing says which BSSes run, everything else answers nothing.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { WiFiSource } from '../../../../platform/linux/WiFiSource.js';

const work = mkdtempSync(join(tmpdir(), 'usp-wifi-relist-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const listing = join(work, 'listing');
writeFileSync(join(work, 'hostapd_cli'), `#!/bin/sh\n[ "$3" = interface ] && { echo 'Available interfaces:'; cat '${listing}'; exit 0; }\nexit 1\n`);
writeFileSync(join(work, 'iw'), '#!/bin/sh\nexit 1\n');
chmodSync(join(work, 'hostapd_cli'), 0o755);
chmodSync(join(work, 'iw'), 0o755);

describe('WiFiSource listing', () => {
  it('lists again, uncached, for each "relist" of the check before the read, at most twice a read', async () => {
    writeFileSync(listing, 'wlan0\nwlan0_1\n');
    // The scripts from a command directory, as an embedder's platformCommandPath gives them
    // (WiFiSource names its tools; the runner alone resolves them there).
    const runner = new CommandRunner({ commandPath: work });
    const asked: string[][] = [];
    let answers: Array<boolean | 'relist'> = [];
    const source = new WiFiSource({ runner, hostapdDir: '/run/hostapd', cacheMs: 60_000, beforeRead: async (names) => (asked.push([...names]), answers.shift() ?? false) });
    await source.read();
    expect(asked).toEqual([['wlan0', 'wlan0_1']]);
    // hostapd restarted without wlan0_1; the cached list still names it until the check finds its socket gone.
    writeFileSync(listing, 'wlan0\n');
    answers = ['relist', 'relist', 'relist'];
    asked.length = 0;
    await source.read();
    expect(asked).toEqual([['wlan0', 'wlan0_1'], ['wlan0'], ['wlan0']]);
    expect(runner.callCounts().get('hostapd_cli -p /run/hostapd interface')).toBe(3);
  });
});

/**
 * Device.Firewall. on OpenWrt (platform/openwrt/firewall.ts) over fw4's UCI config, with the
 * stand-in `uci` and `/etc/init.d/firewall` of fake-openwrt.ts answering from the hand-written
 * default firewall config (uci-show-firewall.txt: wan zone input/forward REJECT): Enable follows
 * the wan zone's input and forward policies; only Config Low can be set; what fw4 cannot express
 * is refused with 7012 and nothing written; a failed commit reverts (7003).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { refusal } from '../refusal.js';
import { fakeOpenWrt, FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const FIREWALL = fs.readFileSync(`${FIXTURES}uci-show-firewall.txt`, 'utf8');
const RELOAD = ['/etc/init.d/firewall', 'reload'];
const FW = 'Device.Firewall.';
/** The wan zone of the fixture. */
const WAN = 'cfg03dc81';

/** The fixture's firewall with the wan zone's input and forward set as given. */
function withWanPolicies(input: string, forward: string): string {
  return FIREWALL.replace(`firewall.${WAN}.input='REJECT'`, `firewall.${WAN}.input='${input}'`).replace(`firewall.${WAN}.forward='REJECT'`, `firewall.${WAN}.forward='${forward}'`);
}

/** A fixture whose `uci show firewall` prints `text` from the start (reads are cached for the span of a test). */
function withFirewall(text: string): PlatformFixture {
  const fake = fakeOpenWrt();
  fake.respondUci('firewall', { text });
  return openWrt(fake);
}

describe('openwrt platform: Device.Firewall from the fw4 wan zone', () => {
  let fx: PlatformFixture;
  let dir: string | undefined;
  afterEach(() => {
    fx.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || a[0] === RELOAD[0]);

  it('reads the shipped config as enabled at Low, LastChange from the config file', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-fw-'));
    const file = path.join(dir, 'firewall');
    fs.writeFileSync(file, '');
    fs.utimesSync(file, new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    fx = openWrt(fakeOpenWrt(), { firewallConfigFile: file });
    expect((await fx.values(FW)).get(FW)).toEqual({ Enable: true, Config: 'Low', Type: 'Stateful', Version: '', LastChange: '2026-01-02T03:04:05Z' });
    expect(fx.binding(FW).writable).toEqual(['Enable', 'Config']);
  });

  it('Enable false opens the wan zone (input and forward ACCEPT), true puts fw4 REJECT back', async () => {
    fx = openWrt(fakeOpenWrt(), { firewallConfigFile: '/nonexistent/firewall' });
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Enable: true, LastChange: '0001-01-01T00:00:00Z' });
    fx.fake.clearLog();
    fx.fake.respondUciAfterCommit('firewall', { text: withWanPolicies('ACCEPT', 'ACCEPT') });
    await fx.binding(FW).set!([], { Enable: false }, {});
    expect(writes()).toEqual([['uci', 'set', `firewall.${WAN}.input=ACCEPT`], ['uci', 'set', `firewall.${WAN}.forward=ACCEPT`], ['uci', 'commit', 'firewall'], RELOAD]);
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Enable: false, Config: 'Low' });

    // Half open (input refused, forward accepted): not enabled; true writes only what accepts.
    fx.close();
    fx = withFirewall(withWanPolicies('DROP', 'ACCEPT'));
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Enable: false });
    fx.fake.clearLog();
    await fx.binding(FW).set!([], { Enable: true }, {});
    expect(writes()).toEqual([['uci', 'set', `firewall.${WAN}.forward=REJECT`], ['uci', 'commit', 'firewall'], RELOAD]);
  });

  it('a zone policy left out takes the defaults section’s, as fw4 does', async () => {
    fx = withFirewall(FIREWALL.replace(`firewall.${WAN}.input='REJECT'\n`, '').replace(`firewall.${WAN}.forward='REJECT'\n`, ''));
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Enable: true });
    fx.close();
    fx = withFirewall(FIREWALL.replace(`firewall.${WAN}.input='REJECT'\n`, '').replace("firewall.cfg01e63d.input='REJECT'", "firewall.cfg01e63d.input='ACCEPT'"));
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Enable: false });
  });

  it('refuses what fw4 cannot express with 7012 and writes nothing; Low and the current Enable write nothing', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    for (const Config of ['High', 'Advanced', 'Policy']) {
      const e = await refusal(() => fx.binding(FW).set!([], { Config }, {}));
      expect(e.code, Config).toBe(ErrorCode.InvalidValue);
      expect(e.paramErrors?.[0]?.param).toBe('Config');
    }
    await fx.binding(FW).set!([], { Config: 'Low', Enable: true }, {});
    expect(writes()).toEqual([]);
    fx.close();
    // No wan zone: Enable cannot be written.
    fx = withFirewall(FIREWALL.replace(/firewall\.cfg03dc81\.name='wan'/, "firewall.cfg03dc81.name='uplink'"));
    fx.fake.clearLog();
    const e = await refusal(() => fx.binding(FW).set!([], { Enable: true }, {}));
    expect(e.code).toBe(ErrorCode.InvalidValue);
    expect(e.message).toMatch(/no firewall zone named wan/);
    expect(writes()).toEqual([]);
  });

  it('a commit that fails is reverted and answers 7003', async () => {
    fx = openWrt();
    fx.fake.clearLog();
    fx.fake.failCommit(true, 'firewall');
    const e = await refusal(() => fx.binding(FW).set!([], { Enable: false }, {}));
    expect(e.code).toBe(ErrorCode.InternalError);
    expect(writes()).toEqual([
      ['uci', 'set', `firewall.${WAN}.input=ACCEPT`],
      ['uci', 'set', `firewall.${WAN}.forward=ACCEPT`],
      ['uci', 'commit', 'firewall'],
      ['uci', 'revert', 'firewall'],
    ]);
    fx.fake.failCommit(false);
    expect((await fx.values(FW)).get(FW)).toMatchObject({ Enable: true });
  });
});

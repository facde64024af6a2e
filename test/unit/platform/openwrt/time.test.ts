/**
 * Device.Time. on OpenWrt (TR-181 Time:2) from `uci -q -X show system` recorded with OpenWrt's
 * own uci (test/fixtures/openwrt/README.md), and Status from the package's ntp hotplug script,
 * run here by a real `sh` with the environment busybox ntpd's -S script gives it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type UspError } from '../../../../datamodel/UspError.js';
import { ntpSynchronized } from '../../../../platform/openwrt/time.js';
import { fakeOpenWrt, NOW_MS, openWrt, type PlatformFixture, SYSTEM_EVENT } from './fake-openwrt.js';

const HOTPLUG = fileURLToPath(new URL('../../../../openwrt/files/usp-agent.ntp-hotplug', import.meta.url));
const RELOAD = ['ubus', 'call', ...SYSTEM_EVENT.split(' ')];

describe('openwrt platform: Device.Time. from the system config', () => {
  let fx: PlatformFixture;
  let stateFile: string;
  afterEach(() => fx.close());

  const setup = (): void => {
    const fake = fakeOpenWrt();
    stateFile = path.join(fake.dir, 'usp-agent-ntp');
    fx = openWrt(fake, { ntpStateFile: stateFile });
  };
  const time = async (): Promise<Record<string, unknown>> => (await fx.values('Device.Time.')).get('Device.Time.')!;
  const writes = (): string[][] => fx.fake.invocations().filter((a) => (a[0] === 'uci' && a[1] !== '-q') || (a[0] === 'ubus' && a[2] === 'service'));
  /** What hotplug-call does with the script: source it in a shell with ntpd's environment. */
  const ntpdEvent = (action: string, stratum: number): void => {
    execFileSync('sh', ['-c', `. '${HOTPLUG}'`], { env: { PATH: process.env.PATH, ACTION: action, stratum: String(stratum), USP_AGENT_NTP_STATE: stateFile } });
  };

  it('reads Enable, the POSIX TZ LuCI wrote and the clock; Unsynchronized until ntpd reports', async () => {
    setup();
    expect(await time()).toEqual({
      Enable: true,
      Status: 'Unsynchronized',
      CurrentLocalTime: new Date(NOW_MS).toISOString().replace('.000Z', 'Z'),
      LocalTimeZone: 'CET-1CEST,M3.5.0,M10.5.0/3',
    });
  });

  it('Status follows busybox ntpd events through the hotplug script', async () => {
    setup();
    ntpdEvent('step', 2);
    expect((await time()).Status).toBe('Synchronized');
    ntpdEvent('unsync', 16);
    expect((await time()).Status).toBe('Unsynchronized');
    ntpdEvent('stratum', 3);
    expect((await time()).Status).toBe('Synchronized');
    // `periodic` comes on every poll, with stratum 16 while no peer answers.
    ntpdEvent('periodic', 16);
    expect((await time()).Status).toBe('Unsynchronized');
  });

  it('the shipped config (config_generate) reads GMT0', async () => {
    setup();
    fx.fake.respondUci('system', { file: 'uci-show-system.txt' });
    expect(await time()).toMatchObject({ Enable: true, LocalTimeZone: 'GMT0' });
  });

  it('LocalTimeZone is written to timezone, zonename dropped, committed and reloaded', async () => {
    setup();
    await time();
    fx.fake.respondUciAfterCommit('system', { file: 'uci-show-system.tz-set.txt' });
    fx.fake.clearLog();
    await fx.binding('Device.Time.').set!([], { LocalTimeZone: 'EST5EDT,M3.2.0,M11.1.0' }, {});
    expect(writes()).toEqual([['uci', 'set', 'system.cfg01e48a.timezone=EST5EDT,M3.2.0,M11.1.0'], ['uci', 'delete', 'system.cfg01e48a.zonename'], ['uci', 'commit', 'system'], RELOAD]);
    expect((await time()).LocalTimeZone).toBe('EST5EDT,M3.2.0,M11.1.0');
  });

  it('Enable false is system.ntp.enabled 0: Disabled, and the old sync is forgotten', async () => {
    setup();
    ntpdEvent('stratum', 2);
    fx.fake.respondUci('system', { file: 'uci-show-system.tz-set.txt' });
    expect((await time()).Status).toBe('Synchronized');
    fx.fake.respondUciAfterCommit('system', { file: 'uci-show-system.ntp-disabled.txt' });
    fx.fake.clearLog();
    await fx.binding('Device.Time.').set!([], { Enable: false }, {});
    expect(writes()).toEqual([['uci', 'set', 'system.ntp.enabled=0'], ['uci', 'commit', 'system'], RELOAD]);
    expect(await time()).toMatchObject({ Enable: false, Status: 'Disabled' });
    expect(fs.existsSync(stateFile)).toBe(false);
  });

  it('refuses a LocalTimeZone that is no POSIX TZ string (7012) and writes nothing', async () => {
    setup();
    fx.fake.clearLog();
    const e = await Promise.resolve(fx.binding('Device.Time.').set!([], { LocalTimeZone: 'Europe/Berlin' }, {})).catch((err: unknown) => err);
    expect((e as UspError).code).toBe(ErrorCode.InvalidValue);
    expect(writes()).toEqual([]);
  });

  it('a failed commit is reverted and the Set fails', async () => {
    setup();
    await time();
    fx.fake.failCommit(true);
    fx.fake.clearLog();
    const e = await Promise.resolve(fx.binding('Device.Time.').set!([], { LocalTimeZone: 'GMT0' }, {})).catch((err: unknown) => err);
    expect((e as UspError).code).toBe(ErrorCode.InternalError);
    expect(writes().at(-1)).toEqual(['uci', 'revert', 'system']);
  });

  it('reads a sync only from step, stratum and periodic below stratum 16', () => {
    expect(ntpSynchronized(undefined)).toBe(false);
    expect(ntpSynchronized('stratum 1\n')).toBe(true);
    expect(ntpSynchronized('periodic 16')).toBe(false);
    expect(ntpSynchronized('unsync 2')).toBe(false);
    expect(ntpSynchronized('garbage')).toBe(false);
  });
});

/** `--alarm-check-period`/`$alarmCheckPeriod` and `--radvd`/`$radvd`: accepted forms, bounds and the messages of refusals. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDefaultsFileWithPlugins } from '../../../../agent/defaults/apply-defaults.js';
import { parseAlarmCheckPeriod } from '../../../../agent/defaults/alarm-check-option.js';
import { parseRadvdOption } from '../../../../agent/defaults/radvd-option.js';
import { parseRunFast } from '../../../../agent/cli/run-fast-path.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-start-switches-'));
const file = join(dir, 'defaults.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--alarm-check-period', () => {
  it('takes seconds, or a number with s, m or h, from 5 s to 1 h', () => {
    expect(parseAlarmCheckPeriod('5')).toBe(5000);
    expect(parseAlarmCheckPeriod('30s')).toBe(30_000);
    expect(parseAlarmCheckPeriod(' 5m ')).toBe(300_000);
    expect(parseAlarmCheckPeriod('1h')).toBe(3_600_000);
    expect(parseAlarmCheckPeriod('3600')).toBe(3_600_000);
  });

  it.each(['4', '0', '3601', '2h', '-5', '1.5', '', 'soon', '5 min'])('refuses %j, naming the option and the bounds', (text) => {
    expect(() => parseAlarmCheckPeriod(text)).toThrow(/^--alarm-check-period ".*": give the alarm check period in seconds from 5 to 3600 .*e\.g\. --alarm-check-period 30$/);
  });

  it('"$alarmCheckPeriod" in the defaults file: seconds or text, checked the same way', () => {
    writeFileSync(file, JSON.stringify({ $alarmCheckPeriod: 60 }));
    expect(readDefaultsFileWithPlugins(file).alarmCheckMs).toBe(60_000);
    writeFileSync(file, JSON.stringify({ $alarmCheckPeriod: '10m' }));
    expect(readDefaultsFileWithPlugins(file).alarmCheckMs).toBe(600_000);
    writeFileSync(file, JSON.stringify({ $alarmCheckPeriod: 1 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/factory defaults: \$alarmCheckPeriod \(.*\) "1": .* from 5 to 3600 .*e\.g\. 30 or "5m"/);
    writeFileSync(file, JSON.stringify({ $alarmCheckPeriod: true }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$alarmCheckPeriod .*must be seconds from 5 to 3600/);
  });

  it('is a fast-path option', () => {
    expect(parseRunFast(['run', '--defaults', 'f.json', '--alarm-check-period', '10', '--radvd', 'off'])).toMatchObject({ 'alarm-check-period': '10', radvd: 'off' });
  });
});

describe('--radvd', () => {
  it('takes on or off', () => {
    expect(parseRadvdOption('on')).toBe(true);
    expect(parseRadvdOption('OFF')).toBe(false);
    expect(() => parseRadvdOption('odhcpd')).toThrow(/^--radvd "odhcpd": give on .* or off/);
  });

  it('"$radvd" in the defaults file: "on"/"off" or a boolean', () => {
    writeFileSync(file, JSON.stringify({ $radvd: 'off' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: {}, plugins: [], radvd: false });
    writeFileSync(file, JSON.stringify({ $radvd: true }));
    expect(readDefaultsFileWithPlugins(file).radvd).toBe(true);
    writeFileSync(file, JSON.stringify({ $radvd: 0 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$radvd .*must be "on" or "off"/);
  });
});

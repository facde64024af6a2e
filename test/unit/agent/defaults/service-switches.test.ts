/** `--captive-portal`, `--bridge-filter`, `--qos` and their defaults-file keys: accepted forms, precedence, refusals, and the warning where a switch does not apply. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunFast } from '../../../../agent/cli/run-fast-path.js';
import { readDefaultsFileWithPlugins } from '../../../../agent/defaults/apply-defaults.js';
import { mergeServiceSwitches, serviceSwitchesFromArgs, warnServiceSwitchesIgnored } from '../../../../agent/defaults/service-switches-option.js';
import { switchedOn } from '../../../../platform/service-switches.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-service-switches-'));
const file = join(dir, 'defaults.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the off switches', () => {
  it('are fast-path options, read as on/off (also 1/0, true/false, yes/no)', () => {
    const v = parseRunFast(['run', '--defaults', 'f.json', '--captive-portal', 'off', '--bridge-filter', '0', '--qos', 'ON'])!;
    expect(v).toMatchObject({ 'captive-portal': 'off', 'bridge-filter': '0', qos: 'ON' });
    expect(serviceSwitchesFromArgs(v)).toEqual({ captivePortal: false, bridgeFilter: false, qos: true });
    expect(serviceSwitchesFromArgs({})).toBeUndefined();
  });

  it('refuse any other value, naming the option and the object', () => {
    expect(() => serviceSwitchesFromArgs({ qos: 'tc' })).toThrow(/^--qos "tc": give on \(serve Device\.QoS\. .*\) or off/);
    expect(() => serviceSwitchesFromArgs({ 'captive-portal': '' })).toThrow(/^--captive-portal "": .*Device\.CaptivePortal\./);
  });

  it('"$captivePortal", "$bridgeFilter", "$qos" in the defaults file: "on"/"off" or a boolean, never taken for TR-181 paths', () => {
    writeFileSync(file, JSON.stringify({ $captivePortal: 'off', $bridgeFilter: false, 'Device.DeviceInfo.ProvisioningCode': 'x' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.DeviceInfo.ProvisioningCode': 'x' }, plugins: [], services: { captivePortal: false, bridgeFilter: false } });
    writeFileSync(file, JSON.stringify({ $qos: 0 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$qos .*must be "on" or "off"/);
    writeFileSync(file, JSON.stringify({ $qos: 'later' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/factory defaults: \$qos \(.*\) "later": give on/);
    writeFileSync(file, JSON.stringify({}));
    expect(readDefaultsFileWithPlugins(file).services).toBeUndefined();
  });

  it('the command line wins over the file, switch by switch', () => {
    expect(mergeServiceSwitches({ captivePortal: false, qos: false }, { qos: true })).toEqual({ captivePortal: false, qos: true });
    expect(mergeServiceSwitches(undefined, undefined)).toBeUndefined();
  });

  it('off is logged as the reason the object is not served; left out, each is on', () => {
    const lines: string[] = [];
    const log = { info: (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(f)}`) };
    expect(switchedOn(undefined, 'qos', log)).toBe(true);
    expect(switchedOn({ qos: true }, 'qos', log)).toBe(true);
    expect(switchedOn({ qos: false }, 'bridgeFilter', log)).toBe(true);
    expect(switchedOn({ bridgeFilter: false }, 'bridgeFilter', log)).toBe(false);
    expect(lines).toEqual(['Device.Bridging.Filter. not served {"why":"--bridge-filter off"}']);
  });

  it('a switch given for a platform it does not apply to is warned of', () => {
    const lines: string[] = [];
    const log = { warn: (m: string) => lines.push(m) };
    warnServiceSwitchesIgnored({ captivePortal: false, qos: false }, 'openwrt', log);
    warnServiceSwitchesIgnored({ captivePortal: false, bridgeFilter: true }, 'linux', log);
    warnServiceSwitchesIgnored({ captivePortal: false, qos: false }, 'simulated', log);
    expect(lines).toEqual(['--captive-portal applies to the linux and openwrt platforms only; ignored', '--qos applies to the linux and openwrt platforms only; ignored']);
  });
});

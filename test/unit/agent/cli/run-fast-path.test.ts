import { describe, expect, it } from 'vitest';
import { parseRunFast } from '../../../../agent/cli/run-fast-path.js';

describe('parseRunFast: `usp-agent run` without yargs', () => {
  it('takes a well-formed run command line, with the defaults yargs would fill in', () => {
    expect(parseRunFast(['run', '--defaults', 'd.json', '--data-dir=/data', '--platform', 'simulated', '--seed', '7', '--legacy-coap'])).toEqual({
      defaults: 'd.json',
      'data-dir': '/data',
      platform: 'simulated',
      'legacy-coap': true,
      'vendor-prefix': undefined,
      seed: '7',
      'log-level': 'info',
      cert: undefined,
      key: undefined,
      ca: undefined,
    });
    expect(parseRunFast(['run', '--defaults', 'd.json'])).toMatchObject({ platform: 'auto', 'log-level': 'info', 'legacy-coap': false });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--cert', 'c.pem', '--key', 'k.pem', '--ca', 'ca.pem', '--log-level', 'warn'])).toMatchObject({
      cert: 'c.pem',
      key: 'k.pem',
      ca: 'ca.pem',
      'log-level': 'warn',
    });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--firmware-hook', '/h.sh', '--firmware-trust', '/keys', '--firmware-staging', '/tmp/fw'])).toMatchObject({
      'firmware-hook': '/h.sh',
      'firmware-trust': '/keys',
      'firmware-staging': '/tmp/fw',
    });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'linux', '--manage-interfaces', 'eth1,br-lan'])).toMatchObject({ 'manage-interfaces': 'eth1,br-lan' });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'linux', '--manage-dns', '/etc/resolv.conf'])).toMatchObject({ 'manage-dns': '/etc/resolv.conf' });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'openwrt', '--packet-counters', 'off'])).toMatchObject({ 'packet-counters': 'off' });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--device-image-dir', '/etc/usp-agent/images'])).toMatchObject({ 'device-image-dir': '/etc/usp-agent/images' });
    // Repeatable, as --plugin is.
    expect(parseRunFast(['run', '--defaults', 'd.json', '--vendor-log-file', '/var/log/a.log', '--vendor-log-file', '/var/log/b.log'])).toMatchObject({
      'vendor-log-file': ['/var/log/a.log', '/var/log/b.log'],
    });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'linux', '--nat', 'off'])).toMatchObject({ nat: 'off' });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'linux', '--time', 'chrony', '--time-zone-file', '/etc/localtime'])).toMatchObject({
      time: 'chrony',
      'time-zone-file': '/etc/localtime',
    });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'linux', '--dnsmasq', 'off'])).toMatchObject({ dnsmasq: 'off' });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'linux', '--wifi', 'hostapd', '--hostapd-dir', '/run/hostapd'])).toMatchObject({
      wifi: 'hostapd',
      'hostapd-dir': '/run/hostapd',
    });
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'linux', '--access-control', 'off'])).toMatchObject({ 'access-control': 'off' });
    // A name no built-in platform has may be a plugin's: the agent checks it once the plugins are loaded.
    expect(parseRunFast(['run', '--defaults', 'd.json', '--platform', 'vendor-board', '--plugin', 'p.mjs'])).toMatchObject({ platform: 'vendor-board' });
    // --plugin is repeatable: every file, in order.
    expect(parseRunFast(['run', '--defaults', 'd.json', '--plugin', 'a.mjs', '--plugin=b.cjs'])).toMatchObject({ plugin: ['a.mjs', 'b.cjs'] });
  });

  it('leaves everything else to yargs and its messages', () => {
    const yargsDecides = [
      [],
      ['--help'],
      ['run', '--help'],
      ['run'], // --defaults missing
      ['run', '--defaults', 'd.json', '--platfrom', 'simulated'], // unknown option
      ['run', '--defaults', 'd.json', 'extra'], // positional
      ['run', '--defaults', 'a.json', '--defaults', 'b.json'], // given twice
      ['run', '--defaults', 'd.json', '--platform', 'Not A Name'], // no platform can have this name
      ['run', '--defaults', 'd.json', '--log-level', 'loud'],
      ['run', '--defaults', 'd.json', '--cert', 'c.pem'], // --cert implies --key
      ['run', '--defaults', 'd.json', '--dataDir', '/data'], // camelCase form
      ['run', '--defaults', 'd.json', '--no-legacy-coap'],
      ['run', '--defaults'], // no value
      ['get', 'Device.'],
    ];
    for (const argv of yargsDecides) expect(parseRunFast(argv), argv.join(' ')).toBeUndefined();
  });
});

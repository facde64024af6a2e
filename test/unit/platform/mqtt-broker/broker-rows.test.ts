/**
 * The Broker rows' checks, the password-file line (checked against Mosquitto's own `$7$`
 * format by recomputing it), the mosquitto.conf text, the log lines counted as connection
 * errors, and the `--mqtt-broker` / `$mqttBroker` setting.
 */
import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mqttBrokerFromFile, parseMqttBrokerOption } from '../../../../agent/defaults/mqtt-broker-option.js';
import { connectionErrorLine } from '../../../../platform/mqtt-broker/mosquitto-log.js';
import { brokerMisconfigured, brokerProblems, mosquittoPasswordLine } from '../../../../platform/mqtt-broker/broker-rows.js';
import { brokerRunDir, brokerUser, mosquittoConfText, mosquittoUsable } from '../../../../platform/linux/mosquitto-conf.js';

describe('Broker rows', () => {
  it('refuses a Username with a colon, space or control character, a duplicate Name, control characters in Password', () => {
    expect(brokerProblems({ Username: 'a:b' }, { Username: 'a:b' }, [])).toEqual([expect.objectContaining({ param: 'Username' })]);
    expect(brokerProblems({ Username: 'a b' }, { Username: 'a b' }, [])).toHaveLength(1);
    expect(brokerProblems({ Username: 'iot' }, { Username: 'iot' }, [])).toEqual([]);
    expect(brokerProblems({ Name: 'lan' }, { Name: 'lan' }, [{ Name: 'lan' }])).toEqual([expect.objectContaining({ param: 'Name' })]);
    expect(brokerProblems({ Password: 'a\nb' }, { Password: 'a\nb' }, [])).toEqual([expect.objectContaining({ param: 'Password' })]);
    // Only what the change wrote is blamed.
    expect(brokerProblems({ Name: 'lan', Username: 'a:b' }, { Port: 1884 }, [{ Name: 'lan' }])).toEqual([]);
  });

  it('a Username without a Password is misconfigured (the broker would refuse everyone)', () => {
    expect(brokerMisconfigured({ Username: 'iot', Password: '' })).toMatch(/Password/);
    expect(brokerMisconfigured({ Username: 'iot', Password: 'x' })).toBeUndefined();
    expect(brokerMisconfigured({ Username: '' })).toBeUndefined();
  });

  it("writes Mosquitto 2's $7$ line: PBKDF2-HMAC-SHA512, 101 rounds, the salt and hash in base64", () => {
    const salt = Buffer.alloc(12, 7);
    const line = mosquittoPasswordLine('iot', 'pw', salt);
    const [user, rest] = line.trim().split(':');
    const [, kind, rounds, s, hash] = rest!.split('$');
    expect([user, kind, rounds, s]).toEqual(['iot', '7', '101', salt.toString('base64')]);
    expect(hash).toBe(pbkdf2Sync('pw', salt, 101, 64, 'sha512').toString('base64'));
  });
});

describe('mosquitto.conf', () => {
  it('one listener on the address, anonymous refused with a password file, no persistence, $SYS and the log for the agent', () => {
    const text = mosquittoConfText({ path: 'Device.MQTT.Broker.1', port: 1883, address: '127.0.0.1', passwordFile: '/run/x/broker-1.passwd', credentialsVersion: 2 });
    expect(text).toContain('listener 1883 127.0.0.1\n');
    expect(text).toContain('allow_anonymous false\npassword_file /run/x/broker-1.passwd\n');
    expect(text).toContain('persistence false\n');
    expect(text).toMatch(/sys_interval \d+\n/);
    expect(text).toContain('log_dest stderr\n');
    const open = mosquittoConfText({ path: 'Device.MQTT.Broker.1', port: 1884, credentialsVersion: 0 });
    expect(open).toContain('listener 1884\n');
    expect(open).toContain('allow_anonymous true\n');
    expect(open).not.toContain('password_file');
  });

  it('runs only when asked for and installed; never as root; its files outside the 0700 data directory when root', () => {
    expect(mosquittoUsable(undefined).usable).toBe(false);
    expect(mosquittoUsable(true, '/nonexistent/mosquitto')).toEqual({ usable: false, why: '/nonexistent/mosquitto is not installed' });
    expect(brokerUser(1000)).toBeUndefined();
    expect(brokerRunDir('/var/lib/usp', 1000)).toBe('/var/lib/usp/mqtt-broker');
    expect(brokerRunDir('/var/lib/usp', 0)).toMatch(/^\/run\/usp-agent\/mqtt-broker-[0-9a-f]{12}$/);
    expect(brokerRunDir('/var/lib/a', 0)).not.toBe(brokerRunDir('/var/lib/b', 0));
  });
});

describe('connection errors from the log', () => {
  it.each([
    ['1796507862: Client <unknown> disconnected, not authorised.', true],
    ['Client sub-1 disconnected due to protocol error.', true],
    ['Socket error on client pub-1, disconnecting.', true],
    ['Client x has exceeded timeout, disconnecting.', true],
    ["New client connected from 10.0.0.2:5000 as sub-1 (p2, c1, k60, u'iot').", false],
    ['Client sub-1 disconnected.', false],
  ])('%s → %s', (line, yes) => {
    expect(connectionErrorLine(line)).toBe(yes);
  });
});

describe('--mqtt-broker', () => {
  it('takes mosquitto or off, and the same in the defaults file', () => {
    expect(parseMqttBrokerOption('mosquitto')).toBe(true);
    expect(parseMqttBrokerOption('off')).toBe(false);
    expect(() => parseMqttBrokerOption('emqx')).toThrow(/give mosquitto .* or off/);
    expect(mqttBrokerFromFile(undefined, 'f.json')).toBeUndefined();
    expect(mqttBrokerFromFile('mosquitto', 'f.json')).toBe(true);
    expect(() => mqttBrokerFromFile(3, 'f.json')).toThrow(/\$mqttBroker/);
  });
});

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDefaults, DefaultsError, readDefaultsFileWithPlugins } from '../../../agent/defaults/apply-defaults.js';
import { parseAccessControlOption, parseDhcpClientOption, parseFirewallOption, parseNatOption, parseDnsmasqOption, parsePacketCountersOption } from '../../../agent/defaults/manage-interfaces.js';
import { timeSetting } from '../../../agent/defaults/time-option.js';
import { registerLocalAgent } from '../../../agent/localagent/register-local-agent.js';
import { Schema } from '../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../datamodel/tree/DataModel.js';

const schema = Schema.load();
function fresh() {
  const model = new DataModel(schema);
  const store = new DataStore();
  registerLocalAgent(model, store, { softwareVersion: '0.0.0', startedAt: 0, supportedProtocols: 'WebSocket', now: () => new Date(0) });
  return { model, store };
}

describe('factory defaults', () => {
  it('creates the named instances with their numbers and typed values', async () => {
    const { store, model } = fresh();
    await applyDefaults(model, {
      'Device.LocalAgent.EndpointID': 'proto::a',
      'Device.LocalAgent.Controller.3.EndpointID': 'proto::c',
      'Device.LocalAgent.Controller.3.PeriodicNotifInterval': 60,
      'Device.LocalAgent.Controller.3.MTP.2.Protocol': 'WebSocket',
      'Device.LocalAgent.Controller.3.MTP.2.WebSocket.Port': '8080',
      'Device.LocalAgent.Controller.3.Enable': 'true',
    });
    expect(store.row('Device.LocalAgent.')?.EndpointID).toBe('proto::a');
    expect(store.instances('Device.LocalAgent.Controller.')).toEqual([3]);
    expect(store.row('Device.LocalAgent.Controller.3.')).toMatchObject({ EndpointID: 'proto::c', PeriodicNotifInterval: 60, Enable: true, Alias: 'cpe-3' });
    expect(store.row('Device.LocalAgent.Controller.3.MTP.2.WebSocket.')).toEqual({ Port: 8080 });
    // EndpointID is read-only for controllers but the agent's own configuration: taken from the defaults.
    expect(store.row('Device.LocalAgent.')?.EndpointID).toBe('proto::a');
    // The next instance a controller adds comes after the ones the defaults named.
    expect(store.allocate('Device.LocalAgent.Controller.')).toBe(4);
  });

  it.each([
    ['Device.LocalAgent.Nope', 'x', /Device\.LocalAgent\.Nope/],
    ['Device.LocalAgent.Controller.1.Enable', 'maybe', /Device\.LocalAgent\.Controller\.1\.Enable/],
    ['Device.LocalAgent.Controller.*.Enable', true, /Controller\.\*\.Enable/],
    ['Device.LocalAgent.Controller.Enable', true, /every table on the path/],
    ['Device.LocalAgent.', 'x', /must be a parameter path/],
    ['Device.LocalAgent.Controller.1.MTP.1.WebSocket.Port', 70000, /WebSocket\.Port/],
    // enumerationRef (#.SupportedProtocols): an MTP no one can reach, before this was checked.
    ['Device.LocalAgent.MTP.1.Protocol', 'Websocket', /^factory defaults: Device\.LocalAgent\.MTP\.1\.Protocol: "Websocket" is not one of Device\.LocalAgent\.SupportedProtocols \("WebSocket"\)/],
    ['Device.LocalAgent.Controller.1.MTP.1.Protocol', 'MQTT', /^factory defaults: Device\.LocalAgent\.Controller\.1\.MTP\.1\.Protocol: "MQTT" is not one of Device\.LocalAgent\.SupportedProtocols/],
    // The Alias rule of Set and Add (TP-469 1.88) holds for the file too.
    ['Device.LocalAgent.Controller.1.Alias', '1acs', /^factory defaults: Device\.LocalAgent\.Controller\.1\.Alias: an Alias must not be empty and must start with a letter/],
    ['Device.LocalAgent.MTP.1.Alias', '', /^factory defaults: Device\.LocalAgent\.MTP\.1\.Alias: an Alias must not be empty/],
    // Read-only parameters the device provides were silently ignored.
    ['Device.LocalAgent.UpTime', 5, /^factory defaults: Device\.LocalAgent\.UpTime: read-only: the device provides this value/],
    ['Device.LocalAgent.SupportedProtocols', 'WebSocket,MQTT', /^factory defaults: Device\.LocalAgent\.SupportedProtocols: read-only/],
  ])('refuses %s = %s, naming the path', async (path, value, message) => {
    const { model, store } = fresh();
    const e = await applyDefaults(model, { 'Device.LocalAgent.EndpointID': 'proto::a', [path]: value }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DefaultsError);
    expect((e as Error).message).toMatch(message);
    // Nothing half-applied (a rollback may write back the old values, but none from the file).
    expect(store.row('Device.LocalAgent.')?.EndpointID ?? '').toBe('');
    expect(store.instances('Device.LocalAgent.MTP.')).toEqual([]);
    expect(store.instances('Device.LocalAgent.Controller.')).toEqual([]);
  });

  it('refuses a Subscription whose ReferenceList names something outside the supported model, naming the entry', async () => {
    const { model } = fresh();
    const e = await applyDefaults(model, {
      'Device.LocalAgent.Subscription.1.NotifType': 'Event',
      'Device.LocalAgent.Subscription.1.ReferenceList': 'Device.SoftwareModules.DUStateChange!',
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DefaultsError);
    expect((e as Error).message).toMatch(/ReferenceList entry Device\.SoftwareModules\.DUStateChange! is not in the supported data model/);
  });

  it('"$plugins" names plugins relative to the file, kept out of the TR-181 values; anything but an array of paths is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $plugins: ['p/a.mjs', '/abs/b.cjs'] }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [join(dir, 'p/a.mjs'), '/abs/b.cjs'] });
    writeFileSync(file, JSON.stringify({ $plugins: 'a.mjs' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow('factory defaults: $plugins: must be an array of module paths (relative to the defaults file)');
  });

  it('"$manageInterfaces" and "$manageDns" are start-up settings, kept out of the TR-181 values and checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $manageInterfaces: ['eth1', 'wan0'], $manageDns: '/etc/resolv.conf' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], manageInterfaces: ['eth1', 'wan0'], manageDns: '/etc/resolv.conf' });
    writeFileSync(file, JSON.stringify({ $manageInterfaces: ['eth1', 'a:b'] }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow('factory defaults: $manageInterfaces: "a:b" is not a network interface name');
    writeFileSync(file, JSON.stringify({ $manageInterfaces: ['this-name-is-too-long'] }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/is not a network interface name \(1-15 characters/);
    writeFileSync(file, JSON.stringify({ $manageDns: 42 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$manageDns .*must be a file path/);
  });

  it('"$packetCounters" is a start-up setting (true or false), kept out of the TR-181 values; --packet-counters takes on/off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $packetCounters: false }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], packetCounters: false });
    writeFileSync(file, JSON.stringify({ $packetCounters: 'off' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$packetCounters .*must be true or false/);
    expect([parsePacketCountersOption('on'), parsePacketCountersOption('off'), parsePacketCountersOption('0'), parsePacketCountersOption('1')]).toEqual([true, false, false, true]);
    expect(() => parsePacketCountersOption('maybe')).toThrow(/--packet-counters "maybe": give on .* or off/);
  });

  it('"$deviceImageDir" is a start-up setting, relative to the defaults file, kept out of the TR-181 values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $deviceImageDir: 'images' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], deviceImageDir: join(dir, 'images') });
    writeFileSync(file, JSON.stringify({ $deviceImageDir: 7 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$deviceImageDir: must be a directory path/);
  });

  it('"$vendorLogFiles" is a start-up setting, relative to the defaults file, kept out of the TR-181 values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $vendorLogFiles: ['logs/app.log', '/var/log/messages'] }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], vendorLogFiles: [join(dir, 'logs/app.log'), '/var/log/messages'] });
    writeFileSync(file, JSON.stringify({ $vendorLogFiles: '/var/log/messages' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$vendorLogFiles: must be an array of log file paths/);
  });

  it('"$nat" is a start-up setting ("nftables"/"off" or a boolean), kept out of the TR-181 values; --nat takes nftables/off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $nat: 'off' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], nat: false });
    writeFileSync(file, JSON.stringify({ $nat: true }));
    expect(readDefaultsFileWithPlugins(file).nat).toBe(true);
    writeFileSync(file, JSON.stringify({ $nat: 'iptables' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$nat .*"iptables": give nftables .* or off/);
    writeFileSync(file, JSON.stringify({ $nat: 1 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$nat .*must be "nftables" or "off"/);
    expect([parseNatOption('nftables'), parseNatOption('off'), parseNatOption('on')]).toEqual([true, false, true]);
    expect(() => parseNatOption('maybe')).toThrow(/--nat "maybe": give nftables .* or off/);
  });

  it('"$dnsmasq" is a start-up setting ("on"/"off" or a boolean), kept out of the TR-181 values; --dnsmasq takes on/off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $dnsmasq: 'off' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], dnsmasq: false });
    writeFileSync(file, JSON.stringify({ $dnsmasq: true }));
    expect(readDefaultsFileWithPlugins(file).dnsmasq).toBe(true);
    writeFileSync(file, JSON.stringify({ $dnsmasq: 'bind9' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$dnsmasq .*"bind9": give on .* or off/);
    writeFileSync(file, JSON.stringify({ $dnsmasq: 1 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$dnsmasq .*must be "on" or "off"/);
    expect([parseDnsmasqOption('on'), parseDnsmasqOption('off'), parseDnsmasqOption('dnsmasq')]).toEqual([true, false, true]);
  });

  it('"$time" and "$timeZoneFile" are start-up settings like "$dnsmasq"; the command line wins, option by option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $time: 'off', $timeZoneFile: '/etc/localtime' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], time: false, timeZoneFile: '/etc/localtime' });
    writeFileSync(file, JSON.stringify({ $time: true }));
    expect(readDefaultsFileWithPlugins(file).time).toBe(true);
    writeFileSync(file, JSON.stringify({ $time: 'ntpd' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$time .*"ntpd": give chrony .* or off/);
    writeFileSync(file, JSON.stringify({ $time: 1 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$time .*must be "chrony" or "off"/);
    for (const bad of ['localtime', '/etc/', 7, '']) {
      writeFileSync(file, JSON.stringify({ $timeZoneFile: bad }));
      expect(() => readDefaultsFileWithPlugins(file), String(bad)).toThrow(/\$timeZoneFile .*absolute path .*\/etc\/localtime/);
    }
    // What main.ts hands on: the command line's text or the file's boolean, and the zone file.
    expect(timeSetting('chrony', undefined)).toEqual({});
    expect(timeSetting(false, '/etc/localtime')).toBe(false);
    expect(timeSetting(true, '/tmp/tz')).toEqual({ zoneFile: '/tmp/tz' });
    expect(timeSetting(undefined, undefined)).toBeUndefined();
  });

  it('"$dhcpClient" is a start-up setting ("udhcpc"/"off" or a boolean); --dhcp-client takes udhcpc/off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $dhcpClient: 'udhcpc' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], dhcpClient: true });
    writeFileSync(file, JSON.stringify({ $dhcpClient: false }));
    expect(readDefaultsFileWithPlugins(file).dhcpClient).toBe(false);
    writeFileSync(file, JSON.stringify({ $dhcpClient: 'dhclient' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$dhcpClient .*"dhclient": give udhcpc .* or off/);
    writeFileSync(file, JSON.stringify({ $dhcpClient: 1 }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$dhcpClient .*must be "udhcpc" or "off"/);
    expect([parseDhcpClientOption('udhcpc'), parseDhcpClientOption('off')]).toEqual([true, false]);
  });

  it('"$accessControl" is a start-up setting like "$nat"; --access-control takes nftables/off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.LocalAgent.EndpointID': 'proto::a', $accessControl: 'off' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::a' }, plugins: [], accessControl: false });
    writeFileSync(file, JSON.stringify({ $accessControl: 'ebtables' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$accessControl .*"ebtables": give nftables .* or off/);
    expect([parseAccessControlOption('nftables'), parseAccessControlOption('off')]).toEqual([true, false]);
  });

  it('"$firewall" is a start-up setting like "$accessControl"; --firewall takes nftables/off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-defaults-'));
    const file = join(dir, 'defaults.json');
    writeFileSync(file, JSON.stringify({ 'Device.Firewall.Enable': true, $firewall: 'nftables' }));
    expect(readDefaultsFileWithPlugins(file)).toEqual({ defaults: { 'Device.Firewall.Enable': true }, plugins: [], firewall: true });
    writeFileSync(file, JSON.stringify({ $firewall: 'iptables' }));
    expect(() => readDefaultsFileWithPlugins(file)).toThrow(/\$firewall .*"iptables": give nftables .* or off/);
    expect([parseFirewallOption('nftables'), parseFirewallOption('off')]).toEqual([true, false]);
  });
});

/**
 * platform/openwrt/mqtt-broker.ts against the recorded ubus stand-ins: when Device.MQTT.Broker.
 * is registered (asked for, Mosquitto installed, a data directory), and the address a netifd
 * interface's listener binds. The brokers themselves run in test/integration/openwrt-mqtt-broker.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../datamodel/Logger.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { netifdIpv4 } from '../../../../platform/openwrt/mqtt-broker.js';
import { OpenWrtContext } from '../../../../platform/openwrt/OpenWrtContext.js';
import { FIXTURES, fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const BROKER = 'Device.MQTT.Broker.{i}.';
const dirs: string[] = [];
const fixtures: PlatformFixture[] = [];

afterEach(() => {
  for (const f of fixtures.splice(0)) f.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'usp-owrt-broker-'));
  dirs.push(d);
  return d;
}

describe('Device.MQTT.Broker on OpenWrt: registration', () => {
  it.runIf(existsSync('/usr/sbin/mosquitto'))('is served with --mqtt-broker mosquitto, Mosquitto installed and a data directory', () => {
    const f = openWrt(fakeOpenWrt(), { mqttBroker: true, store: new DataStore(dataDir()) });
    fixtures.push(f);
    expect(f.model.bindingAt(BROKER)).toBeDefined();
    expect(f.model.bindingAt(`${BROKER}Stats.`)).toBeDefined();
    expect(f.model.bindingAt(`${BROKER}Bridge.{i}.`)).toBeDefined();
  });

  it('is not served when not asked for, or without a data directory to keep its rows in', () => {
    for (const opts of [{}, { mqttBroker: false, store: new DataStore(dataDir()) }, { mqttBroker: true, store: new DataStore() }]) {
      const f = openWrt(fakeOpenWrt(), opts);
      fixtures.push(f);
      expect(f.model.bindingAt(BROKER), JSON.stringify(opts)).toBeUndefined();
    }
  });
});

describe('netifdIpv4: the address a netifd interface’s listener binds', () => {
  function context(dump?: unknown): { ctx: OpenWrtContext; cleanup(): void } {
    const fake = fakeOpenWrt();
    if (dump !== undefined) fake.respond('network.interface dump', { json: dump });
    const log = createLogger('error', 'test', () => undefined);
    const ctx = new OpenWrtContext(new DataModel(Schema.load()), new CommandRunner({ commandPath: fake.bin, log }), 0, log, Date.now);
    return { ctx, cleanup: () => fake.cleanup() };
  }

  it('reads the first IPv4 address netifd reports for the interface (the recorded lan and wan)', async () => {
    const { ctx, cleanup } = context();
    try {
      expect(await netifdIpv4(ctx, 'lan')).toBe('192.168.1.1');
      expect(await netifdIpv4(ctx, 'wan')).toBe('192.168.10.2');
      expect(await netifdIpv4(ctx, 'nosuch')).toBeUndefined();
    } finally {
      cleanup();
    }
  });

  it('has none for an interface that is down, even with an address left in its status', async () => {
    const dump = JSON.parse(readFileSync(path.join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: Array<Record<string, unknown>> };
    for (const i of dump.interface) if (i.interface === 'lan') i.up = false;
    const { ctx, cleanup } = context(dump);
    try {
      expect(await netifdIpv4(ctx, 'lan')).toBeUndefined();
      expect(await netifdIpv4(ctx, 'wan')).toBe('192.168.10.2');
    } finally {
      cleanup();
    }
  });
});

/**
 * Every parameter the Linux platform reports PARAM_READ_WRITE takes a Set of another valid value
 * (ObjectBinding.writable): no binding refuses it by its name. The platform runs on the fake
 * host of fake-host.ts (recorded /sys, /proc, `ip`), with the recorded chronyc, iw and
 * hostapd_cli as its tools, a copy of a router's LEDs and sensors, and every interface and the
 * resolv.conf managed, so each write reaches a stand-in or a copy, never this machine or a fixture; each Set runs through the agent's own Set handler.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleAdd } from '../../../../agent/handlers/handle-add.js';
import { OperationRunner } from '../../../../agent/operate/OperationRunner.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { auditWritable, refusedByName, type SetOutcome } from '../writable-audit.js';
import { fakeChronyc } from './fake-chronyc.js';
import { FakeHost, linuxHost } from './fake-host.js';

const WIFI_STANDIN = new URL('../../../fixtures/linux/wifi-hostapd/bin/', import.meta.url).pathname;
const ROUTER_SYSFS = new URL('../../../fixtures/iot-sysfs/router', import.meta.url).pathname;

let outcomes: SetOutcome[] = [];
let access = new Map<string, string>();

beforeAll(async () => {
  const host = new FakeHost();
  const chronyc = fakeChronyc();
  for (const [dir, tool] of [
    [chronyc.binDir, 'chronyc'],
    [WIFI_STANDIN, 'iw'],
    [WIFI_STANDIN, 'hostapd_cli'],
  ] as const) {
    fs.symlinkSync(path.join(dir, tool), path.join(host.binDir, tool));
  }
  host.write('etc/resolv.conf', 'nameserver 192.0.2.53\n');
  // A copy of the router's LEDs and sensors: a Set of an LED writes its brightness.
  const deviceSys = path.join(host.dir, 'device-sys');
  fs.cpSync(ROUTER_SYSFS, deviceSys, { recursive: true, verbatimSymlinks: true });
  const store = new DataStore();
  const f = linuxHost(
    {
      store,
      deviceSysRoot: deviceSys,
      manageInterfaces: ['*'],
      manageDns: path.join(host.etcRoot, 'resolv.conf'),
      time: { sourcesFile: path.join(host.dir, 'usp-agent.sources'), localtimeFile: path.join(host.dir, 'localtime') },
      packetCounters: false,
      nat: false,
      accessControl: false,
      dnsmasq: false,
    },
    host,
  );
  try {
    const h = { model: f.model, req: {}, log: silentLogger, operations: new OperationRunner(f.model, silentLogger) };
    // A time source row (the fake host has none), so its parameters are tried too.
    const added = await handleAdd(h, { allowPartial: false, createObjs: [{ objPath: 'Device.Time.Client.', paramSettings: [{ param: 'Servers', value: 'ntp.example', required: true }] }] });
    expect('resp' in added).toBe(true);
    ({ outcomes, access } = await auditWritable(h));
  } finally {
    f.cleanup();
    chronyc.cleanup();
  }
}, 300_000);

afterAll(() => {
  outcomes = [];
});

/** Refused for the instance the audit tries, taken by others: a Link a Controller added moves to another lower layer. */
const ROW_DEPENDENT: Readonly<Record<string, string>> = {
  'Device.Ethernet.Link.{i}.LowerLayers': 'a Link a Controller added takes it',
  'Device.WiFi.SSID.{i}.LowerLayers': 'an SSID a Controller added moves to another radio (hostapd runs its own BSSes where their file says)',
};

/** Served read-only because the binding refuses every other value (most have no row on the fake host for the audit to try). */
const READ_ONLY = [
  'Device.DeviceInfo.HostName',
  'Device.Bridging.Bridge.{i}.Port.{i}.DefaultUserPriority',
  'Device.Bridging.Bridge.{i}.STP.Protocol',
  'Device.Time.Client.{i}.Mode',
  'Device.IP.Interface.{i}.IPv6Address.{i}.ValidLifetime',
  'Device.Ethernet.Link.{i}.MACAddress',
];

describe('linux: what GetSupportedDM calls writable takes a Set', () => {
  it('exercises the parameters it can reach', () => {
    expect(outcomes.length).toBeGreaterThan(20);
  });

  it('serves read-only what the binding cannot change (ObjectBinding.writable)', () => {
    expect(READ_ONLY.filter((p) => access.get(p) !== 'PARAM_READ_ONLY')).toEqual([]);
  });

  it('no parameter is refused for its name (7013, 7020, planWrite or a binding refusing every other value)', () => {
    const byName = outcomes.filter((o) => refusedByName(o) && ROW_DEPENDENT[o.supported] === undefined);
    expect(byName.map((o) => `${o.supported} = ${o.value}: ${o.code} ${o.message}`)).toEqual([]);
  });
});

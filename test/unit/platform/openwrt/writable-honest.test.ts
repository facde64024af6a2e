/**
 * Every parameter the OpenWrt agent reports PARAM_READ_WRITE takes a Set of another valid value
 * (ObjectBinding.writable): no binding refuses it by its name. The whole agent is built offline,
 * as the profile report builds it (agent/profiles/offline-agent.ts), over the recorded ubus/uci
 * of fake-openwrt.ts first on PATH and a copy of a router's sysfs; each Set runs through the
 * agent's own Set handler.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../../../agent/Agent.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { FakeMmcli } from '../modemmanager/fake-mmcli.js';
import { auditWritable, refusedByName, type SetOutcome } from '../writable-audit.js';
import { fakeOpenWrt } from './fake-openwrt.js';

const ROUTER_SYSFS = new URL('../../../fixtures/iot-sysfs/router', import.meta.url).pathname;

let outcomes: SetOutcome[] = [];
let access = new Map<string, string>();

beforeAll(async () => {
  const mmcli = new FakeMmcli();
  const openwrt = fakeOpenWrt({ nft: true });
  const before = process.env.PATH;
  process.env.PATH = [mmcli.binDir, openwrt.bin, before ?? ''].join(path.delimiter);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'usp-writable-'));
  // A copy of a router's LEDs and thermal zone (a Set of an LED writes its brightness), never this machine's /sys.
  const sysfsBefore = process.env.USP_AGENT_SYSFS_ROOT;
  process.env.USP_AGENT_SYSFS_ROOT = path.join(dataDir, 'sys');
  cpSync(ROUTER_SYSFS, process.env.USP_AGENT_SYSFS_ROOT, { recursive: true, verbatimSymlinks: true });
  try {
    const agent = await Agent.start({
      defaults: { 'Device.LocalAgent.EndpointID': 'proto::writable-audit' },
      dataDir,
      firmwareStaging: path.join(dataDir, 'fw'),
      platform: 'openwrt',
      log: silentLogger,
    });
    try {
      ({ outcomes, access } = await auditWritable({ model: agent.model, req: {}, log: silentLogger, operations: agent.operations }));
    } finally {
      await agent.stop();
    }
  } finally {
    process.env.PATH = before;
    if (sysfsBefore === undefined) delete process.env.USP_AGENT_SYSFS_ROOT;
    else process.env.USP_AGENT_SYSFS_ROOT = sysfsBefore;
    rmSync(dataDir, { recursive: true, force: true });
    openwrt.cleanup();
    mmcli.cleanup();
  }
}, 600_000);

afterAll(() => {
  outcomes = [];
});

/**
 * Refused for the instance the audit tries, taken by others: a Link of a netifd device follows
 * its interfaces (Enable), a Link a Controller added takes Enable and LowerLayers; a bridge's
 * member ports take PVID and LowerLayers.
 */
const ROW_DEPENDENT: Readonly<Record<string, string>> = {
  'Device.Ethernet.Link.{i}.Enable': 'a Link a Controller added takes it',
  'Device.Ethernet.Link.{i}.LowerLayers': 'a Link a Controller added takes it',
  // The audit's Port.1 is the management port (the bridge device itself): no PVID of its own, its LowerLayers are the other ports.
  'Device.Bridging.Bridge.{i}.Port.{i}.PVID': 'a member port takes it (bridge-port-pvid.test.ts)',
  'Device.Bridging.Bridge.{i}.Port.{i}.LowerLayers': 'a member port takes it (bridge-port-lower.test.ts)',
};

/**
 * Served read-only because the binding refuses every other value (none of these has a row the
 * recorded device gives the audit to try, or the Set of it would be refused anyway).
 */
const READ_ONLY = [
  'Device.Bridging.Bridge.{i}.VLAN.{i}.Enable',
  'Device.Bridging.Bridge.{i}.VLANPort.{i}.Enable',
  'Device.DHCPv4.Server.Pool.{i}.StaticAddress.{i}.Enable',
  'Device.DHCPv4.Relay.Forwarding.{i}.VendorClassID',
  'Device.Ethernet.RMONStats.{i}.VLANID',
  'Device.Ethernet.Link.{i}.MTU',
  'Device.WiFi.Radio.{i}.MCS',
];

describe('openwrt: what GetSupportedDM calls writable takes a Set', () => {
  it('exercises the parameters it can reach', () => {
    expect(outcomes.length).toBeGreaterThan(80);
  });

  it('serves read-only what the binding cannot change (ObjectBinding.writable)', () => {
    expect(READ_ONLY.filter((p) => access.get(p) !== 'PARAM_READ_ONLY')).toEqual([]);
  });

  it('no parameter is refused for its name (7013, 7020, planWrite or a binding refusing every other value)', () => {
    const byName = outcomes.filter((o) => refusedByName(o) && ROW_DEPENDENT[o.supported] === undefined);
    expect(byName.map((o) => `${o.supported} = ${o.value}: ${o.code} ${o.message}`)).toEqual([]);
  });
});

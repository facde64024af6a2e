/**
 * The simulated gateway behind a real agent over a real WebSocket: configuration a Controller
 * writes (Set on a live object, Add to a writable table) is kept in the agent's data directory
 * and is there again after a restart, and GetSupportedDM describes what the platform serves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import type { Request } from '../../agent/codec/types.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { AGENT_EID, CONTROLLER_EID, startAgent, testDefaults, testSchema, type AgentFixture } from '../peers/agent-fixture.js';
import { getObjects, responseOf } from '../peers/get-objects.js';
import { TestController } from '../peers/TestController.js';

const settings = (values: Record<string, string>) => Object.entries(values).map(([param, value]) => ({ param, value, required: true }));

/** An HTTPS port mapping to a LAN host, as a Controller adds it. */
const MAPPING = {
  Enable: 'true',
  RemoteHost: '203.0.113.7',
  ExternalPort: '8443',
  InternalPort: '443',
  Protocol: 'TCP',
  InternalClient: '192.168.1.10',
  Description: 'NAS over HTTPS',
};

describe('simulated gateway: configuration survives an agent restart', () => {
  let dataDir: string;
  let first: AgentFixture | undefined;
  let second: { agent: Agent; controller: TestController } | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'usp-sim-gw-'));
  });
  afterAll(async () => {
    await first?.close();
    await second?.controller.close();
    await second?.agent.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads back a Set SSID and an added PortMapping from a new agent on the same data directory', async () => {
    first = await startAgent({ dataDir });
    const c = first.controller;
    const set: Request = { reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: 'Device.WiFi.SSID.1.', paramSettings: settings({ SSID: 'Persisted Home' }) }] } };
    expect(responseOf(await c.send(set)).respType).toBe('setResp');
    const added = responseOf(await c.send({ reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath: 'Device.NAT.PortMapping.', paramSettings: settings(MAPPING) }] } }));
    if (added.respType !== 'addResp') throw new Error(added.respType);
    const created = added.addResp.createdObjResults[0].operStatus;
    if (created.operStatus !== 'operSuccess') throw new Error(JSON.stringify(created));
    expect(created.operSuccess.instantiatedPath).toBe('Device.NAT.PortMapping.1.');
    await first.close();
    const { port, url } = first;
    first = undefined;

    // The saved state names the first agent's WebSocket port, so the new agent listens there.
    const agent = await Agent.start({ defaults: testDefaults(port), dataDir, platform: 'simulated', log: silentLogger, seed: 42, schema: testSchema() });
    second = { agent, controller: await TestController.connect(url, CONTROLLER_EID, AGENT_EID) };
    const v = await getObjects(second.controller, ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.2.SSID', 'Device.NAT.', 'Device.NAT.PortMapping.1.']);
    expect(v['Device.WiFi.SSID.1.'].SSID).toBe('Persisted Home');
    expect(v['Device.WiFi.SSID.2.'].SSID).not.toBe('Persisted Home');
    expect(v['Device.NAT.'].PortMappingNumberOfEntries).toBe('1');
    expect(v['Device.NAT.PortMapping.1.']).toMatchObject({ ...MAPPING, Alias: 'cpe-1', Interface: 'Device.IP.Interface.2' });
  });
});

describe('simulated gateway: reference parameters a Controller writes', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  it('takes references with or without the trailing "." and reads them back without it', async () => {
    const c = f.controller;
    const bridge = 'Device.Bridging.Bridge.1.';
    const vlan = responseOf(await c.send({ reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath: `${bridge}VLAN.`, paramSettings: settings({ VLANID: '100' }) }] } }));
    expect(vlan.respType).toBe('addResp');
    const member = responseOf(
      await c.send({
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: `${bridge}VLANPort.`,
              paramSettings: settings({ VLAN: `${bridge}VLAN.1.`, Port: `${bridge}Port.2` }),
            },
          ],
        },
      }),
    );
    expect(member.respType).toBe('addResp');
    const set: Request = {
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: 'Device.WiFi.SSID.4.', paramSettings: settings({ LowerLayers: 'Device.WiFi.Radio.2.' }) },
          { objPath: 'Device.DHCPv4.Server.Pool.1.', paramSettings: settings({ Interface: 'Device.IP.Interface.1' }) },
        ],
      },
    };
    expect(responseOf(await c.send(set)).respType).toBe('setResp');
    const v = await getObjects(c, [`${bridge}VLANPort.1.`, 'Device.WiFi.SSID.4.LowerLayers', 'Device.DHCPv4.Server.Pool.1.Interface']);
    expect(v[`${bridge}VLANPort.1.`]).toMatchObject({ VLAN: `${bridge}VLAN.1`, Port: `${bridge}Port.2` });
    expect(v['Device.WiFi.SSID.4.'].LowerLayers).toBe('Device.WiFi.Radio.2');
    expect(v['Device.DHCPv4.Server.Pool.1.'].Interface).toBe('Device.IP.Interface.1');
  });
});

describe('simulated gateway: GetSupportedDM', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  it('lists exactly the objects the platform serves under Device.WiFi., Device.Cellular. and Device.Bridging.', async () => {
    const r = responseOf(
      await f.controller.send({
        reqType: 'getSupportedDm',
        getSupportedDm: {
          objPaths: ['Device.WiFi.', 'Device.Cellular.', 'Device.Bridging.'],
          firstLevelOnly: false,
          returnCommands: false,
          returnEvents: false,
          returnParams: false,
          returnUniqueKeySets: false,
        },
      }),
    );
    if (r.respType !== 'getSupportedDmResp') throw new Error(r.respType);
    const objects = Object.fromEntries(r.getSupportedDmResp.reqObjResults.map((o) => [o.reqObjPath, (o.supportedObjs ?? []).map((s) => `${s.supportedObjPath} ${s.access}`)]));
    expect(objects).toEqual({
      'Device.WiFi.': [
        'Device.WiFi. OBJ_READ_ONLY',
        'Device.WiFi.Radio.{i}. OBJ_READ_ONLY',
        'Device.WiFi.Radio.{i}.Stats. OBJ_READ_ONLY',
        'Device.WiFi.SSID.{i}. OBJ_ADD_DELETE',
        'Device.WiFi.SSID.{i}.Stats. OBJ_READ_ONLY',
        'Device.WiFi.AccessPoint.{i}. OBJ_ADD_DELETE',
        'Device.WiFi.AccessPoint.{i}.Security. OBJ_READ_ONLY',
        'Device.WiFi.AccessPoint.{i}.WPS. OBJ_READ_ONLY',
        'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}. OBJ_READ_ONLY',
        'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats. OBJ_READ_ONLY',
        'Device.WiFi.AccessPoint.{i}.AC.{i}. OBJ_READ_ONLY',
        'Device.WiFi.AccessPoint.{i}.AC.{i}.Stats. OBJ_READ_ONLY',
        'Device.WiFi.EndPoint.{i}. OBJ_ADD_DELETE',
        'Device.WiFi.EndPoint.{i}.Stats. OBJ_READ_ONLY',
        'Device.WiFi.EndPoint.{i}.Security. OBJ_READ_ONLY',
        'Device.WiFi.EndPoint.{i}.Profile.{i}. OBJ_ADD_DELETE',
        'Device.WiFi.EndPoint.{i}.Profile.{i}.Security. OBJ_READ_ONLY',
        'Device.WiFi.EndPoint.{i}.WPS. OBJ_READ_ONLY',
      ],
      'Device.Cellular.': [
        'Device.Cellular. OBJ_READ_ONLY',
        'Device.Cellular.Interface.{i}. OBJ_READ_ONLY',
        'Device.Cellular.Interface.{i}.Stats. OBJ_READ_ONLY',
        'Device.Cellular.Interface.{i}.USIM. OBJ_READ_ONLY',
        'Device.Cellular.AccessPoint.{i}. OBJ_ADD_DELETE',
      ],
      'Device.Bridging.': [
        'Device.Bridging. OBJ_READ_ONLY',
        'Device.Bridging.Bridge.{i}. OBJ_ADD_DELETE',
        'Device.Bridging.Bridge.{i}.Port.{i}. OBJ_ADD_DELETE',
        'Device.Bridging.Bridge.{i}.Port.{i}.Stats. OBJ_READ_ONLY',
        'Device.Bridging.Bridge.{i}.STP. OBJ_READ_ONLY',
        'Device.Bridging.Bridge.{i}.VLAN.{i}. OBJ_ADD_DELETE',
        'Device.Bridging.Bridge.{i}.VLANPort.{i}. OBJ_ADD_DELETE',
        'Device.Bridging.Filter.{i}. OBJ_ADD_DELETE',
      ],
    });
  });
});

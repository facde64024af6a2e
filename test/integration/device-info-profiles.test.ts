/**
 * The DeviceInfo objects a tender reads, from a real agent on the simulated gateway over a real
 * WebSocket: GetSupportedDM against the TR-181 profiles' required items (written here from the
 * BBF XML), the process table, the agent's vendor config files, and a Controller-configured
 * location that survives a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, CONTROLLER_EID, type AgentFixture } from '../peers/agent-fixture.js';
import { add, get, set } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { supportedObjects, unmet, type ProfileRequirement } from '../peers/supported-items.js';

/** tr-181-2-19-0-deviceinfo.xml and tr-181-2-19-1-usp.xml, profile by profile. */
const PROFILES: Record<string, ProfileRequirement> = {
  'DeviceInfo:1': {
    'Device.DeviceInfo.': {
      access: 'present',
      params: {
        Manufacturer: 'readOnly',
        ManufacturerOUI: 'readOnly',
        ProductClass: 'readOnly',
        SerialNumber: 'readOnly',
        ModelName: 'readOnly',
        HardwareVersion: 'readOnly',
        FriendlyName: 'readOnly',
      },
    },
  },
  'MemoryStatus:1': { 'Device.DeviceInfo.MemoryStatus.': { access: 'present', params: { Total: 'readOnly', Free: 'readOnly' } } },
  'ProcessStatus:1': {
    'Device.DeviceInfo.ProcessStatus.': { access: 'present', params: { CPUUsage: 'readOnly', ProcessNumberOfEntries: 'readOnly' } },
    'Device.DeviceInfo.ProcessStatus.Process.{i}.': {
      access: 'present',
      params: {
        PID: 'readOnly',
        Command: 'readOnly',
        Size: 'readOnly',
        Priority: 'readOnly',
        CPUTime: 'readOnly',
        State: 'readOnly',
      },
    },
  },
  'TempStatus:1': {
    'Device.DeviceInfo.TemperatureStatus.': { access: 'present', params: { TemperatureSensorNumberOfEntries: 'readOnly' } },
    'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.': {
      access: 'present',
      params: {
        Enable: 'readWrite',
        Status: 'readOnly',
        ResetTime: 'readOnly',
        Name: 'readOnly',
        Value: 'readOnly',
        LastUpdate: 'readOnly',
        MinValue: 'readOnly',
        MinTime: 'readOnly',
        MaxValue: 'readOnly',
        MaxTime: 'readOnly',
      },
    },
  },
  'Location:1': {
    'Device.DeviceInfo.': { access: 'present', params: { LocationNumberOfEntries: 'readOnly' } },
    'Device.DeviceInfo.Location.{i}.': {
      access: 'createDelete',
      params: {
        Source: 'readOnly',
        AcquiredTime: 'readOnly',
        ExternalSource: 'readOnly',
        ExternalProtocol: 'readOnly',
        DataObject: 'readWrite',
      },
    },
  },
  // Not a profile of its own: the VendorConfigFile object a tender reads beside them.
  VendorConfigFile: {
    'Device.DeviceInfo.': { access: 'present', params: { VendorConfigFileNumberOfEntries: 'readOnly' } },
    'Device.DeviceInfo.VendorConfigFile.{i}.': {
      access: 'present',
      params: {
        Name: 'readOnly',
        Version: 'readOnly',
        Date: 'readOnly',
        Description: 'readOnly',
        UseForBackupRestore: 'readOnly',
      },
    },
  },
};

const POINT = '<gml:Point xmlns:gml="http://www.opengis.net/gml" srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>52.52 13.405</gml:pos></gml:Point>';

describe('simulated gateway: DeviceInfo profiles a tender checks', () => {
  let dataDir: string;
  let f: AgentFixture | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'usp-devinfo-'));
    f = await startAgent({ dataDir });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves every required item of DeviceInfo:1, MemoryStatus:1, ProcessStatus:1, TempStatus:1, Location:1 and VendorConfigFile', async () => {
    const served = await supportedObjects(f!.controller, ['Device.DeviceInfo.']);
    for (const [name, profile] of Object.entries(PROFILES)) expect(unmet(profile, served), name).toEqual([]);
  });

  it("lists the gateway's processes, the agent Running among them", async () => {
    const v = await getObjects(f!.controller, ['Device.DeviceInfo.ProcessStatus.']);
    const rows = Object.entries(v).filter(([p]) => p.startsWith('Device.DeviceInfo.ProcessStatus.Process.'));
    expect(rows.length).toBe(Number(v['Device.DeviceInfo.ProcessStatus.'].ProcessNumberOfEntries));
    expect(rows.find(([, r]) => r.Command === 'usp-agent')?.[1]).toMatchObject({ State: 'Running', Priority: '25' });
    expect(Number(v['Device.DeviceInfo.ProcessStatus.'].CPUUsage)).toBeGreaterThan(0);
  });

  it('names the factory defaults and the saved configuration, whose Version moves with each saved change', async () => {
    const c = f!.controller;
    const before = await getObjects(c, ['Device.DeviceInfo.VendorConfigFile.']);
    expect(before['Device.DeviceInfo.VendorConfigFile.1.']).toMatchObject({ Name: 'factory-defaults', UseForBackupRestore: 'false' });
    expect(before['Device.DeviceInfo.VendorConfigFile.1.'].Version).toMatch(/^sha256:[0-9a-f]{8}$/);
    const saved = before['Device.DeviceInfo.VendorConfigFile.2.'];
    expect(saved).toMatchObject({ Name: 'state.json', UseForBackupRestore: 'true' });
    expect(saved.Date).not.toBe('0001-01-01T00:00:00Z');
    await set(c, 'Device.DeviceInfo.', { FriendlyName: 'Tender unit' });
    const after = await get(c, 'Device.DeviceInfo.VendorConfigFile.2.Version');
    expect(Number(after.slice(1))).toBeGreaterThan(Number(saved.Version.slice(1)));
  });

  it("keeps a Controller's location, with its Endpoint ID as ExternalSource, across a restart", async () => {
    const path = await add(f!.controller, 'Device.DeviceInfo.Location.', { DataObject: POINT });
    const { port } = f!;
    await f!.close();
    f = await startAgent({ dataDir, port });
    const v = await getObjects(f.controller, ['Device.DeviceInfo.Location.', 'Device.DeviceInfo.LocationNumberOfEntries']);
    expect(v['Device.DeviceInfo.Location.1.']).toMatchObject({ Source: 'GPS', ExternalProtocol: '' });
    expect(v[path]).toMatchObject({ Source: 'External', ExternalProtocol: 'USP', ExternalSource: CONTROLLER_EID, DataObject: POINT });
    expect(v['Device.DeviceInfo.'].LocationNumberOfEntries).toBe('2');
  });
});

describe('generic Linux (this machine): DeviceInfo profiles from /proc', () => {
  let f: AgentFixture | undefined;
  beforeAll(async () => {
    f = await startAgent({ platform: 'linux' });
  });
  afterAll(async () => {
    await f?.close();
  });

  it("meets MemoryStatus:1, ProcessStatus:1 and Location:1, and lists this machine's processes", async () => {
    const served = await supportedObjects(f!.controller, ['Device.DeviceInfo.']);
    for (const name of ['MemoryStatus:1', 'ProcessStatus:1', 'Location:1', 'VendorConfigFile']) expect(unmet(PROFILES[name]!, served), name).toEqual([]);
    // No GNSS source on a generic Linux host: only a Controller's External location (agent/baseline/agent-held.ts).
    expect(await get(f!.controller, 'Device.DeviceInfo.LocationNumberOfEntries')).toBe('0');
    const v = await getObjects(f!.controller, ['Device.DeviceInfo.ProcessStatus.']);
    const count = Number(v['Device.DeviceInfo.ProcessStatus.'].ProcessNumberOfEntries);
    expect(count).toBeGreaterThan(1);
    expect(count).toBeLessThanOrEqual(256);
    const commands = Object.values(v)
      .map((r) => r.Command)
      .filter(Boolean);
    expect(commands.length).toBe(count);
  });
});

/**
 * What the agent serves itself beside any platform (agent/baseline/agent-held.ts), asked by a
 * Controller over a real WebSocket: the Alias of a platform's table (generic Linux, this
 * machine's interfaces), kept across a restart, found by a search and unique within its table;
 * DeviceInfo.ProvisioningCode and DNS.SupportedRecordTypes; the External Location row on
 * `--platform none`; and, on the simulated gateway, the last item of Baseline:4 it missed: DNS
 * client servers a Controller adds and deletes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLLER_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { supportedObjects } from '../peers/supported-items.js';

const POINT = '<gml:Point xmlns:gml="http://www.opengis.net/gml" srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>48.85 2.35</gml:pos></gml:Point>';

describe('generic Linux: the agent holds the Alias of the platform interfaces', () => {
  let dataDir: string;
  let f: AgentFixture | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'usp-alias-'));
    // Interface 1 is lo (the kernel lists it first); the operator's defaults name it.
    f = await startAgent({ platform: 'linux', dataDir, extra: { 'Device.IP.Interface.1.Alias': 'loopback' } });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves Alias writable (writeOnceReadOnly) and reads cpe-<instance> where none was given', async () => {
    const served = await supportedObjects(f!.controller, ['Device.IP.', 'Device.Ethernet.']);
    for (const table of ['Device.IP.Interface.{i}.', 'Device.Ethernet.Interface.{i}.']) {
      expect(served.get(table)?.supportedParams?.find((p) => p.paramName === 'Alias')?.access, table).toBe('PARAM_READ_WRITE');
    }
    const v = await getObjects(f!.controller, ['Device.IP.Interface.']);
    expect(v['Device.IP.Interface.1.']).toMatchObject({ Name: 'lo', Alias: 'loopback' });
    expect(v['Device.IP.Interface.2.']?.Alias).toBe('cpe-2');
  });

  it('finds the row by its Alias and refuses a second write of it (7013)', async () => {
    expect(await get(f!.controller, 'Device.IP.Interface.[Alias=="loopback"].Name')).toBe('lo');
    const r = await trySet(f!.controller, 'Device.IP.Interface.1.', { Alias: 'other' });
    expect(r.ok).toBe(false);
    expect(r.ok === false && (r.paramErrCode ?? r.errCode)).toBe(7013);
  });

  it('keeps the Alias across a restart', async () => {
    const { port } = f!;
    await f!.close();
    f = undefined;
    // No defaults this time: the saved state alone must hold it.
    f = await startAgent({ platform: 'linux', dataDir, port });
    expect(await get(f.controller, 'Device.IP.Interface.1.Alias')).toBe('loopback');
    expect(await get(f.controller, 'Device.IP.Interface.2.Alias')).toBe('cpe-2');
  });

  it('refuses a factory-defaults file giving two interfaces one Alias (7025), naming the row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usp-alias-dup-'));
    try {
      await expect(startAgent({ platform: 'linux', dataDir: dir, extra: { 'Device.IP.Interface.1.Alias': 'uplink', 'Device.IP.Interface.2.Alias': 'uplink' } })).rejects.toThrow(
        /Device\.IP\.Interface\.\d\..*unique key Alias already used by Device\.IP\.Interface\.\d\./,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves ProvisioningCode (stored, kept across a restart) and the record types the resolver answers', async () => {
    await set(f!.controller, 'Device.DeviceInfo.', { ProvisioningCode: 'TENDER.2026' });
    const { port } = f!;
    await f!.close();
    f = undefined;
    f = await startAgent({ platform: 'linux', dataDir, port });
    expect(await get(f.controller, 'Device.DeviceInfo.ProvisioningCode')).toBe('TENDER.2026');
    expect(await get(f.controller, 'Device.DNS.SupportedRecordTypes')).toBe('A,AAAA,SRV,PTR');
  });
});

describe('--platform none: the agent holds DeviceInfo.Location, ProvisioningCode, FriendlyName and DNS.SupportedRecordTypes', () => {
  let dataDir: string;
  let f: AgentFixture | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'usp-none-held-'));
    f = await startAgent({ platform: 'none', dataDir });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("adds the Controller's External location, keeps it across a restart, and deletes it", async () => {
    const path = await add(f!.controller, 'Device.DeviceInfo.Location.', { DataObject: POINT });
    expect(path).toBe('Device.DeviceInfo.Location.1.');
    const { port } = f!;
    await f!.close();
    f = undefined;
    f = await startAgent({ platform: 'none', dataDir, port });
    const v = await getObjects(f.controller, ['Device.DeviceInfo.Location.', 'Device.DeviceInfo.LocationNumberOfEntries']);
    expect(v[path]).toMatchObject({ Source: 'External', ExternalProtocol: 'USP', ExternalSource: CONTROLLER_EID, DataObject: POINT });
    expect(v[path]?.AcquiredTime).not.toBe('0001-01-01T00:00:00Z');
    expect(v['Device.DeviceInfo.'].LocationNumberOfEntries).toBe('1');
    await del(f.controller, path);
    expect(await get(f.controller, 'Device.DeviceInfo.LocationNumberOfEntries')).toBe('0');
  });

  it('serves ProvisioningCode writable and the record types the agent itself resolves', async () => {
    expect(await get(f!.controller, 'Device.DeviceInfo.ProvisioningCode')).toBe('');
    await set(f!.controller, 'Device.DeviceInfo.', { ProvisioningCode: 'ACS-7' });
    expect(await get(f!.controller, 'Device.DeviceInfo.ProvisioningCode')).toBe('ACS-7');
    expect(await get(f!.controller, 'Device.DNS.SupportedRecordTypes')).toBe('A,AAAA');
  });

  it('serves FriendlyName writable (the name a USP endpoint advertises), within its 32 characters', async () => {
    expect(await get(f!.controller, 'Device.DeviceInfo.FriendlyName')).toBe('');
    await set(f!.controller, 'Device.DeviceInfo.', { FriendlyName: 'Living room gateway' });
    expect(await get(f!.controller, 'Device.DeviceInfo.FriendlyName')).toBe('Living room gateway');
    const r = await trySet(f!.controller, 'Device.DeviceInfo.', { FriendlyName: 'x'.repeat(33) });
    expect(r.ok === false && (r.paramErrCode ?? r.errCode)).toBe(7012);
    expect(await get(f!.controller, 'Device.DeviceInfo.FriendlyName')).toBe('Living room gateway');
  });
});

describe('simulated gateway: DNS client servers a Controller adds and deletes (Baseline:4)', () => {
  let dataDir: string;
  let f: AgentFixture | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'usp-dns-client-'));
    f = await startAgent({ dataDir });
  });
  afterAll(async () => {
    await f?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the table createDelete', async () => {
    const served = await supportedObjects(f!.controller, ['Device.DNS.']);
    expect(served.get('Device.DNS.Client.Server.{i}.')?.access).toBe('OBJ_ADD_DELETE');
  });

  it('replaces the network servers by a Static one, refuses a duplicate, and keeps it over a restart', async () => {
    const c = f!.controller;
    await del(c, 'Device.DNS.Client.Server.1.', 'Device.DNS.Client.Server.2.');
    expect(await get(c, 'Device.DNS.Client.ServerNumberOfEntries')).toBe('0');
    const path = await add(c, 'Device.DNS.Client.Server.', { Enable: 'true', DNSServer: '9.9.9.9', Alias: 'quad9' });
    const dup = await tryAdd(c, 'Device.DNS.Client.Server.', { DNSServer: '1.1.1.1', Alias: 'quad9' });
    expect(dup.ok === false && (dup.paramErrCode ?? dup.errCode)).toBe(7025);
    const { port } = f!;
    await f!.close();
    f = undefined;
    f = await startAgent({ dataDir, port });
    const v = await getObjects(f.controller, ['Device.DNS.Client.']);
    expect(Object.keys(v).filter((p) => p.includes('.Server.'))).toEqual([path]);
    expect(v[path]).toMatchObject({ DNSServer: '9.9.9.9', Type: 'Static', Enable: 'true', Alias: 'quad9' });
    expect(v['Device.DNS.Client.'].ServerNumberOfEntries).toBe('1');
    expect(await get(f.controller, 'Device.DNS.Client.Server.[Alias=="quad9"].DNSServer')).toBe('9.9.9.9');
  });
});

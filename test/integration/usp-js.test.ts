/**
 * Interop: the independent usp-js controller library (IOPSYS, its own protobuf encoding) against
 * the REAL agent process, started as a user would (`node bin/usp-agent.js run ...`), over the
 * USP WebSocket binding (test/peers/usp-js-ws.ts). usp-js rejects with plain objects, not Errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { freePort } from '../peers/TestController.js';
import { connectUspJs, type UspJsWsConnection } from '../peers/usp-js-ws.js';

let dir: string;
let agent: AgentProcess;
let conn: UspJsWsConnection | undefined;
let serial = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'usp-agent-uspjs-'));
  const port = await freePort();
  const defaults = join(dir, 'defaults.json');
  writeDefaultsFile(defaults, port);
  agent = AgentProcess.start(defaults, join(dir, 'data'));
  await agent.waitForLine(/websocket server listening/);
  conn = await connectUspJs({ url: `ws://127.0.0.1:${port}/usp`, controllerEndpointId: CONTROLLER_EID, agentEndpointId: AGENT_EID });
}, 15_000);

afterAll(async () => {
  await conn?.close();
  await AgentProcess.killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('usp-js controller against the agent process', () => {
  it('supportedProto: the agent advertises 1.3 and 1.4', async () => {
    // The field is a comma-separated list (TR-369); usp-js's typings only admit one version.
    await expect(conn!.device.supportedProto('1.3,1.4' as '1.4')).resolves.toEqual(['1.3', '1.4']);
  });

  it('get of single parameters resolves to their string values', async () => {
    serial = String(await conn!.device.get('Device.DeviceInfo.SerialNumber'));
    // Simulated vendor serial: EXN + year + week + 6 hex digits of unit number.
    expect(serial).toMatch(/^EXN2[2-5](0[1-9]|[1-4]\d|5[0-2])[0-9A-F]{6}$/);
    await expect(conn!.device.get('Device.LocalAgent.EndpointID')).resolves.toBe(AGENT_EID);
  });

  it('get of an object path resolves to the object, consistent with the single-parameter get', async () => {
    const info = (await conn!.device.get('Device.DeviceInfo.')) as Record<string, unknown>;
    expect(info).toMatchObject({
      SerialNumber: serial,
      Manufacturer: 'Example Networks',
      ModelName: 'FG5-6E Fixed Wireless Gateway',
      ProductClass: '5G-FWA',
      SoftwareVersion: '3.2.1-sim',
      HostName: `fg5-${serial.slice(-4).toLowerCase()}`,
    });
    expect(Number(info.UpTime)).toBeGreaterThanOrEqual(0);
    // Sub-objects come nested, relative to the requested path.
    expect(info.MemoryStatus).toMatchObject({ Total: '1048576', TotalPersistent: '262144' });
  });

  it('get of a wildcard path resolves to one value per SSID instance', async () => {
    const raw = await conn!.device.get('Device.WiFi.SSID.*.SSID');
    const home = `EXN-${serial.slice(-4)}`;
    // Four BSSes: the band-steered home network on the three radios and the 2.4 GHz guest network.
    expect(raw).toEqual([home, home, home, `${home}-Guest`]);
    // The raw GetResp keeps the resolved paths: one per instance.
    const full = (await conn!.device.get('Device.WiFi.SSID.*.SSID', { raw: true })) as {
      body: { response: { getResp: { reqPathResults: { resolvedPathResults: { resolvedPath: string; resultParams: Record<string, string> }[] }[] } } };
    };
    const resolved = full.body.response.getResp.reqPathResults[0].resolvedPathResults;
    expect(resolved.map((r) => r.resolvedPath)).toEqual(['Device.WiFi.SSID.1.', 'Device.WiFi.SSID.2.', 'Device.WiFi.SSID.3.', 'Device.WiFi.SSID.4.']);
  });

  it('set of Device.WiFi.SSID.1.SSID then get returns the new value, other SSIDs untouched', async () => {
    const before = String(await conn!.device.get('Device.WiFi.SSID.2.SSID'));
    const r = await conn!.device.set('Device.WiFi.SSID.1.SSID', 'usp-js-was-here');
    expect(r).toEqual([{ affectedPath: 'Device.WiFi.SSID.1.', updatedParams: { SSID: 'usp-js-was-here' } }]);
    await expect(conn!.device.get('Device.WiFi.SSID.1.SSID')).resolves.toBe('usp-js-was-here');
    await expect(conn!.device.get('Device.WiFi.SSID.2.SSID')).resolves.toBe(before);
  });

  it('add a Subscription, see it in instances, delete it', async () => {
    // usp-js's typings say string[]; for one object it resolves with the instantiated path itself.
    const added: unknown = await conn!.device.add('Device.LocalAgent.Subscription.', { ID: 'usp-js-sub', NotifType: 'ValueChange', ReferenceList: 'Device.DeviceInfo.HostName' });
    expect(typeof added).toBe('string');
    const path = added as string;
    expect(path).toMatch(/^Device\.LocalAgent\.Subscription\.\d+\.$/);
    // The agent fills Recipient with the calling controller (TR-181; TP-469 1.81).
    const row = (await conn!.device.get(path)) as Record<string, string>;
    expect(row).toMatchObject({ ID: 'usp-js-sub', NotifType: 'ValueChange', ReferenceList: 'Device.DeviceInfo.HostName', Recipient: 'Device.LocalAgent.Controller.1' });

    const inst = (await conn!.device.instances('Device.LocalAgent.Subscription.')) as unknown as {
      requestedPath: string;
      currInsts?: { instantiatedObjPath: string; uniqueKeys?: Record<string, string> }[];
    }[];
    expect(inst).toHaveLength(1);
    expect(inst[0].requestedPath).toBe('Device.LocalAgent.Subscription.');
    const mine = inst[0].currInsts!.find((c) => c.instantiatedObjPath === path);
    expect(mine?.uniqueKeys).toMatchObject({ ID: 'usp-js-sub', Recipient: 'Device.LocalAgent.Controller.1' });
    expect(mine?.uniqueKeys?.Alias).toMatch(/^cpe-\d+$/);

    await expect(conn!.device.del(path)).resolves.toEqual([path]);
    await expect(conn!.device.get(`${path}ID`)).rejects.toMatchObject({ errCode: 7026 });
    const after = (await conn!.device.instances('Device.LocalAgent.Subscription.')) as unknown as { currInsts?: { instantiatedObjPath: string }[] }[];
    expect((after[0].currInsts ?? []).map((c) => c.instantiatedObjPath)).not.toContain(path);
  });

  it('an invalid path rejects with errCode 7026', async () => {
    const e = await conn!.device.get('Device.LocalAgent.NoSuchParameter').then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ requestedPath: 'Device.LocalAgent.NoSuchParameter', errCode: 7026 });
    expect(typeof (e as { errMsg?: unknown }).errMsg).toBe('string');
    // A per-path error fails the whole usp-js get(), even with a good path next to it.
    await expect(conn!.device.get(['Device.LocalAgent.EndpointID', 'Device.Nope.'])).rejects.toMatchObject({ requestedPath: 'Device.Nope.', errCode: 7026 });
  });

  it('supportedDM of Device.LocalAgent. lists the Subscription table as OBJ_ADD_DELETE', async () => {
    const res = (await conn!.device.supportedDM('Device.LocalAgent.', { firstLevelOnly: false, returnCommands: true, returnEvents: true, returnParams: true })) as unknown as {
      reqObjPath: string;
      errCode?: number;
      supportedObjs: { supportedObjPath: string; access: string; isMultiInstance?: boolean; supportedParams?: { paramName: string; access: string }[] }[];
    }[];
    expect(res).toHaveLength(1);
    expect(res[0].reqObjPath).toBe('Device.LocalAgent.');
    expect(res[0].errCode ?? 0).toBe(0);
    const sub = res[0].supportedObjs.find((o) => o.supportedObjPath === 'Device.LocalAgent.Subscription.{i}.');
    expect(sub).toBeDefined();
    expect(sub!.access).toBe('OBJ_ADD_DELETE');
    expect(sub!.isMultiInstance).toBe(true);
    expect(sub!.supportedParams!.map((p) => p.paramName)).toEqual(expect.arrayContaining(['ID', 'NotifType', 'ReferenceList', 'Recipient']));
    const la = res[0].supportedObjs.find((o) => o.supportedObjPath === 'Device.LocalAgent.');
    expect(la?.supportedParams?.find((p) => p.paramName === 'EndpointID')).toBeDefined();
  });

  it('sync operate: Device.LocalAgent.Request.{i}.Cancel() ends an async ScheduleTimer()', async () => {
    // Starting the async command through usp-js's raw _operate (no OperationComplete
    // Subscription: notifications are not implemented yet); its msg id must contain '@'.
    const started = (await conn!.device._operate('Device.ScheduleTimer()', 'OPERATE@usp-js-timer', true, { DelaySeconds: '100' })) as { executedCommand: string; reqObjPath: string };
    expect(started.executedCommand).toBe('Device.ScheduleTimer()');
    expect(started.reqObjPath).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    const row = (await conn!.device.get(started.reqObjPath)) as Record<string, string>;
    expect(row).toMatchObject({ Command: 'Device.ScheduleTimer()', Originator: CONTROLLER_EID, Status: 'Active' });

    const [cancel] = await conn!.device.operate(`${started.reqObjPath}Cancel()`, { isAsync: false });
    await expect(cancel()).resolves.toEqual({});
    // The Request row goes away once the command has ended.
    const deadline = Date.now() + 2000;
    let gone: unknown;
    while (Date.now() < deadline) {
      gone = await conn!.device.get(started.reqObjPath).then(
        () => undefined,
        (x: unknown) => x,
      );
      if (gone) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(gone).toMatchObject({ errCode: 7026 });
  });

  it('SIGTERM stops the agent with exit code 0 within 2 s', async () => {
    const closed = new Promise<number>((r) => conn!.ws.once('close', (code) => r(code)));
    const { code, ms } = await agent.terminate();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    // The controller was told the agent is going away (1001) rather than dropped.
    expect(await closed).toBe(1001);
    expect(agent.lines.some((l) => /msg="signal received; stopping" signal="SIGTERM"/.test(l.text))).toBe(true);
  });
});

/**
 * Device.WiFi.NeighboringWiFiDiagnostic() on the simulated gateway (TR-181 2.19 WiFi), through a
 * real controller over WebSocket: a Request row, then OperationComplete with Result.{i}.* for
 * the neighbours each enabled radio hears. The same agent serves Device.WiFi.EndPoint
 * (WiFiEndPoint:1): a station the Controller adds joins a network the scan reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture, testSchema } from '../peers/agent-fixture.js';
import { completion, runDiagnostic, startCommand, subscribeOperationComplete } from '../peers/diagnostics-controller.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { asResponse } from '../peers/TestController.js';
import { add, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

const CMD = 'Device.WiFi.NeighboringWiFiDiagnostic()';
let f: AgentFixture;

beforeAll(async () => {
  f = await startAgent({ agent: { diagnostics: { maxRunning: 1 } } });
  await subscribeOperationComplete(f.controller, 'wifi', 'Device.WiFi.');
});
afterAll(async () => {
  await f?.close();
});

/** Result.{i} rows of an output, by instance number. */
function rows(o: Record<string, string>): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries(o)) {
    const m = /^Result\.(\d+)\.(\w+)$/.exec(k);
    if (!m) continue;
    const row = out.get(Number(m[1])) ?? {};
    row[m[2]] = v;
    out.set(Number(m[1]), row);
  }
  return out;
}

describe('NeighboringWiFiDiagnostic() on the simulated gateway', () => {
  it('completes with a Result row per neighbour, every schema field present and typed', async () => {
    const o = await runDiagnostic(f.controller, CMD, {});
    expect(o.Status).toBe('Complete');
    const results = rows(o);
    expect(results.size).toBeGreaterThanOrEqual(10);
    const cmd = testSchema()
      .objects()
      .find((x) => x.path === 'Device.WiFi.')!
      .commands.find((x) => x.name === CMD.slice('Device.WiFi.'.length))!;
    const fields = cmd.output.filter((a) => a.name.startsWith('Result.')).map((a) => a.name.slice('Result.{i}.'.length));
    expect(fields).toHaveLength(17);
    for (const r of results.values()) {
      expect(Object.keys(r).sort()).toEqual([...fields].sort());
      expect(r.Radio).toMatch(/^Device\.WiFi\.Radio\.[123]$/);
      expect(r.BSSID).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(Number(r.SignalStrength)).toBeLessThan(0);
      expect(['2.4GHz', '5GHz', '6GHz']).toContain(r.OperatingFrequencyBand);
      expect(r.Mode).toBe('Infrastructure');
    }
    // Each band is heard by its own radio.
    for (const r of results.values()) expect(r.Radio).toBe(`Device.WiFi.Radio.${['2.4GHz', '5GHz', '6GHz'].indexOf(r.OperatingFrequencyBand) + 1}`);
  });

  it('a disabled radio hears nothing', async () => {
    const set = asResponse(
      await f.controller.send({
        reqType: 'set',
        set: { allowPartial: false, updateObjs: [{ objPath: 'Device.WiFi.Radio.1.', paramSettings: [{ param: 'Enable', value: 'false', required: true }] }] },
      }),
    );
    expect(set.respType).toBe('setResp');
    try {
      const o = await runDiagnostic(f.controller, CMD, {});
      expect([...rows(o).values()].filter((r) => r.Radio === 'Device.WiFi.Radio.1')).toEqual([]);
      expect(rows(o).size).toBeGreaterThan(0);
    } finally {
      await f.controller.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: 'Device.WiFi.Radio.1.', paramSettings: [{ param: 'Enable', value: 'true', required: true }] }] } });
    }
  });

  it('shares the diagnostic slots with the IP diagnostics: busy → 7005', async () => {
    const { result, key } = await startCommand(f.controller, 'Device.IP.Diagnostics.IPPing()', {
      ProtocolVersion: 'IPv4',
      Host: '127.0.0.1',
      NumberOfRepetitions: '100',
      Timeout: '1000',
      DataBlockSize: '1301',
    });
    if (result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(result));
    await subscribeOperationComplete(f.controller, 'ip', 'Device.IP.Diagnostics.');
    expect(cmdFailureCode(await operateOne(f.controller, CMD, {}))).toBe(7005);
    await operateOne(f.controller, `${result.reqObjPath}Cancel()`, {}, '');
    expect(await completion(f.controller, key)).toMatchObject({ errCode: 7023 });
  });
});

describe('Device.WiFi.EndPoint on the simulated gateway', () => {
  it('a station joins a neighbour the scan reported with its passphrase; a wrong one stays in Error', async () => {
    const c = f.controller;
    const heard = [...rows(await runDiagnostic(c, CMD, {})).values()];
    const net = heard.find((r) => r.Radio === 'Device.WiFi.Radio.1' && r.SSID !== '' && /^WPA2|^WPA-WPA2/.test(r.SecurityModeEnabled))!;
    expect(net).toBeDefined();
    // No station SSID yet: nothing to bind the EndPoint to (7017).
    const refused = await tryAdd(c, 'Device.WiFi.EndPoint.', { Enable: 'true' });
    expect(refused.ok ? 0 : (refused.paramErrCode ?? refused.errCode)).toBe(7017);
    const ssid = await add(c, 'Device.WiFi.SSID.', { Enable: 'true', LowerLayers: 'Device.WiFi.Radio.1', SSID: 'backhaul' });
    const ep = await add(c, 'Device.WiFi.EndPoint.', { Enable: 'true' });
    const profile = await add(c, `${ep}Profile.`, { Enable: 'true', SSID: net.SSID });
    await set(c, `${profile}Security.`, { ModeEnabled: 'WPA2-Personal', KeyPassphrase: 'not-the-passphrase' });
    await set(c, ep, { ProfileReference: profile.slice(0, -1) });
    expect(await getObjects(c, [ep, profile])).toMatchObject({
      [ep]: { Status: 'Error', SSIDReference: ssid.slice(0, -1), ProfileNumberOfEntries: '1' },
      [profile]: { Status: 'Error' },
    });
    // The simulated neighbours' passphrase is their SSID and "-passphrase" (docs/platform-mapping.md).
    await set(c, `${profile}Security.`, { KeyPassphrase: `${net.SSID}-passphrase` });
    const joined = await getObjects(c, [ep, profile, `${ep}Stats.`]);
    expect(joined).toMatchObject({ [ep]: { Status: 'Enabled' }, [profile]: { Status: 'Active' } });
    expect(Math.abs(Number(joined[`${ep}Stats.`]!.SignalStrength) - Number(net.SignalStrength))).toBeLessThanOrEqual(6);
    expect(Number(joined[`${ep}Stats.`]!.LastDataDownlinkRate)).toBeGreaterThanOrEqual(1000);
    const bad = await trySet(c, `${profile}Security.`, { ModeEnabled: 'WEP-128' });
    expect(bad.ok ? 0 : (bad.paramErrCode ?? bad.errCode)).toBe(7012);
    const ro = await trySet(c, ep, { SSIDReference: 'Device.WiFi.SSID.1' });
    expect(ro.ok ? 0 : (ro.paramErrCode ?? ro.errCode)).toBe(7013);
  });
});

/**
 * Device.IP.Diagnostics. IPPing(), TraceRoute() and ServerSelectionDiagnostics() end to end
 * (TR-181 2.19, TR-143): a real agent on the simulated gateway, a real controller over
 * WebSocket, the system's real ping and traceroute against loopback (the simulated gateway runs
 * diagnostics on the host's network), BusyBox's applets as a second agent's tools.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDiagnosticTools } from '../../platform/diagnostics/diagnostic-tools.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { completion, processesWith, runDiagnostic, startCommand, subscribeOperationComplete } from '../peers/diagnostics-controller.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { asResponse, type TestController } from '../peers/TestController.js';

const D = 'Device.IP.Diagnostics.';
const PING = { ProtocolVersion: 'IPv4', Host: '127.0.0.1', NumberOfRepetitions: '3', Timeout: '1000', DataBlockSize: '64' };
/** Unreachable by design (RFC 5737 TEST-NET-3): nothing answers a ping there. */
const TEST_NET = '203.0.113.1';

let f: AgentFixture;
let c: TestController;

beforeAll(async () => {
  f = await startAgent({ agent: { diagnostics: { maxRunning: 2 } } });
  c = f.controller;
  await subscribeOperationComplete(c, 'diag', D);
});
afterAll(async () => {
  await f?.close();
});

async function get(path: string): Promise<Record<string, string>> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const out: Record<string, string> = {};
  for (const res of r.getResp.reqPathResults[0].resolvedPathResults ?? []) for (const [k, v] of Object.entries(res.resultParams)) out[res.resolvedPath + k] = v;
  return out;
}

describe('Device.IP.Diagnostics. capabilities', () => {
  it('says ping, traceroute and server selection are supported (the tools are installed)', async () => {
    expect(await get(D)).toMatchObject({
      [`${D}IPv4PingSupported`]: 'true',
      [`${D}IPv4TraceRouteSupported`]: 'true',
      [`${D}IPv4ServerSelectionDiagnosticsSupported`]: 'true',
      [`${D}IPLayerCapacitySupported`]: 'false',
    });
  });
});

describe('IPPing()', () => {
  it('pings 127.0.0.1 with the real ping: a Request row, then OperationComplete with every output', async () => {
    const { result, key } = await startCommand(c, `${D}IPPing()`, PING);
    expect(result.operationResp).toBe('reqObjPath');
    const done = await completion(c, key);
    if (!('output' in done)) throw new Error(done.errMsg);
    const o = done.output;
    expect(o).toMatchObject({ Status: 'Complete', IPAddressUsed: '127.0.0.1', SuccessCount: '3', FailureCount: '0' });
    const min = Number(o.MinimumResponseTimeDetailed);
    const avg = Number(o.AverageResponseTimeDetailed);
    const max = Number(o.MaximumResponseTimeDetailed);
    expect(min).toBeGreaterThan(0);
    expect(min).toBeLessThanOrEqual(avg);
    expect(avg).toBeLessThanOrEqual(max);
    expect(Number(o.AverageResponseTime)).toBe(Math.round(avg / 1000));
    for (const k of ['MinimumResponseTime', 'MaximumResponseTime']) expect(o[k]).toMatch(/^\d+$/);
  });

  it('an unknown host name completes with Error_CannotResolveHostName', async () => {
    const o = await runDiagnostic(c, `${D}IPPing()`, { ...PING, Host: 'no-such-host.invalid', NumberOfRepetitions: '1' });
    expect(o.Status).toBe('Error_CannotResolveHostName');
  });

  it('a TEST-NET address with a short timeout: completed, no request answered', async () => {
    const o = await runDiagnostic(c, `${D}IPPing()`, { ...PING, Host: TEST_NET, NumberOfRepetitions: '1', Timeout: '300' });
    // No answer at all (Complete, every request failed), or a router saying it cannot reach it.
    expect(['Complete', 'Error_NoRouteToHost']).toContain(o.Status);
    expect(o.SuccessCount).toBe('0');
    if (o.Status === 'Complete') expect(o.FailureCount).toBe('1');
  });

  it("Interface: the simulated gateway's loopback row binds to lo; a row that does not exist is 7027", async () => {
    expect((await runDiagnostic(c, `${D}IPPing()`, { ...PING, NumberOfRepetitions: '1', Interface: 'Device.IP.Interface.3' })).Status).toBe('Complete');
    expect(cmdFailureCode(await operateOne(c, `${D}IPPing()`, { ...PING, Interface: 'Device.IP.Interface.99' }))).toBe(7027);
    expect(cmdFailureCode(await operateOne(c, `${D}IPPing()`, { ...PING, Interface: 'Device.WiFi.Radio.1' }))).toBe(7027);
  });

  it.each([
    ['negative repetitions', { NumberOfRepetitions: '-1' }],
    ['zero repetitions', { NumberOfRepetitions: '0' }],
    ['an unknown ProtocolVersion', { ProtocolVersion: 'IPv5' }],
    ['a DSCP over 63', { DSCP: '64' }],
    ['a Host that would be an option', { Host: '-f' }],
    ['an empty Host', { Host: '' }],
  ])('%s → cmd_failure 7027 in the OperateResp, nothing started', async (_what, bad) => {
    expect(cmdFailureCode(await operateOne(c, `${D}IPPing()`, { ...PING, ...bad }))).toBe(7027);
  });

  it('Request.{i}.Cancel() kills the ping: OperationComplete 7023 and the process is gone', async () => {
    const input = { ...PING, NumberOfRepetitions: '100', DataBlockSize: '1201' };
    const { result, key } = await startCommand(c, `${D}IPPing()`, input);
    if (result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(result));
    const marker = ['-c', '100', '-s', '1201'];
    while (processesWith(marker).length === 0) await new Promise((r) => setTimeout(r, 20));
    const cancel = await operateOne(c, `${result.reqObjPath}Cancel()`, {}, '');
    expect(cmdFailureCode(cancel)).toBeUndefined();
    expect(await completion(c, key)).toMatchObject({ errCode: 7023 });
    while (processesWith(marker).length > 0) await new Promise((r) => setTimeout(r, 20));
    expect(processesWith(marker)).toEqual([]);
  });

  it('all diagnostic slots in use: the next one is refused with 7005, and runs once a slot is free', async () => {
    const started = [];
    for (const size of ['1202', '1203']) {
      const s = await startCommand(c, `${D}IPPing()`, { ...PING, NumberOfRepetitions: '100', DataBlockSize: size });
      if (s.result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(s.result));
      started.push({ ...s, path: s.result.reqObjPath });
    }
    const busy = await operateOne(c, `${D}TraceRoute()`, { ProtocolVersion: 'IPv4', Host: '127.0.0.1' });
    expect(cmdFailureCode(busy)).toBe(7005);
    for (const s of started) await operateOne(c, `${s.path}Cancel()`, {}, '');
    for (const s of started) expect(await completion(c, s.key)).toMatchObject({ errCode: 7023 });
    expect((await runDiagnostic(c, `${D}IPPing()`, { ...PING, NumberOfRepetitions: '1' })).Status).toBe('Complete');
  });
});

describe('TraceRoute()', () => {
  it('traces 127.0.0.1 with the real traceroute: one hop, the host, with its round-trip times', async () => {
    const o = await runDiagnostic(c, `${D}TraceRoute()`, { ProtocolVersion: 'IPv4', Host: '127.0.0.1', NumberOfTries: '3', Timeout: '2000', MaxHopCount: '5' });
    expect(o).toMatchObject({ Status: 'Complete', IPAddressUsed: '127.0.0.1', 'RouteHops.1.Host': '127.0.0.1', 'RouteHops.1.HostAddress': '127.0.0.1', 'RouteHops.1.ErrorCode': '0' });
    expect(o['RouteHops.1.RTTimes'].split(',')).toHaveLength(3);
    expect(o.ResponseTime).toMatch(/^\d+$/);
    expect(o['RouteHops.2.Host']).toBeUndefined();
  });

  it("optional inputs left out take TR-181's defaults (3 tries, 5 s, 30 hops)", async () => {
    const o = await runDiagnostic(c, `${D}TraceRoute()`, { ProtocolVersion: 'Any', Host: '127.0.0.1' });
    expect(o.Status).toBe('Complete');
    expect(o['RouteHops.1.RTTimes'].split(',')).toHaveLength(3);
  });

  it('a TEST-NET address within one hop: Error_MaxHopCountExceeded (or no route on a host without one)', async () => {
    const o = await runDiagnostic(c, `${D}TraceRoute()`, { ProtocolVersion: 'IPv4', Host: TEST_NET, NumberOfTries: '1', Timeout: '500', MaxHopCount: '1' });
    expect(['Error_MaxHopCountExceeded', 'Error_NoRouteToHost']).toContain(o.Status);
    expect(o.ResponseTime).toBe('0');
  });

  it('an unknown host name → Error_CannotResolveHostName; MaxHopCount 65 → 7027', async () => {
    expect((await runDiagnostic(c, `${D}TraceRoute()`, { ProtocolVersion: 'Any', Host: 'no-such-host.invalid' })).Status).toBe('Error_CannotResolveHostName');
    expect(cmdFailureCode(await operateOne(c, `${D}TraceRoute()`, { ProtocolVersion: 'Any', Host: '127.0.0.1', MaxHopCount: '65' }))).toBe(7027);
  });
});

describe('ServerSelectionDiagnostics()', () => {
  it('ICMP: the host that answers is the fastest; an unresolvable one is skipped', async () => {
    const o = await runDiagnostic(c, `${D}ServerSelectionDiagnostics()`, {
      ProtocolVersion: 'IPv4',
      Protocol: 'ICMP',
      HostList: 'no-such-host.invalid,127.0.0.1',
      NumberOfRepetitions: '2',
      Timeout: '1000',
    });
    expect(o).toMatchObject({ Status: 'Complete', FastestHost: '127.0.0.1', IPAddressUsed: '127.0.0.1' });
    expect(Number(o.MinimumResponseTime)).toBeLessThanOrEqual(Number(o.AverageResponseTime));
    expect(Number(o.AverageResponseTime)).toBeLessThanOrEqual(Number(o.MaximumResponseTime));
  });

  it('no host resolves → Error_CannotResolveHostName; a Protocol outside the enumeration → 7027', async () => {
    expect(
      (await runDiagnostic(c, `${D}ServerSelectionDiagnostics()`, { ProtocolVersion: 'Any', Protocol: 'ICMP', HostList: 'no-such-host.invalid', NumberOfRepetitions: '1', Timeout: '500' })).Status,
    ).toBe('Error_CannotResolveHostName');
    expect(cmdFailureCode(await operateOne(c, `${D}ServerSelectionDiagnostics()`, { ProtocolVersion: 'Any', Protocol: 'TCP', HostList: '127.0.0.1', NumberOfRepetitions: '1', Timeout: '500' }))).toBe(
      7027,
    );
  });
});

describe('ServerSelectionDiagnostics() over UDP Echo', () => {
  // A real UDP echo service (RFC 862) on loopback; the agent is told its port instead of 7.
  let echo: dgram.Socket;
  let u: AgentFixture;
  let echoed = 0;
  beforeAll(async () => {
    echo = dgram.createSocket('udp4');
    echo.on('message', (m, r) => {
      echoed++;
      echo.send(m, r.port, r.address);
    });
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
    u = await startAgent({ agent: { diagnostics: { udpEchoPort: echo.address().port } } });
    await subscribeOperationComplete(u.controller, 'diag', D);
  });
  afterAll(async () => {
    await u?.close();
    echo?.close();
  });

  it('the host whose echo service answers is the fastest; a silent or unresolvable one is skipped', async () => {
    const o = await runDiagnostic(u.controller, `${D}ServerSelectionDiagnostics()`, {
      ProtocolVersion: 'IPv4',
      Protocol: 'UDP Echo',
      HostList: 'no-such-host.invalid,127.0.0.2,127.0.0.1',
      NumberOfRepetitions: '3',
      Timeout: '300',
    });
    expect(o).toMatchObject({ Status: 'Complete', FastestHost: '127.0.0.1', IPAddressUsed: '127.0.0.1' });
    expect(echoed).toBe(3);
    expect(Number(o.MinimumResponseTime)).toBeGreaterThan(0);
    expect(Number(o.MinimumResponseTime)).toBeLessThanOrEqual(Number(o.AverageResponseTime));
    expect(Number(o.AverageResponseTime)).toBeLessThanOrEqual(Number(o.MaximumResponseTime));
  });

  it('no host answers → Error_Other', async () => {
    const o = await runDiagnostic(u.controller, `${D}ServerSelectionDiagnostics()`, { ProtocolVersion: 'IPv4', Protocol: 'UDP Echo', HostList: '127.0.0.2', NumberOfRepetitions: '1', Timeout: '200' });
    expect(o.Status).toBe('Error_Other');
  });
});

describe('with BusyBox ping and traceroute', () => {
  let b: AgentFixture;
  beforeAll(async () => {
    const tools = detectDiagnosticTools({ prefer: 'busybox' });
    expect(tools.ping?.flavour).toBe('busybox');
    b = await startAgent({ agent: { diagnostics: { tools } } });
    await subscribeOperationComplete(b.controller, 'diag', D);
  });
  afterAll(async () => {
    await b?.close();
  });

  it('IPPing() and TraceRoute() to 127.0.0.1 complete with the same outputs', async () => {
    const p = await runDiagnostic(b.controller, `${D}IPPing()`, PING);
    expect(p).toMatchObject({ Status: 'Complete', SuccessCount: '3', FailureCount: '0', IPAddressUsed: '127.0.0.1' });
    const t = await runDiagnostic(b.controller, `${D}TraceRoute()`, { ProtocolVersion: 'IPv4', Host: '127.0.0.1', NumberOfTries: '2', Timeout: '1000', MaxHopCount: '3', DataBlockSize: '1' });
    expect(t).toMatchObject({ Status: 'Complete', 'RouteHops.1.HostAddress': '127.0.0.1' });
    expect(t['RouteHops.1.RTTimes'].split(',')).toHaveLength(2);
    // Optional inputs left out take TR-181's defaults: 3 tries per hop.
    const byDefault = await runDiagnostic(b.controller, `${D}TraceRoute()`, { ProtocolVersion: 'IPv4', Host: '127.0.0.1' });
    expect(byDefault['RouteHops.1.RTTimes'].split(',')).toHaveLength(3);
    expect((await runDiagnostic(b.controller, `${D}IPPing()`, { ...PING, Host: 'no-such-host.invalid' })).Status).toBe('Error_CannotResolveHostName');
  });
});

describe('--platform none (no Device.IP.Interface, no Wi-Fi)', () => {
  let n: AgentFixture;
  beforeAll(async () => {
    n = await startAgent({ platform: 'none' });
    await subscribeOperationComplete(n.controller, 'diag', D);
  });
  afterAll(async () => {
    await n?.close();
  });

  it('IPPing() runs without Interface; any Interface is 7027; NeighboringWiFiDiagnostic() is not supported', async () => {
    expect((await runDiagnostic(n.controller, `${D}IPPing()`, { ...PING, NumberOfRepetitions: '1' })).Status).toBe('Complete');
    expect(cmdFailureCode(await operateOne(n.controller, `${D}IPPing()`, { ...PING, Interface: 'Device.IP.Interface.1' }))).toBe(7027);
    const wifi = await n.controller.send({ reqType: 'operate', operate: { command: 'Device.WiFi.NeighboringWiFiDiagnostic()', commandKey: '', sendResp: true, inputArgs: {} } });
    expect(wifi.body).toMatchObject({ msgBody: 'error', error: { errCode: 7026 } });
  });
});

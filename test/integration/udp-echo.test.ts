/**
 * Device.IP.Diagnostics.UDPEchoConfig. (the TR-143 UDP echo server) and UDPEchoDiagnostics()
 * (its client) end to end: a real agent configured by a WebSocket controller, its server answered
 * by a real dgram client in the test, and the agent's own UDPEchoDiagnostics() run against it.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StringMap } from '../../agent/codec/types.js';
import { Agent } from '../../agent/Agent.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { startAgent, testDefaults, testSchema, type AgentFixture } from '../peers/agent-fixture.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { asResponse, type notifications, waitForNotification, type TestController } from '../peers/TestController.js';

const DIAG = 'Device.IP.Diagnostics.';
const CFG = `${DIAG}UDPEchoConfig.`;

let f: AgentFixture;
let c: TestController;
let echoPort: number;

beforeAll(async () => {
  echoPort = await freeUdpPort();
  f = await startAgent();
  c = f.controller;
  const r = asResponse(
    await c.send({
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [
          {
            objPath: 'Device.LocalAgent.Subscription.',
            paramSettings: Object.entries({ Enable: 'true', ID: 'echo-oc', NotifType: 'OperationComplete', ReferenceList: DIAG }).map(([param, value]) => ({ param, value, required: true })),
          },
        ],
      },
    }),
  );
  if (r.respType !== 'addResp') throw new Error(r.respType);
});
afterAll(async () => {
  await f?.close();
});

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(r));
  return port;
}

/** Set with allow_partial, so a refused value comes back as an operFailure: the parameter's error code. */
async function setConfig(ctl: TestController, params: StringMap): Promise<number | undefined> {
  const r = asResponse(
    await ctl.send({ reqType: 'set', set: { allowPartial: true, updateObjs: [{ objPath: CFG, paramSettings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] } }),
  );
  if (r.respType !== 'setResp') throw new Error(r.respType);
  const st = r.setResp.updatedObjResults[0].operStatus;
  if (st.operStatus === 'operSuccess') return undefined;
  return st.operFailure.updatedInstFailures?.[0]?.paramErrs?.[0]?.errCode ?? st.operFailure.errCode;
}

async function getConfig(ctl: TestController): Promise<StringMap> {
  const r = asResponse(await ctl.send({ reqType: 'get', get: { paramPaths: [CFG], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return r.getResp.reqPathResults[0].resolvedPathResults?.[0]?.resultParams ?? {};
}

/** One echo of a `size`-byte packet with TestGenSN `sn`, resending until the server answers (it starts after the Set response). */
async function echo(port: number, sn: number, size = 24, resendUntilMs = 5000): Promise<Buffer> {
  const s = dgram.createSocket('udp4');
  try {
    const packet = Buffer.alloc(size);
    packet.writeUInt32BE(sn, 0);
    return await new Promise<Buffer>((resolve, reject) => {
      const until = Date.now() + resendUntilMs;
      const send = (): void => {
        if (Date.now() > until) {
          reject(new Error(`no echo from port ${port}`));
          return;
        }
        s.send(packet, port, '127.0.0.1');
      };
      const timer = setInterval(send, 100);
      s.on('message', (m) => {
        if (m.readUInt32BE(0) === sn) {
          clearInterval(timer);
          resolve(m);
        }
      });
      s.on('error', () => undefined);
      // The first packet goes out whatever the clock says: with resendUntilMs 0 (one packet, no
      // resend) a bind that took a millisecond used to reject before anything was sent.
      s.bind(0, '127.0.0.1', () => s.send(packet, port, '127.0.0.1'));
    });
  } finally {
    s.close();
  }
}

/** Resolves once `port` can be bound on loopback, i.e. nothing listens there any more. */
async function portFreed(port: number, withinMs = 5000): Promise<void> {
  const until = Date.now() + withinMs;
  for (;;) {
    const s = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.bind(port, '127.0.0.1', () => r(true));
    });
    await new Promise<void>((r) => {
      try {
        s.close(() => r());
      } catch {
        r();
      }
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`port ${port} still bound`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runEcho(input: StringMap, key: string): Promise<StringMap> {
  expect((await operateOne(c, `${DIAG}UDPEchoDiagnostics()`, input, key)).operationResp).toBe('reqObjPath');
  const n = await waitForNotification(
    c,
    (ns: ReturnType<typeof notifications>) => ns.find((x) => x.notify.notification === 'operComplete' && x.notify.operComplete.commandKey === key)?.notify,
    10_000,
  );
  if (n.notification !== 'operComplete' || n.operComplete.operationResp !== 'reqOutputArgs') throw new Error(JSON.stringify(n));
  return n.operComplete.reqOutputArgs.outputArgs;
}

describe('UDPEchoConfig.', () => {
  it('off by default; enabled, it echoes with the Echo Plus fields and counts each packet with its UDP header', async () => {
    expect(await getConfig(c)).toMatchObject({ Enable: 'false', EchoPlusSupported: 'true', PacketsReceived: '0', TimeFirstPacketReceived: '0001-01-01T00:00:00Z' });
    expect(await setConfig(c, { Enable: 'true', UDPPort: String(echoPort), EchoPlusEnabled: 'true' })).toBeUndefined();
    const first = await echo(echoPort, 7);
    expect(first.length).toBe(24);
    expect(first.readUInt32BE(4)).toBeGreaterThan(0); // TestRespSN
    expect(first.readUInt32BE(16)).toBe(0); // TestRespReplyFailureCount
    const before = await getConfig(c);
    const second = await echo(echoPort, 8, 40, 0);
    expect(second.readUInt32BE(4)).toBe(first.readUInt32BE(4) + 1);
    const after = await getConfig(c);
    expect(Number(after.PacketsReceived) - Number(before.PacketsReceived)).toBe(1);
    expect(Number(after.BytesReceived) - Number(before.BytesReceived)).toBe(48);
    expect(Number(after.BytesResponded) - Number(before.BytesResponded)).toBe(48);
    expect(after.TimeLastPacketReceived).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(after.TimeFirstPacketReceived <= after.TimeLastPacketReceived).toBe(true);
  });

  it("UDPEchoDiagnostics() against the agent's own server: every packet echoed, individual results", async () => {
    const out = await runEcho(
      { Host: '127.0.0.1', Port: String(echoPort), Timeout: '2000', NumberOfRepetitions: '3', InterTransmissionTime: '10', DataBlockSize: '32', EnableIndividualPacketResults: 'true' },
      'echo-own',
    );
    expect(out).toMatchObject({ Status: 'Complete', SuccessCount: '3', FailureCount: '0', IPAddressUsed: '127.0.0.1' });
    expect(Number(out.MinimumResponseTime)).toBeLessThanOrEqual(Number(out.AverageResponseTime));
    expect(Number(out.AverageResponseTime)).toBeLessThanOrEqual(Number(out.MaximumResponseTime));
    for (const i of [1, 2, 3]) {
      const k = `IndividualPacketResult.${i}.`;
      expect(out[`${k}PacketSuccess`]).toBe('true');
      expect(out[`${k}TestGenSN`]).toBe(String(i));
      expect(out[`${k}PacketSendTime`] <= out[`${k}PacketReceiveTime`]).toBe(true);
    }
    expect(Number(out['IndividualPacketResult.3.TestRespSN'])).toBe(Number(out['IndividualPacketResult.1.TestRespSN']) + 2);
    expect(out).not.toHaveProperty('IndividualPacketResult.4.PacketSuccess');
  });

  it('refuses a bad Interface, a bad SourceIPAddress and enabling without a port (7012)', async () => {
    expect(await setConfig(c, { Interface: 'eth0' })).toBe(7012);
    expect(await setConfig(c, { SourceIPAddress: 'not-an-ip' })).toBe(7012);
    expect(await setConfig(c, { UDPPort: '0' })).toBe(7012);
  });

  it('disabled, the port is let go', async () => {
    expect(await setConfig(c, { Enable: 'false' })).toBeUndefined();
    await portFreed(echoPort);
  });
});

describe('UDPEchoDiagnostics()', () => {
  it('nobody answering: Complete with every packet a failure', async () => {
    const port = await freeUdpPort();
    const out = await runEcho({ Host: '127.0.0.1', Port: String(port), Timeout: '100', NumberOfRepetitions: '2', InterTransmissionTime: '1' }, 'echo-none');
    expect(out).toMatchObject({ Status: 'Complete', SuccessCount: '0', FailureCount: '2' });
  });

  it('unknown host: Error_CannotResolveHostName', async () => {
    expect(await runEcho({ Host: 'no-such-host.invalid', Port: '7', Timeout: '100' }, 'echo-nohost')).toMatchObject({ Status: 'Error_CannotResolveHostName' });
  });

  it('invalid input: 7027 from the schema at once, or from the command in OperationComplete', async () => {
    expect(cmdFailureCode(await operateOne(c, `${DIAG}UDPEchoDiagnostics()`, { Port: '7', Timeout: '100' }, 'echo-nohostarg'))).toBe(7027);
    expect(cmdFailureCode(await operateOne(c, `${DIAG}UDPEchoDiagnostics()`, { Host: '127.0.0.1', Port: '70000', Timeout: '100' }, 'echo-badport'))).toBe(7027);
    await operateOne(c, `${DIAG}UDPEchoDiagnostics()`, { Host: '127.0.0.1', Port: '7', Timeout: '100', NumberOfRepetitions: '5000', EnableIndividualPacketResults: 'true' }, 'echo-toomany');
    const n = await waitForNotification(
      c,
      (ns: ReturnType<typeof notifications>) => ns.find((x) => x.notify.notification === 'operComplete' && x.notify.operComplete.commandKey === 'echo-toomany')?.notify,
    );
    expect(n).toMatchObject({ operComplete: { operationResp: 'cmdFailure', cmdFailure: { errCode: 7027 } } });
  });
});

describe('UDPEchoConfig. across a restart', () => {
  it('stored: a restarted agent serves it again; stopping the agent closes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-echo-'));
    const port = await freeUdpPort();
    try {
      const a = await startAgent({ dataDir });
      expect(await setConfig(a.controller, { Enable: 'true', UDPPort: String(port) })).toBeUndefined();
      await echo(port, 1);
      await a.close();
      await portFreed(port);
      // The same data directory, as a restarted device: the stored configuration starts the server.
      const b = await Agent.start({ defaults: testDefaults(a.port), dataDir, platform: 'simulated', log: silentLogger, schema: testSchema() });
      expect((await echo(port, 2)).readUInt32BE(0)).toBe(2);
      await b.stop();
      await portFreed(port);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * Device.DNS.Diagnostics.NSLookupDiagnostics() end to end (TR-181 NSLookupDiag:1): a real agent
 * on the simulated gateway, a real Controller over WebSocket, and a real dnsmasq on a loopback
 * port answering one name (A and AAAA) and NXDOMAIN for the rest of its zone; a UDP socket that
 * never answers is the dead server, a closed port the refusing one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { runDiagnostic, subscribeOperationComplete } from '../peers/diagnostics-controller.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';
import { freePort, type TestController } from '../peers/TestController.js';

const CMD = 'Device.DNS.Diagnostics.NSLookupDiagnostics()';
const NAME = 'www.nslookup.test';

let f: AgentFixture;
let c: TestController;
let dnsmasq: ChildProcess;
let server: string;
let silent: dgram.Socket;

beforeAll(async () => {
  const port = await freePort();
  server = `127.0.0.1:${port}`;
  dnsmasq = spawn(
    '/usr/sbin/dnsmasq',
    [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--pid-file=',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--local=/nslookup.test/',
      `--host-record=${NAME},192.0.2.10,2001:db8::10`,
    ],
    { stdio: 'ignore' },
  );
  const probe = new Resolver({ timeout: 500, tries: 1 });
  probe.setServers([server]);
  // Ready once it answers (the deadline only bounds a dnsmasq that never starts).
  const deadline = Date.now() + 20_000;
  while ((await probe.resolve4(NAME).catch(() => [])).length === 0) {
    if (Date.now() > deadline) throw new Error('dnsmasq did not answer');
    await new Promise((r) => setTimeout(r, 100));
  }
  silent = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  f = await startAgent();
  c = f.controller;
  await subscribeOperationComplete(c, 'nslookup', 'Device.DNS.Diagnostics.');
});
afterAll(async () => {
  await f?.close();
  dnsmasq?.kill();
  silent?.close();
});

const input = (over: Record<string, string> = {}): Record<string, string> => ({ HostName: NAME, DNSServer: server, Timeout: '2000', NumberOfRepetitions: '1', ...over });

describe('NSLookupDiagnostics()', () => {
  it("a name dnsmasq holds: Success with its A and AAAA addresses, the server's IP and a response time", async () => {
    const o = await runDiagnostic(c, CMD, input({ NumberOfRepetitions: '2' }));
    expect(o).toMatchObject({ Status: 'Complete', SuccessCount: '2' });
    for (const i of [1, 2]) {
      expect(o).toMatchObject({
        [`Result.${i}.Status`]: 'Success',
        [`Result.${i}.AnswerType`]: 'NonAuthoritative',
        [`Result.${i}.HostNameReturned`]: NAME,
        [`Result.${i}.IPAddresses`]: '192.0.2.10,2001:db8::10',
        [`Result.${i}.DNSServerIP`]: '127.0.0.1',
      });
      expect(o[`Result.${i}.ResponseTime`]).toMatch(/^\d+$/);
    }
    expect(o['Result.3.Status']).toBeUndefined();
  });

  it('a name dnsmasq knows not to exist (NXDOMAIN): Error_HostNameNotResolved, AnswerType None, test Error_Other', async () => {
    const o = await runDiagnostic(c, CMD, input({ HostName: 'nothing.nslookup.test' }));
    expect(o).toMatchObject({
      Status: 'Error_Other',
      SuccessCount: '0',
      'Result.1.Status': 'Error_HostNameNotResolved',
      'Result.1.AnswerType': 'None',
      'Result.1.HostNameReturned': '',
      'Result.1.IPAddresses': '',
      'Result.1.DNSServerIP': '127.0.0.1',
    });
  });

  it('a server that never answers: Error_Timeout after Timeout, ResponseTime 0', async () => {
    const started = Date.now();
    const o = await runDiagnostic(c, CMD, input({ DNSServer: `127.0.0.1:${silent.address().port}`, Timeout: '300' }));
    expect(o).toMatchObject({ Status: 'Error_Other', 'Result.1.Status': 'Error_Timeout', 'Result.1.ResponseTime': '0', 'Result.1.AnswerType': 'None' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('a port nothing listens on: Error_DNSServerNotAvailable', async () => {
    const closed = await freePort();
    const o = await runDiagnostic(c, CMD, input({ DNSServer: `127.0.0.1:${closed}`, Timeout: '2000' }));
    expect(o['Result.1.Status']).toBe('Error_DNSServerNotAvailable');
    expect(o['Result.1.DNSServerIP']).toBe('127.0.0.1');
  });

  it('a DNSServer name that does not resolve: Status Error_DNSServerNotResolved, no Result rows', async () => {
    const o = await runDiagnostic(c, CMD, input({ DNSServer: 'no-such-server.invalid' }));
    expect(o).toMatchObject({ Status: 'Error_DNSServerNotResolved', SuccessCount: '0' });
    expect(o['Result.1.Status']).toBeUndefined();
  });

  it("Interface: the simulated gateway's loopback row sends from lo's address; a row that does not exist is 7027", async () => {
    const o = await runDiagnostic(c, CMD, input({ Interface: 'Device.IP.Interface.3' }));
    expect(o).toMatchObject({ Status: 'Complete', 'Result.1.IPAddresses': '192.0.2.10,2001:db8::10' });
    expect(cmdFailureCode(await operateOne(c, CMD, input({ Interface: 'Device.IP.Interface.99' })))).toBe(7027);
  });

  it.each([
    ['an empty HostName', 7027, { HostName: '' }],
    ['a HostName that is an address', 7027, { HostName: '192.0.2.1' }],
    ['a HostName that would be an option', 7027, { HostName: '-x' }],
    ['a DNSServer with a bad port', 7027, { DNSServer: '127.0.0.1:70000' }],
    ['zero repetitions', 7027, { NumberOfRepetitions: '0' }],
    ['a zero Timeout', 7027, { Timeout: '0' }],
    ['more repetitions than the bound', 7005, { NumberOfRepetitions: '101' }],
    ['a Timeout over a minute', 7005, { Timeout: '60001' }],
  ])('%s → cmd_failure %d in the OperateResp, nothing started', async (_what, code, bad) => {
    expect(cmdFailureCode(await operateOne(c, CMD, input(bad)))).toBe(code);
  });

  it('a missing mandatory HostName is 7027, and the agent still answers', async () => {
    const { HostName: _omit, ...rest } = input();
    expect(cmdFailureCode(await operateOne(c, CMD, rest))).toBe(7027);
    expect((await runDiagnostic(c, CMD, input()))['Result.1.Status']).toBe('Success');
  });
});

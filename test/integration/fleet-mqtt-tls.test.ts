/**
 * A fleet over MQTT with TLS and client certificates (Device.MQTT.Client.1.TransportProtocol
 * "TLS"; TR-369 R-MTP.1): the real binary (dist/, so `npm run build` first) runs 5 gateways
 * against a real Mosquitto whose TLS listener requires a client certificate from the test CA and
 * makes its CN the MQTT username (`use_identity_as_username`), with an ACL keyed on that name.
 * `--cert`/`--key` with `{n}` give each gateway its own certificate; without `{n}` all share one.
 * The controller connects over TLS with its own certificate (bench/fleet-controller.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FleetController } from '../../bench/fleet-controller.js';
import type { UspMsg } from '../../agent/codec/types.js';
import { AgentProcess, REPO } from '../peers/agent-process.js';
import { runCli } from '../peers/cli-process.js';
import { issueGatewayCert } from '../peers/fleet-certs.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { testPki, type TestPki } from '../peers/test-pki.js';
import { range } from '../peers/fleet-steps.js';

const CONTROLLER_EID = 'proto::controller-1';
const CONTROLLER_TOPIC = 'usp/controller/controller-1';
/** The CN of the one certificate every gateway of the shared-certificate fleet presents. */
const SHARED_CN = 'usp-fleet';

let pki: TestPki;
let broker: Mosquitto;
let controller: FleetController;
let dir: string;
let defaultsFile: string;

const bootedFrom = (numbers: number[]): boolean => numbers.every((n) => controller.events.get(`proto::sim-${n}`)?.some((e) => e.eventName === 'Boot!'));

function endpointIdOf(m: UspMsg): string | undefined {
  if (m.body.msgBody !== 'response' || m.body.response.respType !== 'getResp') throw new Error(`not a GetResp: ${JSON.stringify(m.body).slice(0, 300)}`);
  return m.body.response.getResp.reqPathResults[0]?.resolvedPathResults?.[0]?.resultParams.EndpointID;
}

function fleet(args: string[]): AgentProcess {
  return AgentProcess.command(['fleet', '--defaults', defaultsFile, '--data-dir', join(dir, 'data'), '--ca', pki.ca.certFile, ...args]);
}

/** Every gateway announced itself, and each answers a Get on its own topic (so it holds that topic's subscription). */
async function expectServed(numbers: number[]): Promise<void> {
  await controller.waitFor(() => bootedFrom(numbers), 20_000, `Boot! from gateways ${numbers[0]}-${numbers.at(-1)}`);
  for (const n of numbers) {
    const m = await controller.request(`proto::sim-${n}`, `usp/agent/sim-${n}`, { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
    expect(endpointIdOf(m)).toBe(`proto::sim-${n}`);
  }
}

beforeAll(async () => {
  pki = testPki();
  dir = mkdtempSync(join(tmpdir(), 'usp-fleet-tls-'));
  // The broker authorises by certificate identity: gateway sim-<n> may only read its own topic;
  // the shared certificate's holder may read every gateway's; the controller everything.
  const acl = join(dir, 'acl');
  writeFileSync(
    acl,
    ['user controller-1', 'topic readwrite #', `user ${SHARED_CN}`, 'topic readwrite usp/agent/#', 'pattern readwrite usp/agent/%u', 'pattern write usp/controller/#'].join('\n') + '\n',
  );
  broker = await startMosquitto({
    extraConfig: ['max_connections -1', `acl_file ${acl}`],
    tls: { cafile: pki.ca.certFile, certfile: pki.broker.certFile, keyfile: pki.broker.keyFile, requireCertificate: true, useIdentityAsUsername: true },
  });
  const client = await connectAsync({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port: broker.tlsPort,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ca: pki.ca.cert,
    cert: pki.controller1.cert,
    key: pki.controller1.key,
  });
  controller = await FleetController.over(client, CONTROLLER_EID, CONTROLLER_TOPIC);
  // examples/fleet-defaults.json on the broker's TLS listener.
  const d = JSON.parse(readFileSync(join(REPO, 'examples/fleet-defaults.json'), 'utf8')) as Record<string, unknown>;
  d['Device.MQTT.Client.1.BrokerPort'] = broker.tlsPort;
  d['Device.MQTT.Client.1.TransportProtocol'] = 'TLS';
  defaultsFile = join(dir, 'fleet-defaults-tls.json');
  writeFileSync(defaultsFile, JSON.stringify(d));
}, 30_000);

afterAll(async () => {
  await controller?.close();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await AgentProcess.killAll();
});

describe('usp-agent fleet over MQTT with TLS client certificates', () => {
  it('--cert/--key with {n}: each of 5 gateways presents its own certificate, and the broker lets it read only its own topic', async () => {
    const numbers = range(101, 5);
    for (const n of numbers) issueGatewayCert(pki, dir, `sim-${n}`, `proto::sim-${n}`);
    const p = fleet(['--count', '5', '--first', '101', '--cert', join(dir, 'sim-{n}.pem'), '--key', join(dir, 'sim-{n}.key')]);
    await p.waitForLine(/^fleet: 5\/5 gateways started, 5 connected, 0 errors/, { timeoutMs: 20_000 });
    // Answers arrive only where gateway sim-<n> could subscribe to usp/agent/sim-<n>: as user sim-<n>.
    await expectServed(numbers);
    expect((await p.terminate()).code).toBe(0);
  });

  it('--cert/--key without {n}: 5 gateways share one certificate', async () => {
    const numbers = range(201, 5);
    const shared = issueGatewayCert(pki, dir, SHARED_CN, 'proto::usp-fleet');
    const p = fleet(['--count', '5', '--first', '201', '--cert', shared.certFile, '--key', shared.keyFile]);
    await p.waitForLine(/^fleet: 5\/5 gateways started, 5 connected, 0 errors/, { timeoutMs: 20_000 });
    await expectServed(numbers);
    expect((await p.terminate()).code).toBe(0);
  });

  it('refuses --cert and --key of which only one holds {n} (exit 2)', async () => {
    const r = await runCli(['fleet', '--defaults', defaultsFile, '--data-dir', join(dir, 'bad'), '--count', '2', '--cert', join(dir, 'sim-{n}.pem'), '--key', join(dir, 'shared.key')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/either both hold \{n\} \(a certificate per gateway\) or neither does/);
  });

  it("exits 2 naming the file when the first gateway's certificate is missing", async () => {
    const r = await runCli([
      'fleet',
      '--defaults',
      defaultsFile,
      '--data-dir',
      join(dir, 'bad'),
      '--count',
      '2',
      '--first',
      '900',
      '--cert',
      join(dir, 'sim-{n}.pem'),
      '--key',
      join(dir, 'sim-{n}.key'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the first gateway did not start: .*sim-900\.pem/);
  });
});

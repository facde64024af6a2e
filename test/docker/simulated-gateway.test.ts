/**
 * The Docker simulated gateway on a real engine: the repository's Dockerfile built unchanged (on
 * a stand-in Node 20 base image, engine.ts says why), run with `--network host`, read by our
 * TestController over a real WebSocket, stopped with SIGTERM, and its state found in the /data
 * volume. Fails with one plain line when no engine answers (.ci/run starts one).
 */
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UspMsg } from '../../agent/codec/types.js';
import { startMosquitto } from '../peers/mosquitto.js';
import { testPki } from '../peers/test-pki.js';
import { endpointIdIn, peer } from '../peers/wss-agent.js';
import { TestController, freePort } from '../peers/TestController.js';
import { MqttController } from './mqtt-controller.js';
import { REPO } from '../peers/agent-process.js';
import { ContainerLogs, IMAGE, STANDIN_MOSQUITTO, buildImage, composeCommand, docker, dockerOk, ensureStandInBase, ensureStandInMosquitto, requireEngine, run } from './engine.js';

/** The README simulated gateway's controller (examples/factory-defaults.json). */
const CONTROLLER = 'proto::controller-1';
const AGENT = 'proto::docker-gateway';
/** Cold: debootstrap, npm ci and the build; warm runs reuse the engine's layers. */
const BUILD_TIMEOUT_MS = 15 * 60_000;

const tag = `${process.pid}-${Date.now().toString(36)}`;
const volume = `usp-agent-test-data-${tag}`;
const containers: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'usp-agent-docker-'));

function resp(m: UspMsg) {
  if (m.body.msgBody !== 'response') throw new Error(`expected a response, got ${JSON.stringify(m.body)}`);
  return m.body.response;
}

async function get(c: TestController, path: string): Promise<Record<string, string>> {
  const r = resp(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 1 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const [res] = r.getResp.reqPathResults;
  expect(res?.errCode ?? 0, JSON.stringify(res)).toBe(0);
  const out: Record<string, string> = {};
  for (const o of res?.resolvedPathResults ?? []) for (const [k, v] of Object.entries(o.resultParams)) out[o.resolvedPath + k] = v;
  return out;
}

/** `docker run -d` under a name of this run; returns the container name and its log follower. */
async function start(what: string, args: string[]): Promise<{ name: string; logs: ContainerLogs }> {
  const name = `usp-agent-test-${what}-${tag}`;
  containers.push(name);
  await dockerOk('run', '-d', '--name', name, '--network', 'host', ...args, IMAGE);
  return { name, logs: new ContainerLogs(name) };
}

/** SIGTERM through `docker stop` (10 s before Docker would SIGKILL); the exit code and how long the stop took. */
async function stop(name: string): Promise<{ exitCode: number; seconds: number }> {
  const t0 = Date.now();
  await dockerOk('stop', '-t', '10', name);
  const seconds = (Date.now() - t0) / 1000;
  return { exitCode: Number(await dockerOk('inspect', '-f', '{{.State.ExitCode}}', name)), seconds };
}

/** A file from the /data volume, read by a throw-away container of the same image. */
function readVolume(file: string): Promise<string> {
  return dockerOk('run', '--rm', '-v', `${volume}:/data`, '--entrypoint', 'node', IMAGE, '-e', `process.stdout.write(require('fs').readFileSync('/data/${file}', 'utf8'))`);
}

async function waitHealthy(name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await dockerOk('inspect', '-f', '{{.State.Health.Status}}', name);
    if (status === 'healthy') return;
    if (Date.now() > deadline) throw new Error(`${name} is ${status}, not healthy, after ${timeoutMs} ms: ${await dockerOk('inspect', '-f', '{{json .State.Health}}', name)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let baseTag = '';

beforeAll(async () => {
  const engine = await requireEngine();
  const base = await ensureStandInBase();
  baseTag = base.tag;
  const built = await buildImage(base.tag);
  const cached = (built.output.match(/Using cache/g) ?? []).length;
  // One line each: what the cold and warm runs cost (the README and the report quote them).
  process.stdout.write(
    `docker: engine ${engine}; stand-in base ${base.tag} ${base.seconds ? `made in ${base.seconds.toFixed(1)} s` : 'reused'}; image built in ${built.seconds.toFixed(1)} s (${cached} cached steps)\n`,
  );
  await dockerOk('volume', 'create', volume);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  for (const c of containers) await docker('rm', '-f', '-v', c);
  await docker('volume', 'rm', '-f', volume);
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('Docker simulated gateway (real engine)', () => {
  let port: number;

  it('runs the README simulated gateway as a non-root user, configured by environment variables; a controller reads Device.DeviceInfo.; SIGTERM stops it with exit 0; the state is in the /data volume', async () => {
    port = await freePort();
    const { name, logs } = await start('gw', [
      '-v',
      `${volume}:/data`,
      '-e',
      `USP_WS_PORT=${port}`,
      '-e',
      `USP_ENDPOINT_ID=${AGENT}`,
      '-e',
      'USP_SEED=7',
      '--health-interval',
      '1s',
      '--health-start-period',
      '30s',
    ]);
    await logs.waitForLine(new RegExp(`websocket server listening.*port=${port}`));
    expect(logs.text).toMatch(/settings from the environment.*USP_ENDPOINT_ID,USP_WS_PORT,USP_SEED/);

    const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER, AGENT);
    const info = await get(c, 'Device.DeviceInfo.');
    expect(info['Device.DeviceInfo.SoftwareVersion']).toMatch(/\S/);
    expect(info['Device.DeviceInfo.ModelName']).toMatch(/\S/);
    const agentEid = await get(c, 'Device.LocalAgent.EndpointID');
    expect(agentEid['Device.LocalAgent.EndpointID']).toBe(AGENT);
    // Configuration a controller writes is what the volume must keep.
    const set = resp(
      await c.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: 'Device.WiFi.SSID.1.', paramSettings: [{ param: 'SSID', value: 'Docker Lab', required: true }] }] } }),
    );
    expect(set.respType).toBe('setResp');
    await c.close();

    expect(await dockerOk('exec', name, 'id', '-u')).not.toBe('0');
    expect((await docker('exec', name, 'node', '/app/dist/docker/health.js')).code).toBe(0);
    // The image ships the TR-181 descriptions the CLI's schema command prints.
    expect(await dockerOk('exec', name, 'node', '/app/bin/usp-agent.js', 'schema', 'Device.DeviceInfo.SerialNumber')).toMatch(/^ {2}description +Identifier of the particular device that is unique/m);
    await waitHealthy(name);

    const stopped = await stop(name);
    process.stdout.write(`docker: SIGTERM to exit took ${stopped.seconds.toFixed(2)} s through docker stop\n`);
    expect(stopped.exitCode, logs.text).toBe(0);
    await logs.waitForLine(/agent stopping.*reason="shutdown"/);

    const state = JSON.parse(await readVolume('state.json')) as { rows: Record<string, Record<string, unknown>> };
    expect(state.rows['Device.WiFi.SSID.1.']?.SSID).toBe('Docker Lab');
    expect(state.rows['Device.LocalAgent.MTP.1.WebSocket.']?.Port).toBe(port);
  }, 120_000);

  it('starts again from the state in the volume, says the saved state wins over the variables, and refuses a second container on the same volume', async () => {
    const { name, logs } = await start('gw2', ['-v', `${volume}:/data`, '-e', `USP_WS_PORT=${port}`, '-e', `USP_ENDPOINT_ID=${AGENT}`]);
    await logs.waitForLine(/agent started.*restored=true/);
    expect(logs.text).toMatch(/\/data holds saved state, which wins over factory defaults: USP_ENDPOINT_ID, USP_WS_PORT/);
    const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER, AGENT);
    expect((await get(c, 'Device.WiFi.SSID.1.SSID'))['Device.WiFi.SSID.1.SSID']).toBe('Docker Lab');

    // A second container on the same volume: its agent cannot see the first one's pid (another
    // pid namespace), so the container refuses to start rather than run two agents on one state.
    const second = await start('dup', ['-v', `${volume}:/data`, '-e', `USP_WS_PORT=${await freePort()}`]);
    const line = await second.logs.waitForLine(/agent started|level=error/);
    expect(line).toMatch(/level=error component=docker msg="\/data is in use by the agent of another container/);
    // `docker wait` prints the container's exit code.
    expect(await dockerOk('wait', second.name)).toBe('2');
    // The first one was not disturbed.
    expect((await get(c, 'Device.WiFi.SSID.1.SSID'))['Device.WiFi.SSID.1.SSID']).toBe('Docker Lab');
    await c.close();
    expect((await stop(name)).exitCode).toBe(0);
  }, 120_000);

  it('lets a mounted defaults file override the variables', async () => {
    const filePort = await freePort();
    const file = join(work, 'factory-defaults.json');
    writeFileSync(
      file,
      JSON.stringify({
        'Device.LocalAgent.EndpointID': 'proto::from-mounted-file',
        'Device.LocalAgent.MTP.1.Enable': true,
        'Device.LocalAgent.MTP.1.Protocol': 'WebSocket',
        'Device.LocalAgent.MTP.1.WebSocket.Port': filePort,
        'Device.LocalAgent.MTP.1.WebSocket.Path': '/usp',
        'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': false,
        'Device.LocalAgent.Controller.1.EndpointID': CONTROLLER,
        'Device.LocalAgent.Controller.1.Enable': true,
        'Device.LocalAgent.Controller.1.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
      }),
    );
    chmodSync(file, 0o644);
    const envPort = await freePort();
    const { name, logs } = await start('mounted', ['-v', `${file}:/etc/usp-agent/factory-defaults.json:ro`, '-e', `USP_WS_PORT=${envPort}`, '-e', `USP_ENDPOINT_ID=${AGENT}`]);
    await logs.waitForLine(new RegExp(`websocket server listening.*port=${filePort}`));
    expect(logs.text).toMatch(/a mounted defaults file replaces USP_ENDPOINT_ID, USP_WS_PORT: not applied/);
    const c = await TestController.connect(`ws://127.0.0.1:${filePort}/usp`, CONTROLLER, 'proto::from-mounted-file');
    expect((await get(c, 'Device.LocalAgent.EndpointID'))['Device.LocalAgent.EndpointID']).toBe('proto::from-mounted-file');
    await c.close();
    expect((await stop(name)).exitCode).toBe(0);
  }, 120_000);

  it('reaches a broker named by USP_MQTT_URL: announces itself on the controller topic and answers a Get sent through the broker', async () => {
    const broker = await startMosquitto();
    let mq: MqttController | undefined;
    try {
      // The controller subscribes first, so it sees the agent's MQTTConnectRecord.
      mq = await MqttController.open(`mqtt://127.0.0.1:${broker.port}`, { endpointId: CONTROLLER, agentId: AGENT, ownTopic: '/usp/controller', agentTopic: '/usp/endpoint' });
      const { name, logs } = await start('mqtt', ['-e', `USP_WS_PORT=${await freePort()}`, '-e', `USP_ENDPOINT_ID=${AGENT}`, '-e', `USP_MQTT_URL=mqtt://127.0.0.1:${broker.port}`]);
      const hello = await mq
        .waitRecord((r) => r.body.kind === 'mqttConnect', 'MQTTConnectRecord')
        .catch((e: Error) => {
          throw new Error(`${e.message}\n${logs.text}`);
        });
      expect(hello.fromId).toBe(AGENT);
      const r = resp(await mq.send({ reqType: 'get', get: { paramPaths: ['Device.DeviceInfo.ModelName'], maxDepth: 0 } }));
      if (r.respType !== 'getResp') throw new Error(r.respType);
      expect(r.getResp.reqPathResults[0]?.resolvedPathResults?.[0]?.resultParams.ModelName).toMatch(/\S/);
      expect((await stop(name)).exitCode).toBe(0);
    } finally {
      await mq?.close();
      await broker.stop();
    }
  }, 120_000);

  it('serves TLS when asked: USP_WS_TLS with the agent identity and CA from mounted files; a controller with a certificate reads it over wss', async () => {
    const pki = testPki();
    // The agent runs as uid 1000: it gets its own owner-only copies of the PEM files.
    const dir = join(work, 'tls');
    mkdirSync(dir);
    for (const [from, to] of [
      [pki.agent.certFile, 'agent.pem'],
      [pki.agent.keyFile, 'agent.key'],
      [pki.ca.certFile, 'ca.pem'],
    ] as const) {
      copyFileSync(from, join(dir, to));
      chownSync(join(dir, to), 1000, 1000);
      chmodSync(join(dir, to), 0o600);
    }
    const tlsPort = await freePort();
    const { name, logs } = await start('tls', [
      '-v',
      `${dir}:/run/usp:ro`,
      '-e',
      `USP_WS_PORT=${tlsPort}`,
      '-e',
      'USP_ENDPOINT_ID=proto::agent-under-test',
      '-e',
      'USP_WS_TLS=true',
      '-e',
      'USP_CERT_FILE=/run/usp/agent.pem',
      '-e',
      'USP_KEY_FILE=/run/usp/agent.key',
      '-e',
      'USP_CA_FILE=/run/usp/ca.pem',
    ]);
    await logs.waitForLine(new RegExp(`websocket server listening.*port=${tlsPort}.*tls="mutual"`));
    const p = await peer(`wss://127.0.0.1:${tlsPort}/usp`, pki.controller1, CONTROLLER);
    expect(endpointIdIn(await p.get())).toBe('proto::agent-under-test');
    await p.close();
    expect((await stop(name)).exitCode).toBe(0);
  }, 120_000);

  it('refuses a variable it cannot use: exit 2 and one line naming it and the fix', async () => {
    const r = await docker('run', '--rm', '--network', 'host', '-e', 'USP_WS_PORT=http', IMAGE);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/level=error component=docker msg="USP_WS_PORT=\\"http\\": not a TCP port; give a whole number from 1 to 65535/);
  }, 60_000);
});

describe('docker-compose.yml: the gateway and Mosquitto (real engine)', () => {
  it('wires the gateway to the broker: a controller on the host reaches it over WebSocket and over MQTT', async () => {
    const compose = await composeCommand();
    const mosquittoSeconds = await ensureStandInMosquitto(baseTag);
    if (mosquittoSeconds) process.stdout.write(`docker: stand-in Mosquitto image made in ${mosquittoSeconds.toFixed(1)} s\n`);
    // The project's file unchanged, but for the images (official ones cannot be pulled here)
    // and the host ports (free ones, not 9001/1883 that a developer's gateway may hold).
    const override = join(work, 'compose.override.yml');
    writeFileSync(override, JSON.stringify({ services: { mosquitto: { image: STANDIN_MOSQUITTO }, gateway: { image: IMAGE } } }));
    const env = { USP_WS_HOST_PORT: String(await freePort()), USP_MQTT_HOST_PORT: String(await freePort()) };
    const project = `uspagenttest${tag.replace(/[^a-z0-9]/g, '')}`;
    const dc = (...args: string[]) => run(compose[0]!, [...compose.slice(1), '-p', project, '-f', join(REPO, 'docker-compose.yml'), '-f', override, ...args], { env });
    let mq: MqttController | undefined;
    let ws: TestController | undefined;
    try {
      const up = await dc('up', '-d', '--no-build');
      expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
      const id = (await dc('ps', '-q', 'gateway')).stdout.trim();
      const logs = new ContainerLogs(id);
      await logs.waitForLine(/websocket server listening.*port=9001/);
      ws = await TestController.connect(`ws://127.0.0.1:${env.USP_WS_HOST_PORT}/usp`, CONTROLLER, 'proto::usp-agent-sim');
      // The agent reaches the broker by its service name; wait until its client says so.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const status = (await get(ws, 'Device.MQTT.Client.1.Status'))['Device.MQTT.Client.1.Status'];
        if (status === 'Connected') break;
        if (Date.now() > deadline) throw new Error(`Device.MQTT.Client.1.Status is ${status} after 30 s:\n${logs.text}\n${(await dc('logs', 'mosquitto')).stdout}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      mq = await MqttController.open(`mqtt://127.0.0.1:${env.USP_MQTT_HOST_PORT}`, {
        endpointId: CONTROLLER,
        agentId: 'proto::usp-agent-sim',
        ownTopic: '/usp/controller',
        agentTopic: '/usp/endpoint',
      });
      const r = resp(await mq.send({ reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } }));
      if (r.respType !== 'getResp') throw new Error(r.respType);
      expect(r.getResp.reqPathResults[0]?.resolvedPathResults?.[0]?.resultParams.EndpointID).toBe('proto::usp-agent-sim');
    } finally {
      await mq?.close();
      await ws?.close();
      await dc('down', '-v', '--timeout', '10');
    }
  }, 300_000);
});

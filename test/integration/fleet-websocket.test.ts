/**
 * A fleet over the WebSocket client MTP: every gateway dials the controller's WebSocket server
 * itself (Device.LocalAgent.Controller.1.MTP.1.WebSocket, examples/fleet-defaults-websocket.json),
 * one connection each, and the controller (bench/fleet-ws-controller.ts, a real `ws` server on
 * loopback) tells them apart by the Endpoint ID each names in `eid` (TR-369 R-WS.10b). The real
 * binary (dist/, so `npm run build` first) runs the fleet; the in-process case reads its status.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FleetWsController } from '../../bench/fleet-ws-controller.js';
import { freePort } from '../../bench/port.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { Fleet } from '../../agent/fleet/Fleet.js';
import { Agent } from '../../agent/Agent.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { testSchema } from '../peers/agent-fixture.js';
import { AgentProcess, REPO } from '../peers/agent-process.js';
import { waitUntil } from '../peers/controller-link.js';
import { getValues, range } from '../peers/fleet-steps.js';

const CONTROLLER_EID = 'proto::controller-1';
const MTP = 'Device.LocalAgent.Controller.1.MTP.1.WebSocket.';

let dir: string;
const controllers: FleetWsController[] = [];

/** examples/fleet-defaults-websocket.json, dialling the test's controller, first retry 1-2 s away (m = 1 s, k = 2000). */
function fleetDefaults(port: number): DefaultsFile {
  const d = JSON.parse(readFileSync(join(REPO, 'examples/fleet-defaults-websocket.json'), 'utf8')) as DefaultsFile;
  d[`${MTP}Port`] = port;
  d[`${MTP}SessionRetryMinimumWaitInterval`] = 1;
  return d;
}

async function controllerOn(port = 0): Promise<FleetWsController> {
  const c = await FleetWsController.listen(CONTROLLER_EID, port);
  controllers.push(c);
  return c;
}

const eids = (numbers: number[]): string[] => numbers.map((n) => `proto::sim-${n}`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'usp-fleet-ws-'));
});

afterEach(async () => {
  await AgentProcess.killAll();
  for (const c of controllers.splice(0)) await c.stop();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('usp-agent fleet over the WebSocket client MTP', () => {
  it("20 gateways dial one controller, one connection each; each answers a Get with its own serial; all redial after the controller's server restarts", async () => {
    const controller = await controllerOn();
    const file = join(dir, 'fleet-defaults-websocket.json');
    writeFileSync(file, JSON.stringify(fleetDefaults(controller.port)));
    const numbers = range(101, 20);
    const p = AgentProcess.command(['fleet', '--count', '20', '--first', '101', '--defaults', file, '--data-dir', join(dir, 'data'), '--ramp', '100']);
    // Every gateway opens its connection with a WebSocketConnectRecord (R-MTP.6) and announces itself with Boot!.
    await controller.waitFor(
      () => eids(numbers).every((e) => controller.connects.get(e) === 1 && controller.events.get(e)?.some((ev) => ev.eventName === 'Boot!')),
      20_000,
      'WebSocketConnectRecord and Boot! from gateways 101-120',
    );
    expect(controller.connected).toBe(20);
    await p.waitForLine(/^fleet: 20\/20 gateways started, 20 connected, 0 errors/, { timeoutMs: 20_000 });
    const serials = new Set<string>();
    for (const n of numbers) {
      const eid = `proto::sim-${n}`;
      const v = getValues(await controller.request(eid, { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID', 'Device.DeviceInfo.SerialNumber'], maxDepth: 0 } }));
      expect(v['Device.LocalAgent.EndpointID']).toBe(eid);
      expect(v['Device.DeviceInfo.SerialNumber']).toMatch(new RegExp(`^EXN\\d{4}${n.toString(16).toUpperCase().padStart(6, '0')}$`));
      serials.add(v['Device.DeviceInfo.SerialNumber']!);
    }
    expect(serials.size).toBe(20);

    // The controller goes away (every connection dropped, the port closed) and comes back on the same port.
    await controller.stop();
    await controller.listen();
    await controller.waitFor(() => eids(numbers).every((e) => controller.connects.get(e) === 2), 20_000, 'a second WebSocketConnectRecord from every gateway');
    expect(controller.connected).toBe(20);
    for (const n of numbers) {
      const v = getValues(await controller.request(`proto::sim-${n}`, { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } }));
      expect(v['Device.LocalAgent.EndpointID']).toBe(`proto::sim-${n}`);
    }
    const { code } = await p.terminate();
    expect(code).toBe(0);
  });

  it('two shards as two processes dial the one controller: every gateway of the fleet once, none twice', async () => {
    const controller = await controllerOn();
    const file = join(dir, 'fleet-defaults-websocket-shards.json');
    writeFileSync(file, JSON.stringify(fleetDefaults(controller.port)));
    const shard = (index: string): AgentProcess =>
      AgentProcess.command(['fleet', '--count', '20', '--first', '201', '--shard-count', '2', '--defaults', file, '--data-dir', join(dir, 'shards')], { env: { JOB_COMPLETION_INDEX: index } });
    const a = shard('0');
    const b = shard('1');
    await a.waitForLine(/^fleet: 10\/10 gateways started, 10 connected, 0 errors/, { timeoutMs: 20_000 });
    await b.waitForLine(/^fleet: 10\/10 gateways started, 10 connected, 0 errors/, { timeoutMs: 20_000 });
    await controller.waitFor(() => eids(range(201, 20)).every((e) => controller.connects.get(e) === 1), 20_000, 'a WebSocketConnectRecord from gateways 201-220');
    expect(controller.connected).toBe(20);
    expect([...controller.connects.keys()].sort()).toEqual(eids(range(201, 20)).sort());
    // Shard 1 (211-220) stops: its gateways' connections close, shard 0's stay and answer.
    expect((await b.terminate()).code).toBe(0);
    await controller.waitFor(() => controller.connected === 10, 10_000, "shard 1's connections to close");
    const v = getValues(await controller.request('proto::sim-210', { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } }));
    expect(v['Device.LocalAgent.EndpointID']).toBe('proto::sim-210');
    await expect(controller.request('proto::sim-211', { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } })).rejects.toThrow(/not connected/);
    expect((await a.terminate()).code).toBe(0);
  });
});

describe('Fleet over the WebSocket client MTP (in-process)', () => {
  it('counts a gateway as connected only while its WebSocket link to the controller is open', async () => {
    const port = await freePort();
    const fleet = new Fleet({
      range: { first: 601, count: 5 },
      defaults: fleetDefaults(port),
      dataDir: join(dir, 'in-process'),
      persist: false,
      platform: 'simulated',
      seed: 1,
      schema: testSchema(),
      startAgent: (o) => Agent.start(o),
      log: silentLogger,
    });
    try {
      // Nothing listens yet: every gateway started, none connected (each waits out its back-off).
      await fleet.start();
      expect(fleet.status()).toMatchObject({ total: 5, started: 5, connected: 0, errors: 0 });
      const controller = await controllerOn(port);
      await controller.waitFor(() => controller.connected === 5, 10_000, 'five gateways connected');
      await waitUntil(() => fleet.status().connected === 5, 5000, 'the fleet to count five connected');
      await controller.stop();
      await waitUntil(() => fleet.status().connected === 0, 5000, 'the fleet to count none connected');
    } finally {
      await fleet.stop();
    }
  });
});

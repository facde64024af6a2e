/**
 * `usp-agent fleet` end to end: the real binary (dist/, so `npm run build` first) runs simulated
 * gateways, each a full agent with its own MQTT connection to a real Mosquitto; a controller over
 * MQTT (bench/fleet-controller.ts) receives their Boot! and sends them Gets. Shards run as two
 * processes against one broker. Small fleets (20-30 gateways): the bench measures large ones.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FleetController } from '../../bench/fleet-controller.js';
import { readDefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { Fleet } from '../../agent/fleet/Fleet.js';
import { Agent } from '../../agent/Agent.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { testSchema } from '../peers/agent-fixture.js';
import { AgentProcess, REPO } from '../peers/agent-process.js';
import { runCli } from '../peers/cli-process.js';
import { startMosquitto, type Mosquitto } from '../peers/mosquitto.js';
import { getValues, range } from '../peers/fleet-steps.js';

const CONTROLLER_EID = 'proto::controller-1';
const CONTROLLER_TOPIC = 'usp/controller/controller-1';

let broker: Mosquitto;
let controller: FleetController;
let dir: string;
let defaultsFile: string;

/** examples/fleet-defaults.json, pointed at the test's broker. */
function writeFleetDefaults(file: string, port: number, change: (d: Record<string, unknown>) => void = () => undefined): void {
  const d = JSON.parse(readFileSync(join(REPO, 'examples/fleet-defaults.json'), 'utf8')) as Record<string, unknown>;
  d['Device.MQTT.Client.1.BrokerPort'] = port;
  change(d);
  writeFileSync(file, JSON.stringify(d));
}

function fleet(args: string[], env?: Record<string, string>): AgentProcess {
  return AgentProcess.command(['fleet', '--defaults', defaultsFile, '--data-dir', join(dir, 'data'), ...args], { env });
}

const bootedFrom = (numbers: number[]): boolean => numbers.every((n) => controller.events.get(`proto::sim-${n}`)?.some((e) => e.eventName === 'Boot!'));

beforeAll(async () => {
  broker = await startMosquitto({ extraConfig: ['max_connections -1'] });
  controller = await FleetController.connect(broker.port, CONTROLLER_EID, CONTROLLER_TOPIC);
  dir = mkdtempSync(join(tmpdir(), 'usp-fleet-'));
  defaultsFile = join(dir, 'fleet-defaults.json');
  writeFleetDefaults(defaultsFile, broker.port);
});

afterAll(async () => {
  await controller?.close();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await AgentProcess.killAll();
});

describe('usp-agent fleet', () => {
  it('runs N gateways, each announcing itself with Boot! and answering a Get with its own Endpoint ID and serial; SIGTERM stops all (exit 0)', async () => {
    const numbers = range(101, 20);
    const p = fleet(['--count', '20', '--first', '101', '--seed', '7', '--ramp', '200']);
    await controller.waitFor(() => bootedFrom(numbers), 20_000, 'Boot! from gateways 101-120');
    await p.waitForLine(/^fleet: 20\/20 gateways started, 20 connected, 0 errors/, { timeoutMs: 20_000 });
    const serials = new Set<string>();
    for (const n of numbers) {
      const eid = `proto::sim-${n}`;
      const boot = controller.events.get(eid)!.find((e) => e.eventName === 'Boot!')!;
      expect(boot.objPath).toBe('Device.');
      const v = getValues(
        await controller.request(eid, `usp/agent/sim-${n}`, {
          reqType: 'get',
          get: { paramPaths: ['Device.LocalAgent.EndpointID', 'Device.DeviceInfo.SerialNumber', 'Device.MQTT.Client.1.ClientID'], maxDepth: 0 },
        }),
      );
      expect(v['Device.LocalAgent.EndpointID']).toBe(eid);
      expect(v['Device.MQTT.Client.1.ClientID']).toBe(`sim-${n}`);
      serials.add(v['Device.DeviceInfo.SerialNumber']!);
      // The serial's unit number is the gateway number (hex), so no two gateways share it.
      expect(v['Device.DeviceInfo.SerialNumber']).toMatch(new RegExp(`^EXN\\d{4}${n.toString(16).toUpperCase().padStart(6, '0')}$`));
    }
    // Each gateway's device is seeded from the fleet seed and its number.
    expect(serials.size).toBe(20);
    const { code } = await p.terminate();
    expect(code).toBe(0);
    expect(p.stderr()).toMatch(/SIGTERM; stopping every gateway/);
  });

  it('--memory-report prints where the process memory is (RSS, V8 heap, external, V8 malloc, the rest) after the summary and on every SIGUSR2', async () => {
    const p = fleet(['--count', '3', '--first', '601', '--memory-report']);
    const summary = await p.waitForLine(/^fleet: 3\/3 gateways started, 3 connected/, { timeoutMs: 20_000 });
    const report = (from: number): Promise<Record<string, unknown>> =>
      p.waitForLine(/^fleet memory: \{/, { from, timeoutMs: 8000 }).then((i) => JSON.parse(p.lines[i]!.text.slice('fleet memory: '.length)) as Record<string, unknown>);
    const first = await report(summary);
    expect(first.gateways).toBe(3);
    const n = (k: string): number => first[k] as number;
    expect(n('rss')).toBeGreaterThan(n('heapUsed'));
    expect(n('heapPhysical')).toBeGreaterThanOrEqual(n('heapUsed'));
    expect(n('external')).toBeGreaterThanOrEqual(n('arrayBuffers'));
    // The rest is what RSS holds beyond the mapped files, the heap, external memory and V8's malloc.
    expect(n('other')).toBe(n('rss') - n('rssFile') - n('heapPhysical') - n('external') - n('v8Malloced'));
    expect(Object.keys(first.spaces as object)).toContain('old_space');
    const after = p.lines.length;
    process.kill(p.pid!, 'SIGUSR2');
    expect((await report(after)).gateways).toBe(3);
    expect(p.alive).toBe(true);
    expect((await p.terminate()).code).toBe(0);
  });

  it('two shards as two processes cover disjoint halves of the fleet (--shard-index, then JOB_COMPLETION_INDEX)', async () => {
    const a = fleet(['--count', '30', '--first', '201', '--shard-count', '2', '--shard-index', '0']);
    const b = fleet(['--count', '30', '--first', '201', '--shard-count', '2'], { JOB_COMPLETION_INDEX: '1' });
    await controller.waitFor(() => bootedFrom(range(201, 30)), 20_000, 'Boot! from gateways 201-230');
    await a.waitForLine(/^fleet: 15\/15 gateways started/, { timeoutMs: 20_000 });
    await b.waitForLine(/^fleet: 15\/15 gateways started/, { timeoutMs: 20_000 });
    // Shard 0 runs 201-215, shard 1 runs 216-230: a gateway of one is not in the other.
    const first = await controller.request('proto::sim-215', 'usp/agent/sim-215', { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
    expect(getValues(first)['Device.LocalAgent.EndpointID']).toBe('proto::sim-215');
    expect(controller.events.has('proto::sim-231')).toBe(false);
    await a.terminate();
    // Only shard 1 still runs: sim-216 answers, sim-215 (shard 0) no longer does.
    const second = await controller.request('proto::sim-216', 'usp/agent/sim-216', { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } });
    expect(getValues(second)['Device.LocalAgent.EndpointID']).toBe('proto::sim-216');
    await expect(controller.request('proto::sim-215', 'usp/agent/sim-215', { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } }, 1500)).rejects.toThrow(/no answer/);
    expect((await b.terminate()).code).toBe(0);
  });

  it("--persist keeps each gateway's state and control socket in DATA-DIR/<n>/", async () => {
    const data = join(dir, 'persist');
    const p = AgentProcess.command(['fleet', '--defaults', defaultsFile, '--data-dir', data, '--count', '3', '--first', '301', '--persist']);
    await p.waitForLine(/^fleet: 3\/3 gateways started, 3 connected/, { timeoutMs: 20_000 });
    const got = await runCli(['get', 'Device.LocalAgent.EndpointID', '--data-dir', join(data, '302')]);
    expect(got.stdout).toContain('proto::sim-302');
    expect((await p.terminate()).code).toBe(0);
    for (const n of [301, 302, 303]) {
      const state = JSON.parse(readFileSync(join(data, String(n), 'state.json'), 'utf8')) as { rows: Record<string, Record<string, unknown>> };
      expect(state.rows['Device.LocalAgent.']?.EndpointID).toBe(`proto::sim-${n}`);
    }
    expect(existsSync(join(data, '304'))).toBe(false);
  });

  it("keeps the in-memory gateways' files under one temporary directory, removed when the fleet stops (SIGTERM); SIGKILL leaves only that one", async () => {
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const running = fleet(['--count', '5', '--first', '501'], { TMPDIR: tmp });
    await running.waitForLine(/^fleet: 5\/5 gateways started, 5 connected/, { timeoutMs: 20_000 });
    // One directory for the whole fleet, not one per gateway (each gateway's software units live in it).
    expect(readdirSync(tmp)).toHaveLength(1);
    expect((await running.terminate()).code).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    // Killed outright: nothing can clean up, and what remains is that one directory.
    const killed = fleet(['--count', '5', '--first', '501'], { TMPDIR: tmp });
    await killed.waitForLine(/^fleet: 5\/5 gateways started, 5 connected/, { timeoutMs: 20_000 });
    await killed.kill9();
    expect(readdirSync(tmp)).toHaveLength(1);
  });

  it.each([
    [['--count', '0'], /--count 0: must be a whole number >= 1/],
    [['--count', '-3'], /--count -3: must be a whole number >= 1/],
    [['--count', '10', '--shard-count', '2', '--shard-index', '2'], /--shard-index 2: must be below --shard-count 2/],
    [['--count', '10', '--shard-index', '0'], /--shard-index needs --shard-count/],
  ])('refuses %j with a usage error (exit 2)', async (args, message) => {
    const r = await runCli(['fleet', '--defaults', defaultsFile, '--data-dir', join(dir, 'bad'), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a defaults file whose EndpointID lacks {n}: every gateway would have the same identity (exit 2)', async () => {
    const file = join(dir, 'same-eid.json');
    writeFleetDefaults(file, broker.port, (d) => {
      d['Device.LocalAgent.EndpointID'] = 'proto::sim';
    });
    const r = await runCli(['fleet', '--defaults', file, '--data-dir', join(dir, 'bad'), '--count', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Device\.LocalAgent\.EndpointID must contain \{n\}/);
  });
});

describe('usp-agent fleet start failures', () => {
  it('exits 2 naming the path when the first gateway cannot start (bad defaults would fail every gateway)', async () => {
    const file = join(dir, 'bad-path.json');
    writeFleetDefaults(file, broker.port, (d) => {
      d['Device.Nope.Param'] = 1;
    });
    const r = await runCli(['fleet', '--defaults', file, '--data-dir', join(dir, 'bad'), '--count', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the first gateway did not start: .*Device\.Nope\.Param/);
  });
});

describe('Fleet (in-process)', () => {
  it('lets the event loop turn between starts: gateways connect, and timers and signals run, while the fleet is still starting', async () => {
    const count = 40;
    const fleetOfMany = new Fleet({
      range: { first: 401, count },
      defaults: readDefaultsFile(defaultsFile),
      dataDir: join(dir, 'in-process'),
      persist: false,
      platform: 'simulated',
      seed: 1,
      schema: testSchema(),
      startAgent: (o) => Agent.start(o),
      log: silentLogger,
    });
    // What a timer sees of the start, every time the event loop turns.
    const seen = new Set<number>();
    const timer = setInterval(() => {
      seen.add(fleetOfMany.status().started);
    }, 0);
    try {
      await fleetOfMany.start();
      clearInterval(timer);
      const during = [...seen].filter((n) => n > 1 && n < count);
      expect(during.length).toBeGreaterThan(count / 4);
      await controller.waitFor(() => bootedFrom(range(401, count)), 20_000, 'Boot! from gateways 401-440');
    } finally {
      clearInterval(timer);
      await fleetOfMany.stop();
    }
  });
});

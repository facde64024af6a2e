/**
 * Where the WebSocket server MTP listens (TR-181 Device.LocalAgent.MTP.{i}.WebSocket.Interfaces,
 * agent/transports/listen-addresses.ts): only on the addresses of the Device.IP.Interface rows it
 * names, every address when empty. The example factory defaults bind to the simulated gateway's
 * loopback interface. A full-access role on plain WebSocket beyond loopback is warned about once.
 * A real agent in-process (simulated platform), real sockets.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { createLogger, silentLogger } from '../../datamodel/Logger.js';
import { freePort } from '../peers/TestController.js';
import { testDefaults, testSchema } from '../peers/agent-fixture.js';

const WS = 'Device.LocalAgent.MTP.1.WebSocket.';
/** The simulated gateway's loopback interface (lo: 127.0.0.1, ::1). */
const SIM_LOOPBACK = 'Device.IP.Interface.3';

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

async function start(defaults: DefaultsFile, logs?: string[]): Promise<Agent> {
  const log = logs
    ? createLogger('info', 'agent', (_l, line) => {
        logs.push(line);
      })
    : silentLogger;
  const agent = await Agent.start({ defaults, platform: 'simulated', log, seed: 1, schema: testSchema() });
  agents.push(agent);
  return agent;
}

/** Whether a TCP connection to host:port opens. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A non-loopback IPv4 address of this host (the test machines have one). */
function hostAddress(): string {
  const a = Object.values(networkInterfaces())
    .flat()
    .find((x) => x && !x.internal && x.family === 'IPv4');
  if (!a) throw new Error('this test needs a non-loopback IPv4 address on the host');
  return a.address;
}

const PLAIN_FULL_ACCESS = 'full-access role reachable over plain WebSocket';

describe('Device.LocalAgent.MTP.{i}.WebSocket.Interfaces', () => {
  it('binds only to the addresses of the interfaces it names', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const agent = await start(testDefaults(port, { [`${WS}Interfaces`]: SIM_LOOPBACK }), logs);
    expect(agent.webSocketServers[0]!.addresses.sort()).toEqual(['127.0.0.1', '::1']);
    expect(await reachable('127.0.0.1', port)).toBe(true);
    expect(await reachable(hostAddress(), port)).toBe(false);
    expect(logs.filter((l) => l.includes(PLAIN_FULL_ACCESS))).toEqual([]);
  });

  it('empty: every address, with a warning that the full-access controller can be claimed by anyone', async () => {
    const port = await freePort();
    const logs: string[] = [];
    await start(testDefaults(port), logs);
    expect(await reachable(hostAddress(), port)).toBe(true);
    const warned = logs.filter((l) => l.includes(PLAIN_FULL_ACCESS));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('proto::controller-1');
  });

  it('a reference to an interface the platform does not serve stops the start, naming the setting and the fix', async () => {
    const port = await freePort();
    await expect(start(testDefaults(port, { [`${WS}Interfaces`]: 'Device.IP.Interface.9' }))).rejects.toThrow(
      /Device\.LocalAgent\.MTP\.1\.WebSocket\.Interfaces names "Device\.IP\.Interface\.9".*one of Device\.IP\.Interface\.1, Device\.IP\.Interface\.2, Device\.IP\.Interface\.3/,
    );
  });

  it('the example factory defaults listen on loopback only, and serve it as Type Loopback', async () => {
    const example = JSON.parse(readFileSync(new URL('../../examples/factory-defaults.json', import.meta.url), 'utf8')) as DefaultsFile;
    expect(example[`${WS}Interfaces`]).toBe(SIM_LOOPBACK);
    const port = await freePort();
    const logs: string[] = [];
    const agent = await start({ ...example, [`${WS}Port`]: port }, logs);
    expect(agent.webSocketServers[0]!.addresses.every((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
    expect(await reachable(hostAddress(), port)).toBe(false);
    const lo = await agent.model.readValues({ node: agent.model.requireNode('Device.IP.Interface.{i}.'), keys: [3] }, {});
    expect(lo).toMatchObject({ Type: 'Loopback', Loopback: true });
    expect(logs.filter((l) => l.includes(PLAIN_FULL_ACCESS))).toEqual([]);
  });
});

/**
 * SIGHUP asks a running agent to dial its controllers and brokers now: what procd's interface
 * trigger sends when the WAN comes up (openwrt/files/usp-agent.init `reconnect`). A real agent
 * process dials a controller that is not there yet with a first retry 60-120 s away; after
 * SIGHUP it connects at once and keeps running.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { freePort } from '../peers/TestController.js';
import { dialledControllerWithSlowRetry } from '../peers/dialled-controller.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-agent-sighup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => AgentProcess.killAll());

it('SIGHUP makes the WebSocket client dial at once instead of waiting out its back-off, and the agent keeps running', async () => {
  const [agentPort, ctrlPort] = [await freePort(), await freePort()];
  const defaults = join(dir, 'defaults.json');
  // A first retry 60-120 s away: only the reconnect SIGHUP asks for can bring the link in time.
  writeDefaultsFile(defaults, agentPort, dialledControllerWithSlowRetry(ctrlPort));
  const agent = AgentProcess.start(defaults, join(dir, 'data'));
  await agent.waitForLine(/controller link down; retrying/);

  const server = new WebSocketServer({ port: ctrlPort, host: '127.0.0.1', handleProtocols: () => 'v1.usp' });
  // listen() with a host binds after a lookup: a SIGHUP sent before that dials a closed port.
  await once(server, 'listening');
  try {
    const connected = new Promise<string>((resolve) => server.on('connection', (_ws, req) => resolve(req.url ?? '')));
    agent.child.kill('SIGHUP');
    await agent.waitForLine(/connected to controller/);
    expect(await connected).toContain('eid=');
    expect(agent.alive).toBe(true);
    expect(agent.lines.some((l) => /level=info component=agent msg="SIGHUP received; dialling controllers and brokers now"/.test(l.text))).toBe(true);
    expect((await agent.terminate()).code).toBe(0);
  } finally {
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
}, 30_000);

/**
 * A prompt reconnect when the WAN comes back: the agent dials a controller that is not there and
 * backs off for a long time; when the platform reports an interface Up, it dials at once.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Agent } from '../../agent/Agent.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { testDefaults, testSchema } from '../peers/agent-fixture.js';
import { freePort } from '../peers/TestController.js';
import { dialledControllerWithSlowRetry } from '../peers/dialled-controller.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

it('an interface turning Up makes the WebSocket client dial at once instead of waiting out its back-off', async () => {
  const [agentPort, ctrlPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-wan-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const agent = await Agent.start({
    // A first retry 60-120 s away: only a reconnect on WAN-up can bring the link back in time.
    defaults: testDefaults(agentPort, dialledControllerWithSlowRetry(ctrlPort)),
    dataDir: dir,
    platform: 'simulated',
    log: silentLogger,
    seed: 42,
    schema: testSchema(),
  });
  cleanup.push(() => agent.stop());
  await new Promise((r) => setTimeout(r, 300)); // the first dial fails: nobody listens yet
  // The running client's retry count is served live (Controller.{i}.MTP.{j}.WebSocket.CurrentRetryCount).
  const wsCfg = agent.model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.');
  expect((await agent.model.readValues({ node: wsCfg, keys: [1, 1] }, {})).CurrentRetryCount).toBe(1);

  const server = new WebSocketServer({ port: ctrlPort, host: '127.0.0.1', handleProtocols: () => 'v1.usp' });
  await once(server, 'listening'); // listen() with a host binds after a lookup
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        for (const c of server.clients) c.terminate();
        server.close(() => r());
      }),
  );
  const connected = new Promise<string>((resolve) => server.on('connection', (_ws, req) => resolve(req.url ?? '')));

  const t0 = Date.now();
  // What a platform does when the WAN interface comes back (OpenWrt: a netifd ifup event).
  const ip = agent.model.requireNode('Device.IP.Interface.{i}.');
  agent.model.changes.emit({ kind: 'value', inst: { node: ip, keys: [2] }, path: 'Device.IP.Interface.2.', param: 'Status', value: 'Up' });
  const url = await Promise.race([connected, new Promise<string>((_r, reject) => setTimeout(() => reject(new Error('no reconnect within 20 s of WAN-up')), 20_000))]);
  // Before the first retry's back-off (SessionRetryMinimumWaitInterval, 60 s) could end: WAN-up
  // reconnected, not the retry timer. How fast is not asserted.
  expect(Date.now() - t0).toBeLessThan(60_000);
  expect(url).toContain('eid=');
  // A successful connection resets the count.
  await new Promise((r) => setTimeout(r, 100));
  expect((await agent.model.readValues({ node: wsCfg, keys: [1, 1] }, {})).CurrentRetryCount).toBe(0);
});

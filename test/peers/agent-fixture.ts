/**
 * Starts a real agent in-process on a free loopback port with test factory defaults, and a
 * connected TestController: the fixture most integration tests share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type PlatformName } from '../../agent/Agent.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { Schema } from '../../datamodel/schema/Schema.js';
import { TestController, freePort } from './TestController.js';

export const AGENT_EID = 'proto::agent-under-test';
export const CONTROLLER_EID = 'proto::controller-1';

let schema: Schema | undefined;
export function testSchema(): Schema { return (schema ??= Schema.load()); }

export function testDefaults(port: number, extra: DefaultsFile = {}): DefaultsFile {
  return {
    'Device.LocalAgent.EndpointID': AGENT_EID,
    'Device.LocalAgent.MTP.1.Enable': true,
    'Device.LocalAgent.MTP.1.Protocol': 'WebSocket',
    'Device.LocalAgent.MTP.1.WebSocket.Port': port,
    'Device.LocalAgent.MTP.1.WebSocket.Path': '/usp',
    'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': false,
    'Device.LocalAgent.ControllerTrust.Role.1.Name': 'Full Access',
    'Device.LocalAgent.ControllerTrust.Role.1.Enable': true,
    'Device.LocalAgent.Controller.1.EndpointID': CONTROLLER_EID,
    'Device.LocalAgent.Controller.1.Enable': true,
    'Device.LocalAgent.Controller.1.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
    ...extra,
  };
}

export interface AgentFixture {
  agent: Agent;
  controller: TestController;
  url: string;
  dataDir: string;
  port: number;
  close(): Promise<void>;
}

export async function startAgent(opts: { platform?: PlatformName; extra?: DefaultsFile; dataDir?: string; pollIntervalMs?: number } = {}): Promise<AgentFixture> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'usp-agent-test-'));
  const agent = await Agent.start({ defaults: testDefaults(port, opts.extra), dataDir, platform: opts.platform ?? 'simulated', log: silentLogger, seed: 42, schema: testSchema(), pollIntervalMs: opts.pollIntervalMs });
  const url = `ws://127.0.0.1:${port}/usp`;
  const controller = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
  return {
    agent, controller, url, dataDir, port,
    async close() {
      await controller.close();
      await agent.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

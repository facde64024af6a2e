/**
 * Starts a real agent in-process on a free loopback port with test factory defaults, and a
 * connected TestController: the fixture most integration tests share.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type AgentOptions, type PlatformName } from '../../agent/Agent.js';
import type { DefaultsFile } from '../../agent/defaults/apply-defaults.js';
import { CONTROLLER_EID, TEST_AGENT_EID as AGENT_EID, testDefaults } from '../../bench/agent-config.js';
import { createLogger, silentLogger } from '../../datamodel/Logger.js';
import { Schema } from '../../datamodel/schema/Schema.js';
import { TestController, freePort } from './TestController.js';

export { AGENT_EID, CONTROLLER_EID, testDefaults };

let schema: Schema | undefined;
export function testSchema(): Schema {
  return (schema ??= Schema.load());
}

export interface AgentFixture {
  agent: Agent;
  controller: TestController;
  url: string;
  dataDir: string;
  port: number;
  /** The agent's log lines (info and up), when started with `captureLogs`. */
  logs: string[];
  close(): Promise<void>;
}

export async function startAgent(
  opts: { port?: number; platform?: PlatformName; extra?: DefaultsFile; dataDir?: string; pollIntervalMs?: number; captureLogs?: boolean; vendorPrefix?: string; agent?: Partial<AgentOptions> } = {},
): Promise<AgentFixture> {
  // A restart on a data directory keeps the port its state holds: pass it again.
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'usp-agent-test-'));
  const logs: string[] = [];
  const log = opts.captureLogs
    ? createLogger('info', 'agent', (_level, line) => {
        logs.push(line);
      })
    : silentLogger;
  const agent = await Agent.start({
    defaults: testDefaults(port, opts.extra),
    dataDir,
    platform: opts.platform ?? 'simulated',
    log,
    seed: 42,
    schema: testSchema(),
    pollIntervalMs: opts.pollIntervalMs,
    vendorPrefix: opts.vendorPrefix,
    ...opts.agent,
  });
  const url = `ws://127.0.0.1:${port}/usp`;
  const controller = await TestController.connect(url, CONTROLLER_EID, AGENT_EID);
  return {
    agent,
    controller,
    url,
    dataDir,
    port,
    logs,
    async close() {
      await controller.close();
      await agent.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

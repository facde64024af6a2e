/**
 * A real `usp-agent run --platform linux` process reading a router's sysfs from a temp copy of
 * test/fixtures/iot-sysfs/router (USP_AGENT_SYSFS_ROOT), and a Controller connected to it over
 * WebSocket: the set-up of the Linux sysfs tests (LEDs, IoTCapability). Registers its own
 * beforeAll/afterAll; `prepare` edits the copied tree before the agent starts.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from './agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from './agent-process.js';
import { TestController, freePort } from './TestController.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/iot-sysfs/router', import.meta.url));

export interface SysfsAgent {
  /** The copied sysfs root the agent reads. */
  readonly sysRoot: string;
  readonly agent: AgentProcess;
  readonly c: TestController;
}

export function sysfsAgent(workPrefix: string, prepare?: (sysRoot: string) => void): SysfsAgent {
  const dir = mkdtempSync(join(tmpdir(), workPrefix));
  const sysRoot = join(dir, 'sys');
  let agent: AgentProcess | undefined;
  let c: TestController | undefined;
  beforeAll(async () => {
    cpSync(FIXTURE, sysRoot, { recursive: true });
    prepare?.(sysRoot);
    const port = await freePort();
    const defaults = join(dir, 'defaults.json');
    writeDefaultsFile(defaults, port);
    agent = AgentProcess.start(defaults, join(dir, 'data'), { platform: 'linux', env: { USP_AGENT_SYSFS_ROOT: sysRoot } });
    await agent.waitForLine(/msg="agent started"/, { timeoutMs: 30_000 });
    c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID);
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await agent?.terminate();
    await AgentProcess.killAll();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    sysRoot,
    get agent() {
      if (!agent) throw new Error('the sysfs agent has not started');
      return agent;
    },
    get c() {
      if (!c) throw new Error('the sysfs agent has not started');
      return c;
    },
  };
}

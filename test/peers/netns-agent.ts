/**
 * A real agent process (`npm run build` first) on the Linux platform inside a network namespace,
 * managing the interfaces named, with a controller connected over a real WebSocket through the
 * namespace's veth pair: the setup of the Linux write-back tests.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_EID, CONTROLLER_EID } from './agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from './agent-process.js';
import type { NetNamespace } from './netns.js';
import { getObjects } from './get-objects.js';
import { TestController, freePort } from './TestController.js';

export interface NamespacedAgent {
  agent: AgentProcess;
  controller: TestController;
  /** The agent's WebSocket port. */
  port: number;
  /** Closes the controller, stops the agent and removes its data directory (not the namespace). */
  close(): Promise<void>;
}

/** How the agent is told what it manages, beside `--manage-interfaces`. */
export interface NamespacedAgentOptions {
  /** More command-line options (e.g. `['--manage-dns', FILE]`). */
  args?: string[];
  /** Start-up settings of the defaults file (`$manageInterfaces`, `$manageDns`) instead of the command line; `manage` is then not passed. */
  fileSettings?: Record<string, unknown>;
  /** Environment variables of the agent process beside the test's own (e.g. a PATH without some tool). */
  env?: Record<string, string>;
  /** The agent's data directory, kept by close() (a restart test starts a second agent on it); default a fresh one, removed. */
  dataDir?: string;
  /** The WebSocket port (a restart on a kept dataDir: the stored MTP's port); default a free one. */
  port?: number;
  /** `--log-level` (debug: the lines of the daemons the agent runs are in its output); default info. */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

/** Starts the agent in `ns` with `--manage-interfaces manage`; resolves once the controller is connected. */
export async function startAgentInNamespace(ns: NetNamespace, manage: string, opts: NamespacedAgentOptions = {}): Promise<NamespacedAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-netns-'));
  const dataDir = opts.dataDir ?? join(dir, 'data');
  let agent: AgentProcess | undefined;
  let controller: TestController | undefined;
  const close = async (): Promise<void> => {
    await controller?.close();
    await agent?.terminate();
    await AgentProcess.killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = opts.port ?? (await freePort());
    const defaults = join(dir, 'defaults.json');
    writeDefaultsFile(defaults, port);
    if (opts.fileSettings) writeFileSync(defaults, JSON.stringify({ ...(JSON.parse(readFileSync(defaults, 'utf8')) as object), ...opts.fileSettings }));
    const manageArgs = opts.fileSettings ? [] : ['--manage-interfaces', manage];
    agent = AgentProcess.start(defaults, dataDir, {
      platform: 'linux',
      wrap: ns.exec,
      args: [...manageArgs, ...(opts.args ?? [])],
      env: opts.env,
      ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
    });
    await agent.waitForLine(/websocket server listening/, { timeoutMs: 15_000 });
    controller = await TestController.connect(`ws://${ns.agentAddress}:${port}/usp`, CONTROLLER_EID, AGENT_EID);
    return { agent, controller, port, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The row (`Device.Ethernet.Interface.N.`) of the kernel device `name`, as the agent numbers it. */
export async function ethernetInterfaceOf(c: TestController, name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.Ethernet.Interface.*.Name']);
  const row = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!row) throw new Error(`no Ethernet.Interface for ${name}: ${JSON.stringify(rows)}`);
  return row;
}

/**
 * Reads `params` of `row` until `ok` holds (the agent learns of a kernel change asynchronously,
 * from its `ip monitor link` watcher), at most 15 s; returns the values that satisfied it.
 */
export async function readUntil(c: TestController, row: string, params: string[], ok: (v: Record<string, string>) => boolean): Promise<Record<string, string>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v =
      (
        await getObjects(
          c,
          params.map((p) => `${row}${p}`),
        )
      )[row] ?? {};
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${row}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Processes the bench measures: the agent (`node bin/usp-agent.js run` with the bench factory
 * defaults on a free port, a fresh data directory, the simulated platform, warn-level logging) or
 * any Node script, each ready once its port accepts TCP connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USP_PATH, benchDefaults } from './agent-config.js';
import { exitAsError, stopChild, track } from './children.js';
import { freePort, waitForPort } from './port.js';

/** The launcher, resolved from dist/bench/ back to the package root. */
export const AGENT_BIN = fileURLToPath(new URL('../../bin/usp-agent.js', import.meta.url));

export interface AgentLaunch {
  port: number;
  /** node argv (after the node binary) that starts the agent. */
  args: string[];
  /** Removes the temporary defaults file and data directory. */
  cleanup(): void;
}

/** Prepares a fresh data directory and defaults file; `nodeArgs` go before the script (e.g. --cpu-prof). */
export async function prepareAgent(nodeArgs: string[] = []): Promise<AgentLaunch> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-bench-'));
  const defaults = join(dir, 'defaults.json');
  const dataDir = join(dir, 'data');
  writeFileSync(defaults, JSON.stringify(benchDefaults(port)));
  return {
    port,
    args: [...nodeArgs, AGENT_BIN, 'run', '--defaults', defaults, '--data-dir', dataDir, '--platform', 'simulated', '--log-level', 'warn'],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RunningProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** performance.now() at spawn and when the port first accepted a connection. */
  spawnedAt: number;
  listeningAt: number;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` and resolves once `port` accepts TCP connections (polled every 2 ms).
 * Rejects, with the child's stderr, if it exits first.
 */
export async function spawnListening(args: string[], port: number, what: string, cleanup = (): void => undefined): Promise<RunningProcess> {
  const spawnedAt = performance.now();
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
  const died = exitAsError(child, what);
  let listeningAt: number;
  try {
    listeningAt = await Promise.race([waitForPort(port), died]);
  } catch (e) {
    await stopChild(child, 'SIGKILL');
    cleanup();
    throw e;
  }
  died.catch(() => undefined); // a later exit is expected (stop)
  return {
    child,
    pid: child.pid!,
    port,
    url: `ws://127.0.0.1:${port}${USP_PATH}`,
    spawnedAt,
    listeningAt,
    async stop() {
      await stopChild(child);
      cleanup();
    },
  };
}

/** Spawns the agent process and waits for its WebSocket port. */
export async function spawnAgent(nodeArgs: string[] = []): Promise<RunningProcess> {
  const launch = await prepareAgent(nodeArgs);
  return spawnListening(launch.args, launch.port, 'agent', launch.cleanup);
}

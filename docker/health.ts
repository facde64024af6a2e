/**
 * The container's health check (Dockerfile HEALTHCHECK): healthy when every WebSocket server the
 * agent should be running accepts a TCP connection on loopback. The ports come from the saved
 * state in /data over the defaults the container started with (websocket-ports.ts), so a
 * controller's Set of `Device.LocalAgent.MTP.{i}.WebSocket.Port` is followed. With no WebSocket
 * server configured (MQTT only), healthy means the agent holds its data directory's lock.
 * Exit 0 healthy, 1 unhealthy (Docker's convention), with one line saying why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenState, webSocketPorts, type SavedState } from './websocket-ports.js';

const DATA_DIR = '/data';
/** Written by entry.ts (its EFFECTIVE_DEFAULTS); not imported, so that this check loads nothing else. */
const EFFECTIVE_DEFAULTS = join(tmpdir(), 'usp-agent', 'factory-defaults.json');
const TIMEOUT_MS = 2000;

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, timeout: TIMEOUT_MS });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

/** The data directory's lock names its holder's pid (datamodel/store/data-dir-lock.ts). */
function lockHolderAlive(): boolean {
  const pid = Number(readJson(join(DATA_DIR, 'usp-agent.lock'))?.pid);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const state = readJson(join(DATA_DIR, 'state.json')) as SavedState | undefined;
const values = { ...readJson(EFFECTIVE_DEFAULTS), ...(state?.rows ? flattenState(state) : {}) };
const ports = webSocketPorts(values);
if (ports.length === 0) {
  const ok = lockHolderAlive();
  process.stdout.write(ok ? 'healthy: no WebSocket server configured; the agent holds /data\n' : 'unhealthy: no WebSocket server configured and no agent holds /data\n');
  process.exit(ok ? 0 : 1);
}
const down: number[] = [];
for (const port of ports) if (!(await accepts(port))) down.push(port);
process.stdout.write(down.length ? `unhealthy: nothing accepts on 127.0.0.1:${down.join(', ')}\n` : `healthy: WebSocket server on ${ports.join(', ')}\n`);
process.exit(down.length ? 1 : 0);

/**
 * The agent process with factory defaults of the caller's choosing (an MQTT MTP, a controller to
 * dial, TLS servers) and extra command-line arguments (--cert/--key/--ca), on the simulated
 * platform with warn-level logging like the rest of the bench; ready once `waitPort` accepts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';
import { AGENT_BIN, spawnListening, type RunningProcess } from './spawn-agent.js';

export async function spawnConfiguredAgent(defaults: DefaultsFile, waitPort: number, what: string, extraArgs: string[] = []): Promise<RunningProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-bench-'));
  const file = join(dir, 'defaults.json');
  writeFileSync(file, JSON.stringify(defaults));
  const args = [AGENT_BIN, 'run', '--defaults', file, '--data-dir', join(dir, 'data'), '--platform', 'simulated', '--log-level', 'warn', ...extraArgs];
  return spawnListening(args, waitPort, what, () => rmSync(dir, { recursive: true, force: true }));
}

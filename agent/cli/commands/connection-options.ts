/**
 * Options shared by the commands that talk to a running agent through its control socket
 * (agent/control/ControlSocket.ts), and the wrapper that turns their failures into exit codes.
 */
import type { Argv } from 'yargs';
import { reportCliFailure } from '../cli-error.js';
import type { ConnectionArgs } from '../requests.js';

/** --data-dir (where the agent runs), --json, --timeout. */
export function withConnectionOptions<T>(y: Argv<T>): Argv<T & { 'data-dir': string; json: boolean; timeout: number }> {
  return y
    .option('data-dir', { type: 'string', demandOption: true, describe: 'data directory of the running agent (its control socket is DIR/control.sock)' })
    .option('json', { type: 'boolean', default: false, describe: "print the agent's response as JSON, for scripts" })
    .option('timeout', { type: 'number', default: 30, describe: 'seconds to wait for the answer' });
}

/** The connection options as the implementations take them. */
export function connectionArgs(a: { 'data-dir': string; json: boolean; timeout: number }): ConnectionArgs {
  return { dataDir: a['data-dir'], json: a.json, timeout: a.timeout };
}

/** Runs a command's work; a CliError becomes its message and exit code, anything else exit 1. */
export async function guarded(work: () => Promise<void> | void): Promise<void> {
  try {
    await work();
  } catch (e) {
    reportCliFailure(e);
  }
}

/**
 * The container's entry point (Dockerfile ENTRYPOINT): turns the environment into factory
 * defaults (env-defaults.ts), writes them where `usp-agent run --defaults` reads them, then runs
 * the agent in this same process. One process, so the agent is PID 1 and gets Docker's SIGTERM
 * itself: its own handlers stop it cleanly and exit 0 within 2 s. Node as PID 1 needs no init:
 * the kernel only withholds signals that have no handler from PID 1, and the agent installs
 * SIGTERM/SIGINT handlers before any work; the child processes it runs on live platforms are
 * its own, reaped by Node (the simulated gateway runs none).
 *
 * Arguments after the image name (`docker run IMAGE --log-level debug`) are passed to `run`.
 * Imports nothing of the agent: the image ships only the bundle, and this file beside it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTAINER_VARIABLES, ContainerSettingError, OPTION_VARIABLES, settingsFromEnv } from './env-defaults.js';
import { holdVolume } from './volume-lock.js';
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';

/** The state volume (Dockerfile VOLUME). */
export const DATA_DIR = '/data';
/** A defaults file mounted here replaces the shipped defaults and the variables. */
export const MOUNTED_DEFAULTS = '/etc/usp-agent/factory-defaults.json';
/** Where the defaults the agent started with are written (the health check reads them too). */
export const EFFECTIVE_DEFAULTS = join(tmpdir(), 'usp-agent', 'factory-defaults.json');
/** usp-agent's "could not start" exit code (agent/cli/main.ts EXIT_START_FAILED). */
const EXIT_START_FAILED = 2;

const SHIPPED = new URL('../../examples/factory-defaults.json', import.meta.url);
const AGENT = new URL('../../bin/usp-agent.js', import.meta.url);

/** A line in the agent's log format, so `docker logs` reads as one stream. */
function log(level: 'error' | 'warn' | 'info', msg: string, fields: Record<string, string> = {}): void {
  let s = `level=${level} component=docker msg=${JSON.stringify(msg)}`;
  for (const [k, v] of Object.entries(fields)) s += ` ${k}=${JSON.stringify(v)}`;
  (level === 'info' ? process.stdout : process.stderr).write(`${s}\n`);
}

function readJsonObject(file: string, what: string, fix: string): DefaultsFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${what} ${file}: ${e instanceof Error ? e.message : String(e)}; ${fix}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${what} ${file}: not a JSON object of TR-181 paths to values; ${fix}`);
  return doc as DefaultsFile;
}

function prepare(): string[] {
  const shipped = readJsonObject(fileURLToPath(SHIPPED), 'shipped defaults', 'the image is damaged: rebuild it');
  const mounted = existsSync(MOUNTED_DEFAULTS)
    ? readJsonObject(MOUNTED_DEFAULTS, 'mounted defaults', `mount a readable JSON factory-defaults file at ${MOUNTED_DEFAULTS} (README "The factory-defaults file")`)
    : undefined;
  const s = settingsFromEnv(process.env, shipped, mounted);
  if (mounted) log('info', 'using the mounted factory defaults', { file: MOUNTED_DEFAULTS });
  if (s.ignored.length) log('warn', `a mounted defaults file replaces ${s.ignored.join(', ')}: not applied`, { file: MOUNTED_DEFAULTS });
  if (s.applied.length) log('info', 'settings from the environment', { variables: s.applied.join(',') });
  const seeding = s.applied.filter((v) => !OPTION_VARIABLES.includes(v));
  if (existsSync(join(DATA_DIR, 'state.json')) && (seeding.length || mounted)) {
    log(
      'warn',
      `${DATA_DIR} holds saved state, which wins over factory defaults: ${seeding.length ? seeding.join(', ') : 'the mounted file'} take effect on an empty volume or after Device.FactoryReset()`,
    );
  }
  mkdirSync(join(EFFECTIVE_DEFAULTS, '..'), { recursive: true, mode: 0o700 });
  // 0600: an MQTT password from USP_MQTT_URL is in it.
  writeFileSync(EFFECTIVE_DEFAULTS, `${JSON.stringify(s.defaults, null, 2)}\n`, { mode: 0o600 });
  return ['run', '--defaults', EFFECTIVE_DEFAULTS, '--data-dir', DATA_DIR, '--platform', 'simulated', ...s.args];
}

let runArgs: string[];
try {
  await holdVolume(DATA_DIR);
  runArgs = prepare();
} catch (e) {
  const msg = e instanceof Error ? e.message : String(e);
  log('error', e instanceof ContainerSettingError ? `${msg} (${e.variable} sets ${CONTAINER_VARIABLES[e.variable]})` : msg);
  process.exit(EXIT_START_FAILED);
}
// The agent's launcher reads process.argv when it loads: hand it the `run` command line.
process.argv = [process.argv[0]!, fileURLToPath(AGENT), ...runArgs, ...process.argv.slice(2)];
await import(AGENT.href);

/**
 * `usp-agent fleet`: runs gateways first…first+count-1 (or one shard of them) in this process
 * until SIGTERM/SIGINT, which stops every gateway cleanly and exits 0. Usage errors (a count
 * below 1, a shard index out of range, a defaults file whose EndpointID lacks `{n}`) exit 2
 * before anything starts; a first gateway that cannot start exits 2 with the reason.
 */
import { createLogger, type LogLevel } from '../../datamodel/Logger.js';
import { Schema } from '../../datamodel/schema/Schema.js';
import type { Agent, AgentOptions, AgentTlsFiles, PlatformName } from '../Agent.js';
import { readDefaultsFile } from '../defaults/apply-defaults.js';
import { Fleet } from './Fleet.js';
import { memoryReportLine } from './memory-report.js';
import { checkFleetDefaults, checkFleetTlsFiles } from './gateway-defaults.js';
import { showProgress, summaryLine } from './progress.js';
import { FleetUsageError, shardIndexFrom, shardRange } from './shard.js';

/** Exit code of a usage error or of a fleet that cannot start (as `run`'s EXIT_START_FAILED). */
export const EXIT_FLEET_USAGE = 2;
/** How long the summary waits for the last gateways to connect after the last start. */
const CONNECT_WAIT_MS = 30_000;
/**
 * After SIGTERM, a stop that hangs ends the process anyway. 10,000 gateways take a while to
 * close their links and save (deploy/kubernetes/ gives the pods 90 s).
 */
const HARD_STOP_MS = 60_000;

export interface FleetArgs {
  count: number;
  first: number;
  defaults: string;
  dataDir: string;
  platform: PlatformName;
  seed: number;
  persist: boolean;
  ramp?: number;
  shardIndex?: number;
  shardCount?: number;
  logLevel: LogLevel;
  vendorPrefix?: string;
  /** `--cert`/`--key`/`--ca`; `{n}` in the cert and key paths: a certificate per gateway. */
  tls?: AgentTlsFiles;
  /** `--memory-report`: print the process's memory split (memory-report.ts) after the summary and on every SIGUSR2. */
  memoryReport?: boolean;
  /** Agent.start (Fleet.ts says why it is handed in). */
  startAgent: (opts: AgentOptions) => Promise<Agent>;
}

export async function runFleet(a: FleetArgs): Promise<void> {
  let fleet: Fleet;
  try {
    if (a.platform !== 'simulated') throw new FleetUsageError(`--platform ${a.platform}: a fleet runs simulated gateways only (--platform simulated)`);
    if (!Number.isSafeInteger(a.seed) || a.seed < 0) throw new FleetUsageError(`--seed ${a.seed}: must be a whole number >= 0`);
    if (a.ramp !== undefined && !(a.ramp >= 0)) throw new FleetUsageError(`--ramp ${a.ramp}: must be a number of starts per second >= 0`);
    const range = shardRange({ count: a.count, first: a.first, shardIndex: shardIndexFrom(a.shardIndex, process.env), shardCount: a.shardCount });
    const defaults = readDefaultsFile(a.defaults);
    checkFleetDefaults(defaults, a.defaults);
    checkFleetTlsFiles(a.tls);
    const log = createLogger(a.logLevel, 'fleet');
    fleet = new Fleet({
      range,
      defaults,
      dataDir: a.dataDir,
      persist: a.persist,
      platform: a.platform,
      seed: a.seed,
      rampPerSecond: a.ramp,
      schema: Schema.load(),
      log,
      vendorPrefix: a.vendorPrefix,
      tls: a.tls,
      startAgent: a.startAgent,
    });
    log.info('fleet starting', { first: range.first, count: range.count, persist: a.persist });
  } catch (e) {
    process.stderr.write(`usp-agent fleet: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(EXIT_FLEET_USAGE);
  }
  let stopRequested = false;
  const shutdown = (signal: string): void => {
    if (stopRequested) return;
    stopRequested = true;
    process.stderr.write(`usp-agent fleet: ${signal}; stopping every gateway\n`);
    setTimeout(() => {
      process.stderr.write('usp-agent fleet: stop did not finish in time; exiting anyway\n');
      process.exit(0);
    }, HARD_STOP_MS).unref();
    void fleet.stop().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  // Every way out (a stop that did not finish in time included) removes the fleet's temporary directory.
  process.on('exit', () => fleet.removeScratch());
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // SIGHUP would end Node; as for `run`, it means "dial now" (here: nothing to do, each gateway retries on its own).
  process.on('SIGHUP', () => undefined);
  const reportMemory = (): void => {
    process.stdout.write(memoryReportLine(fleet.status().started));
  };
  if (a.memoryReport) process.on('SIGUSR2', reportMemory);
  // The gateways' timers are unref'd: this holds the process open while they run.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const t0 = Date.now();
  const endProgress = showProgress(process.stderr, () => fleet.status(), t0);
  try {
    await fleet.start();
  } catch (e) {
    if (stopRequested) return;
    endProgress();
    clearInterval(keepAlive);
    process.stderr.write(`usp-agent fleet: the first gateway did not start: ${e instanceof Error ? e.message : String(e)}\n`);
    await fleet.stop();
    process.exit(EXIT_FLEET_USAGE);
  }
  const deadline = Date.now() + CONNECT_WAIT_MS;
  while (!stopRequested && Date.now() < deadline) {
    const s = fleet.status();
    if (s.connected + s.errors >= s.total) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (stopRequested) return;
  endProgress();
  process.stdout.write(summaryLine(fleet.status(), Date.now() - t0));
  if (a.memoryReport) reportMemory();
}

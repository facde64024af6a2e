/**
 * N simulated gateways in one process, each a whole Agent (its own data model, store, MTP
 * connections, Controller and Subscription tables, Boot!, Periodic!, notifications, Operate),
 * numbered first…first+count-1. They share what is immutable (the loaded schema, the code, the
 * supported model's tree: SharedSupportedModel, built by the first gateway's start); the rest is
 * per gateway. Starts are spread over time (`rampPerSecond`, with jitter) so a fleet
 * start is not a SYN flood on the broker; reconnects then follow each gateway's own back-off.
 * A Reboot()/FactoryReset() restarts that gateway in-process, as `usp-agent run` does for one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { Schema } from '../../datamodel/schema/Schema.js';
import { SharedSupportedModel } from '../../datamodel/tree/SupportedTree.js';
import type { Agent, AgentOptions, AgentTlsFiles, PlatformName } from '../Agent.js';
import type { BootRecord } from '../boot-cause.js';
import type { DefaultsFile } from '../defaults/apply-defaults.js';
import { gatewayDefaults, gatewaySeed, gatewayTlsFiles } from './gateway-defaults.js';
import { gatewayLogger } from './gateway-logger.js';

/** How often a fleet gateway reads its alarm conditions (a single agent: every 30 s). */
const FLEET_ALARM_CHECK_S = 300;
const FLEET_ALARM_CHECK_MS = FLEET_ALARM_CHECK_S * 1000;
import type { GatewayRange } from './shard.js';

/** Starts in flight at once while ramping: bounds memory and the event loop's queue during a start. */
const MAX_STARTING = 16;
/**
 * Stops in flight at once. Calling stop() on 10,000 agents together ran ~10 s of their
 * synchronous first steps before any timer: the fleet's own hard-stop timer could not fire.
 */
const MAX_STOPPING = 64;

export interface FleetOptions {
  range: GatewayRange;
  /** The fleet's defaults, `{n}` not yet substituted (gateway-defaults.ts). */
  defaults: DefaultsFile;
  /** With `persist`, gateway n keeps its state in `<dataDir>/<n>/` (and its control socket there). */
  dataDir: string;
  persist: boolean;
  platform: PlatformName;
  /** The fleet's seed; each gateway's comes from it and its number. */
  seed: number;
  /** Gateway starts per second; 0 or undefined: as fast as starts complete. */
  rampPerSecond?: number;
  schema: Schema;
  log: Logger;
  vendorPrefix?: string;
  /**
   * `--cert`/`--key`/`--ca` (PEM paths) for TLS MTPs (MQTT over TLS, wss): `{n}` in the cert and
   * key paths gives each gateway its own certificate, else all share one (gatewayTlsFiles).
   */
  tls?: AgentTlsFiles;
  /** Uniform [0, 1) for the ramp's jitter (tests may fix it). */
  random?: () => number;
  /**
   * Agent.start, handed in by the command that imports the composition root: this module is
   * loaded with import(), and a module reached that way must not import agent/Agent.ts (esbuild
   * would then wrap the whole agent in lazy initialisers; test/integration/bundle-start-path.test.ts).
   */
  startAgent: (opts: AgentOptions) => Promise<Agent>;
}

/** Counts for the progress and summary lines. */
export interface FleetStatus {
  total: number;
  started: number;
  /** Gateways whose every dialled link (MQTT client, WebSocket client) is up (those with none count once started). */
  connected: number;
  /** Starts that failed (each logged with its gateway number). */
  errors: number;
}

export class Fleet {
  private readonly agents = new Map<number, Agent>();
  private errors = 0;
  private stopping = false;
  private readonly supervised: Promise<void>[] = [];
  /** Starts under way (at most MAX_STARTING), awaited by stop(). */
  private readonly starting = new Set<Promise<void>>();
  /**
   * Without --persist: the one temporary directory of every gateway's files (`<n>/software`),
   * made at the first start and removed by stop() and removeScratch(). One per fleet, not one
   * per gateway, so even a fleet killed outright (SIGKILL, OOM) leaves a single directory.
   */
  private scratch?: string;
  /**
   * The supported-model tree every gateway serves (one schema, platform, vendor prefix and
   * defaults file): the first start, awaited alone, builds it; the others keep only their bindings.
   */
  private readonly supportedModel = new SharedSupportedModel();

  constructor(private readonly opts: FleetOptions) {}

  /** Gateway n's data directory (with --persist). */
  dirOf(n: number): string {
    return join(this.opts.dataDir, String(n));
  }

  /** The running agent of gateway n, if started. */
  agent(n: number): Agent | undefined {
    return this.agents.get(n);
  }

  status(): FleetStatus {
    let connected = 0;
    for (const a of this.agents.values()) {
      const l = a.dialledLinks;
      if (l.up === l.total) connected++;
    }
    return { total: this.opts.range.count, started: this.agents.size, connected, errors: this.errors };
  }

  /**
   * Starts every gateway, ramping. The first start is awaited alone and its failure thrown: bad
   * defaults would fail every gateway the same way. Later failures are counted and logged.
   * Resolves once every start has been tried (or stop() was called).
   */
  async start(): Promise<void> {
    const { first, count } = this.opts.range;
    await this.track(this.startGateway(first, true));
    const rate = this.opts.rampPerSecond ?? 0;
    const random = this.opts.random ?? Math.random;
    const t0 = Date.now();
    for (let i = 1; i < count && !this.stopping; i++) {
      if (rate > 0) {
        // Gateway i is due i/rate seconds in, moved by up to half a slot either way (jitter), so
        // shards started together do not connect in step.
        const due = t0 + ((i + random() - 0.5) * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      if (this.stopping) break;
      void this.track(this.startGateway(first + i, false));
      if (this.starting.size >= MAX_STARTING) await Promise.race(this.starting);
      // An in-memory start is promise work only: without a turn of the event loop between starts
      // no gateway would connect, and no signal be handled, until the last one had started.
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(this.starting);
  }

  private track(p: Promise<void>): Promise<void> {
    const t = p.finally(() => this.starting.delete(t));
    this.starting.add(t);
    return t;
  }

  private async startGateway(n: number, rethrow: boolean): Promise<void> {
    try {
      const agent = await this.startAgent(n);
      if (this.stopping) {
        await agent.stop();
        return;
      }
      this.agents.set(n, agent);
      this.supervised.push(this.supervise(n, agent));
    } catch (e) {
      if (rethrow) throw e;
      this.errors++;
      this.opts.log.error('gateway did not start', { gateway: n, error: e instanceof Error ? e.message : String(e) });
    }
  }

  private startAgent(n: number, bootRecord?: BootRecord): Promise<Agent> {
    const o = this.opts;
    return o.startAgent({
      defaults: gatewayDefaults(o.defaults, n),
      dataDir: o.persist ? this.dirOf(n) : undefined,
      scratchDir: o.persist ? undefined : join((this.scratch ??= mkdtempSync(join(tmpdir(), 'usp-agent-fleet-'))), String(n)),
      platform: o.platform,
      log: gatewayLogger(o.log, n),
      seed: gatewaySeed(o.seed, n),
      // Serial numbers and MACs from the number, not the seed: a Controller keys devices on OUI-ProductClass-SerialNumber.
      unit: n,
      schema: o.schema,
      sharedModel: this.supportedModel,
      vendorPrefix: o.vendorPrefix,
      tls: gatewayTlsFiles(o.tls, n),
      bootRecord,
      // The agent's own alarm checks (Device.FaultMgmt.): every 5 min rather than 30 s, and each
      // gateway on its own second of those 5 min, so a fleet's idle CPU stays flat (issue 14).
      alarmCheckMs: FLEET_ALARM_CHECK_MS,
      alarmCheckPhase: (n % FLEET_ALARM_CHECK_S) / FLEET_ALARM_CHECK_S,
    });
  }

  /** A Reboot()/FactoryReset() of one gateway starts it again in-process; its Boot! says why. */
  private async supervise(n: number, agent: Agent): Promise<void> {
    for (let current = agent; ;) {
      const reason = await current.stopped;
      this.agents.delete(n);
      if (reason.kind !== 'restart' || this.stopping) return;
      try {
        current = await this.startAgent(n, { cause: reason.cause, commandKey: reason.commandKey });
      } catch (e) {
        this.errors++;
        this.opts.log.error('gateway did not restart', { gateway: n, error: e instanceof Error ? e.message : String(e) });
        return;
      }
      if (this.stopping) {
        await current.stop();
        return;
      }
      this.agents.set(n, current);
    }
  }

  /** Stops every gateway cleanly (answer what is in flight, close the links, save state). */
  async stop(): Promise<void> {
    this.stopping = true;
    // A start under way stops its agent itself once it sees `stopping`.
    await Promise.allSettled([...this.starting]);
    const stopping = new Set<Promise<void>>();
    for (const a of [...this.agents.values()]) {
      const p: Promise<void> = a.stop().finally(() => stopping.delete(p));
      stopping.add(p);
      if (stopping.size >= MAX_STOPPING) await Promise.race(stopping);
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(stopping);
    await Promise.all(this.supervised);
    this.removeScratch();
  }

  /**
   * Removes the fleet's temporary directory (synchronous, so a process `exit` handler can call it
   * when a stop did not finish in time). The gateways' units go with it: they were in memory only.
   */
  removeScratch(): void {
    if (this.scratch === undefined) return;
    rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
  }
}

/**
 * Device.UPnP.Device. and .Capabilities. (UPnPDev:1) on generic Linux with `--upnp-igd miniupnpd`:
 * the gateway's own UPnP device is a miniupnpd the agent runs as its child on a file it makes
 * (miniupnpd-conf.ts), the way it runs dnsmasq and Mosquitto (ConfiguredDaemon).
 *
 * - Enable and UPnPIGD are kept in the agent's store (both false until a Controller or the
 *   factory defaults set them: a listening service is off until asked for). miniupnpd runs while
 *   both are true, once the transaction is committed and before the answer; either false stops
 *   it (it says ssdp:byebye). The other device types are refused when set true (7012).
 * - Capabilities: UPnP 1.1, IGD 2, 0 for everything else (../upnp/device-functions.ts).
 * - The WAN and LAN sides are read when the file is made: again every 30 s while UPnP is on, so
 *   a WAN that comes up after the agent (DHCP) or a new LAN address starts or moves miniupnpd.
 *   Without both sides nothing runs (logged once per reason).
 * - The root device's UUID is made once and kept in the store beside the switches.
 * - Port mappings: miniupnpd writes them to the agent's table `inet usp_agent_upnp`, made fresh
 *   before each (re)start of miniupnpd on a new file (it reloads its lease file at start) and
 *   removed when UPnP is turned off or the agent stops. miniupnpd maps only where the WAN address
 *   is public (it refuses behind a NAT: a private or CGNAT WAN address).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { constantObject } from '../../datamodel/tree/binding-helpers.js';
import type { Value } from '../../datamodel/value/Value.js';
import { CommitApplier } from '../commit-applier.js';
import { ConfiguredDaemon } from '../exec/ConfiguredDaemon.js';
import { igdCapabilities, refuseNotIgd, UPNP_CAPABILITIES, UPNP_DEVICE, UPNP_DEVICE_PARAMS, upnpDeviceValues } from '../upnp/device-functions.js';
import type { IpLink } from './ip-addr.js';
import type { LinuxContext } from './LinuxContext.js';
import { DEFAULT_UPNP_TABLE, igdSides, MINIUPNPD_BIN, miniupnpdArgs, miniupnpdConfText, upnpTableScript } from './miniupnpd-conf.js';
import { defaultRouteInterfaces } from './proc-parsers.js';
import { SerialRuns } from '../serial-runs.js';

/** How often the sides are read again while UPnP is on. */
const RECHECK_MS = 30_000;
const UUID_KEY = '$uuid';

export interface LinuxUPnPDeviceOptions {
  /** The devices and their addresses (the shared `ip -j addr` snapshot). */
  links: () => Promise<ReadonlyMap<string, IpLink>>;
  store: DataStore;
  /** Where its files go (the agent's data directory). */
  dataDir: string;
  binary?: string;
  /** The nftables table of its port mappings (tests running side by side give each agent its own). */
  table?: string;
}

/** Registers Device.UPnP.Device. and its Capabilities; `start` (once the store is loaded) runs miniupnpd if asked for, `stop` ends it. */
export function registerLinuxUPnPDevice(ctx: LinuxContext, opts: LinuxUPnPDeviceOptions, loaded: Array<() => Promise<void>>, stops: Array<() => void>): void {
  const d = new LinuxUPnPDevice(ctx, opts);
  d.register();
  loaded.push(() => d.start());
  stops.push(() => d.stop());
}

export class LinuxUPnPDevice {
  private readonly dir: string;
  private readonly daemon: ConfiguredDaemon;
  private readonly applying = new SerialRuns();
  private timer?: ReturnType<typeof setInterval>;
  private notRunning?: string;
  /** The file miniupnpd runs on (undefined: none), so the table is made afresh only with a new start. */
  private running?: string;
  private stopped = false;

  constructor(
    private readonly ctx: LinuxContext,
    private readonly opts: LinuxUPnPDeviceOptions,
  ) {
    this.dir = join(opts.dataDir, 'upnp-igd');
    const confFile = join(this.dir, 'miniupnpd.conf');
    this.daemon = new ConfiguredDaemon({
      name: 'miniupnpd',
      binary: opts.binary ?? MINIUPNPD_BIN,
      confFile,
      // The agent's record of the child; miniupnpd's own (-P) is another file: it refuses to start while the pid in its file runs.
      pidFile: join(this.dir, 'agent-child.pid'),
      args: miniupnpdArgs(confFile, join(this.dir, 'miniupnpd.pid')),
      ready: /HTTP listening on port \d+/,
      offMessage: 'Device.UPnP.Device. Enable or UPnPIGD false',
      log: ctx.log,
    });
  }

  register(): void {
    // Now, before anything can start ours: the factory defaults' transaction commits (and runs
    // miniupnpd) before start() is called, and its child would then look like a leftover.
    this.daemon.endLeftover();
    const { changed } = new CommitApplier(this.ctx.model, () => this.apply(), this.ctx.log, 'UPnP device (miniupnpd) configuration');
    this.ctx.model.register(UPNP_DEVICE, new UPnPDeviceBinding(this.opts.store, changed));
    this.ctx.model.register(UPNP_CAPABILITIES, constantObject(igdCapabilities(2)));
  }

  /** Runs miniupnpd if the stored switches say so (a miniupnpd an earlier agent left was ended at register). */
  async start(): Promise<void> {
    await this.apply();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.daemon.stop();
    if (this.running !== undefined) void this.writeTable(false);
    this.running = undefined;
  }

  /** Makes the file from the store and the interfaces as they are now, after the runs before. */
  apply(): Promise<void> {
    return this.applying.run(() => this.applyNow());
  }

  private async applyNow(): Promise<void> {
    if (this.stopped) return;
    const row = this.opts.store.row(UPNP_DEVICE) ?? {};
    const wanted = row.Enable === true && row.UPnPIGD === true;
    this.recheck(wanted);
    if (!wanted) {
      this.notRunning = undefined;
      await this.off();
      return;
    }
    const sides = igdSides(await this.defaultRoute(), await this.ipv4Devices());
    if ('why' in sides) {
      if (this.notRunning !== sides.why) this.ctx.log?.warn('UPnP IGD (miniupnpd) not running', { why: sides.why });
      this.notRunning = sides.why;
      await this.off();
      return;
    }
    this.notRunning = undefined;
    const uuid = typeof row[UUID_KEY] === 'string' ? row[UUID_KEY] : randomUUID();
    const text = miniupnpdConfText({ ...sides, uuid, pidFile: join(this.dir, 'miniupnpd.pid'), leaseFile: join(this.dir, 'leases'), table: this.table });
    if (text === this.running) return;
    await this.writeTable(true);
    await this.daemon.apply(text);
    this.running = text;
  }

  private get table(): string {
    return this.opts.table ?? DEFAULT_UPNP_TABLE;
  }

  private async off(): Promise<void> {
    await this.daemon.apply(undefined);
    if (this.running !== undefined) await this.writeTable(false);
    this.running = undefined;
  }

  /** Makes (or removes) the mappings' table; a failure is logged: miniupnpd still answers, its mappings fail. */
  private async writeTable(present: boolean): Promise<void> {
    try {
      await this.ctx.runner.run('nft', ['-f', '-'], { input: upnpTableScript(this.table, present), display: `nft -f - (table inet ${this.table})` });
    } catch (e) {
      this.ctx.log?.warn(present ? 'UPnP IGD port mappings table not made: miniupnpd cannot map ports' : 'UPnP IGD port mappings table not removed', {
        table: this.table,
        why: e instanceof Error ? e.message : String(e),
      });
    }
  }

  /** The periodic re-reading of the sides runs only while UPnP is on (an idle agent keeps no timer). */
  private recheck(on: boolean): void {
    if (on && !this.timer) {
      this.timer = setInterval(() => void this.apply(), RECHECK_MS);
      this.timer.unref();
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async defaultRoute(): Promise<Set<string>> {
    const { files } = this.ctx;
    // IPv4 only: miniupnpd's IGD maps IPv4 ports on ext_ifname.
    return defaultRouteInterfaces(await files.read(files.proc('net', 'route')), undefined);
  }

  private async ipv4Devices(): Promise<string[]> {
    return [...(await this.opts.links()).values()].filter((l) => l.addr_info?.some((a) => a.family === 'inet')).map((l) => l.ifname);
  }
}

/** Device.UPnP.Device.: the two switches (and the UUID) stored; the other device types always false. */
class UPnPDeviceBinding implements ObjectBinding {
  readonly params = UPNP_DEVICE_PARAMS;
  readonly stored = true;
  readonly changesOnlyThroughAgent = true;

  constructor(
    private readonly store: DataStore,
    private readonly changed: () => void,
  ) {}

  get(): Record<string, Value> {
    const row = this.store.row(UPNP_DEVICE) ?? {};
    return upnpDeviceValues(row.Enable === true, row.UPnPIGD === true);
  }

  set(_keys: InstanceKeys, changes: Record<string, Value>): void {
    refuseNotIgd(changes);
    const before = this.store.row(UPNP_DEVICE) ?? {};
    const next: Record<string, Value> = { Enable: false, UPnPIGD: false, ...before };
    if (changes.Enable !== undefined) next.Enable = changes.Enable === true;
    if (changes.UPnPIGD !== undefined) next.UPnPIGD = changes.UPnPIGD === true;
    if (typeof next[UUID_KEY] !== 'string') next[UUID_KEY] = randomUUID();
    this.store.setRow(UPNP_DEVICE, next);
    this.changed();
  }
}

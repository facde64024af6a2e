/**
 * Device.Firewall. on generic Linux (TR-181 SimpleFirewall:1): Enable and Config kept in the
 * agent's store and put into effect as one nftables table the agent owns (`inet
 * usp_agent_firewall`; firewall-rules.ts says what High and Low become). Enable false removes
 * the table.
 *
 * - Factory state: Enable false, Config Low, nothing written to netfilter. A generic Linux host
 *   has a firewall of its own, or none on purpose: the agent leaves it be until a Controller or
 *   the factory-defaults file switches Device.Firewall.Enable on.
 * - Config Advanced puts the Level AdvancedLevel names into effect in the same table
 *   (firewall-advanced.ts keeps the Level/Chain/Rule tables, firewall-advanced-rules.ts says what
 *   they become). Config Policy (the Policy table) is not served: 7012.
 * - Each change is written to the kernel before it is answered; when nft refuses it the change
 *   is refused with 7003 and the store put back. A commit whose save failed puts the store back
 *   (DataStore.revert) and the kernel follows.
 * - WAN = the interfaces that carry a default route (as Ethernet.Interface.Upstream reads it),
 *   looked up at each write; while the table is in place an `ip -o monitor route` watcher
 *   rewrites it when a default route comes or goes (a WAN that gets its address after the
 *   agent started is covered once it does).
 * - The agent's MTP listeners (enabled Device.LocalAgent.MTP rows: WebSocket.Port over TCP,
 *   CoAP.Port over UDP) stay open on the WAN side; after every committed change the ports are
 *   read again and the table rewritten when they moved, before the MTP restarts on the new port.
 * - At start the stored setting is written again (a reboot empties netfilter). The table stays
 *   when the agent stops: the firewall's setting is the device's configuration, not the agent's
 *   session, and an agent restart or upgrade must not open the LAN and the device to the WAN side
 *   (TR-181's Enable says nothing of the management agent's lifetime). An operator removes it
 *   with `nft delete table inet usp_agent_firewall`, or by setting Enable false.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { dateTimeOf, UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { canonicalizeReferences } from '../reference.js';
import { LineProcess } from '../exec/LineProcess.js';
import { invalid, type Row } from '../stored-table.js';
import { AdvancedFirewallTables } from './firewall-advanced.js';
import { advancedScript, type AdvancedPlan } from './firewall-advanced-rules.js';
import { DEFAULT_FIREWALL_TABLE, firewallScript, type FirewallLevel, type FirewallPlan } from './firewall-rules.js';
import type { HostFiles } from './HostFiles.js';
import type { IpInterfaceNames } from './nat.js';
import { effectiveCapabilities } from './packet-classes.js';
import { defaultRouteInterfaces } from './proc-parsers.js';
import { nftUsable } from './nft-usable.js';

const FIREWALL = 'Device.Firewall.';
const PARAMS = ['Enable', 'Config', 'AdvancedLevel', 'Type', 'Version', 'LastChange'] as const;
/** The firewall settings version this agent writes (Device.Firewall.Version, at most 16 characters). */
export const FIREWALL_VERSION = 'usp-agent-nft-1';
const CONFIGS: ReadonlySet<string> = new Set(['High', 'Low', 'Advanced']);

export interface LinuxFirewallOptions {
  model: DataModel;
  store: DataStore;
  runner: CommandRunner;
  files: HostFiles;
  /** The devices of IP.Interface references (Rule SourceInterface/DestInterface). */
  interfaces: IpInterfaceNames;
  /** The agent's nftables table (default usp_agent_firewall). */
  table?: string;
  now: () => number;
  log?: Logger;
}

/**
 * Whether the agent may keep its firewall table: the setting (`--firewall nftables|off`;
 * undefined = on where possible), `nft` installed and the agent holding CAP_NET_ADMIN.
 */
export function firewallUsable(setting: boolean | undefined, nftPath: string | undefined, capEffHex = effectiveCapabilities()): { usable: boolean; why?: string } {
  return nftUsable(nftPath, capEffHex, setting === false ? '--firewall off' : undefined);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class LinuxFirewall {
  readonly table: string;
  private writing: Promise<void> = Promise.resolve();
  /** The plan last written (undefined: the table is not in place). */
  private written?: string;
  private routes?: LineProcess;
  private stopped = false;
  readonly advanced: AdvancedFirewallTables;

  constructor(readonly opts: LinuxFirewallOptions) {
    this.table = opts.table ?? DEFAULT_FIREWALL_TABLE;
    this.advanced = new AdvancedFirewallTables({
      model: opts.model,
      store: opts.store,
      interfaces: opts.interfaces,
      activeLevel: () => this.activeLevel(),
      write: async () => {
        try {
          await this.write();
        } catch (e) {
          throw new UspError(ErrorCode.InternalError, `the firewall (nftables table inet ${this.table}) did not take the change, so nothing changed: ${message(e)}`);
        }
      },
      // The firewall's settings changed; a firewall never configured stays without a stored row (netfilter left alone at start).
      changed: () => {
        const row = opts.store.row(FIREWALL);
        if (row !== undefined) opts.store.setRow(FIREWALL, { ...row, LastChange: dateTimeOf(opts.now()) });
      },
    });
  }

  /** Serves Device.Firewall. and follows MTP port changes and failed saves. */
  register(): void {
    this.opts.model.register(FIREWALL, new FirewallBinding(this));
    this.advanced.register();
    this.opts.model.onCommit(
      // After any committed change: an MTP row's port may have moved.
      () => (this.enabled() ? this.write().catch((e: unknown) => this.opts.log?.warn('firewall rules not rewritten', { why: message(e) })) : Promise.resolve()),
      // A commit whose save failed puts the store back as saved: the kernel follows.
      () => void this.write().catch(() => undefined),
    );
  }

  /** The stored setting ({} before any change). */
  row(): Row {
    return this.opts.store.row(FIREWALL) ?? {};
  }

  enabled(): boolean {
    return this.row().Enable === true;
  }

  level(): FirewallLevel {
    const c = this.row().Config;
    return c === 'High' ? 'High' : 'Low';
  }

  /** Config as stored: High, Low or Advanced. */
  config(): string {
    return this.row().Config === 'Advanced' ? 'Advanced' : this.level();
  }

  /** The Level in effect when Config is Advanced (a reference), else undefined. */
  activeLevel(): string | undefined {
    const row = this.row();
    return row.Enable === true && row.Config === 'Advanced' ? String(row.AdvancedLevel ?? '') : undefined;
  }

  /** Writes the stored setting again (a reboot empties netfilter); never configured: netfilter left alone. */
  async start(): Promise<void> {
    if (this.opts.store.row(FIREWALL) === undefined) return;
    try {
      await this.write(true);
      this.opts.log?.info('firewall written from the stored setting', { table: `inet ${this.table}`, enable: this.enabled(), config: this.level() });
    } catch (e) {
      this.opts.log?.warn('firewall could not be written; it is written again at the next change', { table: `inet ${this.table}`, why: message(e) });
    }
  }

  /** Ends the route watcher; the table stays (see the file comment). */
  stop(): void {
    this.stopped = true;
    this.routes?.stop();
    this.routes = undefined;
  }

  /** Puts the stored setting into effect, once the writes before it are done; unchanged: nothing run. */
  write(force = false): Promise<void> {
    const run = this.writing.then(async () => {
      const plan = this.enabled() ? await this.plan() : undefined;
      const text = plan && JSON.stringify(plan);
      if (!force && text === this.written) return;
      const script = plan?.advanced ? advancedScript(this.table, plan.advanced, { tcp: plan.tcpPorts, udp: plan.udpPorts }) : firewallScript(this.table, plan);
      await this.opts.runner.run('nft', ['-f', '-'], { input: script, display: `nft -f - (table inet ${this.table})` });
      this.written = text;
      this.watchRoutes(plan !== undefined);
      if (plan && !plan.advanced && plan.wan.length === 0)
        this.opts.log?.warn('firewall enabled, but no interface carries a default route yet: nothing is filtered until one does', { table: `inet ${this.table}` });
      this.opts.log?.debug('firewall written', { table: `inet ${this.table}`, ...(plan ? { level: plan.level, wan: plan.wan.join(',') } : { removed: true }) });
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async plan(): Promise<FirewallPlan & { advanced?: AdvancedPlan }> {
    const { files } = this.opts;
    const [route, route6] = await Promise.all([files.read(files.proc('net', 'route')), files.read(files.proc('net', 'ipv6_route'))]);
    const wan = [...defaultRouteInterfaces(route, route6)].sort();
    const active = this.activeLevel();
    const advanced = active === undefined ? undefined : this.advanced.plan(active);
    return { level: this.level(), wan, ...(await this.mtpPorts()), ...(advanced ? { advanced } : {}) };
  }

  /** The listening ports of the enabled Device.LocalAgent.MTP rows. */
  private async mtpPorts(): Promise<{ tcpPorts: number[]; udpPorts: number[] }> {
    const { model } = this.opts;
    const tcpPorts: number[] = [];
    const udpPorts: number[] = [];
    const table = model.node('Device.LocalAgent.MTP.{i}.');
    if (!table) return { tcpPorts, udpPorts };
    try {
      for (const n of await model.listInstances(table, [], {})) {
        const mtp = await model.readValues({ node: table, keys: [n] }, {});
        if (mtp.Enable !== true) continue;
        const sub = mtp.Protocol === 'WebSocket' ? 'WebSocket' : mtp.Protocol === 'CoAP' ? 'CoAP' : undefined;
        const node = sub && model.node(`Device.LocalAgent.MTP.{i}.${sub}.`);
        if (!node) continue;
        const port = Number((await model.readValues({ node, keys: [n] }, {})).Port);
        (sub === 'WebSocket' ? tcpPorts : udpPorts).push(port);
      }
    } catch (e) {
      this.opts.log?.warn('the MTP rows could not be read for the firewall', { why: message(e) });
    }
    return { tcpPorts, udpPorts };
  }

  /** Runs `ip -o monitor route` while the table is in place: a default route that comes or goes moves the WAN. */
  private watchRoutes(on: boolean): void {
    if (!on || this.stopped) {
      this.routes?.stop();
      this.routes = undefined;
      return;
    }
    if (this.routes) return;
    this.routes = new LineProcess({
      runner: this.opts.runner,
      cmd: 'ip',
      args: ['-o', 'monitor', 'route'],
      log: this.opts.log,
      onLine: (line) => {
        if (/^(Deleted )?default /.test(line)) void this.write().catch((e: unknown) => this.opts.log?.warn('firewall not rewritten after a route change', { why: message(e) }));
      },
      // Changes missed while no watcher ran: look again.
      onStart: () => void this.write().catch(() => undefined),
    });
    this.routes.start();
  }
}

/** Device.Firewall.: Enable and Config stored; Type, Version and LastChange derived. */
class FirewallBinding implements ObjectBinding {
  readonly params = PARAMS;
  readonly writable = ['Enable', 'Config', 'AdvancedLevel'] as const;
  readonly stored = true;
  readonly changesOnlyThroughAgent = true;

  constructor(private readonly fw: LinuxFirewall) {}

  get(): Record<string, Value> {
    const row = this.fw.row();
    return {
      Enable: row.Enable === true,
      Config: this.fw.config(),
      // A strong reference: a Level deleted since reads "".
      AdvancedLevel: typeof row.AdvancedLevel === 'string' && this.fw.advanced.hasLevel(row.AdvancedLevel) ? row.AdvancedLevel : '',
      Type: 'Stateful',
      Version: FIREWALL_VERSION,
      LastChange: typeof row.LastChange === 'string' ? row.LastChange : UNKNOWN_TIME,
    };
  }

  async set(_keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    canonicalizeReferences(changes, ['AdvancedLevel']);
    const config = changes.Config;
    if (config !== undefined && !CONFIGS.has(String(config))) {
      throw invalid([{ param: 'Config', message: `${String(config)} is not served on this device (no Policy table): High, Low or Advanced` }]);
    }
    const level = changes.AdvancedLevel;
    if (level !== undefined && level !== '' && !this.fw.advanced.hasLevel(String(level))) throw invalid([{ param: 'AdvancedLevel', message: `${String(level)} is no Device.Firewall.Level row` }]);
    const { store } = this.fw.opts;
    const before = store.row(FIREWALL);
    const next: Record<string, Value> = { Enable: false, Config: 'Low', ...(before ?? {}) };
    if (changes.Enable !== undefined) next.Enable = changes.Enable === true;
    if (config !== undefined) next.Config = config;
    if (level !== undefined) next.AdvancedLevel = level;
    if (next.Config === 'Advanced' && !this.fw.advanced.hasLevel(String(next.AdvancedLevel ?? ''))) {
      throw invalid([{ param: changes.AdvancedLevel !== undefined ? 'AdvancedLevel' : 'Config', message: 'Config Advanced needs AdvancedLevel to name a Device.Firewall.Level row' }]);
    }
    next.LastChange = dateTimeOf(this.fw.opts.now());
    store.setRow(FIREWALL, next);
    try {
      await this.fw.write();
    } catch (e) {
      if (before === undefined) store.setRow(FIREWALL, {});
      else store.setRow(FIREWALL, { ...before });
      throw new UspError(ErrorCode.InternalError, `the firewall (nftables table inet ${this.fw.table}) did not take the setting, so nothing changed: ${message(e)}`);
    }
  }
}

/**
 * Device.Routing.RIP. on generic Linux (TR-181 Routing:1) through a BIRD 2 the agent runs
 * (bird-rip-conf.ts says what each parameter becomes, bird-process.ts how bird is run). Rows are
 * configuration: kept in the agent's store, the file made again and bird asked to re-read it at
 * every change, and at start.
 *
 * - RIP.Enable is false until a Controller sets it: a routing protocol that announces the
 *   device's networks is never started by default. bird runs only while RIP is on and an
 *   enabled row names an interface; otherwise none runs and its routes leave the kernel.
 * - SupportedModes is Both: bird sends (SendRA) and receives (AcceptRA) on each interface.
 * - Only interfaces the agent manages (`--manage-interfaces`) may be named (7002 otherwise), at
 *   most one row per interface (its unique key, 7025), at most MAX_RIP_SETTINGS rows (7005).
 * - A change bird refuses answers 7012 with bird's message; bird keeps the old configuration.
 * - Status: Disabled (the row or RIP.Enable off), Error_Misconfigured (no device now), Error
 *   (bird does not run: the log says why), else Enabled.
 */
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalid, type Row, StoredTable } from '../stored-table.js';
import { birdRipConfText, isBirdDevice, type RipInterface } from './bird-rip-conf.js';
import { BirdProcess } from './bird-process.js';
import { checkSettingInterface, DEVICE_KEY, readSettingInterface, type SettingInterfaceRules, StoredEnableBinding } from './interface-setting.js';
import type { IpInterfaceNames } from './nat.js';

export const RIP = 'Device.Routing.RIP.';
export const RIP_SETTING = 'Device.Routing.RIP.InterfaceSetting.{i}.';
const SETTING_PARAMS = ['Enable', 'Status', 'Alias', 'Interface', 'AcceptRA', 'SendRA'] as const;
const SETTING_LIVE: ReadonlySet<string> = new Set(['Status']);
/** InterfaceSetting rows at most (7005 beyond): a CPE speaks RIP on its WAN and a few LANs. */
export const MAX_RIP_SETTINGS = 8;

export interface LinuxRipOptions {
  model: DataModel;
  store: DataStore;
  interfaces: IpInterfaceNames;
  requireManaged(device: string, path?: string): void;
  /** The agent's data directory: bird's file, pid file and control socket go there. */
  dir: string;
  binary: string;
  log?: Logger;
}

export class LinuxRip {
  private settings!: ModelNode;
  private top!: StoredEnableBinding;
  private readonly rules: SettingInterfaceRules;
  readonly process: BirdProcess;

  constructor(private readonly opts: LinuxRipOptions) {
    this.rules = { interfaces: opts.interfaces, requireManaged: (d, p) => opts.requireManaged(d, p), loopback: 'RIP has no neighbour on loopback' };
    this.process = new BirdProcess({ binary: opts.binary, confFile: join(opts.dir, 'bird.conf'), pidFile: join(opts.dir, 'bird.pid'), socket: join(opts.dir, 'bird.ctl'), log: opts.log });
  }

  register(): void {
    const { model, store } = this.opts;
    // Off until a Controller turns it on; SupportedModes Both: bird sends and receives on each interface.
    this.top = new StoredEnableBinding(store, model.requireNode(RIP), () => this.apply(), { enabledByDefault: false, constants: { SupportedModes: 'Both' } });
    model.register(RIP, this.top);
    this.settings = model.register(
      RIP_SETTING,
      new StoredTable(store, model.requireNode(RIP_SETTING), {
        params: SETTING_PARAMS,
        live: SETTING_LIVE,
        max: MAX_RIP_SETTINGS,
        references: ['Interface'],
        // TR-181 gives AcceptRA and SendRA no default: a RIP interface normally does both.
        defaults: { AcceptRA: true, SendRA: true },
        // Status follows bird and devices that come and go.
        changesOnlyThroughAgent: false,
        check: (keys, merged, changes) => this.check(keys, merged, changes),
        read: (_keys, row) => this.read(row),
        apply: () => this.apply(),
      }),
    );
  }

  /** Runs bird on the stored rows (a leftover of a killed agent ended first). */
  async start(): Promise<void> {
    this.process.endLeftover();
    await this.apply().catch((e: unknown) => this.opts.log?.warn('bird could not be started from the stored RIP rows', { why: e instanceof Error ? e.message : String(e) }));
  }

  stop(): void {
    this.process.stop();
  }

  private rows(): Array<[number, Row]> {
    return this.opts.store.instances(this.settings.tablePathOf([])).map((n) => [n, this.opts.store.row(this.settings.pathOf([n])) ?? {}]);
  }

  private async check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    await checkSettingInterface(this.rules, merged, changes);
    const device = merged[DEVICE_KEY];
    if (changes.Interface !== undefined && typeof device === 'string') {
      if (!isBirdDevice(device)) throw invalid([{ param: 'Interface', message: `bird cannot be given the device name ${JSON.stringify(device)}` }]);
      const n = keys[keys.length - 1];
      const other = this.rows().find(([m, row]) => m !== n && row[DEVICE_KEY] === device);
      // Checked here, before bird is given two blocks for one device; 7025 as the core's own check answers.
      if (other) throw new UspError(ErrorCode.DuplicateUniqueKey, `unique key Interface already used by ${this.settings.pathOf([other[0]])}`, { path: RIP_SETTING });
    }
    return merged;
  }

  private async read(row: Row): Promise<Record<string, Value>> {
    const { out } = await readSettingInterface(this.opts.interfaces, row, this.top.enabled(), () => this.process.status() === 'running');
    return out;
  }

  /** The file made from the store now, bird started, re-configured or stopped on it. */
  async apply(): Promise<void> {
    const running: RipInterface[] = [];
    for (const [n, row] of this.rows()) {
      const device = row[DEVICE_KEY];
      if (row.Enable === true && typeof device === 'string') running.push({ path: this.settings.pathOf([n]).slice(0, -1), device, values: row });
    }
    const refused = await this.process.apply(birdRipConfText(this.top.enabled(), running));
    if (refused !== undefined) throw new UspError(ErrorCode.InvalidValue, `bird refused the RIP configuration: ${refused}`);
    if (this.process.status() === 'failed') throw new UspError(ErrorCode.InternalError, `bird does not run: ${this.process.failure() ?? 'unknown'}`);
  }
}

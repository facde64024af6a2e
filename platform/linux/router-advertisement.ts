/**
 * Device.RouterAdvertisement. on generic Linux (TR-181 RouterAdvertisement:1) through a radvd
 * the agent runs (radvd-conf.ts says what each parameter becomes). Rows are configuration: kept
 * in the agent's store, the file made again and radvd restarted on it at every change, and at
 * start. radvd was chosen over dnsmasq's RA for its mapping: dnsmasq sets neither
 * MinRtrAdvInterval, AdvReachableTime, AdvRetransTimer, AdvCurHopLimit nor the Home Agent flag.
 *
 * - Only interfaces the agent manages (`--manage-interfaces`) may be named (7002 otherwise).
 * - Interface is kept with its device's kernel name beside it (`$device`, as NAT does).
 * - AdvNDProxyFlag is read-only (false) and Option.{i} is not served: radvd can do neither.
 * - Status: Disabled (the row or RouterAdvertisement.Enable off), Error_Misconfigured (no
 *   device now), Error (radvd does not run), else Enabled.
 */
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_RA_SETTINGS, RA_LIVE, RA_SETTING, RA_SETTING_PARAMS, raSettingProblems, ROUTER_ADVERTISEMENT } from '../router-advertisement-rules.js';
import { invalid, type Row, StoredTable } from '../stored-table.js';
import { checkSettingInterface, DEVICE_KEY, readSettingInterface, type SettingInterfaceRules, StoredEnableBinding } from './interface-setting.js';
import type { IpInterfaceNames } from './nat.js';
import { type AdvertisingInterface, radvdConfText } from './radvd-conf.js';
import { RadvdProcess } from './radvd-process.js';

/** What a Set can change: every served writable parameter but AdvNDProxyFlag (radvd cannot set the P flag). */
const RA_WRITABLE = RA_SETTING_PARAMS.filter((p) => p !== 'Status' && p !== 'AdvNDProxyFlag');

export interface LinuxRouterAdvertisementOptions {
  model: DataModel;
  store: DataStore;
  interfaces: IpInterfaceNames;
  requireManaged(device: string, path?: string): void;
  /** The agent's data directory: radvd's file and pid file go there. */
  dir: string;
  binary: string;
  log?: Logger;
}

export class LinuxRouterAdvertisement {
  private settings!: ModelNode;
  private top!: StoredEnableBinding;
  private readonly rules: SettingInterfaceRules;
  readonly process: RadvdProcess;

  constructor(private readonly opts: LinuxRouterAdvertisementOptions) {
    this.rules = { interfaces: opts.interfaces, requireManaged: (d, p) => opts.requireManaged(d, p), loopback: 'loopback has no link layer to advertise on' };
    this.process = new RadvdProcess({ binary: opts.binary, confFile: join(opts.dir, 'radvd.conf'), pidFile: join(opts.dir, 'radvd.pid'), log: opts.log });
  }

  register(): void {
    const { model, store } = this.opts;
    this.top = new StoredEnableBinding(store, model.requireNode(ROUTER_ADVERTISEMENT), () => this.apply());
    model.register(ROUTER_ADVERTISEMENT, this.top);
    this.settings = model.register(
      RA_SETTING,
      new StoredTable(store, model.requireNode(RA_SETTING), {
        params: RA_SETTING_PARAMS,
        writable: RA_WRITABLE,
        live: RA_LIVE,
        max: MAX_RA_SETTINGS,
        references: ['Interface'],
        // Status follows radvd and devices that come and go.
        changesOnlyThroughAgent: false,
        check: (_keys, merged, changes) => this.check(merged, changes),
        read: (_keys, row) => this.read(row),
        apply: () => this.apply(),
      }),
    );
  }

  enabled(): boolean {
    return this.top.enabled();
  }

  /** Runs radvd on the stored rows (a leftover of a killed agent ended first). */
  async start(): Promise<void> {
    this.process.endLeftover();
    await this.apply().catch((e: unknown) => this.opts.log?.warn('radvd could not be started from the stored rows', { why: e instanceof Error ? e.message : String(e) }));
  }

  stop(): void {
    this.process.stop();
  }

  private rows(): Array<[number, Row]> {
    return this.opts.store.instances(this.settings.tablePathOf([])).map((n) => [n, this.opts.store.row(this.settings.pathOf([n])) ?? {}]);
  }

  private async check(merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    const bad = raSettingProblems(merged, changes);
    if (bad.length > 0) throw invalid(bad);
    await checkSettingInterface(this.rules, merged, changes);
    return merged;
  }

  private async read(row: Row): Promise<Record<string, Value>> {
    const { out } = await readSettingInterface(this.opts.interfaces, row, this.enabled(), () => this.process.status() === 'running');
    out.AdvNDProxyFlag = false;
    return out;
  }

  /** The file made from the store now, radvd (re)started on it; no advertising row stops it. */
  async apply(): Promise<void> {
    const advertising: AdvertisingInterface[] = [];
    if (this.enabled()) {
      for (const [n, row] of this.rows()) {
        const device = row[DEVICE_KEY];
        if (row.Enable === true && typeof device === 'string') advertising.push({ path: this.settings.pathOf([n]).slice(0, -1), device, values: row });
      }
    }
    await this.process.apply(radvdConfText(advertising));
    if (this.process.status() === 'failed') throw new UspError(ErrorCode.InternalError, `radvd does not run: ${this.process.failure() ?? 'unknown'}`);
  }
}

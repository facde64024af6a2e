/**
 * Device.NeighborDiscovery. on generic Linux (TR-181 NeighborDiscovery:1): each InterfaceSetting
 * row is the kernel's per-interface Neighbor Discovery settings (nd-sysctl.ts says which file
 * each parameter is). Rows are configuration: kept in the agent's store, written to the kernel
 * at every change (a write the kernel refuses refuses the change, the store put back) and again
 * at start, since sysctls are lost at a reboot and interfaces come and go.
 *
 * - Only interfaces the agent manages (`--manage-interfaces`) may be named (7002 otherwise): the
 *   others are left as they are.
 * - Interface is kept with the kernel name of its device beside it (`$device`, as NAT does):
 *   IP.Interface numbers are given afresh at each start, and the row follows its device.
 * - A device a row names that comes (back) gets its settings at its link event (`ip monitor
 *   link`): a device made anew starts from the kernel's defaults.
 * - A row that is disabled, deleted or moved away, or every row while Device.NeighborDiscovery.
 *   Enable is false, gives its device the kernel's defaults back (nd-sysctl.ts).
 * - NUDEnable is read-only, true: the kernel runs neighbour unreachability detection on every
 *   interface and has no switch for it.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_ND_SETTINGS, ND_LIVE, ND_SETTING, ND_SETTING_PARAMS, ndSettingProblems, NEIGHBOR_DISCOVERY } from '../neighbor-discovery-rules.js';
import { invalid, type Row, StoredTable } from '../stored-table.js';
import { checkSettingInterface, DEVICE_KEY, readSettingInterface, type SettingInterfaceRules, StoredEnableBinding } from './interface-setting.js';
import type { IpInterfaceNames } from './nat.js';
import { KERNEL_ND_DEFAULTS, type NdSettings, ndSysctlProblems, readRetransTimer, writeNdSysctls } from './nd-sysctl.js';
import { SerialRuns } from '../serial-runs.js';

/** What a Set can change: every served writable parameter but NUDEnable (the kernel has no switch for it). */
const ND_WRITABLE = ['Enable', 'Alias', 'Interface', 'DADTransmits', 'RetransTimer', 'RtrSolicitationInterval', 'MaxRtrSolicitations', 'RSEnable'] as const;

export interface LinuxNeighborDiscoveryOptions {
  model: DataModel;
  store: DataStore;
  interfaces: IpInterfaceNames;
  /** 7002 unless the device is one the agent manages. */
  requireManaged(device: string, path?: string): void;
  /** Where procfs is (tests: a copy). */
  procRoot: string;
  log?: Logger;
}

/** The ND rows and their sysctls. `register` binds the objects; `start` writes the stored rows. */
export class LinuxNeighborDiscovery {
  private settings!: ModelNode;
  private top!: StoredEnableBinding;
  private readonly rules: SettingInterfaceRules;
  /** Devices this run gave settings to, so a row that leaves one gives it the defaults back. */
  private readonly written = new Set<string>();
  /** Why the last write to a device failed, until one succeeds (Status Error). */
  private readonly failures = new Map<string, string>();
  private readonly writing = new SerialRuns();

  constructor(private readonly opts: LinuxNeighborDiscoveryOptions) {
    this.rules = { interfaces: opts.interfaces, requireManaged: (d, p) => opts.requireManaged(d, p), loopback: 'loopback has no link layer for Neighbor Discovery' };
  }

  register(): void {
    const { model, store } = this.opts;
    this.top = new StoredEnableBinding(store, model.requireNode(NEIGHBOR_DISCOVERY), () => this.write());
    model.register(NEIGHBOR_DISCOVERY, this.top);
    this.settings = model.register(
      ND_SETTING,
      new StoredTable(store, model.requireNode(ND_SETTING), {
        params: ND_SETTING_PARAMS,
        writable: ND_WRITABLE,
        live: ND_LIVE,
        max: MAX_ND_SETTINGS,
        references: ['Interface'],
        defaults: { NUDEnable: true, RSEnable: true },
        // Status follows devices that come and go.
        changesOnlyThroughAgent: false,
        check: (keys, merged, changes) => this.check(keys, merged, changes),
        read: (_keys, row) => this.read(row),
        apply: () => this.write(),
      }),
    );
  }

  /** Device.NeighborDiscovery.Enable as stored; true until a Controller says otherwise. */
  enabled(): boolean {
    return this.top.enabled();
  }

  /** Writes the stored rows at start; a failure is logged and read as Status Error. */
  async start(): Promise<void> {
    if (this.rows().length === 0) return;
    try {
      await this.write();
      this.opts.log?.info('Neighbor Discovery settings written from the stored rows', { rows: this.rows().length });
    } catch (e) {
      this.opts.log?.warn('Neighbor Discovery settings could not all be written', { why: e instanceof Error ? e.message : String(e) });
    }
  }

  private rows(): Array<[number, Row]> {
    return this.opts.store.instances(this.settings.tablePathOf([])).map((n) => [n, this.opts.store.row(this.settings.pathOf([n])) ?? {}]);
  }

  private async check(_keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    const bad = [...ndSettingProblems(merged), ...ndSysctlProblems(merged)];
    if (changes.NUDEnable === false) bad.push({ param: 'NUDEnable', message: 'the Linux kernel always runs neighbour unreachability detection' });
    if (bad.length > 0) throw invalid(bad);
    await checkSettingInterface(this.rules, merged, changes);
    return merged;
  }

  private async read(row: Row): Promise<Record<string, Value>> {
    const { out, device } = await readSettingInterface(this.opts.interfaces, row, this.enabled(), (d) => !this.failures.has(d));
    out.NUDEnable = true;
    // What the kernel kept (its clock ticks round the timer), not what was asked.
    if (out.Status === 'Enabled') out.RetransTimer = (await readRetransTimer(this.opts.procRoot, String(device))) ?? out.RetransTimer;
    return out;
  }

  /**
   * A link event: a device a row names that is (again) there gets its settings, since a device
   * made anew (a veth, a VLAN, a USB modem) starts from the kernel's defaults.
   */
  linkChanged(device: string, gone: boolean): void {
    if (gone || !this.rows().some(([, row]) => row[DEVICE_KEY] === device)) return;
    this.write().catch((e: unknown) => this.opts.log?.warn('Neighbor Discovery settings could not be written', { device, why: e instanceof Error ? e.message : String(e) }));
  }

  /** Puts the stored rows into the kernel, one write after another. */
  write(): Promise<void> {
    return this.writing.run(() => this.writeNow());
  }

  private async writeNow(): Promise<void> {
    const wanted = new Map<string, NdSettings>();
    const on = this.enabled();
    for (const [, row] of this.rows()) {
      const device = row[DEVICE_KEY];
      if (typeof device !== 'string') continue;
      if (on && row.Enable === true) wanted.set(device, settingsOf(row));
      else if (!wanted.has(device)) wanted.set(device, KERNEL_ND_DEFAULTS);
    }
    // A device a row left (moved, deleted) gets the defaults back.
    for (const device of this.written) if (!wanted.has(device)) wanted.set(device, KERNEL_ND_DEFAULTS);
    const errors: string[] = [];
    for (const [device, settings] of wanted) {
      try {
        await writeNdSysctls(this.opts.procRoot, device, settings);
        this.failures.delete(device);
        if (settings === KERNEL_ND_DEFAULTS) this.written.delete(device);
        else this.written.add(device);
      } catch (e) {
        // No such device now: written when it comes (linkAppeared).
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          this.failures.delete(device);
          continue;
        }
        const why = e instanceof Error ? e.message : String(e);
        this.failures.set(device, why);
        errors.push(`${device}: ${why}`);
      }
    }
    if (errors.length > 0) throw new UspError(ErrorCode.InternalError, `the kernel did not take the Neighbor Discovery settings: ${errors.join('; ')}`);
  }
}

function settingsOf(row: Row): NdSettings {
  const intervalS = Number(row.RtrSolicitationInterval ?? 4000) / 1000;
  return {
    dadTransmits: Number(row.DADTransmits ?? 1),
    retransTimerMs: Number(row.RetransTimer ?? 1000),
    rtrSolicitationIntervalS: intervalS,
    rtrSolicitationMaxIntervalS: intervalS,
    rtrSolicitations: row.RSEnable === false ? 0 : Number(row.MaxRtrSolicitations ?? 3),
  };
}

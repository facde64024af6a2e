/**
 * Device.NAT. on generic Linux (TR-181 NAT:1), taking effect in the kernel through one nftables
 * table the agent owns (`ip usp_agent_nat`, nat-rules.ts says what each row becomes):
 *
 * - Device.NAT.InterfaceSetting.{i}. (Enable, Status, Alias, Interface): masquerading out of the
 *   interface. Device.NAT.PortMapping.{i}. (every NAT:1 parameter, with Origin and
 *   RemainingLeaseTime): a DNAT rule. Both are tables a Controller adds to and deletes from.
 * - The rows are configuration: kept in the agent's store (they survive a restart) and written
 *   whole to the kernel at every change, one `nft -f -` each (a whole-table replace, so a failure
 *   leaves the rules as they were, and the change is refused with 7003, the store put back).
 * - At start the stored rows are written again (a reboot empties netfilter). The table stays
 *   when the agent stops: NAT is the router's forwarding, and an agent restart or upgrade must not
 *   cut the LAN off; the next start replaces it. An operator removes it with
 *   `nft delete table ip usp_agent_nat` (after `--nat off`, or with no rows left the agent
 *   deletes it itself at its last Delete).
 * - Interface is kept as the path written and, beside it in the store, the kernel name of the
 *   device it named then (`$device`): IP.Interface numbers are assigned afresh at each start, so
 *   after a restart the row follows its device, and reads the path of that device's row now.
 * - LeaseDuration > 0 is a dynamic mapping: RemainingLeaseTime counts down from the Add or the
 *   Set that gave the lease, and at 0 the row is deleted (TR-181: "MUST automatically delete the
 *   corresponding PortMapping table entry"), through a transaction like a Controller's Delete, so
 *   subscribers see ObjectDeletion. One timer serves every lease. A restart starts the leases
 *   afresh (their start is not stored).
 *
 * The forward path is not the agent's: forwarding (Device.Routing / net.ipv4.ip_forward) and
 * the firewall's forward policy decide whether a mapped connection reaches the client.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { groupByHours } from '../access-control/access-week.js';
import { type ScheduleBook, scheduleBookOf } from '../schedules/ScheduleBook.js';
import { dropScheduleRefsOnDelete, scheduleRefProblem } from '../schedules/schedule-refs.js';
import { unionSegments } from '../schedules/schedule-window.js';
import { invalid, type Row, StoredTable, type TableRules } from '../stored-table.js';
import type { IpLink } from './ip-addr.js';
import { effectiveCapabilities } from './packet-classes.js';
import {
  type BadParam,
  DEFAULT_NAT_TABLE,
  installable,
  isNftDevice,
  mappingProblems,
  mappingsOverlap,
  MAX_INTERFACE_SETTINGS,
  MAX_PORT_MAPPINGS,
  natScript,
  type MappingRule,
  type MasqueradeRule,
} from './nat-rules.js';
import { nftUsable } from './nft-usable.js';
import { SerialRuns } from '../serial-runs.js';

const PORT_MAPPING = 'Device.NAT.PortMapping.{i}.';
const INTERFACE_SETTING = 'Device.NAT.InterfaceSetting.{i}.';
const PM_PARAMS = [
  'Enable',
  'Status',
  'Origin',
  'Alias',
  'Interface',
  'AllInterfaces',
  'LeaseDuration',
  'RemainingLeaseTime',
  'RemoteHost',
  'ExternalPort',
  'ExternalPortEndRange',
  'InternalPort',
  'Protocol',
  'InternalClient',
  'Description',
  'ScheduleRef',
] as const;
const SETTING_PARAMS = ['Enable', 'Status', 'Alias', 'Interface'] as const;
/** Computed on read, never stored. */
const LIVE = new Set(['Status', 'RemainingLeaseTime']);
/** Stored beside a row's values: the kernel device its Interface named when written. */
const DEVICE_KEY = '$device';
const IP_INTERFACE_RE = /^Device\.IP\.Interface\.(\d+)$/;
/** setTimeout's limit; a longer lease is re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Whether the agent may keep its NAT table: the setting (`--nat nftables|off`; undefined = on
 * where possible), `nft` installed and the agent holding CAP_NET_ADMIN. `why` says what is
 * missing, for the start-up line.
 */
export function natUsable(setting: boolean | undefined, nftPath: string | undefined, capEffHex = effectiveCapabilities()): { usable: boolean; why?: string } {
  return nftUsable(nftPath, capEffHex, setting === false ? '--nat off' : undefined);
}

/** IP.Interface rows by kernel device, as the Linux IP objects number them. */
export interface IpInterfaceNames {
  /** The device of `reference` (Device.IP.Interface.N), when that row exists now. */
  nameOf(reference: string): Promise<string | undefined>;
  /** The IP.Interface path of device `name`, when it exists now. */
  pathOf(name: string): Promise<string | undefined>;
}

/** IpInterfaceNames over the IP objects' numbering (ip.ts: rows numbered in ifindex order at their first listing). */
export function ipInterfaceNames(numbers: InstanceMap, links: () => Promise<ReadonlyMap<string, IpLink>>): IpInterfaceNames {
  const listed = async (): Promise<ReadonlyMap<string, IpLink>> => {
    const now = await links();
    numbers.list([...now.values()].sort((a, b) => a.ifindex - b.ifindex).map((l) => l.ifname));
    return now;
  };
  return {
    async nameOf(reference) {
      const m = IP_INTERFACE_RE.exec(reference);
      if (!m) return undefined;
      const now = await listed();
      const name = numbers.keyOf(Number(m[1]));
      return name !== undefined && now.has(name) ? name : undefined;
    },
    async pathOf(name) {
      const now = await listed();
      const n = numbers.peek(name);
      return now.has(name) && n !== undefined ? `Device.IP.Interface.${n}` : undefined;
    },
  };
}

export interface LinuxNatOptions {
  model: DataModel;
  store: DataStore;
  runner: CommandRunner;
  interfaces: IpInterfaceNames;
  /** The nftables table (family ip); default usp_agent_nat. Tests running side by side give each agent its own. */
  table?: string;
  /** Wall clock, ms (leases). */
  now?: () => number;
  log?: Logger;
}

/**
 * The NAT rows, their nftables table and the lease timer. `register` binds the objects;
 * `start` writes the stored rows to the kernel; `stop` ends the timer and leaves the table.
 */
export class LinuxNat {
  readonly table: string;
  private readonly now: () => number;
  private mappings!: ModelNode;
  private book!: ScheduleBook;
  private settings!: ModelNode;
  /** Serialises the writes: the lease timer may write while a transaction does. */
  private readonly writing = new SerialRuns();
  /** Why the last write of the stored state failed (Status Error), until one succeeds. */
  private failure?: string;
  /** Expiry (ms) of each dynamic mapping, by instance number. */
  private readonly leases = new Map<number, number>();
  private timer?: ReturnType<typeof setTimeout>;
  private stopped = false;
  /** The table was written by this run: with no rows and nothing written, netfilter is left alone. */
  private written = false;

  constructor(private readonly opts: LinuxNatOptions) {
    this.table = opts.table ?? DEFAULT_NAT_TABLE;
    this.now = opts.now ?? Date.now;
  }

  /** Serves Device.NAT. (MaxNumberOfPortMappings), InterfaceSetting.{i}. and PortMapping.{i}. */
  register(): void {
    const { model } = this.opts;
    model.register('Device.NAT.', { params: ['MaxNumberOfPortMappings'], get: () => ({ MaxNumberOfPortMappings: MAX_PORT_MAPPINGS }), changesOnlyThroughAgent: true });
    this.settings = model.register(INTERFACE_SETTING, this.storedTable(INTERFACE_SETTING, 'setting', { params: SETTING_PARAMS, max: MAX_INTERFACE_SETTINGS }));
    this.mappings = model.register(
      PORT_MAPPING,
      this.storedTable(PORT_MAPPING, 'mapping', {
        params: PM_PARAMS,
        max: MAX_PORT_MAPPINGS,
        initial: () => ({ Protocol: 'TCP' }),
        added: (keys, row) => this.startLease(keys[0]!, row.LeaseDuration),
        updated: (keys, _row, changes) => {
          if (changes.LeaseDuration !== undefined) this.startLease(keys[0]!, changes.LeaseDuration);
        },
        deleted: (keys) => this.endLease(keys[0]!),
        restored: (keys, row) => this.startLease(keys[0]!, row.LeaseDuration),
      }),
    );
    // ScheduleRef: a change of a Device.Schedules row a mapping names is written before it is
    // answered (7003 when nft refuses), and a deleted row leaves the lists that named it.
    this.book = scheduleBookOf(model, this.opts.store, this.opts.log);
    this.book.use(() => (this.namesSchedules() ? this.writeOrRefuse() : Promise.resolve()));
    dropScheduleRefsOnDelete(model, this.opts.store, PORT_MAPPING);
    // A commit whose save failed puts the store back as saved (DataStore.revert): the kernel follows.
    model.onCommit(
      () => Promise.resolve(),
      () => void this.write().catch(() => undefined),
    );
  }

  /**
   * One NAT table: rows in the store, each change written to the kernel before it is answered
   * (refused with 7003, the store put back, when nft fails).
   */
  private storedTable(path: string, kind: Kind, rules: Pick<TableRules, 'params' | 'max' | 'initial' | 'added' | 'updated' | 'deleted' | 'restored'>): StoredTable {
    return new StoredTable(this.opts.store, this.opts.model.requireNode(path), {
      ...rules,
      live: LIVE,
      references: ['Interface', 'ScheduleRef'],
      // Status and RemainingLeaseTime change without the agent: they are polled.
      changesOnlyThroughAgent: false,
      check: async (keys, merged, changes) => {
        if (changes.Interface !== undefined) {
          const device = await this.deviceFor(String(changes.Interface));
          delete merged[DEVICE_KEY];
          if (device !== undefined) merged[DEVICE_KEY] = device;
        }
        if (kind === 'mapping') this.checkMapping(keys[0]!, merged);
        return merged;
      },
      read: (keys, row) => this.read(kind, keys[0]!, row),
      apply: () => this.writeOrRefuse(),
    });
  }

  /** Writes the rules; nft refusing them refuses the change (7003). */
  private async writeOrRefuse(): Promise<void> {
    try {
      await this.write();
    } catch (e) {
      throw new UspError(ErrorCode.InternalError, `nft did not take the NAT rules, so nothing changed: ${message(e)}`);
    }
  }

  /** Whether a mapping's ScheduleRef names a schedule: else a change of Device.Schedules leaves the table alone. */
  private namesSchedules(): boolean {
    return this.rows(this.mappings).some(([, row]) => String(row.ScheduleRef ?? '') !== '');
  }

  /** When mapping `row` holds: undefined all the time (no schedule in force), else its open periods grouped by hours. */
  private scheduleOf(row: Row): MappingRule['schedule'] {
    if (String(row.ScheduleRef ?? '') === '') return undefined;
    const windows = this.book.windowsOf(row.ScheduleRef);
    return windows.length === 0 ? undefined : groupByHours(unionSegments(windows));
  }

  /** Writes the stored rows to the kernel (they are lost at a reboot) and arms the leases. Nothing stored: netfilter is left alone. */
  async start(): Promise<void> {
    for (const n of this.rows(this.mappings).map(([n]) => n)) this.startLease(n, this.opts.store.row(this.mappings.pathOf([n]))?.LeaseDuration);
    const count = this.rows(this.mappings).length + this.rows(this.settings).length;
    if (count === 0) return;
    try {
      await this.write();
      this.opts.log?.info('NAT rules written from the stored rows', { table: `ip ${this.table}`, portMappings: this.rows(this.mappings).length, interfaceSettings: this.rows(this.settings).length });
    } catch (e) {
      this.opts.log?.warn('NAT rules could not be written; the rows read Status Error until a change is written', { table: `ip ${this.table}`, why: message(e) });
    }
  }

  /** Ends the lease timer. The table stays: connections through the router must survive an agent restart. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  rows(node: ModelNode): Array<[number, Row]> {
    return this.opts.store.instances(node.tablePathOf([])).map((n) => [n, this.opts.store.row(node.pathOf([n])) ?? {}]);
  }

  /**
   * Replaces the table with the stored rows, once the writes before it are done. Rejects with
   * nft's message; the kernel then holds what it held.
   */
  write(): Promise<void> {
    return this.writing.run(() => this.writeNow());
  }

  private async writeNow(): Promise<void> {
    const mappings: MappingRule[] = this.rows(this.mappings).map(([n, row]) => ({ path: this.mappings.pathOf([n]).slice(0, -1), device: deviceOf(row), values: row, schedule: this.scheduleOf(row) }));
    const settingRows = this.rows(this.settings);
    const masquerades: MasqueradeRule[] = settingRows.flatMap(([n, row]) => {
      const device = deviceOf(row);
      return row.Enable === true && device !== undefined ? [{ path: this.settings.pathOf([n]).slice(0, -1), device }] : [];
    });
    const keep = mappings.length + settingRows.length > 0;
    if (!keep && !this.written) return;
    const script = natScript(this.table, mappings, masquerades, keep);
    try {
      // nft reads the schedules' `meta hour` in its TZ: the zone the ScheduleRef windows count in.
      const env = await this.book.commandEnv();
      await this.opts.runner.run('nft', ['-f', '-'], { input: script, display: `nft -f - (table ip ${this.table})`, ...(env ? { env } : {}) });
      this.written = true;
      this.failure = undefined;
    } catch (e) {
      this.failure = message(e);
      throw e;
    }
  }

  /** The device a written Interface names now; 7012 for one that names no IP.Interface row. */
  async deviceFor(reference: string): Promise<string | undefined> {
    if (reference === '') return undefined;
    const device = await this.opts.interfaces.nameOf(reference);
    if (device === undefined) throw invalid([{ param: 'Interface', message: `${reference} is no Device.IP.Interface row of this device` }]);
    if (!isNftDevice(device)) throw invalid([{ param: 'Interface', message: `device ${JSON.stringify(device)} has a name nftables rules cannot hold` }]);
    return device;
  }

  /** The row as read: stored values, Interface as the path of its device now, Status, RemainingLeaseTime. */
  async read(kind: Kind, n: number, row: Row): Promise<Record<string, Value>> {
    const { [DEVICE_KEY]: _, ...stored } = row;
    const values: Record<string, Value> = { ...stored };
    const device = deviceOf(row);
    const present = device === undefined ? undefined : await this.opts.interfaces.pathOf(device);
    if (present !== undefined) values.Interface = present;
    if (kind === 'setting') {
      values.Status = row.Enable !== true ? 'Disabled' : device === undefined ? 'Error_Misconfigured' : this.failure !== undefined ? 'Error' : 'Enabled';
      return values;
    }
    const expiry = this.leases.get(n);
    values.RemainingLeaseTime = expiry === undefined ? 0 : Math.max(0, Math.ceil((expiry - this.now()) / 1000));
    if (row.Enable !== true) values.Status = 'Disabled';
    else if (!installable({ path: '', device, values: row })) values.Status = 'Error_Misconfigured';
    else if (this.failure !== undefined) values.Status = 'Error';
    // A device that comes later (ppp0 once the link is up) is matched by name from then on.
    else if (!(row.AllInterfaces === true || present !== undefined)) values.Status = 'Inactive';
    // TR-181: still enabled, but outside the schedules its ScheduleRef names.
    else values.Status = (await this.book.activeNow(row.ScheduleRef)) === false ? 'Inactive' : 'Enabled';
    return values;
  }

  /** Refuses (7012) a mapping this platform cannot hold: bad values, or ports another mapping claims. */
  checkMapping(n: number, merged: Row): void {
    const bad: BadParam[] = mappingProblems(merged);
    const clash = this.rows(this.mappings).find(([m, other]) => m !== n && mappingsOverlap(merged, other));
    if (clash) bad.push({ param: 'ExternalPort', message: `external ports overlap ${this.mappings.pathOf([clash[0]])} (same protocol and remote host)` });
    const ref = scheduleRefProblem(this.book, merged.ScheduleRef);
    if (ref !== undefined) bad.push({ param: 'ScheduleRef', message: ref });
    if (bad.length > 0) throw invalid(bad);
  }

  /** Arms or clears the lease of mapping `n` after a write of LeaseDuration `seconds`. */
  startLease(n: number, seconds: Value | undefined): void {
    const s = Number(seconds ?? 0);
    if (s > 0) this.leases.set(n, this.now() + s * 1000);
    else this.leases.delete(n);
    this.arm();
  }

  endLease(n: number): void {
    this.leases.delete(n);
    this.arm();
  }

  /** One timer, at the earliest expiry. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.leases.size === 0) return;
    const next = Math.min(...this.leases.values());
    this.timer = setTimeout(() => void this.expire(), Math.min(MAX_TIMER_MS, Math.max(0, next - this.now())));
    this.timer.unref?.();
  }

  /** Deletes the mappings whose lease ran out, each as the agent's own Delete (ObjectDeletion is sent). */
  private async expire(): Promise<void> {
    this.timer = undefined;
    const due = [...this.leases].filter(([, at]) => at <= this.now()).map(([n]) => n);
    for (const n of due) {
      this.leases.delete(n);
      try {
        await Transaction.run(this.opts.model, {}, (tx) => tx.delete({ node: this.mappings, keys: [n] }));
        this.opts.log?.info('NAT port mapping lease expired; mapping deleted', { path: this.mappings.pathOf([n]) });
      } catch (e) {
        this.opts.log?.warn('NAT port mapping lease expired but the mapping could not be deleted', { path: this.mappings.pathOf([n]), why: message(e) });
      }
    }
    this.arm();
  }
}

type Kind = 'mapping' | 'setting';

function deviceOf(row: Row): string | undefined {
  const d = row[DEVICE_KEY];
  return typeof d === 'string' && d !== '' ? d : undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

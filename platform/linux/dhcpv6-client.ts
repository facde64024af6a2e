/**
 * Device.DHCPv6.Client.{i}. on generic Linux, through a dhcpcd the agent runs per enabled row
 * (with `--dhcp-client udhcpc`, the switch of the agent's own DHCP clients, where dhcpcd is
 * installed):
 *
 * - Client rows are configuration kept in the agent's store; each change is checked first (7012,
 *   nothing kept). Interface must name an IP.Interface whose device the agent manages
 *   (`--manage-interfaces`), one Client per device; the device is kept beside it (`$device`).
 * - Once a transaction commits, the children follow the rows: a new or enabled row starts one
 *   on a configuration file made from the row (dhcpcd6.ts); a changed, deleted or disabled row
 *   releases its lease and ends it (dhcpcd-process.ts), a changed one then starts afresh.
 * - Server.{1} and ReceivedOption.{i} come from what the hook last recorded while the lease
 *   holds; DUID is the client identifier dhcpcd sent.
 * - Not served: SentOption (dhcpcd sends no arbitrary DHCPv6 option), SuggestedT1/SuggestedT2
 *   (read -1, read-only: dhcpcd suggests no T1/T2), so DHCPv6Client:1 is not met.
 * - Renew() sends SIGUSR1: dhcpcd renews at once.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { CommandBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { CommitApplier } from '../commit-applier.js';
import { optionCodeList } from '../dhcpv6-options.js';
import { invalid, type Row, StoredTable } from '../stored-table.js';
import { DhcpClientChildren } from './dhcp-client-children.js';
import { checkClientInterface, deviceOf, type DhcpClientInterfaceRules, noClientRunning, readClientInterface } from './dhcp-client-interface.js';
import { DhcpcdProcess } from './dhcpcd-process.js';
import { DHCPCD_HOOK, DHCPCD_REQUESTABLE, dhcpcdConf, isBound, parseDhcpcdState, receivedOptions } from './dhcpcd6.js';
import type { ManagedInterfaces } from './ip-write.js';
import type { IpInterfaceNames } from './nat.js';

const CLIENT = 'Device.DHCPv6.Client.{i}.';
const MAX_CLIENTS = 4;
const LIVE = ['Status', 'DUID', 'SupportedOptions', 'SuggestedT1', 'SuggestedT2'];
const CLIENT_PARAMS = ['Enable', 'Alias', 'Interface', 'RequestAddresses', 'RequestPrefixes', 'RapidCommit', 'RequestedOptions', ...LIVE];
const WRITABLE = ['Enable', 'Interface', 'RequestAddresses', 'RequestPrefixes', 'RapidCommit', 'RequestedOptions'];
const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

export interface LinuxDhcpv6ClientOptions {
  model: DataModel;
  store: DataStore;
  interfaces: IpInterfaceNames;
  managed: ManagedInterfaces;
  /** The agent's data directory: the hook, configuration and state files go into `dhcpv6-client/` there. */
  dir: string;
  binary?: string;
  log?: Logger;
}

/** The Client rows, what their dhcpcd children recorded, and the children. */
export class LinuxDhcpv6Client extends DhcpClientChildren<DhcpcdProcess> {
  private clients!: StoredTable;
  private readonly dir: string;
  private readonly hook: string;
  /** Numbers each child's state file (dhcpcd-process.ts says why each has its own). */
  private generation = 0;

  private readonly rules: DhcpClientInterfaceRules;

  constructor(private readonly opts: LinuxDhcpv6ClientOptions) {
    super();
    this.rules = { interfaces: opts.interfaces, managed: opts.managed, label: 'DHCPv6', table: 'Device.DHCPv6.Client.' };
    this.dir = join(opts.dir, 'dhcpv6-client');
    this.hook = join(this.dir, 'dhcpcd.hook');
  }

  private files(n: number): { conf: string; state: string } {
    return { conf: join(this.dir, `client-${n}.conf`), state: join(this.dir, `client-${n}-${++this.generation}.state`) };
  }

  register(): void {
    const { model, store } = this.opts;
    const { changed } = new CommitApplier(model, () => this.apply(), this.opts.log, 'DHCPv6 clients');
    const renew: CommandBinding = { run: async ({ keys }) => this.renew(keys[0]!) };
    this.clients = new (class extends StoredTable {
      readonly commands = { 'Renew()': renew };
    })(store, model.requireNode(CLIENT), {
      params: CLIENT_PARAMS,
      writable: WRITABLE,
      live: new Set(LIVE),
      max: MAX_CLIENTS,
      references: ['Interface'],
      changesOnlyThroughAgent: false,
      check: async (keys, merged, changes) => this.check(keys[0]!, merged, changes),
      read: async (keys, row) => this.read(keys[0]!, row),
      apply: changed,
    });
    model.register(CLIENT, this.clients);
    model.register(`${CLIENT}Server.{i}.`, {
      params: ['SourceAddress', 'DUID', 'InformationRefreshTime'],
      changesOnlyThroughAgent: false,
      list: ([n]) => (this.lease(n!) ? [1] : []),
      get: ([n, s]) => {
        const lease = this.lease(n!);
        if (!lease || s !== 1) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such server: ${String(s)}`);
        return { SourceAddress: this.running.get(n!)?.serverAddress ?? '', DUID: (lease.get('server_id') ?? '').toUpperCase(), InformationRefreshTime: UNKNOWN_TIME };
      },
    });
    model.register(`${CLIENT}ReceivedOption.{i}.`, {
      params: ['Tag', 'Value', 'Server'],
      changesOnlyThroughAgent: false,
      list: ([n]) => this.received(n!).map((_, i) => i + 1),
      get: ([n, k]) => {
        const o = this.received(n!)[k! - 1];
        if (!o) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such option: ${String(k)}`);
        return { ...o, Server: `Device.DHCPv6.Client.${n}.Server.1` };
      },
    });
  }

  /** Writes the hook and starts a dhcpcd for every enabled stored row. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.hook, DHCPCD_HOOK, { mode: 0o755 });
    await this.apply();
  }

  protected async applyNow(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map<number, { device: string; conf: string }>();
    for (const [n, row] of this.clients.rows([])) {
      const device = deviceOf(row);
      // The settings without the state file (each child gets its own), to compare with the running one's.
      if (row.Enable === true && device !== undefined) wanted.set(n, { device, conf: dhcpcdConf(row, this.hook, '') });
    }
    for (const [n, p] of [...this.running]) {
      const w = wanted.get(n);
      if (w && w.device === p.device && w.conf === p.conf) continue;
      this.running.delete(n);
      // Gone, disabled, moved or new settings: the lease is given back (with `persistent` a plain
      // stop would leave the address, which new settings may not want), then a new start.
      await p.release();
      rmSync(p.stateFile, { force: true });
    }
    for (const [n, w] of wanted) {
      if (this.running.has(n)) continue;
      const f = this.files(n);
      const row = this.clients.rows([]).find(([m]) => m === n)![1];
      writeFileSync(f.conf, dhcpcdConf(row, this.hook, f.state), { mode: 0o600 });
      const p = new DhcpcdProcess(w.device, w.conf, f.state, f.conf, this.opts.binary ?? 'dhcpcd', this.opts.log);
      this.running.set(n, p);
      p.start();
      this.opts.log?.info('DHCPv6 client started', { client: n, device: w.device });
    }
  }

  private renew(n: number): Record<string, Value> {
    if (!this.running.get(n)?.renew()) throw noClientRunning(this.rules, n);
    return {};
  }

  /** dhcpcd's variables while client `n`'s child runs and holds a lease. */
  private lease(n: number): Map<string, string> | undefined {
    const p = this.running.get(n);
    if (!p?.running) return undefined;
    try {
      const s = parseDhcpcdState(readFileSync(p.stateFile, 'utf8'));
      return isBound(s.reason) ? s.vars : undefined;
    } catch {
      return undefined;
    }
  }

  private received(n: number): Array<{ Tag: number; Value: string }> {
    if (!this.clients.list([]).includes(n)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such client: ${n}`);
    const lease = this.lease(n);
    return lease ? receivedOptions(lease) : [];
  }

  private async check(n: number, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    const wanted = changes.RequestedOptions === undefined ? [] : optionCodeList(changes.RequestedOptions);
    if (wanted === undefined || wanted.some((t) => !DHCPCD_REQUESTABLE.has(t))) {
      throw invalid([{ param: 'RequestedOptions', message: `dhcpcd can ask for ${[...DHCPCD_REQUESTABLE.keys()].join(',')}` }]);
    }
    return checkClientInterface(this.rules, n, merged, changes, this.clients.rows([]));
  }

  private async read(n: number, row: Row): Promise<Record<string, Value>> {
    const values = await readClientInterface(this.opts.interfaces, row, this.running.get(n)?.running === true);
    values.DUID = (this.lease(n)?.get('client_id') ?? '').toUpperCase();
    values.SupportedOptions = [...DHCPCD_REQUESTABLE.keys()].join(',');
    values.SuggestedT1 = -1;
    values.SuggestedT2 = -1;
    return values;
  }
}

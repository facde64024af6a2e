/**
 * Device.DHCPv4.Client.{i}. (TR-181 DHCPv4Client:1) on generic Linux, through a busybox udhcpc
 * the agent runs per enabled row (`--dhcp-client udhcpc`; off by default, since on most hosts
 * NetworkManager, systemd-networkd or ifupdown already own DHCP):
 *
 * - Client.{i}, SentOption.{i} and ReqOption.{i} are configuration kept in the agent's store;
 *   each change is checked before it is kept (7012, nothing kept). Interface must name an
 *   IP.Interface row whose device the agent manages (`--manage-interfaces`), one Client per
 *   device; the device is kept beside it (`$device`), as the dnsmasq rows do.
 * - Once a transaction commits, the children follow the rows (udhcpc-process.ts): a new or
 *   enabled row starts one, a changed row restarts it, a deleted or disabled row releases its
 *   lease (DHCPRELEASE) and ends it. Enabled SentOption rows become `-x TAG:HEX`. The enabled
 *   ReqOption rows, in Order, then udhcpc's default requests and option 125 where no row names
 *   them, become the Parameter Request List, given as `-o -x 0x37:HEX` so udhcpc sends it in
 *   that order (dhcpv4-request-list.ts). Order follows TR-106: a row given the Order another
 *   holds goes before it, and that one and every later one move down by one. A new Order
 *   restarts the udhcpc only when the list it sends changes.
 * - Status, DHCPStatus, IPAddress, SubnetMask, IPRouters, DNSServers, DHCPServer,
 *   LeaseTimeRemaining and ReqOption.{i}.Value are read from what the script last recorded
 *   (udhcpc-lease.ts); LeaseTimeRemaining counts down from the time it was recorded (-1 for an
 *   infinite lease).
 * - Renew() sends SIGUSR1: udhcpc renews at once (or starts selecting when it holds no lease).
 */
import { rmSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { CommitApplier } from '../commit-applier.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { CommandBinding, InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalid, publicValues, type Row, StoredTable } from '../stored-table.js';
import type { ManagedInterfaces } from './ip-write.js';
import type { IpInterfaceNames } from './nat.js';
import { dhcpStatusOf, leaseVariables, optionArgs, optionHex, optionVariable, parseLeaseRecord, type UdhcpcLease } from './udhcpc-lease.js';
import { VIVSO_TAG } from '../gateway-info.js';
import { optionProblems } from '../dhcpv4-client-options.js';
import { requestList, UDHCPC_DEFAULT_REQUESTS } from '../dhcpv4-request-list.js';
import { inOrder, nextOrder } from '../bridge-filter-rules.js';
import { DhcpClientChildren } from './dhcp-client-children.js';
import { checkClientInterface, deviceOf, type DhcpClientInterfaceRules, noClientRunning, readClientInterface } from './dhcp-client-interface.js';
import { UdhcpcProcess, type UdhcpcSpec, writeUdhcpcScript } from './udhcpc-process.js';

const CLIENT = 'Device.DHCPv4.Client.{i}.';
const SENT = `${CLIENT}SentOption.{i}.`;
const REQ = `${CLIENT}ReqOption.{i}.`;
/** Beside a ReqOption row: when its Order was last written (a counter), so it wins a tie until the others move. */
const ORDERED = '$ordered';
export const MAX_CLIENTS = 4;
const MAX_OPTIONS = 16;
const INFINITE = 0xffffffff;
const LIVE = ['Status', 'DHCPStatus', 'IPAddress', 'SubnetMask', 'IPRouters', 'DNSServers', 'LeaseTimeRemaining', 'DHCPServer'];
const CLIENT_PARAMS = ['Enable', 'Alias', 'Interface', ...LIVE];

export interface LinuxDhcpv4ClientOptions {
  model: DataModel;
  store: DataStore;
  interfaces: IpInterfaceNames;
  managed: ManagedInterfaces;
  /** The agent's data directory: the script, lease and pid files go into `dhcpv4-client/` there. */
  dir: string;
  /** The busybox program (default: `busybox` on PATH). */
  binary?: string;
  now?: () => number;
  log?: Logger;
  /** Whether a device takes part in IPv4 now (ip-ipv4-switch.ts): no client runs where it does not. Default: everywhere. */
  ipv4On?: (device: string) => boolean;
}

/** The Client rows, their option tables and the udhcpc children. */
export class LinuxDhcpv4Client extends DhcpClientChildren<UdhcpcProcess> {
  private clients!: StoredTable;
  private sent!: StoredTable;
  private req!: StoredTable;
  private readonly dir: string;
  private readonly script: string;

  private readonly rules: DhcpClientInterfaceRules;

  constructor(private readonly opts: LinuxDhcpv4ClientOptions) {
    super();
    this.rules = { interfaces: opts.interfaces, managed: opts.managed, label: 'DHCP', table: 'Device.DHCPv4.Client.' };
    this.dir = join(opts.dir, 'dhcpv4-client');
    this.script = join(this.dir, 'udhcpc.script');
  }

  private files(n: number): { script: string; leaseFile: string; pidFile: string } {
    return { script: this.script, leaseFile: join(this.dir, `client-${n}.lease`), pidFile: join(this.dir, `client-${n}.pid`) };
  }

  register(): void {
    const { model, store } = this.opts;
    const { changed } = new CommitApplier(model, () => this.apply(), this.opts.log, 'DHCPv4 clients');
    const renew: CommandBinding = { run: async ({ keys }) => this.renew(keys[0]!) };
    this.clients = new (class extends StoredTable {
      readonly commands = { 'Renew()': renew };
    })(store, model.requireNode(CLIENT), {
      params: CLIENT_PARAMS,
      live: new Set(LIVE),
      max: MAX_CLIENTS,
      references: ['Interface'],
      changesOnlyThroughAgent: false,
      check: async (keys, merged, changes) => this.checkClient(keys[0]!, merged, changes),
      read: async (keys, row) => this.readClient(keys[0]!, row),
      apply: changed,
    });
    model.register(CLIENT, this.clients);
    const optionRules = (params: string[], live: string[]) => ({
      params,
      live: new Set(live),
      max: MAX_OPTIONS,
      check: (keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>) => {
        const table = params.includes('Order') ? this.req : this.sent;
        const bad = optionProblems(keys, merged, changes, table.rows([keys[0]!]), params.includes('Order'));
        if (bad.length > 0) throw invalid(bad);
        if (changes.Order !== undefined) merged[ORDERED] = Math.max(0, ...table.rows([keys[0]!]).map(([, r]) => Number(r[ORDERED] ?? 0))) + 1;
        return merged;
      },
      apply: changed,
    });
    this.sent = new StoredTable(store, model.requireNode(SENT), {
      ...optionRules(['Enable', 'Alias', 'Tag', 'Value'], []),
      read: (_keys, row) => publicValues(row),
    });
    model.register(SENT, this.sent);
    this.req = new StoredTable(store, model.requireNode(REQ), {
      ...optionRules(['Enable', 'Alias', 'Order', 'Tag', 'Value'], ['Value']),
      changesOnlyThroughAgent: false,
      // TR-181 Order: a row added without one comes after every other.
      initial: (parent) => ({ Order: nextOrder(this.req.rows(parent)) }),
      added: (keys, row) => this.makeRoom(keys, row),
      updated: (keys, row, changes) => {
        if (changes.Order !== undefined) this.makeRoom(keys, row);
      },
      read: (keys, row) => {
        const lease = this.lease(keys[0]!);
        return { ...publicValues(row), Value: lease && row.Enable === true ? optionHex(Number(row.Tag), lease.vars) : '' };
      },
    });
    model.register(REQ, this.req);
  }

  /** Writes the script and starts a udhcpc for every enabled stored row. */
  async start(): Promise<void> {
    writeUdhcpcScript(this.script);
    await this.apply();
  }

  protected async applyNow(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map<number, UdhcpcSpec>();
    for (const [n, row] of this.clients.rows([])) {
      const device = deviceOf(row);
      if (row.Enable === true && device !== undefined && (this.opts.ipv4On?.(device) ?? true)) wanted.set(n, this.specOf(n, device));
    }
    for (const [n, p] of [...this.running]) {
      const spec = wanted.get(n);
      if (spec && JSON.stringify(spec) === JSON.stringify(p.spec)) continue;
      this.running.delete(n);
      // Another device, or no client at all: the lease is given back. New options: a new start.
      if (!spec || spec.device !== p.spec.device) {
        await p.release();
        if (!spec) this.removeFiles(n);
      } else await p.end();
    }
    for (const [n, spec] of wanted) {
      if (this.running.has(n)) continue;
      rmSync(this.files(n).leaseFile, { force: true });
      const p = new UdhcpcProcess(spec, this.files(n), this.opts.binary ?? 'busybox', this.opts.log);
      this.running.set(n, p);
      p.start();
      this.opts.log?.info('DHCPv4 client started', { client: n, device: spec.device });
    }
  }

  private removeFiles(n: number): void {
    const f = this.files(n);
    for (const file of [f.leaseFile, `${f.leaseFile}.addr`, f.pidFile]) rmSync(file, { force: true });
  }

  private specOf(n: number, device: string): UdhcpcSpec {
    const on = (rows: Array<[number, Row]>): Row[] => rows.map(([, r]) => r).filter((r) => r.Enable === true && Number(r.Tag) > 0);
    const sent = on(this.sent.rows([n]))
      .filter((r) => String(r.Value ?? '') !== '')
      .map((r) => ({ tag: Number(r.Tag), hex: String(r.Value).toLowerCase() }))
      .sort((a, b) => a.tag - b.tag);
    const rows = on(inOrder(this.req.rows([n]))).map((r) => Number(r.Tag));
    // What udhcpc asked for before the rows took over its list, and option 125 always: the
    // gateway's TR-111 identity, Device.GatewayInfo. (gateway-info.ts).
    const requested = requestList(rows, [...UDHCPC_DEFAULT_REQUESTS, VIVSO_TAG]);
    return { device, optionArgs: optionArgs(sent, requested), vars: leaseVariables(requested) };
  }

  /** TR-106 Order: the rows of the client at or after row `keys`'s Order move down by one (they already sort after it). */
  private makeRoom(keys: InstanceKeys, row: Row): void {
    const [client, self] = keys;
    const order = Number(row.Order ?? 0);
    const rows = this.req.rows([client!]);
    if (!rows.some(([m, r]) => m !== self && Number(r.Order ?? 0) === order)) return;
    const node = this.opts.model.requireNode(REQ);
    for (const [m, r] of rows) if (m !== self && Number(r.Order ?? 0) >= order) this.opts.store.setRow(node.pathOf([client!, m]), { ...r, Order: Number(r.Order) + 1 });
  }

  private async renew(n: number): Promise<Record<string, Value>> {
    if (!this.running.get(n)?.renew()) throw noClientRunning(this.rules, n);
    return {};
  }

  /** Option 125 (hex) of the first Client bound with it: what Device.GatewayInfo. reads. */
  gatewayOption(): string | undefined {
    for (const [n] of this.clients.rows([])) {
      const lease = this.lease(n);
      const hex = lease && dhcpStatusOf(lease.event) === 'Bound' ? lease.vars.get(optionVariable(VIVSO_TAG)) : undefined;
      if (hex) return hex;
    }
    return undefined;
  }

  /** The lease recorded for client `n` while its child runs and holds one. */
  private lease(n: number): (UdhcpcLease & { at: number }) | undefined {
    if (!this.running.get(n)?.running) return undefined;
    const file = this.files(n).leaseFile;
    try {
      const lease = parseLeaseRecord(readFileSync(file, 'latin1'));
      return { ...lease, at: statSync(file).mtimeMs };
    } catch {
      return undefined;
    }
  }

  private async checkClient(n: number, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    return checkClientInterface(this.rules, n, merged, changes, this.clients.rows([]));
  }

  private async readClient(n: number, row: Row): Promise<Record<string, Value>> {
    const values = await readClientInterface(this.opts.interfaces, row, this.running.get(n)?.running === true);
    // Stopped because its interface's IPv4 is switched off: not a fault of the client.
    const device = deviceOf(row);
    if (values.Status === 'Error' && device !== undefined && this.opts.ipv4On?.(device) === false) values.Status = 'Disabled';
    const lease = this.lease(n);
    const bound = lease !== undefined && dhcpStatusOf(lease.event) === 'Bound';
    values.DHCPStatus = lease ? dhcpStatusOf(lease.event) : 'Init';
    const v = (name: string): string => (bound ? (lease.vars.get(name) ?? '') : '');
    values.IPAddress = v('ip');
    values.SubnetMask = v('subnet');
    values.IPRouters = v('router').split(/\s+/).filter(Boolean).join(',');
    values.DNSServers = v('dns').split(/\s+/).filter(Boolean).join(',');
    values.DHCPServer = v('serverid');
    const seconds = Number(v('lease'));
    const now = (this.opts.now ?? Date.now)();
    values.LeaseTimeRemaining = !bound || !Number.isFinite(seconds) ? 0 : seconds >= INFINITE ? -1 : Math.max(0, Math.round(seconds - (now - lease.at) / 1000));
    return values;
  }
}

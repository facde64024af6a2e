/**
 * An InterfaceSetting table of the simulated gateway (Device.RouterAdvertisement.InterfaceSetting,
 * Device.NeighborDiscovery.InterfaceSetting): factory rows the gateway ships with, rows a
 * Controller adds (each on one IP.Interface) and deletes, and a top object whose Enable switches
 * every row. Nothing is stored until a Controller writes (FactoryTable, WritableRows), and the
 * binding is a thin class over one gateway's state, its methods shared by a whole fleet (issue 14).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import type { BadParam } from '../stored-table.js';
import { FactoryTable } from './factory-table.js';
import type { IPState } from './ip.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';

const IP_INTERFACE = 'Device.IP.Interface.{i}.';
const IP_INTERFACE_REF = /^Device\.IP\.Interface\.(\d+)$/;
/** lo: Neighbor Discovery and router advertisements need a link layer, which loopback has not. */
const LOOPBACK = 3;

/** What one table is: its paths, shipped rows and checks. Module constants, shared by a fleet. */
export interface InterfaceSettingSpec {
  top: string;
  setting: string;
  params: readonly string[];
  /** The factory rows (instance numbers). */
  factory: readonly number[];
  max: number;
  /** A row's values until written: the factory row's, or a new row's. */
  initial(keys: InstanceKeys, factory: boolean): Record<string, Value>;
  /** Problems of a row after a change (beyond Interface). */
  problems(merged: Record<string, Value>, changes: Record<string, Value>): BadParam[];
}

/** Device.<top>.: its Enable, as shipped on. */
const enabledRow = (): Record<string, Value> => ({ Enable: true });

/** One gateway's table. */
export class InterfaceSettingTable {
  readonly table: FactoryTable;
  readonly rows: WritableRows;
  readonly top: WritableRows;
  private readonly ipNode: ModelNode;

  constructor(
    readonly ctx: SimContext,
    readonly ip: IPState,
    readonly spec: InterfaceSettingSpec,
  ) {
    this.table = new FactoryTable(ctx, spec.setting, spec.factory, spec.max);
    this.rows = new WritableRows(ctx, spec.setting, (keys) => spec.initial(keys, this.table.isFactory(keys)));
    this.top = new WritableRows(ctx, spec.top, enabledRow);
    this.ipNode = ctx.model.requireNode(IP_INTERFACE);
  }

  /** 7012 for a change the gateway cannot take; `keys` [0] for a row being added. */
  async validate(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    canonicalizeReferences(changes, ['Interface']);
    const merged = { ...(keys[0] === 0 ? this.spec.initial(keys, false) : this.rows.row(keys)), ...changes };
    const bad = this.spec.problems(merged, changes);
    if (changes.Interface !== undefined && changes.Interface !== '') {
      const n = interfaceOf(changes.Interface);
      const rows = await this.ctx.model.listInstances(this.ipNode, [], {});
      if (n === undefined || !rows.includes(n)) bad.push({ param: 'Interface', message: `${String(changes.Interface)} is no Device.IP.Interface row of this gateway` });
      else if (n === LOOPBACK) bad.push({ param: 'Interface', message: 'loopback has no link layer for Neighbor Discovery' });
    }
    if (bad.length > 0) throw invalidParams(bad);
  }

  /** Status (TR-181): Disabled when the row or the whole object is off; Error_Misconfigured on no interface; Error while it has no IPv6. */
  async status(row: Record<string, Value>): Promise<string> {
    if (row.Enable !== true || this.top.row([]).Enable !== true) return 'Disabled';
    const n = interfaceOf(row.Interface);
    if (n === undefined || !(await this.ctx.model.listInstances(this.ipNode, [], {})).includes(n)) return 'Error_Misconfigured';
    return this.ip.ipv6(n) ? 'Enabled' : 'Error';
  }
}

/** The IP.Interface instance a canonical reference names. */
export function interfaceOf(ref: Value | undefined): number | undefined {
  const m = IP_INTERFACE_REF.exec(String(ref ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** Device.<top>. (Enable). */
export class SettingTopBinding implements ObjectBinding {
  readonly params = TOP_PARAMS;

  constructor(private readonly t: InterfaceSettingTable) {}

  get(): Record<string, Value> {
    return this.t.top.row([]);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.t.top.apply(keys, changes);
  }
}
const TOP_PARAMS = ['Enable'] as const;

/** Device.<top>.InterfaceSetting.{i}. */
export class InterfaceSettingBinding implements ObjectBinding {
  readonly params: readonly string[];

  constructor(private readonly t: InterfaceSettingTable) {
    this.params = t.spec.params;
  }

  list(): number[] {
    return this.t.table.list([]);
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const row = this.t.rows.row(this.t.table.check(keys));
    return { ...row, Status: await this.t.status(row) };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    await this.t.validate(this.t.table.check(keys), changes);
    this.t.rows.apply(keys, changes);
  }

  async add(_parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    const values = { ...params };
    await this.t.validate([0], values); // instance 0: a refused Add uses no number
    const n = this.t.table.add([]);
    this.t.rows.apply([n], values);
    return n;
  }

  delete(keys: InstanceKeys): void {
    this.t.table.delete(keys);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.t.table.snapshot(keys);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.t.table.restore(keys, snap);
  }
}

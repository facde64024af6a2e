/**
 * Device.DeviceInfo.Location.{i}. (TR-181 Location:1) as the agent holds it: a Controller adds
 * the one externally configured location TR-181 allows ("Only zero or one Location object
 * instance with CWMP or USP MUST exist"), with Source External, ExternalProtocol USP,
 * ExternalSource its Endpoint ID and AcquiredTime when it was last written, and writes its
 * DataObject (RFC 5491 geographic or RFC 5139 civic XML). Those rows persist in the agent's
 * store. A device with a position source of its own (the simulated gateway's GNSS fix) serves it
 * as a fixed row before them; every other platform serves the stored rows alone.
 */
import type { DataStore } from '../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding, RequestContext } from '../datamodel/tree/binding.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { ModelNode } from '../datamodel/tree/ModelNode.js';
import { dateTimeOf, type Value } from '../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../datamodel/UspError.js';

export const LOCATION_TABLE = 'Device.DeviceInfo.Location.{i}.';

/** A row the device itself provides (instance 1), e.g. a GNSS fix. */
export interface FixedLocation {
  /** Source, AcquiredTime, ExternalSource, ExternalProtocol, DataObject. */
  values(): Record<string, Value>;
  /** Why a Controller can neither change nor delete it (7012 / 7015). */
  readonly owner: string;
}

export interface LocationOptions {
  /** The clock (ms), for AcquiredTime. */
  now: () => number;
  /** The device's own row, numbered 1; the stored rows are then numbered from 2. */
  fixed?: FixedLocation;
}

const LOCATION_PARAMS = ['Source', 'AcquiredTime', 'ExternalSource', 'ExternalProtocol', 'DataObject'] as const;

/**
 * The Location table of one device: a class, so the devices of a fleet share its methods and
 * served names (issue 14); it holds only the device's store, clock and fixed row.
 */
class LocationTable implements ObjectBinding {
  readonly params = LOCATION_PARAMS;
  readonly stored = true;
  private readonly node: ModelNode;
  private readonly table: string;

  constructor(
    model: DataModel,
    private readonly store: DataStore,
    private readonly opts: LocationOptions,
  ) {
    this.node = model.requireNode(LOCATION_TABLE);
    this.table = this.node.tablePathOf([]);
  }

  private external(): number[] {
    return this.store.instances(this.table);
  }

  private storedRow(n: number): Record<string, Value> {
    const row = this.opts.fixed && n === 1 ? undefined : this.store.row(this.node.pathOf([n]));
    if (!row || !this.external().includes(n)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${n}`);
    return { ...row };
  }

  /** The device's own row, when `keys` names it. */
  private fixedAt(keys: InstanceKeys): FixedLocation | undefined {
    return keys[0] === 1 ? this.opts.fixed : undefined;
  }

  list(): number[] {
    return this.opts.fixed ? [1, ...this.external()] : this.external();
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return this.fixedAt(keys)?.values() ?? this.storedRow(keys[0]!);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const fixed = this.fixedAt(keys);
    if (fixed) throw invalidDataObject(`${fixed.owner}: DataObject is writable only on a USP-configured location`);
    const row = this.storedRow(keys[0]!);
    checkDataObject(changes.DataObject);
    this.store.setRow(this.node.pathOf(keys), { ...row, ...changes, AcquiredTime: dateTimeOf(this.opts.now()) });
  }

  add(_parent: InstanceKeys, params: Record<string, Value>, rctx: RequestContext, requested?: number): number {
    const { store, table } = this;
    const external = this.external();
    if (external.length > 0) throw new UspError(ErrorCode.ResourcesExceeded, `a USP-configured location exists already (Device.DeviceInfo.Location.${external[0]}); set its DataObject`);
    checkDataObject(params.DataObject);
    // With a fixed row 1, the stored rows are numbered from 2.
    const first = this.opts.fixed ? 2 : 1;
    const n = store.allocate(table, store.hasTable(table) ? requested : Math.max(first, requested ?? first));
    store.setRow(this.node.pathOf([n]), {
      Source: 'External',
      ExternalProtocol: 'USP',
      ExternalSource: rctx.controllerId ?? '',
      DataObject: params.DataObject ?? '',
      AcquiredTime: dateTimeOf(this.opts.now()),
    });
    return n;
  }

  delete(keys: InstanceKeys): void {
    const fixed = this.fixedAt(keys);
    if (fixed) throw new UspError(ErrorCode.DeleteFailure, `${fixed.owner} and cannot be deleted`);
    this.storedRow(keys[0]!);
    this.store.remove(this.node.pathOf(keys), this.table, keys[0]!);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.store.snapshotSubtree(this.node.pathOf(keys));
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.store.restoreSubtree(this.table, keys[0]!, snap as ReturnType<DataStore['snapshotSubtree']>);
  }
}

/** Registers the Location table on `model`, its Controller rows kept in `store`. */
export function registerLocationTable(model: DataModel, store: DataStore, opts: LocationOptions): void {
  model.register(LOCATION_TABLE, new LocationTable(model, store, opts));
}

function invalidDataObject(message: string): UspError {
  return new UspError(ErrorCode.InvalidValue, `DataObject: ${message}`, { paramErrors: [{ param: 'DataObject', message, code: ErrorCode.InvalidValue }] });
}

/** A USP-configured DataObject is RFC 5491/5139 XML (TR-181): at least it must look like an element. */
function checkDataObject(v: Value | undefined): void {
  if (v === undefined || v === '') return;
  const s = String(v).trim();
  if (!s.startsWith('<') || !s.endsWith('>')) throw invalidDataObject('must be RFC 5491 (geographic) or RFC 5139 (civic) XML');
}

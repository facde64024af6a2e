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
import type { InstanceKeys, ObjectBinding } from '../datamodel/tree/binding.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { Value } from '../datamodel/value/Value.js';
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

/** Registers the Location table on `model`, its Controller rows kept in `store`. */
export function registerLocationTable(model: DataModel, store: DataStore, opts: LocationOptions): void {
  const node = model.requireNode(LOCATION_TABLE);
  const table = node.tablePathOf([]);
  const fixed = opts.fixed;
  const external = (): number[] => store.instances(table);
  const stored = (n: number): Record<string, Value> => {
    const row = fixed && n === 1 ? undefined : store.row(node.pathOf([n]));
    if (!row || !external().includes(n)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${n}`);
    return { ...row };
  };
  const isFixed = (keys: InstanceKeys): boolean => fixed !== undefined && keys[0] === 1;

  const binding: ObjectBinding = {
    params: ['Source', 'AcquiredTime', 'ExternalSource', 'ExternalProtocol', 'DataObject'],
    stored: true,
    list: () => (fixed ? [1, ...external()] : external()),
    get: (keys: InstanceKeys) => (isFixed(keys) ? fixed!.values() : stored(keys[0]!)),
    set: (keys, changes) => {
      if (isFixed(keys)) throw invalidDataObject(`${fixed!.owner}: DataObject is writable only on a USP-configured location`);
      const row = stored(keys[0]!);
      checkDataObject(changes.DataObject);
      store.setRow(node.pathOf(keys), { ...row, ...changes, AcquiredTime: dateTime(opts.now()) });
    },
    add: (_parent, params, rctx, requested) => {
      if (external().length > 0) throw new UspError(ErrorCode.ResourcesExceeded, `a USP-configured location exists already (Device.DeviceInfo.Location.${external()[0]}); set its DataObject`);
      checkDataObject(params.DataObject);
      // With a fixed row 1, the stored rows are numbered from 2.
      const first = fixed ? 2 : 1;
      const n = store.allocate(table, store.hasTable(table) ? requested : Math.max(first, requested ?? first));
      store.setRow(node.pathOf([n]), {
        Source: 'External',
        ExternalProtocol: 'USP',
        ExternalSource: rctx.controllerId ?? '',
        DataObject: params.DataObject ?? '',
        AcquiredTime: dateTime(opts.now()),
      });
      return n;
    },
    delete: (keys) => {
      if (isFixed(keys)) throw new UspError(ErrorCode.DeleteFailure, `${fixed!.owner} and cannot be deleted`);
      stored(keys[0]!);
      store.remove(node.pathOf(keys), table, keys[0]!);
    },
    snapshot: (keys) => store.snapshotSubtree(node.pathOf(keys)),
    restore: (keys, snap) => store.restoreSubtree(table, keys[0]!, snap as ReturnType<DataStore['snapshotSubtree']>),
  };
  model.register(LOCATION_TABLE, binding);
}

/** TR-106 dateTime of a clock reading, whole seconds. */
function dateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
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

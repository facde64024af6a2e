/**
 * Device.DeviceInfo.Location.{i}. of the simulated gateway (TR-181 Location:1): row 1 is the
 * modem's GNSS fix (Source GPS; the gateway does not move, so one seeded position, in RFC 5491
 * GML), and a Controller may add the one externally configured location TR-181 allows (Source
 * External, ExternalProtocol USP, ExternalSource its Endpoint ID), whose DataObject it writes.
 * Those rows persist in the agent's store.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { Prng } from './random.js';
import { dateTime, invalidParams, type SimContext } from './SimContext.js';

const LOCATION = 'Device.DeviceInfo.Location.{i}.';
/** Seconds from power-on to the modem's first GNSS fix (a warm start). */
const FIRST_FIX_S = 45;
const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

/** RFC 5491 point (WGS 84, latitude then longitude) of a position in degrees. */
export function gmlPoint(lat: number, lon: number): string {
  return `<gml:Point xmlns:gml="http://www.opengis.net/gml" srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>${lat.toFixed(6)} ${lon.toFixed(6)}</gml:pos></gml:Point>`;
}

/** Serves the Location table: the GNSS row and the stored External rows. */
export function registerLocation(ctx: SimContext): void {
  const { model, store } = ctx;
  const node = model.requireNode(LOCATION);
  const table = node.tablePathOf([]);
  // Somewhere in Europe's temperate belt, fixed by the seed.
  const rnd = new Prng(ctx.seed, 'location');
  const gps = gmlPoint(rnd.int(44_000_000, 55_000_000) / 1e6, rnd.int(-2_000_000, 16_000_000) / 1e6);

  const external = (): number[] => store.instances(table);
  const gpsRow = (): Record<string, Value> => {
    const fixed = ctx.elapsed() >= FIRST_FIX_S;
    return { Source: 'GPS', AcquiredTime: fixed ? dateTime(ctx.bootedAt + FIRST_FIX_S * 1000) : UNKNOWN_TIME, ExternalSource: '', ExternalProtocol: '', DataObject: fixed ? gps : '' };
  };
  const stored = (n: number): Record<string, Value> => {
    const row = n === 1 ? undefined : store.row(node.pathOf([n]));
    if (!row || !external().includes(n)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${n}`);
    return { ...row };
  };

  const binding: ObjectBinding = {
    params: ['Source', 'AcquiredTime', 'ExternalSource', 'ExternalProtocol', 'DataObject'],
    stored: true,
    list: () => [1, ...external()],
    get: (keys: InstanceKeys) => (keys[0] === 1 ? gpsRow() : stored(keys[0]!)),
    set: (keys, changes) => {
      if (keys[0] === 1) throw invalidParams([{ param: 'DataObject', message: "the GNSS fix is the modem's: DataObject is writable only on a USP-configured location" }]);
      const row = stored(keys[0]!);
      checkDataObject(changes.DataObject);
      store.setRow(node.pathOf(keys), { ...row, ...changes, AcquiredTime: dateTime(ctx.now()) });
    },
    add: (_parent, params, rctx, requested) => {
      // TR-181: "Only zero or one Location object instance with CWMP or USP MUST exist".
      if (external().length > 0) throw new UspError(ErrorCode.ResourcesExceeded, `a USP-configured location exists already (Device.DeviceInfo.Location.${external()[0]}); set its DataObject`);
      checkDataObject(params.DataObject);
      // Instance 1 is the GNSS row, so the stored rows are numbered from 2.
      const n = store.allocate(table, store.hasTable(table) ? requested : Math.max(2, requested ?? 2));
      store.setRow(node.pathOf([n]), {
        Source: 'External',
        ExternalProtocol: 'USP',
        ExternalSource: rctx.controllerId ?? '',
        DataObject: params.DataObject ?? '',
        AcquiredTime: dateTime(ctx.now()),
      });
      return n;
    },
    delete: (keys) => {
      if (keys[0] === 1) throw new UspError(ErrorCode.DeleteFailure, "the GNSS fix is the modem's and cannot be deleted");
      stored(keys[0]!);
      store.remove(node.pathOf(keys), table, keys[0]!);
    },
    snapshot: (keys) => store.snapshotSubtree(node.pathOf(keys)),
    restore: (keys, snap) => store.restoreSubtree(table, keys[0]!, snap as ReturnType<typeof store.snapshotSubtree>),
  };
  model.register(LOCATION, binding);
}

/** A USP-configured DataObject is RFC 5491/5139 XML (TR-181): at least it must look like an element. */
function checkDataObject(v: Value | undefined): void {
  if (v === undefined || v === '') return;
  const s = String(v).trim();
  if (!s.startsWith('<') || !s.endsWith('>')) throw invalidParams([{ param: 'DataObject', message: 'must be RFC 5491 (geographic) or RFC 5139 (civic) XML' }]);
}

/**
 * Device.Cellular.AccessPoint.{i}. of the simulated gateway (TR-181 CellularInterfaceBase:2,
 * AccessPoint createDelete): the APNs the modem knows, a table a Controller can add to and
 * delete from, kept in the agent's store. The modem runs one data session, on the enabled
 * access point of its Interface. Changing that APN takes effect as on a real modem: the session
 * is torn down and set up again, and the simulated operator only accepts its own APNs, so a
 * wrong one (or none enabled) leaves the modem attached but the WAN without a data session.
 */
import { isIP } from 'node:net';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import { schemaDefaults } from './schema-tables.js';
import { invalidParams, type SimContext } from './SimContext.js';

/** APNs the simulated operator (SimNet) provisions for this SIM. */
export const OPERATOR_APNS = ['internet', 'fwa.simnet'] as const;
/** The one modem, as the access point's Interface reference. */
export const MODEM = 'Device.Cellular.Interface.1';
/** APNs the modem's profile store holds (a typical module keeps 16 PDP contexts); the next Add is 7005. */
export const MAX_ACCESS_POINTS = 16;
/** Seconds a PDU session takes to come up after the APN or the access point changed. */
const SESSION_SETUP_S = 3;

const ACCESS_POINT = 'Device.Cellular.AccessPoint.{i}.';
const PARAMS = ['Enable', 'Alias', 'APN', 'Username', 'Password', 'Proxy', 'ProxyPort', 'Interface', 'IPVersion', 'Type'] as const;
/** What restarts the data session when it changes on the access point the session uses. */
const SESSION_PARAMS = ['Enable', 'APN', 'Username', 'Password', 'IPVersion', 'Interface'] as const;
/**
 * The row the gateway ships with: instance 1, served until a Controller (or the defaults file)
 * adds or deletes an access point, when it is written to the store like any other row.
 */
const FACTORY_ROW: Readonly<Record<string, Value>> = {
  Enable: true,
  Alias: 'cpe-apn-internet',
  APN: OPERATOR_APNS[0],
  Username: '',
  Password: '',
  Proxy: '',
  ProxyPort: 8080,
  Interface: MODEM,
  IPVersion: -1,
  Type: 'default',
};

// 3GPP TS 23.003 §9.1: an APN Network Identifier is dot-separated labels of letters, digits and
// inner hyphens, and must not end in ".gprs" (that suffix belongs to the Operator Identifier).
const APN_RE = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;
// PAP/CHAP credentials travel in PCO as printable text: no control characters.
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export interface DataSession {
  /** A data session is up: attached, an access point enabled, its APN accepted and set up. */
  up(): boolean;
  /** The session carries IPv6: it is up and IPVersion does not restrict it to IPv4 (PDN type IPv4). */
  ipv6(): boolean;
}

/** Serves the Device.Cellular.AccessPoint.{i}. table; `attached` says whether the modem is registered. */
export function registerCellularAccessPoint(ctx: SimContext, attached: () => boolean): DataSession {
  const { model, store } = ctx;
  const node = model.requireNode(ACCESS_POINT);
  const table = node.tablePathOf([]);
  const defaults = schemaDefaults(model, ACCESS_POINT, PARAMS);

  // Until the table is in the store, instance 1 is the factory row (with any values written to it).
  const materialized = (): boolean => store.hasTable(table);
  const instances = (): number[] => (materialized() ? store.instances(table) : [1]);
  const rowOf = (n: number): Record<string, Value> => ({ ...defaults, ...(n === 1 && !materialized() ? FACTORY_ROW : {}), ...(store.row(node.pathOf([n])) ?? {}) });
  const exists = (keys: InstanceKeys): number => {
    const n = keys[0];
    if (n === undefined || !instances().includes(n)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${n}`);
    return n;
  };
  /** Writes the factory row to the store, so adds and deletes number and keep rows as usual. */
  const materialize = (): void => {
    if (materialized()) return;
    const factory = rowOf(1);
    store.allocate(table, 1);
    store.setRow(node.pathOf([1]), factory);
  };

  /** Wall-clock ms of the last change that restarted the data session (boot: none). */
  let restartedAt = -Infinity;
  /** The access point the data session uses: the enabled one on the modem (at most one, see validate). */
  const active = (): Record<string, Value> | undefined =>
    instances()
      .map(rowOf)
      .find((r) => r.Enable === true && r.Interface === MODEM);

  const validate = (n: number | undefined, changes: Record<string, Value>): void => {
    canonicalizeReferences(changes, ['Interface']);
    const merged = { ...(n === undefined ? defaults : rowOf(n)), ...changes };
    const bad = badValues(changes);
    // One data session per modem: a second enabled APN on the same Interface would be ambiguous.
    if (merged.Enable === true && (changes.Enable !== undefined || changes.Interface !== undefined)) {
      const other = instances().find((m) => m !== n && rowOf(m).Enable === true && rowOf(m).Interface === merged.Interface);
      if (other !== undefined) {
        bad.push({ param: 'Enable', message: `Device.Cellular.AccessPoint.${other} is the enabled access point of ${String(merged.Interface)}: disable it first (the modem runs one data session)` });
      }
    }
    if (bad.length > 0) throw invalidParams(bad);
  };
  const restartIf = (before: Record<string, Value> | undefined, after: Record<string, Value> | undefined): void => {
    if (SESSION_PARAMS.some((p) => before?.[p] !== after?.[p])) restartedAt = ctx.now();
  };

  const binding: ObjectBinding = {
    params: PARAMS,
    stored: true,
    changesOnlyThroughAgent: true,
    list: () => instances(),
    get: (keys) => rowOf(exists(keys)),
    set: (keys, changes) => {
      const n = exists(keys);
      validate(n, changes);
      const before = active();
      const path = node.pathOf(keys);
      store.setRow(path, { ...(store.row(path) ?? {}), ...changes });
      restartIf(before, active());
    },
    add: (_parent, params, _ctx, requested) => {
      if (instances().length >= MAX_ACCESS_POINTS) {
        throw new UspError(ErrorCode.ResourcesExceeded, `the modem holds at most ${MAX_ACCESS_POINTS} access points`);
      }
      // A new row is on the modem unless it says otherwise: the gateway has no other Interface.
      // Written into `params` itself, so the Add's generated unique keys (R-ADD.5) keep it.
      if (params.Interface === undefined || params.Interface === '') params.Interface = MODEM;
      const values = { ...params };
      validate(undefined, values);
      const before = active();
      materialize();
      const n = store.allocate(table, requested);
      store.setRow(node.pathOf([n]), values);
      restartIf(before, active());
      return n;
    },
    // Deleting the enabled access point (or the last one) is allowed (minEntries 0): the data session goes down.
    delete: (keys) => {
      exists(keys);
      const before = active();
      materialize();
      store.remove(node.pathOf(keys), table, keys[0]!);
      restartIf(before, active());
    },
    snapshot: (keys) => {
      materialize();
      return store.snapshotSubtree(node.pathOf(keys));
    },
    restore: (keys, snap) => store.restoreSubtree(table, keys[0]!, snap as ReturnType<typeof store.snapshotSubtree>),
  };
  model.register(ACCESS_POINT, binding);

  const up = (): boolean => {
    const row = active();
    return attached() && row !== undefined && (OPERATOR_APNS as readonly string[]).includes(String(row.APN).toLowerCase()) && ctx.now() >= restartedAt + SESSION_SETUP_S * 1000;
  };
  return { up, ipv6: () => up() && active()?.IPVersion !== 4 };
}

/** Values the modem cannot take, whatever the other rows hold. */
function badValues(changes: Record<string, Value>): Array<{ param: string; message: string }> {
  const bad: Array<{ param: string; message: string }> = [];
  const { APN, Interface, Proxy } = changes;
  if (APN !== undefined && (!APN_RE.test(String(APN)) || /\.gprs$/i.test(String(APN)))) {
    bad.push({ param: 'APN', message: `${JSON.stringify(APN)} is not an APN network identifier (3GPP TS 23.003 §9.1)` });
  }
  if (Interface !== undefined && Interface !== MODEM) {
    bad.push({ param: 'Interface', message: `must name the gateway's modem, ${MODEM}` });
  }
  for (const param of ['Username', 'Password'] as const) {
    if (changes[param] !== undefined && CONTROL_RE.test(String(changes[param]))) bad.push({ param, message: 'must not hold control characters' });
  }
  if (Proxy !== undefined && Proxy !== '' && isIP(String(Proxy)) === 0) {
    bad.push({ param: 'Proxy', message: `${JSON.stringify(Proxy)} is not an IPv4 or IPv6 address` });
  }
  return bad;
}

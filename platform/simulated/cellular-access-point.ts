/**
 * Device.Cellular.AccessPoint.{i}. of the simulated gateway (TR-181 CellularInterfaceBase:2,
 * AccessPoint createDelete): the APNs the modem knows, a table a Controller can add to and
 * delete from, kept in the agent's store. The modem runs one data session, on the enabled
 * access point of its Interface. Changing that APN takes effect as on a real modem: the session
 * is torn down and set up again, and the simulated operator only accepts its own APNs, so a
 * wrong one (or none enabled) leaves the modem attached but the WAN without a data session.
 */
import { isIP } from 'node:net';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding, RequestContext } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
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

/**
 * The access points of one gateway's modem and its data session. The binding is this class
 * itself: its methods are one copy on the prototype for a whole fleet (issue 14).
 */
class AccessPoints implements ObjectBinding {
  readonly params = PARAMS;
  readonly stored = true;
  readonly changesOnlyThroughAgent = true;
  private readonly node: ModelNode;
  private readonly table: string;
  private readonly defaults: Readonly<Record<string, Value>>;
  /** Wall-clock ms of the last change that restarted the data session (boot: none). */
  private restartedAt = -Infinity;

  constructor(
    private readonly ctx: SimContext,
    private readonly attached: () => boolean,
  ) {
    this.node = ctx.model.requireNode(ACCESS_POINT);
    this.table = this.node.tablePathOf([]);
    this.defaults = schemaDefaults(ctx.model, ACCESS_POINT, PARAMS);
  }

  /** Until the table is in the store, instance 1 is the factory row (with any values written to it). */
  private materialized(): boolean {
    return this.ctx.store.hasTable(this.table);
  }

  private instances(): number[] {
    return this.materialized() ? this.ctx.store.instances(this.table) : [1];
  }

  private rowOf(n: number): Record<string, Value> {
    return { ...this.defaults, ...(n === 1 && !this.materialized() ? FACTORY_ROW : {}), ...(this.ctx.store.row(this.node.pathOf([n])) ?? {}) };
  }

  private exists(keys: InstanceKeys): number {
    const n = keys[0];
    if (n === undefined || !this.instances().includes(n)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${n}`);
    return n;
  }

  /** Writes the factory row to the store, so adds and deletes number and keep rows as usual. */
  private materialize(): void {
    if (this.materialized()) return;
    const factory = this.rowOf(1);
    this.ctx.store.allocate(this.table, 1);
    this.ctx.store.setRow(this.node.pathOf([1]), factory);
  }

  /** The access point the data session uses: the enabled one on the modem (at most one, see validate). */
  private active(): Record<string, Value> | undefined {
    return this.instances()
      .map((n) => this.rowOf(n))
      .find((r) => r.Enable === true && r.Interface === MODEM);
  }

  private validate(n: number | undefined, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['Interface']);
    const merged = { ...(n === undefined ? this.defaults : this.rowOf(n)), ...changes };
    const bad = badValues(changes);
    // One data session per modem: a second enabled APN on the same Interface would be ambiguous.
    if (merged.Enable === true && (changes.Enable !== undefined || changes.Interface !== undefined)) {
      const other = this.instances().find((m) => m !== n && this.rowOf(m).Enable === true && this.rowOf(m).Interface === merged.Interface);
      if (other !== undefined) {
        bad.push({ param: 'Enable', message: `Device.Cellular.AccessPoint.${other} is the enabled access point of ${String(merged.Interface)}: disable it first (the modem runs one data session)` });
      }
    }
    if (bad.length > 0) throw invalidParams(bad);
  }

  private restartIf(before: Record<string, Value> | undefined, after: Record<string, Value> | undefined): void {
    if (SESSION_PARAMS.some((p) => before?.[p] !== after?.[p])) this.restartedAt = this.ctx.now();
  }

  list(): number[] {
    return this.instances();
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return this.rowOf(this.exists(keys));
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { store } = this.ctx;
    const n = this.exists(keys);
    this.validate(n, changes);
    const before = this.active();
    const path = this.node.pathOf(keys);
    store.setRow(path, { ...(store.row(path) ?? {}), ...changes });
    this.restartIf(before, this.active());
  }

  add(_parent: InstanceKeys, params: Record<string, Value>, _ctx: RequestContext, requested?: number): number {
    if (this.instances().length >= MAX_ACCESS_POINTS) {
      throw new UspError(ErrorCode.ResourcesExceeded, `the modem holds at most ${MAX_ACCESS_POINTS} access points`);
    }
    // A new row is on the modem unless it says otherwise: the gateway has no other Interface.
    // Written into `params` itself, so the Add's generated unique keys (R-ADD.5) keep it.
    if (params.Interface === undefined || params.Interface === '') params.Interface = MODEM;
    const values = { ...params };
    this.validate(undefined, values);
    const before = this.active();
    this.materialize();
    const n = this.ctx.store.allocate(this.table, requested);
    this.ctx.store.setRow(this.node.pathOf([n]), values);
    this.restartIf(before, this.active());
    return n;
  }

  /** Deleting the enabled access point (or the last one) is allowed (minEntries 0): the data session goes down. */
  delete(keys: InstanceKeys): void {
    this.exists(keys);
    const before = this.active();
    this.materialize();
    this.ctx.store.remove(this.node.pathOf(keys), this.table, keys[0]!);
    this.restartIf(before, this.active());
  }

  snapshot(keys: InstanceKeys): unknown {
    this.materialize();
    return this.ctx.store.snapshotSubtree(this.node.pathOf(keys));
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.ctx.store.restoreSubtree(this.table, keys[0]!, snap as ReturnType<DataStore['snapshotSubtree']>);
  }

  /** DataSession.up. */
  sessionUp(): boolean {
    const row = this.active();
    return this.attached() && row !== undefined && (OPERATOR_APNS as readonly string[]).includes(String(row.APN).toLowerCase()) && this.ctx.now() >= this.restartedAt + SESSION_SETUP_S * 1000;
  }

  /** DataSession.ipv6. */
  sessionIPv6(): boolean {
    return this.sessionUp() && this.active()?.IPVersion !== 4;
  }
}

/** Serves the Device.Cellular.AccessPoint.{i}. table; `attached` says whether the modem is registered. */
export function registerCellularAccessPoint(ctx: SimContext, attached: () => boolean): DataSession {
  const aps = new AccessPoints(ctx, attached);
  ctx.model.register(ACCESS_POINT, aps);
  return dataSession(aps);
}

/** Apart from registerCellularAccessPoint, so the two functions keep only the access points in their context. */
function dataSession(aps: AccessPoints): DataSession {
  return { up: () => aps.sessionUp(), ipv6: () => aps.sessionIPv6() };
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
